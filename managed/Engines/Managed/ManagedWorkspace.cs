using NNPackSharp.Gemm;
using NNPackSharp.Memory;

namespace NNPackSharp.Engines.Managed;

/// <summary>
/// The scratch memory of one managed-engine worker: the im2col buffer and the packing buffers of the GEMMs it runs.
/// Rented from <see cref="Pool{TItem}"/> for one task and returned after it.
/// </summary>
internal sealed class ManagedWorkspace<T>
    where T : unmanaged
{
    /// <summary>The im2col matrix of one image, <c>[Cin*kH*kW, Hout*Wout]</c>.</summary>
    public PinnedBuffer<T> Columns { get; } = new();

    /// <summary>The forward product of a group of small-map images, <c>[Cout, images*Hout*Wout]</c>, before it is scattered to the output.</summary>
    public PinnedBuffer<T> Product { get; } = new();

    /// <summary>The partial weight gradients of <see cref="WeightGradientSegments{T}"/>' bands.</summary>
    public PinnedBuffer<T> Partials { get; } = new();

    /// <summary>A column kernel's weights split by kernel row, <c>[kH][Cout][Cin]</c> (<see cref="ColumnKernel"/>), shared by a call's images.</summary>
    public PinnedBuffer<T> KernelRows { get; } = new();

    /// <summary>The stride phases of a strided layer's images (<see cref="PhaseSplit"/>; float layers only).</summary>
    public PinnedBuffer<float> Phases { get; } = new();

    /// <summary>The packing buffers of the GEMMs this worker runs on its own thread.</summary>
    public GemmWorkspace<T> Gemm { get; } = new();
}
