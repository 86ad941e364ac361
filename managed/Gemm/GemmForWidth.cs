namespace NNPackSharp.Gemm;

/// <summary>
/// A single-threaded GEMM <c>C[m,n] (+)= A[m,k] * B[k,n]</c> on the ukernel of one register width.
/// <see cref="Gemms{T}"/> lists the instances; <see cref="ParallelGemm"/> splits work among them.
/// </summary>
internal abstract unsafe class GemmForWidth<T>
    where T : unmanaged
{
    /// <summary>The register width its ukernel computes with.</summary>
    public abstract VectorWidth Width { get; }

    /// <summary>True when this CPU (and the JIT's settings) run this width in hardware.</summary>
    public abstract bool IsSupported { get; }

    /// <summary>Rows of one ukernel tile (MR).</summary>
    public abstract int TileRows { get; }

    /// <summary>Columns of one ukernel tile (NR).</summary>
    public abstract int TileColumns { get; }

    /// <summary>The cache blocking it runs with.</summary>
    public abstract GemmBlocking Blocking { get; }

    /// <summary>The same variant with another cache blocking (for tuning benchmarks).</summary>
    public abstract GemmForWidth<T> WithBlocking(GemmBlocking blocking);

    /// <summary>
    /// Computes <c>C = A*B</c>, or <c>C += A*B</c> with <paramref name="accumulate"/>, on the calling thread,
    /// using <paramref name="workspace"/>'s packing buffers.
    /// </summary>
    public void Multiply(int m, int n, int k, MatrixRef<T> a, MatrixRef<T> b, T* c, nint ldc, bool accumulate, GemmWorkspace<T> workspace) =>
        Multiply(m, n, k, a, new MatrixPanelSource<T>(b), 0, c, ldc, accumulate, workspace);

    /// <summary>
    /// As the matrix overload, with B's columns <c>[bColumn0, bColumn0 + n)</c> packed by <paramref name="b"/>
    /// (an implicit matrix such as an image's im2col columns). Without <paramref name="accumulate"/>, a non-null
    /// <paramref name="rowBias"/> (m elements) is added to each row of C: <c>C = A*B + bias</c>, each element the same
    /// sum as C filled with the bias and then accumulated into.
    /// </summary>
    public abstract void Multiply<TSource>(int m, int n, int k, MatrixRef<T> a, in TSource b, int bColumn0, T* c, nint ldc, bool accumulate, GemmWorkspace<T> workspace, T* rowBias = null)
        where TSource : struct, IPanelSource<T>;

    /// <summary>
    /// <c>C[m, n] (+)= A[m, depth] * B[n, depth]^T</c> with both operands row-major along the depth, unpacked, at this
    /// width (<see cref="DotProduct{T, TVector, TOps}"/>); rows <paramref name="lda"/>, <paramref name="ldb"/> and
    /// <paramref name="ldc"/> elements apart.
    /// </summary>
    public abstract void MultiplyDot(int m, int n, int depth, T* a, nint lda, T* b, nint ldb, T* c, nint ldc, bool accumulate);

    /// <summary>
    /// One tile of the weight gradient tap by tap at this width (<see cref="GatherUkernel{T, TVector, TOps}"/>): up to 6
    /// taps' rows read in place against a packed B panel <see cref="TileColumns"/> wide.
    /// </summary>
    public abstract void ComputeGatherTile(int m, T** a, nint images, nint imageStep, nint pixelRows, nint columns, nint rowStep, nint columnStep, T* b, T* c, nint ldc, bool accumulate);

    /// <summary>One ukernel call on packed panels, <c>C = A*B</c> for one full tile (the ukernel's own throughput, for benchmarks).</summary>
    public abstract void ComputeTile(nint kc, T* packedA, T* packedB, T* c, nint ldc);

    /// <inheritdoc />
    public override string ToString() => $"{Width} {TileRows}x{TileColumns}";
}
