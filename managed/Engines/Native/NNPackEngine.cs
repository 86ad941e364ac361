using NNPackSharp.Geometry;
using NNPackSharp.Interop;
using NNPackSharp.Validation;

namespace NNPackSharp.Engines.Native;

/// <summary>
/// <see cref="Conv2DAlgorithm.NNPackAuto"/>: float32 convolutions through the native library with its auto algorithm,
/// or one a call pins (<see cref="Conv2DOptions.NativeAlgorithm"/>).
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
    public void Forward(in ForwardCall<float> call, int parallelism) => Forward(call, parallelism, NNPackConvolutionAlgorithm.Auto);

    /// <inheritdoc />
    public void Backward(in BackwardCall<float> call, int parallelism) => Backward(call, parallelism, NNPackConvolutionAlgorithm.Auto);

    /// <summary>The forward pass with the library's algorithm pinned (<see cref="NNPackConvolutionAlgorithm.Auto"/>: its own choice).</summary>
    /// <exception cref="NotSupportedException">The pinned algorithm cannot compute this call; nothing was written.</exception>
    public void Forward(in ForwardCall<float> call, int parallelism, NNPackConvolutionAlgorithm algorithm)
    {
        Conv2DGeometry g = call.Geometry;
        if (g.Batch == 0)
        {
            return;
        }

        RequireSupported(g, algorithm, forward: true, inputGradient: false, weightGradient: false);
        ThreadPools.SharedPool? pool = ThreadPools.Rent(parallelism);
        try
        {
            fixed (float* input = call.Input, weight = call.Weight, bias = call.Bias, output = call.Output)
            {
                NNPackProxy.ConvolutionOutput(new ConvolutionArguments(g, pool?.Handle ?? 0, Native(algorithm)) { Activation = Native(call.Activation) }, input, weight, bias, output);
            }
        }
        finally
        {
            ThreadPools.Return(pool);
        }
    }

    /// <summary>The backward pass with the library's algorithm pinned for both gradients.</summary>
    /// <exception cref="NotSupportedException">The pinned algorithm cannot compute a requested gradient; nothing was written.</exception>
    public void Backward(in BackwardCall<float> call, int parallelism, NNPackConvolutionAlgorithm algorithm)
    {
        Conv2DGeometry g = call.Geometry;
        if (g.Batch != 0)
        {
            RequireSupported(g, algorithm, forward: false, inputGradient: !call.GradInput.IsEmpty, weightGradient: !call.GradWeight.IsEmpty);
        }

        if (!call.GradBias.IsEmpty)
        {
            SumBias(g, call.GradOutput, call.GradBias, parallelism);
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
            var arguments = new ConvolutionArguments(g, pool?.Handle ?? 0, Native(algorithm));
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

    /// <summary>NNPACK's activation argument for a call's <see cref="Conv2DActivation"/>.</summary>
    internal static NnpActivation Native(Conv2DActivation activation) =>
        activation == Conv2DActivation.Relu ? NnpActivation.Relu : NnpActivation.Identity;

    internal static NnpConvolutionAlgorithm Native(NNPackConvolutionAlgorithm algorithm) => algorithm switch
    {
        NNPackConvolutionAlgorithm.ImplicitGemm => NnpConvolutionAlgorithm.ImplicitGemm,
        NNPackConvolutionAlgorithm.Direct => NnpConvolutionAlgorithm.Direct,
        NNPackConvolutionAlgorithm.Winograd => NnpConvolutionAlgorithm.Wt8x8,
        NNPackConvolutionAlgorithm.Fft8x8 => NnpConvolutionAlgorithm.Ft8x8,
        NNPackConvolutionAlgorithm.Fft16x16 => NnpConvolutionAlgorithm.Ft16x16,
        NNPackConvolutionAlgorithm.Winograd4x4 => ExtensionAlgorithms.Wt6x6,
        _ => NnpConvolutionAlgorithm.Auto,
    };

    /// <summary>
    /// A pinned algorithm is asked, pass by pass, whether it computes this call (size queries: nothing runs and nothing
    /// is written), so a refusal surfaces before any destination is touched, even when only the second pass is refused.
    /// </summary>
    private static void RequireSupported(in Conv2DGeometry g, NNPackConvolutionAlgorithm algorithm, bool forward, bool inputGradient, bool weightGradient)
    {
        if (algorithm == NNPackConvolutionAlgorithm.Auto)
        {
            return;
        }

        // Pass by pass, without an array of them: a pinned call stays allocation-free like any other.
        var arguments = new ConvolutionArguments(g, 0, Native(algorithm));
        RequirePass(g, algorithm, arguments, forward, "forward pass", output: true, input: false, kernel: false);
        RequirePass(g, algorithm, arguments, inputGradient, "input gradient", output: false, input: true, kernel: false);
        RequirePass(g, algorithm, arguments, weightGradient, "weight gradient", output: false, input: false, kernel: true);
    }

    private static void RequirePass(
        in Conv2DGeometry g, NNPackConvolutionAlgorithm algorithm, in ConvolutionArguments arguments, bool requested, string pass, bool output, bool input, bool kernel)
    {
        if (!requested)
        {
            return;
        }

        NnpStatus status = NNPackProxy.Supports(arguments, output, input, kernel);
        if (status == NnpStatus.UnsupportedAlgorithm)
        {
            throw new NotSupportedException(
                $"NNPackConvolutionAlgorithm.{algorithm} cannot compute the {pass} of this convolution (input {g.InputShape}, weight {g.WeightShape}, " +
                $"padding {g.Padding}, stride {g.Stride}): {Requirement(algorithm)}. Nothing was written; pin ImplicitGemm (any shape) or leave Auto.");
        }

        Ensure.Success(status, "the algorithm query");
    }

    private static string Requirement(NNPackConvolutionAlgorithm algorithm) => algorithm switch
    {
        NNPackConvolutionAlgorithm.Direct => "direct takes 1x1 kernels with stride 1 and no padding",
        NNPackConvolutionAlgorithm.Winograd => "Winograd F(6x6,3x3) takes 3x3 kernels with stride 1 and padding at most 2",
        NNPackConvolutionAlgorithm.Winograd4x4 => "Winograd F(4x4,3x3) takes 3x3 kernels with stride 1 and padding at most 2",
        NNPackConvolutionAlgorithm.Fft8x8 => "FFT 8x8 takes kernels up to 8x8 with stride 1, and for the input gradient padding below the kernel size",
        NNPackConvolutionAlgorithm.Fft16x16 => "FFT 16x16 takes kernels up to 16x16 with stride 1, and for the input gradient padding below the kernel size",
        _ => "libnnpack refuses it for this shape",
    };

    private static void SumBias(in Conv2DGeometry g, ReadOnlySpan<float> gradOutput, Span<float> gradBias, int parallelism)
    {
        fixed (float* upstream = gradOutput, sums = gradBias)
        {
            BiasGradient.Sum(g, upstream, sums, parallelism, helpersRest: true);
        }
    }
}
