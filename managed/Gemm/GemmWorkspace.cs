using NNPackSharp.Memory;

namespace NNPackSharp.Gemm;

/// <summary>
/// The packing buffers of one single-threaded GEMM. Each thread that multiplies holds its own, rented from
/// <see cref="Pool{TItem}"/> (or owned by its caller's workspace), so the buffers are allocated once and then reused.
/// </summary>
internal sealed class GemmWorkspace<T>
    where T : unmanaged
{
    /// <summary>Packed panels of A (MC x KC).</summary>
    public PinnedBuffer<T> PackedA { get; } = new();

    /// <summary>Packed panels of B (KC x NC).</summary>
    public PinnedBuffer<T> PackedB { get; } = new();

    /// <summary>One ukernel tile, for partial tiles at the matrix edges.</summary>
    public PinnedBuffer<T> EdgeTile { get; } = new();
}
