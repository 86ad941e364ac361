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
    /// The blocking of every variant, float or double: KC 512 elements, MC 120, NC 4096. With the ukernels prefetching
    /// their C tile, a longer depth block wins because each pass over C costs a read and a write of it: on 1024^3 floats (`bench gemm-blocking`, one thread, 9 rounds) KC 128 ran at 80% of the zmm
    /// peak, 256 at 84%, 512 at 87%, 1024 at 88%, MC and NC within 2%. 512 floats keep the packed B block (KC x NC, 8 MiB)
    /// and the A block (MC x KC, 240 KiB) within L3 and L2. Doubles had kept the bytes of a panel row (KC 256, a 12-row A
    /// micro-panel of 24 KiB, where 512 made one of 48 KiB: 1.01-1.05x for 256 on the Zen 4 host, whose L1 is 32 KiB);
    /// on the Zen 5 host (48 KiB L1) KC 512 doubles ran 1024^3 at 84-85% of the double peak against 80% (`bench
    /// gemm-blocking double`, 9 rounds, two runs, Vector512 12x16), AlexNet conv3's 384 x 169 x 1728 at 83% against 82%.
    /// </summary>
    public static GemmBlocking Default { get; } = new(512, 120, 4096);

    /// <inheritdoc />
    public override string ToString() => $"KC {Depth} MC {Rows} NC {Columns}";
}
