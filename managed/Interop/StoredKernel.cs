using System.Runtime.InteropServices;
using NNPackSharp.Geometry;

namespace NNPackSharp.Interop;

/// <summary>
/// A kernel stored by <c>nnp_convolution_inference</c> (transform strategy precompute) in native memory this object owns,
/// and the single-image inference calls that reuse it. libnnpack's header in the stored bytes makes it refuse the
/// buffer for any other problem, so a stale or foreign one fails loudly instead of computing.
/// </summary>
internal sealed unsafe class StoredKernel : IDisposable
{
    private void* memory;

    private StoredKernel(void* memory) => this.memory = memory;

    /// <summary>
    /// Stores <paramref name="kernel"/> for single images of <paramref name="g"/> (its batch is ignored); null when the
    /// inference function does not take this layer (upstream's rule: each padding side smaller than the kernel).
    /// </summary>
    public static StoredKernel? Create(in Conv2DGeometry g, NnpConvolutionAlgorithm algorithm, float* kernel, nint threadPool)
    {
        if (g.PadHeight >= g.KernelHeight || g.PadWidth >= g.KernelWidth)
        {
            return null;
        }

        var a = new ConvolutionArguments(g, threadPool, algorithm);
        nuint size = 0;
        Ensure.Success(Precompute(a, kernel, null, &size), nameof(NNPackNative.nnp_convolution_inference));
        void* memory = NativeMemory.AlignedAlloc(size, 64);
        try
        {
            Ensure.Success(Precompute(a, kernel, memory, &size), nameof(NNPackNative.nnp_convolution_inference));
            return new StoredKernel(memory);
        }
        catch
        {
            NativeMemory.AlignedFree(memory);
            throw;
        }
    }

    /// <summary><paramref name="output"/> = conv(<paramref name="input"/>, the stored kernel) + bias for one image.</summary>
    public void Infer(in ConvolutionArguments arguments, float* input, float* bias, float* output)
    {
        ObjectDisposedException.ThrowIf(memory == null, this);
        WorkspaceProtocol.Run(new ReuseCall(arguments, input, (float*)memory, bias, output));
    }

    public void Dispose()
    {
        NativeMemory.AlignedFree(memory);
        memory = null;
    }

    private static NnpStatus Precompute(in ConvolutionArguments a, float* kernel, void* buffer, nuint* size) => NNPackNative.nnp_convolution_inference(
        a.Algorithm, NnpConvolutionTransformStrategy.Precompute, a.InputChannels, a.OutputChannels, a.InputSize, a.Padding, a.KernelSize, a.Stride,
        null, kernel, null, null, buffer, size, NnpActivation.Identity, null, a.ThreadPool, null);

    private readonly struct ReuseCall(ConvolutionArguments a, float* input, float* stored, float* bias, float* output) : IWorkspaceCall
    {
        public static string Function => nameof(NNPackNative.nnp_convolution_inference);

        public NnpStatus Invoke(void* workspace, nuint* workspaceSize) => NNPackNative.nnp_convolution_inference(
            a.Algorithm, NnpConvolutionTransformStrategy.Reuse, a.InputChannels, a.OutputChannels, a.InputSize, a.Padding, a.KernelSize, a.Stride,
            input, stored, bias, output, workspace, workspaceSize, a.Activation, null, a.ThreadPool, null);
    }
}
