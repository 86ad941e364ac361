using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using NNPackSharp.Engine;
using NNPackSharp.Interop;
using NNPackSharp.Validation;

namespace NNPackSharp.Native;

/// <summary>
/// <see cref="Conv2DAlgorithm.NNPackAuto"/>: float32 convolutions through the native library with its auto algorithm.
/// Thread pools are shared (one per thread count, created once); workspaces are 64-byte aligned and pooled.
/// Every call goes through the library's nnpsharp_*_strided extensions, which take a stride and any padding (also
/// padding at least as large as the kernel, which upstream's functions refuse), so the input is never copied.
/// </summary>
internal static unsafe class NNPackEngine
{
    private static readonly ConcurrentDictionary<int, nint> Pools = new();
    private static readonly ConcurrentBag<AlignedBuffer> Buffers = [];

    public static void Forward(in Conv2DGeometry g, float* input, float* weight, float* bias, float* output, int parallelism)
    {
        if (g.Batch == 0)
        {
            return;
        }

        Conv2DGeometry p = g;
        Call("nnpsharp_convolution_output_strided", (workspace, size) => NNPackNative.nnpsharp_convolution_output_strided(
            NnpConvolutionAlgorithm.Auto, (nuint)p.Batch, (nuint)p.InputChannels, (nuint)p.OutputChannels, InputSize(p), Padding(p), KernelSize(p), Stride(p),
            input, weight, bias, output, workspace, size, NnpActivation.Identity, null, Pool(parallelism), null));
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

        Conv2DGeometry p = g;
        nint pool = Pool(parallelism);
        if (gradWeight != null)
        {
            Call("nnpsharp_convolution_kernel_gradient_strided", (workspace, size) => NNPackNative.nnpsharp_convolution_kernel_gradient_strided(
                NnpConvolutionAlgorithm.Auto, (nuint)p.Batch, (nuint)p.InputChannels, (nuint)p.OutputChannels, InputSize(p), Padding(p), KernelSize(p), Stride(p),
                input, gradOutput, gradWeight, workspace, size, NnpActivation.Identity, null, pool, null));
        }

        if (gradInput != null)
        {
            Call("nnpsharp_convolution_input_gradient_strided", (workspace, size) => NNPackNative.nnpsharp_convolution_input_gradient_strided(
                NnpConvolutionAlgorithm.Auto, (nuint)p.Batch, (nuint)p.InputChannels, (nuint)p.OutputChannels, InputSize(p), Padding(p), KernelSize(p), Stride(p),
                gradOutput, weight, gradInput, workspace, size, NnpActivation.Identity, null, pool, null));
        }
    }

    /// <summary>Frees the pooled workspaces.</summary>
    public static void ReleaseWorkspaces()
    {
        while (Buffers.TryTake(out AlignedBuffer? buffer))
        {
            buffer.Dispose();
        }
    }

    private delegate NnpStatus NativeCall(void* workspace, nuint* workspaceSize);

    /// <summary>Asks for the workspace size, lends a pooled buffer at least that large, runs the call and checks its status.</summary>
    private static void Call(string function, NativeCall call)
    {
        nuint need = 0;
        Check(function, call(null, &need));
        AlignedBuffer buffer = Buffers.TryTake(out AlignedBuffer? pooled) ? pooled : new AlignedBuffer();
        try
        {
            void* workspace = buffer.Ensure(need);
            Check(function, call(workspace, &need));
        }
        finally
        {
            Buffers.Add(buffer);
        }
    }

    /// <summary>Turns a status other than success into an <see cref="NNPackException"/> naming the function and the status.</summary>
    internal static void Check(string function, NnpStatus status)
    {
        if (status != NnpStatus.Success)
        {
            throw new NNPackException(function, (int)status, status.ToString());
        }
    }

    /// <summary>The shared pool for this many threads; null (the calling thread) for one.</summary>
    private static nint Pool(int threads) => threads <= 1 ? 0 : Pools.GetOrAdd(threads, static t => NNPackNative.pthreadpool_create((nuint)t));

    private static void SumBias(in Conv2DGeometry g, float* gradOutput, float* gradBias)
    {
        new Span<float>(gradBias, g.OutputChannels).Clear();
        for (int image = 0; image < g.Batch; image++)
        {
            BiasGradient.AddImage(g, gradOutput + ((long)image * g.OutputImageLength), gradBias, overwrite: false);
        }
    }

    private static NnpSize InputSize(in Conv2DGeometry g) => new() { Width = (nuint)g.InputWidth, Height = (nuint)g.InputHeight };

    private static NnpSize KernelSize(in Conv2DGeometry g) => new() { Width = (nuint)g.KernelWidth, Height = (nuint)g.KernelHeight };

    private static NnpSize Stride(in Conv2DGeometry g) => new() { Width = (nuint)g.StrideWidth, Height = (nuint)g.StrideHeight };

    private static NnpPadding Padding(in Conv2DGeometry g) =>
        new() { Top = (nuint)g.PadHeight, Bottom = (nuint)g.PadHeight, Left = (nuint)g.PadWidth, Right = (nuint)g.PadWidth };

    /// <summary>A 64-byte-aligned native buffer that grows on demand.</summary>
    private sealed class AlignedBuffer : IDisposable
    {
        private void* memory;
        private nuint capacity;

        public void* Ensure(nuint bytes)
        {
            if (bytes > capacity || memory == null)
            {
                NativeMemory.AlignedFree(memory);
                memory = NativeMemory.AlignedAlloc(bytes == 0 ? 64 : bytes, 64);
                capacity = bytes;
            }

            return memory;
        }

        public void Dispose()
        {
            NativeMemory.AlignedFree(memory);
            memory = null;
            capacity = 0;
        }
    }
}
