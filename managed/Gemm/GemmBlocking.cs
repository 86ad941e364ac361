namespace NNPackSharp.Gemm;

/// <summary>
/// The cache blocking of <see cref="BlockedGemm{T,TVector,TOps,TKernel}"/>: depth KC (one B micro-panel, KC x NR,
/// stays in L1 while the ukernel walks down the A block), rows MC (the packed A block, MC x KC, stays in L2) and
/// columns NC (the packed B block, KC x NC, in L3), in elements.
/// </summary>
/// <param name="Depth">KC.</param>
/// <param name="Rows">MC, rounded down to whole ukernel tiles (at least one).</param>
/// <param name="Columns">NC, rounded down to whole ukernel tiles (at least one).</param>
internal readonly record struct GemmBlocking(int Depth, int Rows, int Columns)
{
    /// <summary>
    /// The blocking of every variant: KC 256, MC 120, NC 4096 (`bench gemm-blocking` found none more than 4% faster
    /// on 1024^3 on the dev VM, within its noise under load).
    /// </summary>
    public static GemmBlocking Default { get; } = new(256, 120, 4096);

    /// <inheritdoc />
    public override string ToString() => $"KC {Depth} MC {Rows} NC {Columns}";
}
