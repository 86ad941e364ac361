using NNPackSharp.Memory;
using NNPackSharp.Threading;

namespace NNPackSharp.Gemm;

/// <summary>
/// Runs a GEMM on up to <c>parallelism</c> threads by giving each a slab of C (columns or rows) and its own workspace.
/// Small products stay on the calling thread, where a fork would cost more than it saves.
/// </summary>
/// <remarks>
/// Every slab packs all of the other operand: a column slab all of A, a row slab all of B. So C is split where the
/// operand packed twice is the smaller: by columns where B has at least as many columns as A has rows (the weight
/// gradient of a few-channel layer such as the ResNet stem: 64 x 147 with a depth of 12544, where a row split had both
/// threads pack the same 147-column B and ran no faster than one thread), by rows where A has more rows (a small map's
/// weights, 512 rows against 392 columns on 7x7x512 at batch 8: 1.05x over a column split, which had each thread
/// pack all 512 x 4608 weights; bench/ab-managed.py, two threads, 15 rounds).
/// </remarks>
internal static unsafe class ParallelGemm
{
    /// <summary>Products below this many multiply-adds run on the calling thread.</summary>
    public const long SerialWorkLimit = 1L << 21;

    // workspace: the caller's, whose packing buffers a serial run uses; parallel slabs rent their own.
    public static void Multiply<T>(GemmForWidth<T> gemm, int m, int n, int k, MatrixRef<T> a, MatrixRef<T> b, T* c, nint ldc, bool accumulate, int parallelism, GemmWorkspace<T> workspace)
        where T : unmanaged =>
        Multiply(gemm, m, n, k, a, new MatrixPanelSource<T>(b), c, ldc, accumulate, parallelism, workspace);

    /// <summary>As the matrix overload, with B packed by <paramref name="b"/> (columns <c>[0, n)</c>).</summary>
    /// <remarks>Without <paramref name="accumulate"/>, a non-null <paramref name="rowBias"/> is added to C's rows (<see cref="GemmForWidth{T}.Multiply{TSource}"/>).</remarks>
    public static void Multiply<T, TSource>(GemmForWidth<T> gemm, int m, int n, int k, MatrixRef<T> a, TSource b, T* c, nint ldc, bool accumulate, int parallelism, GemmWorkspace<T> workspace, T* rowBias = null)
        where T : unmanaged
        where TSource : struct, IPanelSource<T>
    {
        if (parallelism <= 1 || (long)m * n * k < SerialWorkLimit)
        {
            gemm.Multiply(m, n, k, a, b, 0, c, ldc, accumulate, workspace, rowBias);
            return;
        }

        MultiplyInParallel(gemm, m, n, k, a, b, c, ldc, accumulate, parallelism, rowBias);
    }

    /// <summary>
    /// Whether C (<paramref name="m"/> x <paramref name="n"/>) is split across threads by columns rather than rows (see
    /// the remarks), in 64 bits: parallelism may be anything up to int.MaxValue.
    /// </summary>
    public static bool SplitsColumns(int m, int n, int tileColumns, int parallelism) =>
        n >= m && n >= (long)parallelism * tileColumns;

    private static void MultiplyInParallel<T, TSource>(GemmForWidth<T> gemm, int m, int n, int k, MatrixRef<T> a, TSource b, T* c, nint ldc, bool accumulate, int parallelism, T* rowBias)
        where T : unmanaged
        where TSource : struct, IPanelSource<T>
    {
        // No more slabs than granules: parallelism may be anything up to int.MaxValue.
        bool splitColumns = SplitsColumns(m, n, gemm.TileColumns, parallelism);
        int extent = splitColumns ? n : m;
        int granule = splitColumns ? gemm.TileColumns : gemm.TileRows;
        int slabs = (int)Math.Min(parallelism, CeilingDivide(extent, granule));
        ForkJoin.For(slabs, parallelism, new Slab<T, TSource>(gemm, m, n, k, a, b, c, ldc, accumulate, splitColumns, extent, granule, slabs, rowBias));
    }

    /// <summary>
    /// Where slab <paramref name="slab"/> of <paramref name="slabs"/> starts: the granule boundary nearest an equal share
    /// of <paramref name="extent"/>, so every slab is within a granule of an equal share and the partial last granule
    /// goes to the last slab (a slab may come out empty when there are about as many slabs as granules). Rounding every
    /// share up to whole granules gave ResNet 3x3/2's 784 columns 416 + 368 (a two-thread bound of 1.88x); nearest gives
    /// 384 + 400. In 64 bits: parallelism may be anything up to int.MaxValue.
    /// </summary>
    public static int SlabStart(int slab, int slabs, int extent, int granule) =>
        slab >= slabs ? extent : (int)Math.Min(extent, (((2L * slab * extent) + ((long)slabs * granule)) / (2L * slabs * granule)) * granule);

    /// <summary>One slab of C (columns or rows), with its own pooled workspace.</summary>
    private readonly struct Slab<T, TSource>(
        GemmForWidth<T> gemm, int m, int n, int k, MatrixRef<T> a, TSource b, T* c, nint ldc, bool accumulate, bool splitColumns, int extent, int granule, int slabs, T* rowBias)
        : IParallelBody
        where T : unmanaged
        where TSource : struct, IPanelSource<T>
    {
        public void Run(int task)
        {
            int start = SlabStart(task, slabs, extent, granule);
            int length = SlabStart(task + 1, slabs, extent, granule) - start;
            if (length <= 0)
            {
                return;
            }

            GemmWorkspace<T> slabWorkspace = Pool<GemmWorkspace<T>>.Rent();
            if (splitColumns)
            {
                gemm.Multiply(m, length, k, a, b, start, c + start, ldc, accumulate, slabWorkspace, rowBias);
            }
            else
            {
                gemm.Multiply(length, n, k, a.RowsFrom(start), b, 0, c + (start * ldc), ldc, accumulate, slabWorkspace, rowBias == null ? null : rowBias + start);
            }

            Pool<GemmWorkspace<T>>.Return(slabWorkspace);
        }
    }

    private static long CeilingDivide(long dividend, long divisor) => (dividend + divisor - 1) / divisor;
}
