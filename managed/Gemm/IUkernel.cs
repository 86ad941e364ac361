namespace NNPackSharp.Gemm;

/// <summary>
/// A register-blocked GEMM ukernel (BLIS's micro-kernel): one <see cref="Rows"/> x <see cref="Columns"/> tile of C from
/// packed panels, <c>C (+)= A[Rows, kc] * B[kc, Columns]</c>. Static members, so each (kernel, width) instantiation of
/// <see cref="BlockedGemm{T,TVector,TOps,TKernel,TEdgeKernel}"/> is compiled with the ukernel inlined and its tile sizes constant.
/// </summary>
/// <remarks>
/// Packed layouts: A holds, for each k, the <see cref="Rows"/> values of its column; B holds, for each k, the
/// <see cref="Columns"/> values of its row. Both are zero-padded at the edges, so the ukernel always computes a full tile.
/// </remarks>
internal unsafe interface IUkernel<T>
    where T : unmanaged
{
    /// <summary>Rows of C per tile (MR).</summary>
    static abstract int Rows { get; }

    /// <summary>Columns of C per tile (NR).</summary>
    static abstract int Columns { get; }

    /// <summary>
    /// Computes one full tile and writes its first <paramref name="rows"/> rows (1 to <see cref="Rows"/>; the rest of a
    /// zero-padded edge panel is never stored); with <paramref name="accumulate"/> it adds to C instead of overwriting it,
    /// else with <paramref name="bias"/> (non-null) row i gets <c>bias[i]</c> added as it is stored. A's element (i, k)
    /// is <c>a[i * lda + k * aStep]</c>: <c>lda = 1, aStep = </c><see cref="Rows"/> in a packed panel, a stored matrix's
    /// strides where the GEMM reads a full panel of it in place. B's rows are <paramref name="ldb"/> elements apart:
    /// <see cref="Columns"/> in a packed panel, a stored matrix's row stride where the GEMM reads a full-width panel of
    /// it in place.
    /// </summary>
    static abstract void Compute(nint kc, T* a, nint lda, nint aStep, T* b, nint ldb, T* c, nint ldc, bool accumulate, int rows, T* bias);
}
