using System.Runtime.CompilerServices;

namespace NNPackSharp.Gemm;

/// <summary>
/// The ukernel for 16 vector registers (SSE, AVX2): a 6 x (2 registers) tile, <c>C[6, 2w] (+)= A[6, kc] * B[kc, 2w]</c>.
/// Twelve accumulators plus two B registers and one broadcast fit without spilling, and twelve independent FMA chains
/// cover the FMA latency.
/// </summary>
internal readonly unsafe struct Ukernel6x2<T, TVector, TOps> : IUkernel<T>
    where T : unmanaged
    where TVector : struct
    where TOps : IVectorOps<T, TVector>
{
    /// <inheritdoc />
    public static int Rows => 6;

    /// <inheritdoc />
    public static int Columns => 2 * TOps.Count;

    /// <inheritdoc />
    public static void Compute(nint kc, T* a, nint lda, nint aStep, T* b, nint ldb, T* c, nint ldc, bool accumulate, int rows, T* bias)
    {
        bool packed = lda == 1 && aStep == 6;
        if (rows <= 4)
        {
            // The last rows of 64 or 256 output channels on the 12-row tile (4 left), or of 128 on this one (2 left):
            // the multiply-adds of rows 4 and 5 are never stored, so they are not made (AlexNet conv2's input gradient
            // spent 7% of its time on this tile, 1.56x the 12-row tile's time per stored row; without them 1.01-1.02x).
            if (packed)
            {
                Multiply<PackedARows, FourRows>(kc, a, lda, aStep, b, ldb, c, ldc, accumulate, rows, bias);
            }
            else
            {
                Multiply<InPlaceARows, FourRows>(kc, a, lda, aStep, b, ldb, c, ldc, accumulate, rows, bias);
            }
        }
        else if (packed)
        {
            Multiply<PackedARows, SixRows>(kc, a, lda, aStep, b, ldb, c, ldc, accumulate, rows, bias);
        }
        else
        {
            Multiply<InPlaceARows, SixRows>(kc, a, lda, aStep, b, ldb, c, ldc, accumulate, rows, bias);
        }
    }

    /// <summary>
    /// <see cref="Compute"/>'s body, A read as <typeparamref name="TRows"/> says, rows 4 and 5 computed where
    /// <typeparamref name="TCount"/> says (a constant to the JIT: the four-row body has none of their code). A kept
    /// row's sums are the six-row body's.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Multiply<TRows, TCount>(nint kc, T* a, nint lda, nint aStep, T* b, nint ldb, T* c, nint ldc, bool accumulate, int rows, T* bias)
        where TRows : IARows
        where TCount : ITileRows
    {
        nint w = TOps.Count, lda2 = 2 * lda;
        T* a3 = a + (3 * lda);
        TileStore<T, TVector, TOps>.Prefetch(c, ldc, rows);
        TVector c00 = TOps.Zero, c01 = TOps.Zero, c10 = TOps.Zero, c11 = TOps.Zero, c20 = TOps.Zero, c21 = TOps.Zero;
        TVector c30 = TOps.Zero, c31 = TOps.Zero, c40 = TOps.Zero, c41 = TOps.Zero, c50 = TOps.Zero, c51 = TOps.Zero;

        for (nint k = 0; k < kc; k++)
        {
            TVector b0 = TOps.Load(b);
            TVector b1 = TOps.Load(b + w);
            TVector ai = TOps.Broadcast(a[0]);
            c00 = TOps.MultiplyAdd(ai, b0, c00);
            c01 = TOps.MultiplyAdd(ai, b1, c01);
            ai = TOps.Broadcast(TRows.InPlace ? a[lda] : a[1]);
            c10 = TOps.MultiplyAdd(ai, b0, c10);
            c11 = TOps.MultiplyAdd(ai, b1, c11);
            ai = TOps.Broadcast(TRows.InPlace ? a[lda2] : a[2]);
            c20 = TOps.MultiplyAdd(ai, b0, c20);
            c21 = TOps.MultiplyAdd(ai, b1, c21);
            ai = TOps.Broadcast(TRows.InPlace ? a3[0] : a[3]);
            c30 = TOps.MultiplyAdd(ai, b0, c30);
            c31 = TOps.MultiplyAdd(ai, b1, c31);
            if (TCount.Six)
            {
                ai = TOps.Broadcast(TRows.InPlace ? a3[lda] : a[4]);
                c40 = TOps.MultiplyAdd(ai, b0, c40);
                c41 = TOps.MultiplyAdd(ai, b1, c41);
                ai = TOps.Broadcast(TRows.InPlace ? a3[lda2] : a[5]);
                c50 = TOps.MultiplyAdd(ai, b0, c50);
                c51 = TOps.MultiplyAdd(ai, b1, c51);
            }
            a += TRows.InPlace ? aStep : 6;
            if (TRows.InPlace)
            {
                a3 += aStep;
            }

            b += ldb;
        }

        TileStore<T, TVector, TOps>.Row(c, w, c00, c01, accumulate, bias);
        TileStore<T, TVector, TOps>.RowIfStored(1, rows, c, ldc, w, c10, c11, accumulate, bias);
        TileStore<T, TVector, TOps>.RowIfStored(2, rows, c, ldc, w, c20, c21, accumulate, bias);
        TileStore<T, TVector, TOps>.RowIfStored(3, rows, c, ldc, w, c30, c31, accumulate, bias);
        if (TCount.Six)
        {
            TileStore<T, TVector, TOps>.RowIfStored(4, rows, c, ldc, w, c40, c41, accumulate, bias);
            TileStore<T, TVector, TOps>.RowIfStored(5, rows, c, ldc, w, c50, c51, accumulate, bias);
        }
    }

    /// <summary>Whether a body computes all six rows or the first four.</summary>
    private interface ITileRows
    {
        static abstract bool Six { get; }
    }

    private readonly struct SixRows : ITileRows
    {
        public static bool Six => true;
    }

    private readonly struct FourRows : ITileRows
    {
        public static bool Six => false;
    }
}
