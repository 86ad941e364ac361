using System.Numerics;
using System.Runtime.CompilerServices;
using System.Numerics.Tensors;
using NNPackSharp.Geometry;
using NNPackSharp.Threading;

namespace NNPackSharp.Engines.Managed;

/// <summary>
/// col2im for one image: adds a <c>[Cin*kH*kW, Hout*Wout]</c> column matrix back onto the image, the adjoint of
/// <see cref="Im2Col"/>, which is how the input gradient folds overlapping windows.
/// </summary>
internal static unsafe class Col2Im
{
    /// <summary>
    /// Column matrices below this many elements fold on one thread: the fork costs more than it saves (the `small`
    /// layer's 27 x 900 folded 0.69x as fast on two threads).
    /// </summary>
    private const int ParallelFoldElements = 1 << 18;

    /// <summary>
    /// Overwrites <paramref name="image"/> (<c>[Cin,H,W]</c>) with the fold of <paramref name="columns"/>: zeros, then
    /// the column matrix added back, the adjoint of <see cref="Im2Col.Gather"/>. The column matrix's rows lie
    /// <paramref name="rowStride"/> elements apart: the output plane, or wider where the image's columns are one slice
    /// of a group's. Channels are shared among up to <paramref name="parallelism"/> threads where the matrix is large:
    /// with a batch smaller than the thread count the GEMM before it is split, and a serial fold after it kept batch-1
    /// input gradients at 1.3x on two threads. Each channel sums in the same order either way.
    /// </summary>
    public static void Fold<T>(in Conv2DGeometry g, T* columns, nint rowStride, T* image, int parallelism)
        where T : unmanaged, IAdditionOperators<T, T, T>, IAdditiveIdentity<T, T> =>
        ForkJoin.For(g.InputChannels, g.ColumnLength < ParallelFoldElements ? 1 : parallelism, new ChannelFold<T>(g, columns, rowStride, image));

    /// <summary>
    /// Adds the fold of output rows <c>[firstRow, endRow)</c> onto <paramref name="image"/>: <paramref name="columns"/>
    /// holds only their columns (<c>(endRow - firstRow) * Wout</c> of each row of the matrix, rows
    /// <paramref name="rowStride"/> apart). Calls over consecutive bands after one clear of the image make
    /// <see cref="Fold"/>'s result with the sums in another order.
    /// </summary>
    public static void AddRows<T>(in Conv2DGeometry g, T* columns, nint rowStride, int firstRow, int endRow, T* image, int parallelism)
        where T : unmanaged, IAdditionOperators<T, T, T>, IAdditiveIdentity<T, T> =>
        ForkJoin.For(
            g.InputChannels, (long)g.PatchLength * rowStride < ParallelFoldElements ? 1 : parallelism,
            new ChannelFold<T>(g, columns - ((nint)firstRow * g.OutputWidth), rowStride, image, firstRow, endRow, clear: false));

    /// <summary>One channel of <see cref="Fold"/>: its plane cleared (unless adding a band), then its rows of the column matrix added.</summary>
    private readonly struct ChannelFold<T>(Conv2DGeometry g, T* columns, nint rowStride, T* image, int firstRow, int endRow, bool clear) : IParallelBody
        where T : unmanaged, IAdditionOperators<T, T, T>, IAdditiveIdentity<T, T>
    {
        public ChannelFold(Conv2DGeometry g, T* columns, nint rowStride, T* image)
            : this(g, columns, rowStride, image, 0, g.OutputHeight, clear: true)
        {
        }

        public void Run(int channel)
        {
            int planeLength = g.InputHeight * g.InputWidth;
            if (clear)
            {
                new Span<T>(image + ((nint)channel * planeLength), planeLength).Clear();
            }

            ScatterAddChannel(g, channel, columns, rowStride, image, firstRow, endRow);
        }
    }

    /// <summary>
    /// Adds the rows of <paramref name="columns"/> that land on one input channel onto it, for output rows
    /// <c>[firstRow, endRow)</c> (<paramref name="columns"/> indexed from output row 0).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScatterAddChannel<T>(in Conv2DGeometry g, int channel, T* columns, nint rowStride, T* image, int firstRow, int endRow)
        where T : unmanaged, IAdditionOperators<T, T, T>, IAdditiveIdentity<T, T>
    {
        int outW = g.OutputWidth;
        T* plane = image + ((nint)channel * g.InputHeight * g.InputWidth);
        for (int ky = 0; ky < g.KernelHeight; ky++)
        {
            for (int kx = 0; kx < g.KernelWidth; kx++)
            {
                T* row = columns + (((((nint)channel * g.KernelHeight) + ky) * g.KernelWidth) + kx) * rowStride;
                var (firstY, endY, firstX, endX) = Im2Col.ValidWindow(g, ky, kx);
                firstY = Math.Max(firstY, firstRow);
                endY = Math.Min(endY, endRow);
                for (int oy = firstY; oy < endY; oy++)
                {
                    T* source = row + ((nint)oy * outW) + firstX;
                    T* destination = plane + (Im2Col.InputIndex(oy, ky, g.StrideHeight, g.PadHeight) * g.InputWidth) + Im2Col.InputIndex(firstX, kx, g.StrideWidth, g.PadWidth);
                    if (g.StrideWidth == 1)
                    {
                        Span<T> target = new(destination, endX - firstX);
                        TensorPrimitives.Add(target, new ReadOnlySpan<T>(source, endX - firstX), target);
                    }
                    else if (g.StrideWidth == 2)
                    {
                        StridedAdd.Stride2(destination, source, endX - firstX);
                    }
                    else
                    {
                        for (int i = 0; i < endX - firstX; i++)
                        {
                            destination[(nint)i * g.StrideWidth] += source[i];
                        }
                    }
                }
            }
        }
    }
}
