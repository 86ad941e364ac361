using System.Runtime.CompilerServices;
using NNPackSharp.Geometry;

namespace NNPackSharp.Engines.Managed;

/// <summary>
/// The im2col transform of one image: <see cref="Gather"/> lays every receptive field out as a column of a
/// <c>[Cin*kH*kW, Hout*Wout]</c> matrix (zeros for padding), so the convolution becomes one GEMM.
/// <see cref="Col2Im"/> is its adjoint.
/// </summary>
internal static unsafe class Im2Col
{
    /// <summary>Fills <paramref name="columns"/> with the receptive fields of <paramref name="image"/> (<c>[Cin,H,W]</c>).</summary>
    public static void Gather<T>(in Conv2DGeometry g, T* image, T* columns)
        where T : unmanaged =>
        GatherRows(g, image, columns, 0, g.OutputHeight);

    /// <summary>
    /// The columns of output rows <c>[firstRow, endRow)</c> only: <paramref name="columns"/> becomes
    /// <c>[Cin*kH*kW, (endRow - firstRow)*Wout]</c>, the band's part of <see cref="Gather"/>'s matrix.
    /// </summary>
    public static void GatherRows<T>(in Conv2DGeometry g, T* image, T* columns, int firstRow, int endRow)
        where T : unmanaged
    {
        nint pixels = (nint)(endRow - firstRow) * g.OutputWidth;
        T* row = columns;
        for (int channel = 0; channel < g.InputChannels; channel++)
        {
            for (int ky = 0; ky < g.KernelHeight; ky++)
            {
                for (int kx = 0; kx < g.KernelWidth; kx++, row += pixels)
                {
                    GatherTapRows(g, channel, ky, kx, image, row, firstRow, endRow);
                }
            }
        }
    }

    /// <summary>
    /// The rows of <see cref="Gather"/> for one input channel and kernel row (independent of the others, so callers may
    /// run them in parallel: a few-channel layer such as an RGB stem has too few channels to share among threads).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GatherKernelRow<T>(in Conv2DGeometry g, int channel, int ky, T* image, T* columns)
        where T : unmanaged
    {
        for (int kx = 0; kx < g.KernelWidth; kx++)
        {
            GatherTap(g, channel, ky, kx, image, columns);
        }
    }

    /// <summary>The row of <see cref="Gather"/> for one kernel tap (<paramref name="channel"/>, <paramref name="ky"/>, <paramref name="kx"/>).</summary>
    public static void GatherTap<T>(in Conv2DGeometry g, int channel, int ky, int kx, T* image, T* columns)
        where T : unmanaged =>
        GatherTapRows(g, channel, ky, kx, image, Row(g, columns, channel, ky, kx), 0, g.OutputHeight);

    /// <summary>
    /// Output rows <c>[firstRow, endRow)</c> of the tap's row of <see cref="Gather"/>, written to <paramref name="row"/>
    /// (<c>(endRow - firstRow) * Wout</c> elements): the columns of a band of output rows.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GatherTapRows<T>(in Conv2DGeometry g, int channel, int ky, int kx, T* image, T* row, int firstRow, int endRow)
        where T : unmanaged
    {
        int outW = g.OutputWidth;
        T* plane = image + ((nint)channel * g.InputHeight * g.InputWidth);
        var (firstY, endY, firstX, endX) = ValidWindow(g, ky, kx);
        firstY = Math.Clamp(firstY, firstRow, endRow);
        endY = Math.Clamp(endY, firstY, endRow);
        row -= (nint)firstRow * outW; // indexed by output row from here
        new Span<T>(row + ((nint)firstRow * outW), (firstY - firstRow) * outW).Clear();
        new Span<T>(row + ((nint)endY * outW), (endRow - endY) * outW).Clear();
        // A whole output row, its padding included, in inline masked vector steps: a span clear on each side and a
        // copy between cost three calls per row, a sixth of batch 32's weight gradient (perf, one thread).
        bool masked = typeof(T) == typeof(float) && MaskedRun.IsSupported && MaskedRun.Handles(g.StrideWidth);
        T* planeEnd = plane + ((nint)g.InputHeight * g.InputWidth);
        for (int oy = firstY; oy < endY; oy++)
        {
            Span<T> destination = new(row + ((nint)oy * outW), outW);
            T* source = plane + (InputIndex(oy, ky, g.StrideHeight, g.PadHeight) * g.InputWidth) + InputIndex(firstX, kx, g.StrideWidth, g.PadWidth);
            if (masked)
            {
                MaskedRun.Copy((float*)(row + ((nint)oy * outW)), outW, firstX, endX, (float*)source, g.StrideWidth, (float*)plane, (float*)planeEnd);
                continue;
            }

            destination[..firstX].Clear();
            destination[endX..].Clear();
            if (g.StrideWidth == 1)
            {
                new ReadOnlySpan<T>(source, endX - firstX).CopyTo(destination[firstX..endX]);
            }
            else
            {
                for (int ox = firstX; ox < endX; ox++)
                {
                    destination[ox] = source[(nint)(ox - firstX) * g.StrideWidth];
                }
            }
        }
    }

    /// <summary>The row of the column matrix that holds kernel tap (<paramref name="ky"/>, <paramref name="kx"/>) of <paramref name="channel"/>.</summary>
    public static T* Row<T>(in Conv2DGeometry g, T* columns, int channel, int ky, int kx)
        where T : unmanaged =>
        columns + ((nint)((((channel * g.KernelHeight) + ky) * g.KernelWidth) + kx) * g.OutputPlaneLength);

    /// <summary>
    /// The output rows <c>[FirstY, EndY)</c> and columns <c>[FirstX, EndX)</c> where kernel tap (<paramref name="ky"/>,
    /// <paramref name="kx"/>) lies inside the image; everywhere else it reads padding. Empty (both ranges) when the tap
    /// never does.
    /// </summary>
    public static (int FirstY, int EndY, int FirstX, int EndX) ValidWindow(in Conv2DGeometry g, int ky, int kx)
    {
        var (firstY, endY) = ValidOutputRange(ky, g.PadHeight, g.StrideHeight, g.InputHeight, g.OutputHeight);
        var (firstX, endX) = ValidOutputRange(kx, g.PadWidth, g.StrideWidth, g.InputWidth, g.OutputWidth);
        return firstX < endX ? (firstY, endY, firstX, endX) : (0, 0, 0, 0);
    }

    /// <summary>
    /// The input index <c>o*stride - pad + k</c> that output <paramref name="o"/> reads through tap <paramref name="k"/>,
    /// computed in 64 bits: padding and stride may each be int.MaxValue. Only called inside the valid range, where it
    /// lies in <c>[0, size)</c>.
    /// </summary>
    public static nint InputIndex(int o, int k, int stride, int pad) => (nint)(((long)o * stride) - pad + k);

    /// <summary>
    /// The outputs <c>[first, end)</c> whose input index <c>o*stride - pad + k</c> lies inside <c>[0, size)</c>; the
    /// others read padding. In 64 bits, since <c>pad + stride</c> and <c>(outputSize-1)*stride</c> may pass 2^31.
    /// </summary>
    public static (int First, int End) ValidOutputRange(int k, int pad, int stride, int size, int outputSize)
    {
        long lowest = (long)pad - k;                // o*stride must be >= this
        long highest = (long)size - 1 + pad - k;    // o*stride must be <= this
        long first = lowest <= 0 ? 0 : Math.Min(outputSize, (lowest + stride - 1) / stride);
        long end = highest < 0 ? 0 : Math.Min(outputSize, (highest / stride) + 1);
        return ((int)first, (int)Math.Max(first, end));
    }
}
