using System.Collections.Concurrent;
using NNPackSharp.Gemm;

namespace NNPackSharp.Engine;

/// <summary>
/// The scratch memory of one worker: GEMM packing panels, the im2col buffer and per-worker gradient partial sums.
/// Rented from <see cref="Rent"/> for one task and returned after it, so steady-state calls allocate nothing.
/// </summary>
internal sealed class Workspace<T>
    where T : unmanaged
{
    private static readonly ConcurrentBag<Workspace<T>> Pool = [];

    /// <summary>Packed panels of A (MC x KC).</summary>
    public PinnedBuffer<T> PackedA { get; } = new();

    /// <summary>Packed panels of B (KC x NC).</summary>
    public PinnedBuffer<T> PackedB { get; } = new();

    /// <summary>One micro-kernel tile, for partial tiles at the matrix edges.</summary>
    public PinnedBuffer<T> EdgeTile { get; } = new();

    /// <summary>The im2col matrix of one image, <c>[Cin*kH*kW, Hout*Wout]</c>.</summary>
    public PinnedBuffer<T> Columns { get; } = new();

    /// <summary>This worker's partial sum of the weight gradient.</summary>
    public PinnedBuffer<T> WeightGradient { get; } = new();

    /// <summary>This worker's partial sum of the bias gradient.</summary>
    public PinnedBuffer<T> BiasGradient { get; } = new();

    public static Workspace<T> Rent() => Pool.TryTake(out Workspace<T>? workspace) ? workspace : new Workspace<T>();

    public static void Return(Workspace<T> workspace) => Pool.Add(workspace);

    /// <summary>Drops every pooled workspace so the GC can reclaim it.</summary>
    public static void Clear() => Pool.Clear();
}
