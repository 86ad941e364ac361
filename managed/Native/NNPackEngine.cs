using NNPackSharp.Engine;
using NNPackSharp.Interop;
using NNPackSharp.Validation;

namespace NNPackSharp.Native;

/// <summary>
/// <see cref="Conv2DAlgorithm.NNPackAuto"/>: float32 convolutions through the native library with its auto algorithm.
/// Every call goes through the library's nnpsharp_*_strided extensions, which take a stride and any padding (also
/// padding at least as large as the kernel, which upstream's functions refuse), so the input is never copied.
/// </summary>
internal static unsafe class NNPackEngine
{
    public static void Forward(in Conv2DGeometry g, float* input, float* weight, float* bias, float* output, int parallelism)
    {
        if (g.Batch == 0)
        {
            return;
        }

        NNPackProxy.ConvolutionOutput(new ConvolutionArguments(g, ThreadPools.For(parallelism)), input, weight, bias, output);
    }

    public static void Backward(in Conv2DGeometry g, float* input, float* weight, float* gradOutput, float* gradInput, float* gradWeight, float* gradBias, int parallelism)
    {
        if (gradBias != null)
        {
            SumBias(g, gradOutput, gradBias);
        }

        if (g.Batch == 0)
        {
            if (gradWeight != null)
            {
                new Span<float>(gradWeight, g.WeightLength).Clear();
            }

            return;
        }

        var arguments = new ConvolutionArguments(g, ThreadPools.For(parallelism));
        if (gradWeight != null)
        {
            NNPackProxy.ConvolutionKernelGradient(arguments, input, gradOutput, gradWeight);
        }

        if (gradInput != null)
        {
            NNPackProxy.ConvolutionInputGradient(arguments, gradOutput, weight, gradInput);
        }
    }

    /// <summary>Frees the pooled native workspaces.</summary>
    public static void ReleaseWorkspaces() => WorkspaceProtocol.ReleaseWorkspaces();

    private static void SumBias(in Conv2DGeometry g, float* gradOutput, float* gradBias)
    {
        new Span<float>(gradBias, g.OutputChannels).Clear();
        for (int image = 0; image < g.Batch; image++)
        {
            BiasGradient.AddImage(g, gradOutput + ((long)image * g.OutputImageLength), gradBias, overwrite: false);
        }
    }
}
