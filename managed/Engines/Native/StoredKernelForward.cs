using NNPackSharp.Geometry;
using NNPackSharp.Interop;
using NNPackSharp.Validation;

namespace NNPackSharp.Engines.Native;

/// <summary>
/// The native engine's forward pass with the kernel transformed once (Winograd's U, or implicit GEMM's packed kernel,
/// stored by libnnpack's inference precompute) and reused for every image of every later call.
/// </summary>
internal sealed unsafe class StoredKernelForward : IDisposable
{
    private readonly StoredKernel stored;
    private readonly NnpConvolutionAlgorithm algorithm;

    private StoredKernelForward(StoredKernel stored, NnpConvolutionAlgorithm algorithm)
    {
        this.stored = stored;
        this.algorithm = algorithm;
    }

    /// <summary>The kernel of <paramref name="g"/> stored; null where libnnpack's inference does not take the layer.</summary>
    public static StoredKernelForward? TryCreate(in Conv2DGeometry g, ReadOnlySpan<float> weight, NNPackConvolutionAlgorithm pinned, int parallelism)
    {
        NnpConvolutionAlgorithm algorithm = NNPackEngine.Native(pinned);
        ThreadPools.SharedPool? pool = ThreadPools.Rent(parallelism);
        try
        {
            fixed (float* kernel = weight)
            {
                StoredKernel? stored = StoredKernel.Create(g, algorithm, kernel, pool?.Handle ?? 0);
                return stored is null ? null : new StoredKernelForward(stored, algorithm);
            }
        }
        finally
        {
            ThreadPools.Return(pool);
        }
    }

    /// <summary>Writes the call's output image by image with the stored kernel (the call's weight is not read).</summary>
    public void Forward(in ForwardCall<float> call, int parallelism)
    {
        Conv2DGeometry g = call.Geometry;
        ThreadPools.SharedPool? pool = ThreadPools.Rent(parallelism);
        try
        {
            var arguments = new ConvolutionArguments(g with { Batch = 1 }, pool?.Handle ?? 0, algorithm) { Activation = NNPackEngine.Native(call.Activation) };
            fixed (float* input = call.Input, bias = call.Bias, output = call.Output)
            {
                for (int image = 0; image < g.Batch; image++)
                {
                    stored.Infer(arguments, input + ((long)image * g.InputImageLength), bias, output + ((long)image * g.OutputImageLength));
                }
            }
        }
        finally
        {
            ThreadPools.Return(pool);
        }
    }

    public void Dispose() => stored.Dispose();
}
