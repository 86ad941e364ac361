using NNPackSharp.Geometry;
using NNPackSharp.Interop;
using NNPackSharp.Validation;

namespace NNPackSharp.Engines.Native;

/// <summary>
/// <see cref="Conv2DAlgorithm.NNPackAuto"/>: float32 convolutions through the native library with its auto algorithm.
/// Every call goes through the library's nnpsharp_*_strided extensions, which take a stride and any padding (also
/// padding at least as large as the kernel, which upstream's functions refuse), so the input is never copied.
/// </summary>
internal sealed unsafe class NNPackEngine : IConv2DEngine<float>
{
    private NNPackEngine()
    {
    }

    public static NNPackEngine Instance { get; } = new();

    /// <summary>Frees the pooled native workspaces and stops the native pool's threads.</summary>
    public static void ReleaseWorkspaces()
    {
        WorkspaceProtocol.ReleaseWorkspaces();
        ThreadPools.Release();
    }

    /// <inheritdoc />
    public void Forward(in ForwardCall<float> call, int parallelism)
    {
        Conv2DGeometry g = call.Geometry;
        if (g.Batch == 0)
        {
            return;
        }

        ThreadPools.SharedPool? pool = ThreadPools.Rent(parallelism);
        try
        {
            fixed (float* input = call.Input, weight = call.Weight, bias = call.Bias, output = call.Output)
            {
                NNPackProxy.ConvolutionOutput(new ConvolutionArguments(g, pool?.Handle ?? 0), input, weight, bias, output);
            }
        }
        finally
        {
            ThreadPools.Return(pool);
        }
    }

    /// <inheritdoc />
    public void Backward(in BackwardCall<float> call, int parallelism)
    {
        Conv2DGeometry g = call.Geometry;
        if (!call.GradBias.IsEmpty)
        {
            SumBias(g, call.GradOutput, call.GradBias);
        }

        if (g.Batch == 0)
        {
            // No image contributes, so the weight gradient is zero (and the native functions refuse batch 0).
            call.GradWeight.Clear();
            return;
        }

        ThreadPools.SharedPool? pool = ThreadPools.Rent(parallelism);
        try
        {
            var arguments = new ConvolutionArguments(g, pool?.Handle ?? 0);
            fixed (float* input = call.Input, weight = call.Weight, gradOutput = call.GradOutput, gradInput = call.GradInput, gradWeight = call.GradWeight)
            {
                if (gradWeight != null)
                {
                    NNPackProxy.ConvolutionKernelGradient(arguments, input, gradOutput, gradWeight);
                }

                if (gradInput != null)
                {
                    NNPackProxy.ConvolutionInputGradient(arguments, gradOutput, weight, gradInput);
                }
            }
        }
        finally
        {
            ThreadPools.Return(pool);
        }
    }

    private static void SumBias(in Conv2DGeometry g, ReadOnlySpan<float> gradOutput, Span<float> gradBias)
    {
        gradBias.Clear();
        fixed (float* upstream = gradOutput, sums = gradBias)
        {
            for (int image = 0; image < g.Batch; image++)
            {
                BiasGradient.AddImage(g, upstream + ((long)image * g.OutputImageLength), sums, overwrite: false);
            }
        }
    }
}
