namespace NNPackSharp.Gemm;

/// <summary>
/// How a ukernel body reads its A micro-panel: a packed panel (<see cref="PackedARows"/>: rows adjacent, the panel's
/// height apart along the depth, so every offset is a constant the JIT folds into the broadcasts' addresses), or a
/// stored row-major matrix's rows read in place (<see cref="InPlaceARows"/>: rows <c>lda</c> apart, read from four base
/// pointers three rows apart, <c>lda</c> and <c>2 lda</c> as index registers). A type argument, so each body is compiled
/// once per way with the other's code gone: read through <c>lda</c> and four pointers, packed panels ran the ResNet
/// stem's forward 0.97x.
/// </summary>
internal interface IARows
{
    /// <summary>True where A's rows are read in place.</summary>
    static abstract bool InPlace { get; }
}

/// <summary>A packed A micro-panel.</summary>
internal readonly struct PackedARows : IARows
{
    public static bool InPlace => false;
}

/// <summary>A stored matrix's rows read in place.</summary>
internal readonly struct InPlaceARows : IARows
{
    public static bool InPlace => true;
}
