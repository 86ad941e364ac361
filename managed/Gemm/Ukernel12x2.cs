using System.Runtime.CompilerServices;

namespace NNPackSharp.Gemm;

/// <summary>
/// The ukernel for 32 vector registers (AVX-512 at any width, NEON): a 12 x (2 registers) tile,
/// <c>C[12, 2w] (+)= A[12, kc] * B[kc, 2w]</c>. Twenty-four accumulators, two B registers and one broadcast use 27 of
/// the 32 registers; per step it loads 2 vectors and 12 scalars for 24 FMAs, against 2 and 6 for 12 in
/// <see cref="Ukernel6x2{T,TVector,TOps}"/>, so the B micro-panel is read from L1 half as often per FMA.
/// </summary>
internal readonly unsafe struct Ukernel12x2<T, TVector, TOps> : IUkernel<T>
    where T : unmanaged
    where TVector : struct
    where TOps : IVectorOps<T, TVector>
{
    /// <inheritdoc />
    public static int Rows => 12;

    /// <inheritdoc />
    public static int Columns => 2 * TOps.Count;

    /// <inheritdoc />
    public static void Compute(nint kc, T* a, nint lda, nint aStep, T* b, nint ldb, T* c, nint ldc, bool accumulate, int rows, T* bias)
    {
        if (lda == 1 && aStep == 12)
        {
            Multiply<PackedARows>(kc, a, lda, aStep, b, ldb, c, ldc, accumulate, rows, bias);
        }
        else
        {
            Multiply<InPlaceARows>(kc, a, lda, aStep, b, ldb, c, ldc, accumulate, rows, bias);
        }
    }

    /// <summary><see cref="Compute"/>'s body, A read as <typeparamref name="TRows"/> says.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Multiply<TRows>(nint kc, T* a, nint lda, nint aStep, T* b, nint ldb, T* c, nint ldc, bool accumulate, int rows, T* bias)
        where TRows : IARows
    {
        nint w = TOps.Count, lda2 = 2 * lda;
        T* a3 = a + (3 * lda), a6 = a + (6 * lda), a9 = a + (9 * lda);
        TileStore<T, TVector, TOps>.Prefetch(c, ldc, rows);
        TVector c00 = TOps.Zero, c01 = TOps.Zero, c10 = TOps.Zero, c11 = TOps.Zero, c20 = TOps.Zero, c21 = TOps.Zero;
        TVector c30 = TOps.Zero, c31 = TOps.Zero, c40 = TOps.Zero, c41 = TOps.Zero, c50 = TOps.Zero, c51 = TOps.Zero;
        TVector c60 = TOps.Zero, c61 = TOps.Zero, c70 = TOps.Zero, c71 = TOps.Zero, c80 = TOps.Zero, c81 = TOps.Zero;
        TVector c90 = TOps.Zero, c91 = TOps.Zero, cA0 = TOps.Zero, cA1 = TOps.Zero, cB0 = TOps.Zero, cB1 = TOps.Zero;

        for (nint k = 0; k < kc; k++)
        {
            TVector b0 = TOps.Load(b);
            TVector b1 = TOps.Load(b + w);
            TVector ai;
            ai = TOps.Broadcast(a[0]);
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
            ai = TOps.Broadcast(TRows.InPlace ? a3[lda] : a[4]);
            c40 = TOps.MultiplyAdd(ai, b0, c40);
            c41 = TOps.MultiplyAdd(ai, b1, c41);
            ai = TOps.Broadcast(TRows.InPlace ? a3[lda2] : a[5]);
            c50 = TOps.MultiplyAdd(ai, b0, c50);
            c51 = TOps.MultiplyAdd(ai, b1, c51);
            ai = TOps.Broadcast(TRows.InPlace ? a6[0] : a[6]);
            c60 = TOps.MultiplyAdd(ai, b0, c60);
            c61 = TOps.MultiplyAdd(ai, b1, c61);
            ai = TOps.Broadcast(TRows.InPlace ? a6[lda] : a[7]);
            c70 = TOps.MultiplyAdd(ai, b0, c70);
            c71 = TOps.MultiplyAdd(ai, b1, c71);
            ai = TOps.Broadcast(TRows.InPlace ? a6[lda2] : a[8]);
            c80 = TOps.MultiplyAdd(ai, b0, c80);
            c81 = TOps.MultiplyAdd(ai, b1, c81);
            ai = TOps.Broadcast(TRows.InPlace ? a9[0] : a[9]);
            c90 = TOps.MultiplyAdd(ai, b0, c90);
            c91 = TOps.MultiplyAdd(ai, b1, c91);
            ai = TOps.Broadcast(TRows.InPlace ? a9[lda] : a[10]);
            cA0 = TOps.MultiplyAdd(ai, b0, cA0);
            cA1 = TOps.MultiplyAdd(ai, b1, cA1);
            ai = TOps.Broadcast(TRows.InPlace ? a9[lda2] : a[11]);
            cB0 = TOps.MultiplyAdd(ai, b0, cB0);
            cB1 = TOps.MultiplyAdd(ai, b1, cB1);
            a += TRows.InPlace ? aStep : 12;
            if (TRows.InPlace)
            {
                a3 += aStep;
                a6 += aStep;
                a9 += aStep;
            }

            b += ldb;
        }

        TileStore<T, TVector, TOps>.Row(c, w, c00, c01, accumulate, bias);
        TileStore<T, TVector, TOps>.RowIfStored(1, rows, c, ldc, w, c10, c11, accumulate, bias);
        TileStore<T, TVector, TOps>.RowIfStored(2, rows, c, ldc, w, c20, c21, accumulate, bias);
        TileStore<T, TVector, TOps>.RowIfStored(3, rows, c, ldc, w, c30, c31, accumulate, bias);
        TileStore<T, TVector, TOps>.RowIfStored(4, rows, c, ldc, w, c40, c41, accumulate, bias);
        TileStore<T, TVector, TOps>.RowIfStored(5, rows, c, ldc, w, c50, c51, accumulate, bias);
        TileStore<T, TVector, TOps>.RowIfStored(6, rows, c, ldc, w, c60, c61, accumulate, bias);
        TileStore<T, TVector, TOps>.RowIfStored(7, rows, c, ldc, w, c70, c71, accumulate, bias);
        TileStore<T, TVector, TOps>.RowIfStored(8, rows, c, ldc, w, c80, c81, accumulate, bias);
        TileStore<T, TVector, TOps>.RowIfStored(9, rows, c, ldc, w, c90, c91, accumulate, bias);
        TileStore<T, TVector, TOps>.RowIfStored(10, rows, c, ldc, w, cA0, cA1, accumulate, bias);
        TileStore<T, TVector, TOps>.RowIfStored(11, rows, c, ldc, w, cB0, cB1, accumulate, bias);
    }
}
