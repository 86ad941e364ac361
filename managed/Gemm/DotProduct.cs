using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NNPackSharp.Gemm;

/// <summary>
/// <c>C[i][j] (+)= sum_p A[i][p] * B[j][p]</c> with both operands row-major along the sum: a weight gradient's
/// <c>gradOutput[Cout, pixels] * columns[taps, pixels]^T</c> without packing either. The GEMM's panels need one
/// operand transposed, and a small gradient's product (the ResNet stem's 64 x 147 over 6272 pixels a band) spent a
/// third of its time transposing both. Here a 4x6 tile keeps 24 accumulators of lane-wise partial sums along the
/// pixels, loading 4 + 6 vectors per 24 multiply-adds, and adds each one's lanes once at the end (<c>TOps.Sum</c>,
/// or <see cref="LaneSums512"/>'s shared levels for Vector512 floats), then the tail past the last whole vector, in
/// that fixed order: every element is summed the same way wherever its tile lies. A partial tile repeats its last row
/// or column (reading memory it may read) and stores only its own.
/// Meant for 32 vector registers: 24 accumulators and 5 operands.
/// </summary>
internal static unsafe class DotProduct<T, TVector, TOps>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TVector : struct
    where TOps : IVectorOps<T, TVector>
{
    public const int TileRows = 4;
    public const int TileColumns = 6;

    /// <summary><c>C[m, n] (+)= A[m, depth] * B[n, depth]^T</c>, rows <paramref name="lda"/>, <paramref name="ldb"/>, <paramref name="ldc"/> apart.</summary>
    public static void Multiply(int m, int n, int depth, T* a, nint lda, T* b, nint ldb, T* c, nint ldc, bool accumulate)
    {
        for (int j = 0; j < n; j += TileColumns)
        {
            for (int i = 0; i < m; i += TileRows)
            {
                Tile(Math.Min(TileRows, m - i), Math.Min(TileColumns, n - j), depth, a + (i * lda), lda, b + (j * ldb), ldb, c + (i * ldc) + j, ldc, accumulate);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile(int rows, int columns, int depth, T* a, nint lda, T* b, nint ldb, T* c, nint ldc, bool accumulate)
    {
        T* a0Row = a + (Math.Min(0, rows - 1) * lda);
        T* a1Row = a + (Math.Min(1, rows - 1) * lda);
        T* a2Row = a + (Math.Min(2, rows - 1) * lda);
        T* a3Row = a + (Math.Min(3, rows - 1) * lda);
        T* b0Row = b + (Math.Min(0, columns - 1) * ldb);
        T* b1Row = b + (Math.Min(1, columns - 1) * ldb);
        T* b2Row = b + (Math.Min(2, columns - 1) * ldb);
        T* b3Row = b + (Math.Min(3, columns - 1) * ldb);
        T* b4Row = b + (Math.Min(4, columns - 1) * ldb);
        T* b5Row = b + (Math.Min(5, columns - 1) * ldb);
        TVector c00 = TOps.Zero, c01 = TOps.Zero, c02 = TOps.Zero, c03 = TOps.Zero, c04 = TOps.Zero, c05 = TOps.Zero;
        TVector c10 = TOps.Zero, c11 = TOps.Zero, c12 = TOps.Zero, c13 = TOps.Zero, c14 = TOps.Zero, c15 = TOps.Zero;
        TVector c20 = TOps.Zero, c21 = TOps.Zero, c22 = TOps.Zero, c23 = TOps.Zero, c24 = TOps.Zero, c25 = TOps.Zero;
        TVector c30 = TOps.Zero, c31 = TOps.Zero, c32 = TOps.Zero, c33 = TOps.Zero, c34 = TOps.Zero, c35 = TOps.Zero;
        int vectorEnd = depth - (depth % TOps.Count);
        for (int p = 0; p < vectorEnd; p += TOps.Count)
        {
            TVector a0 = TOps.Load(a0Row + p);
            TVector a1 = TOps.Load(a1Row + p);
            TVector a2 = TOps.Load(a2Row + p);
            TVector a3 = TOps.Load(a3Row + p);
            TVector column;
            column = TOps.Load(b0Row + p);
            c00 = TOps.MultiplyAdd(a0, column, c00); c10 = TOps.MultiplyAdd(a1, column, c10); c20 = TOps.MultiplyAdd(a2, column, c20); c30 = TOps.MultiplyAdd(a3, column, c30);
            column = TOps.Load(b1Row + p);
            c01 = TOps.MultiplyAdd(a0, column, c01); c11 = TOps.MultiplyAdd(a1, column, c11); c21 = TOps.MultiplyAdd(a2, column, c21); c31 = TOps.MultiplyAdd(a3, column, c31);
            column = TOps.Load(b2Row + p);
            c02 = TOps.MultiplyAdd(a0, column, c02); c12 = TOps.MultiplyAdd(a1, column, c12); c22 = TOps.MultiplyAdd(a2, column, c22); c32 = TOps.MultiplyAdd(a3, column, c32);
            column = TOps.Load(b3Row + p);
            c03 = TOps.MultiplyAdd(a0, column, c03); c13 = TOps.MultiplyAdd(a1, column, c13); c23 = TOps.MultiplyAdd(a2, column, c23); c33 = TOps.MultiplyAdd(a3, column, c33);
            column = TOps.Load(b4Row + p);
            c04 = TOps.MultiplyAdd(a0, column, c04); c14 = TOps.MultiplyAdd(a1, column, c14); c24 = TOps.MultiplyAdd(a2, column, c24); c34 = TOps.MultiplyAdd(a3, column, c34);
            column = TOps.Load(b5Row + p);
            c05 = TOps.MultiplyAdd(a0, column, c05); c15 = TOps.MultiplyAdd(a1, column, c15); c25 = TOps.MultiplyAdd(a2, column, c25); c35 = TOps.MultiplyAdd(a3, column, c35);
        }

        // 32 rather than 24: the Vector512 lane sums store two whole registers.
        T* sums = stackalloc T[32];
        if (typeof(TVector) == typeof(Vector512<float>) && LaneSums512.IsSupported)
        {
            LaneSums512.Finish(
                LaneSums512.Halves(AsFloats(c00), AsFloats(c01)), LaneSums512.Halves(AsFloats(c02), AsFloats(c03)),
                LaneSums512.Halves(AsFloats(c04), AsFloats(c05)), LaneSums512.Halves(AsFloats(c10), AsFloats(c11)),
                LaneSums512.Halves(AsFloats(c12), AsFloats(c13)), LaneSums512.Halves(AsFloats(c14), AsFloats(c15)),
                LaneSums512.Halves(AsFloats(c20), AsFloats(c21)), LaneSums512.Halves(AsFloats(c22), AsFloats(c23)),
                LaneSums512.Halves(AsFloats(c24), AsFloats(c25)), LaneSums512.Halves(AsFloats(c30), AsFloats(c31)),
                LaneSums512.Halves(AsFloats(c32), AsFloats(c33)), LaneSums512.Halves(AsFloats(c34), AsFloats(c35)),
                (float*)sums);
            if (rows == TileRows && columns == TileColumns && vectorEnd == depth)
            {
                LaneSums512.Write4x6((float*)sums, (float*)c, ldc, accumulate);
                return;
            }
        }
        else
        {
            sums[0] = TOps.Sum(c00);
            sums[1] = TOps.Sum(c01);
            sums[2] = TOps.Sum(c02);
            sums[3] = TOps.Sum(c03);
            sums[4] = TOps.Sum(c04);
            sums[5] = TOps.Sum(c05);
            sums[6] = TOps.Sum(c10);
            sums[7] = TOps.Sum(c11);
            sums[8] = TOps.Sum(c12);
            sums[9] = TOps.Sum(c13);
            sums[10] = TOps.Sum(c14);
            sums[11] = TOps.Sum(c15);
            sums[12] = TOps.Sum(c20);
            sums[13] = TOps.Sum(c21);
            sums[14] = TOps.Sum(c22);
            sums[15] = TOps.Sum(c23);
            sums[16] = TOps.Sum(c24);
            sums[17] = TOps.Sum(c25);
            sums[18] = TOps.Sum(c30);
            sums[19] = TOps.Sum(c31);
            sums[20] = TOps.Sum(c32);
            sums[21] = TOps.Sum(c33);
            sums[22] = TOps.Sum(c34);
            sums[23] = TOps.Sum(c35);
        }

        for (int r = 0; r < rows; r++)
        {
            T* aRow = a + (r * lda);
            for (int col = 0; col < columns; col++)
            {
                T* bRow = b + (col * ldb);
                T sum = sums[(r * TileColumns) + col];
                for (int p = vectorEnd; p < depth; p++)
                {
                    sum = T.MultiplyAddEstimate(aRow[p], bRow[p], sum);
                }

                T* target = c + (r * ldc) + col;
                *target = accumulate ? *target + sum : sum;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> AsFloats(TVector value) => Unsafe.BitCast<TVector, Vector512<float>>(value);
}
