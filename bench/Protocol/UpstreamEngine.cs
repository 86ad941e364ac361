using System.Runtime.InteropServices;
using NNPackSharp.Interop;

namespace NNPackSharp.Bench.Protocol;

/// <summary>
/// Upstream NNPACK (statically linked in libtorch_cpu.so), forward only: <c>nnp_convolution_output</c> with
/// <c>auto</c>, called as <see cref="UpstreamForwardBenchmarks"/> calls it. That function has no stride, so strided
/// layers are skipped here (the BenchmarkDotNet class runs them image by image through inference instead, which is
/// a different computation). Its pthreadpool and workspace are made in <see cref="Prepare"/>, outside the timing.
/// </summary>
internal sealed unsafe class UpstreamEngine(LayerData data) : BenchEngine
{
    private nint pool;
    private void* workspace;
    private nuint workspaceSize;

    public override string Name => "upstream NNPACK";

    /// <summary>
    /// libtorch's pthreadpool spins its workers for about a million iterations before they wait on a futex: past the
    /// 15 ms pre-roll. With no pause after its batch, the host control that followed it in the rotation ran 1.68-1.72x
    /// on two threads in every 2-thread forward row (the rows it runs in) and 1.94-2.00x in every other row; with
    /// 50 ms, 1.98-1.99x there too.
    /// </summary>
    public override double QuietSeconds => 0.05;

    public override string? Prepare(Pass pass, int threads)
    {
        Release();
        if (pass != Pass.Forward)
        {
            return "forward only";
        }

        if (data.Layer.Stride != 1)
        {
            return "stride 1 only";
        }

        pool = threads > 1 ? UpstreamNNPack.Functions.pthreadpool_create((nuint)threads) : 0;
        nuint need = 0;
        NnpStatus status = Forward(null, &need);
        if (status != NnpStatus.Success)
        {
            return $"refused: {status}";
        }

        workspaceSize = need;
        nuint bytes = need == 0 ? 64 : (need + 63) / 64 * 64;
        workspace = NativeMemory.AlignedAlloc(bytes, 64);
        NativeMemory.Clear(workspace, bytes);
        return null;
    }

    public override void Call()
    {
        nuint size = workspaceSize;
        NnpStatus status = Forward(workspace, &size);
        if (status != NnpStatus.Success)
        {
            throw new InvalidOperationException($"upstream nnp_convolution_output returned {status}");
        }
    }

    public override void Dispose() => Release();

    private NnpStatus Forward(void* buffer, nuint* size)
    {
        ConvLayer layer = data.Layer;
        var inputSize = new NnpSize { Width = (nuint)layer.H, Height = (nuint)layer.H };
        var kernel = new NnpSize { Width = (nuint)layer.KernelW, Height = (nuint)layer.KernelH };
        var padding = new NnpPadding { Top = (nuint)layer.PadH, Bottom = (nuint)layer.PadH, Left = (nuint)layer.PadW, Right = (nuint)layer.PadW };
        fixed (float* x = data.InputValues, w = data.WeightValues, b = data.BiasValues, y = data.OutputValues)
        {
            return UpstreamNNPack.Functions.nnp_convolution_output(NnpConvolutionAlgorithm.Auto, (nuint)layer.N, (nuint)layer.Cin, (nuint)layer.Cout,
                inputSize, padding, kernel, x, w, b, y, buffer, size, NnpActivation.Identity, null, pool, null);
        }
    }

    private void Release()
    {
        if (workspace != null)
        {
            NativeMemory.AlignedFree(workspace);
            workspace = null;
        }

        if (pool != 0)
        {
            UpstreamNNPack.Functions.pthreadpool_destroy(pool);
            pool = 0;
        }
    }
}
