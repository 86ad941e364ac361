using System.Runtime.CompilerServices;

namespace NNPackSharp.Gemm;

/// <summary>
/// The last column panel of a product when no more than one register's width of it holds columns:
/// <c>C[rows, w] (+)= A[height, kc] * B[kc, w]</c>, reading the first register of each row of the zero-padded two-register
/// B panel. The full tile would multiply the padding too: a 392-column product (7x7 maps, batch 8) ends in 8 columns
/// of a 32-column panel, which computed 416 columns for 392; this computes 400.
/// </summary>
internal static unsafe class HalfWidthTile<T, TVector, TOps>
    where T : unmanaged
    where TVector : struct
    where TOps : IVectorOps<T, TVector>
{
    /// <summary>
    /// Computes the tile from an A panel of <paramref name="height"/> rows (12, or 6 where that is the packed height)
    /// and writes its first <paramref name="rows"/> rows, as <see cref="IUkernel{T}.Compute"/> does (bias included).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Compute(nint kc, T* a, nint lda, nint aStep, int height, T* b, nint ldb, T* c, nint ldc, bool accumulate, int rows, T* bias)
    {
        bool packed = lda == 1 && aStep == height;
        if (height == 12 && packed)
        {
            Compute12<PackedARows>(kc, a, lda, aStep, b, ldb, c, ldc, accumulate, rows, bias);
        }
        else if (height == 12)
        {
            Compute12<InPlaceARows>(kc, a, lda, aStep, b, ldb, c, ldc, accumulate, rows, bias);
        }
        else if (packed)
        {
            Compute6<PackedARows>(kc, a, lda, aStep, b, ldb, c, ldc, accumulate, rows, bias);
        }
        else
        {
            Compute6<InPlaceARows>(kc, a, lda, aStep, b, ldb, c, ldc, accumulate, rows, bias);
        }
    }

    // Each body compiled optimised at once, as the ukernels: a tier-0 body calls the vector operations instead of inlining them.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Compute12<TRows>(nint kc, T* a, nint lda, nint aStep, T* b, nint ldb, T* c, nint ldc, bool accumulate, int rows, T* bias)
        where TRows : IARows
    {
        nint lda2 = 2 * lda;
        T* a3 = a + (3 * lda), a6 = a + (6 * lda), a9 = a + (9 * lda);
        TVector c0 = TOps.Zero, c1 = TOps.Zero, c2 = TOps.Zero, c3 = TOps.Zero, c4 = TOps.Zero, c5 = TOps.Zero;
        TVector c6 = TOps.Zero, c7 = TOps.Zero, c8 = TOps.Zero, c9 = TOps.Zero, cA = TOps.Zero, cB = TOps.Zero;
        for (nint k = 0; k < kc; k++)
        {
            TVector bk = TOps.Load(b);
            c0 = TOps.MultiplyAdd(TOps.Broadcast(a[0]), bk, c0);
            c1 = TOps.MultiplyAdd(TOps.Broadcast(TRows.InPlace ? a[lda] : a[1]), bk, c1);
            c2 = TOps.MultiplyAdd(TOps.Broadcast(TRows.InPlace ? a[lda2] : a[2]), bk, c2);
            c3 = TOps.MultiplyAdd(TOps.Broadcast(TRows.InPlace ? a3[0] : a[3]), bk, c3);
            c4 = TOps.MultiplyAdd(TOps.Broadcast(TRows.InPlace ? a3[lda] : a[4]), bk, c4);
            c5 = TOps.MultiplyAdd(TOps.Broadcast(TRows.InPlace ? a3[lda2] : a[5]), bk, c5);
            c6 = TOps.MultiplyAdd(TOps.Broadcast(TRows.InPlace ? a6[0] : a[6]), bk, c6);
            c7 = TOps.MultiplyAdd(TOps.Broadcast(TRows.InPlace ? a6[lda] : a[7]), bk, c7);
            c8 = TOps.MultiplyAdd(TOps.Broadcast(TRows.InPlace ? a6[lda2] : a[8]), bk, c8);
            c9 = TOps.MultiplyAdd(TOps.Broadcast(TRows.InPlace ? a9[0] : a[9]), bk, c9);
            cA = TOps.MultiplyAdd(TOps.Broadcast(TRows.InPlace ? a9[lda] : a[10]), bk, cA);
            cB = TOps.MultiplyAdd(TOps.Broadcast(TRows.InPlace ? a9[lda2] : a[11]), bk, cB);
            a += TRows.InPlace ? aStep : 12;
            if (TRows.InPlace)
            {
                a3 += aStep;
                a6 += aStep;
                a9 += aStep;
            }

            b += ldb;
        }

        Store(0, rows, c, ldc, c0, accumulate, bias);
        Store(1, rows, c, ldc, c1, accumulate, bias);
        Store(2, rows, c, ldc, c2, accumulate, bias);
        Store(3, rows, c, ldc, c3, accumulate, bias);
        Store(4, rows, c, ldc, c4, accumulate, bias);
        Store(5, rows, c, ldc, c5, accumulate, bias);
        Store(6, rows, c, ldc, c6, accumulate, bias);
        Store(7, rows, c, ldc, c7, accumulate, bias);
        Store(8, rows, c, ldc, c8, accumulate, bias);
        Store(9, rows, c, ldc, c9, accumulate, bias);
        Store(10, rows, c, ldc, cA, accumulate, bias);
        Store(11, rows, c, ldc, cB, accumulate, bias);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Compute6<TRows>(nint kc, T* a, nint lda, nint aStep, T* b, nint ldb, T* c, nint ldc, bool accumulate, int rows, T* bias)
        where TRows : IARows
    {
        nint lda2 = 2 * lda;
        T* a3 = a + (3 * lda);
        TVector c0 = TOps.Zero, c1 = TOps.Zero, c2 = TOps.Zero, c3 = TOps.Zero, c4 = TOps.Zero, c5 = TOps.Zero;
        for (nint k = 0; k < kc; k++)
        {
            TVector bk = TOps.Load(b);
            c0 = TOps.MultiplyAdd(TOps.Broadcast(a[0]), bk, c0);
            c1 = TOps.MultiplyAdd(TOps.Broadcast(TRows.InPlace ? a[lda] : a[1]), bk, c1);
            c2 = TOps.MultiplyAdd(TOps.Broadcast(TRows.InPlace ? a[lda2] : a[2]), bk, c2);
            c3 = TOps.MultiplyAdd(TOps.Broadcast(TRows.InPlace ? a3[0] : a[3]), bk, c3);
            c4 = TOps.MultiplyAdd(TOps.Broadcast(TRows.InPlace ? a3[lda] : a[4]), bk, c4);
            c5 = TOps.MultiplyAdd(TOps.Broadcast(TRows.InPlace ? a3[lda2] : a[5]), bk, c5);
            a += TRows.InPlace ? aStep : 6;
            if (TRows.InPlace)
            {
                a3 += aStep;
            }

            b += ldb;
        }

        Store(0, rows, c, ldc, c0, accumulate, bias);
        Store(1, rows, c, ldc, c1, accumulate, bias);
        Store(2, rows, c, ldc, c2, accumulate, bias);
        Store(3, rows, c, ldc, c3, accumulate, bias);
        Store(4, rows, c, ldc, c4, accumulate, bias);
        Store(5, rows, c, ldc, c5, accumulate, bias);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(int row, int rows, T* c, nint ldc, TVector value, bool accumulate, T* bias)
    {
        if (row < rows)
        {
            TileStore<T, TVector, TOps>.Register(c + (row * ldc), value, accumulate, bias == null ? null : bias + row);
        }
    }
}
