using System.Runtime.CompilerServices;

namespace NNPackSharp.Gemm;

/// <summary>
/// A GEMM ukernel whose A is read in place from image rows instead of packed: the weight gradient tap by tap
/// (<c>Engines.Managed.WeightGradientGather</c>). A tile of up to 6 taps x (2 registers) output channels,
/// <c>C[i, j] (+)= sum over n &lt; images, r &lt; pixelRows, x &lt; columns of a_i[n*imageStep + r*rowStep + x*columnStep] *
/// b[((n*pixelRows + r)*columns + x)*2w + j]</c> (several images in one call where their planes are small):
/// each tap's pixels are broadcast straight from its row of the (zero-padded) input at the layer's stride, against a
/// packed B panel of the transposed output gradient. Twelve accumulators as <see cref="Ukernel6x2{T,TVector,TOps}"/>:
/// six row pointers, one offset and B keep the general registers within x64's sixteen (a 12-row tile would spill them).
/// </summary>
internal static unsafe class GatherUkernel<T, TVector, TOps>
    where T : unmanaged
    where TVector : struct
    where TOps : IVectorOps<T, TVector>
{
    /// <summary>Taps per tile (rows of C).</summary>
    public const int Rows = 6;

    /// <summary>
    /// Computes the tile and stores its first <paramref name="m"/> rows (1 to 6), each two whole registers at
    /// <c>c + i*ldc</c>, added to C with <paramref name="accumulate"/>. <paramref name="a"/> holds the m row pointers;
    /// rows past m are computed from row 0 and dropped.
    /// </summary>
    /// <remarks>
    /// Never inlined: the tier-1 JIT inlined it into <see cref="GemmForWidth{T}.ComputeGatherTile"/> with its twelve
    /// accumulators passed through the stack to the row stores (3x slower).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    public static void Compute(int m, T** a, nint images, nint imageStep, nint pixelRows, nint columns, nint rowStep, nint columnStep, T* b, T* c, nint ldc, bool accumulate)
    {
        nint w = TOps.Count;
        T* a0 = a[0];
        T* a1 = m > 1 ? a[1] : a0;
        T* a2 = m > 2 ? a[2] : a0;
        T* a3 = m > 3 ? a[3] : a0;
        T* a4 = m > 4 ? a[4] : a0;
        T* a5 = m > 5 ? a[5] : a0;
        TVector c00 = TOps.Zero, c01 = TOps.Zero, c10 = TOps.Zero, c11 = TOps.Zero, c20 = TOps.Zero, c21 = TOps.Zero;
        TVector c30 = TOps.Zero, c31 = TOps.Zero, c40 = TOps.Zero, c41 = TOps.Zero, c50 = TOps.Zero, c51 = TOps.Zero;
        nint end = columns * columnStep, nextImage = imageStep - (pixelRows * rowStep);
        for (nint image = 0; image < images; image++)
        {
            for (nint r = 0; r < pixelRows; r++)
            {
                for (nint o = 0; o < end; o += columnStep)
                {
                    TVector b0 = TOps.Load(b);
                    TVector b1 = TOps.Load(b + w);
                    TVector ai = TOps.Broadcast(a0[o]);
                    c00 = TOps.MultiplyAdd(ai, b0, c00);
                    c01 = TOps.MultiplyAdd(ai, b1, c01);
                    ai = TOps.Broadcast(a1[o]);
                    c10 = TOps.MultiplyAdd(ai, b0, c10);
                    c11 = TOps.MultiplyAdd(ai, b1, c11);
                    ai = TOps.Broadcast(a2[o]);
                    c20 = TOps.MultiplyAdd(ai, b0, c20);
                    c21 = TOps.MultiplyAdd(ai, b1, c21);
                    ai = TOps.Broadcast(a3[o]);
                    c30 = TOps.MultiplyAdd(ai, b0, c30);
                    c31 = TOps.MultiplyAdd(ai, b1, c31);
                    ai = TOps.Broadcast(a4[o]);
                    c40 = TOps.MultiplyAdd(ai, b0, c40);
                    c41 = TOps.MultiplyAdd(ai, b1, c41);
                    ai = TOps.Broadcast(a5[o]);
                    c50 = TOps.MultiplyAdd(ai, b0, c50);
                    c51 = TOps.MultiplyAdd(ai, b1, c51);
                    b += 2 * w;
                }

                a0 += rowStep;
                a1 += rowStep;
                a2 += rowStep;
                a3 += rowStep;
                a4 += rowStep;
                a5 += rowStep;
            }

            a0 += nextImage;
            a1 += nextImage;
            a2 += nextImage;
            a3 += nextImage;
            a4 += nextImage;
            a5 += nextImage;
        }

        TileStore<T, TVector, TOps>.Row(c, w, c00, c01, accumulate, null);
        TileStore<T, TVector, TOps>.RowIfStored(1, m, c, ldc, w, c10, c11, accumulate, null);
        TileStore<T, TVector, TOps>.RowIfStored(2, m, c, ldc, w, c20, c21, accumulate, null);
        TileStore<T, TVector, TOps>.RowIfStored(3, m, c, ldc, w, c30, c31, accumulate, null);
        TileStore<T, TVector, TOps>.RowIfStored(4, m, c, ldc, w, c40, c41, accumulate, null);
        TileStore<T, TVector, TOps>.RowIfStored(5, m, c, ldc, w, c50, c51, accumulate, null);
    }
}
