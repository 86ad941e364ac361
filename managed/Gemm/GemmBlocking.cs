namespace NNPackSharp.Gemm;

/// <summary>
/// The cache blocking of <see cref="BlockedGemm{T,TVector,TOps,TKernel,TEdgeKernel}"/>: depth KC (one B micro-panel, KC x NR,
/// stays in L1 while the ukernel walks down the A block), rows MC (the packed A block, MC x KC, stays in L2) and
/// columns NC (the packed B block, KC x NC, in L3), in elements.
/// </summary>
/// <param name="Depth">KC.</param>
/// <param name="Rows">MC, rounded down to whole ukernel tiles (at least one).</param>
/// <param name="Columns">NC, rounded down to whole ukernel tiles (at least one).</param>
internal readonly record struct GemmBlocking(int Depth, int Rows, int Columns)
{
    /// <summary>
    /// The blocking of a variant whose elements take <paramref name="elementBytes"/> bytes: KC 2 KiB of one row (512
    /// floats, 256 doubles), MC 120, NC 4096. With the ukernels prefetching their C tile, a longer depth block wins
    /// because each pass over C costs a read and a write of it: on 1024^3 floats (`bench gemm-blocking`, one thread, 9
    /// rounds) KC 128 ran at 80% of the zmm peak, 256 at 84%, 512 at 87%, 1024 at 88%, MC and NC within 2%. 512 floats
    /// keep the packed B block (KC x NC, 8 MiB) and the A block (MC x KC, 240 KiB) within L3 and L2. Doubles keep the
    /// same bytes per panel row: KC 512 doubles made a 12-row A micro-panel of 48 KiB, past L1, and KC 256 ran 1.01-1.05x
    /// over it on 1024^3 (`bench gemm-blocking double`, 21 rounds, five runs, Vector512 12x16 and 6x16).
    /// </summary>
    public static GemmBlocking ForElement(int elementBytes) => new(2048 / elementBytes, 120, 4096);

    /// <inheritdoc />
    public override string ToString() => $"KC {Depth} MC {Rows} NC {Columns}";
}
