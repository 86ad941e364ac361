namespace NNPackSharp.Gemm;

/// <summary>
/// A single-threaded GEMM <c>C[m,n] (+)= A[m,k] * B[k,n]</c> for one register width.
/// <see cref="GemmKernels{T}"/> lists the instances; <see cref="ParallelGemm"/> splits work among them.
/// </summary>
internal abstract unsafe class GemmKernel<T>
    where T : unmanaged
{
    public abstract GemmKernelKind Kind { get; }

    /// <summary>True when this CPU (and the JIT's settings) run this width in hardware.</summary>
    public abstract bool IsSupported { get; }

    /// <summary>Rows of one micro-kernel tile (MR).</summary>
    public abstract int TileRows { get; }

    /// <summary>Columns of one micro-kernel tile (NR).</summary>
    public abstract int TileColumns { get; }

    /// <summary>
    /// Computes <c>C = A*B</c>, or <c>C += A*B</c> with <paramref name="accumulate"/>, on the calling thread,
    /// using <paramref name="workspace"/>'s packing buffers.
    /// </summary>
    public abstract void Multiply(int m, int n, int k, MatrixRef<T> a, MatrixRef<T> b, T* c, nint ldc, bool accumulate, GemmWorkspace<T> workspace);

    /// <inheritdoc />
    public override string ToString() => $"{Kind} {TileRows}x{TileColumns}";
}
