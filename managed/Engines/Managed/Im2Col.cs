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
        where T : unmanaged
    {
        for (int channel = 0; channel < g.InputChannels; channel++)
        {
            GatherChannel(g, channel, image, columns);
        }
    }

    /// <summary>The rows of <see cref="Gather"/> that come from one input channel (independent of the others, so callers may run channels in parallel).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GatherChannel<T>(in Conv2DGeometry g, int channel, T* image, T* columns)
        where T : unmanaged
    {
        int outW = g.OutputWidth;
        T* plane = image + ((nint)channel * g.InputHeight * g.InputWidth);
        for (int ky = 0; ky < g.KernelHeight; ky++)
        {
            for (int kx = 0; kx < g.KernelWidth; kx++)
            {
                T* row = Row(g, columns, channel, ky, kx);
                var (first, end) = ValidOutputRange(kx, g.PadWidth, g.StrideWidth, g.InputWidth, outW);
                for (int oy = 0; oy < g.OutputHeight; oy++)
                {
                    Span<T> destination = new(row + ((nint)oy * outW), outW);
                    int iy = (oy * g.StrideHeight) - g.PadHeight + ky;
                    if (iy < 0 || iy >= g.InputHeight || first >= end)
                    {
                        destination.Clear();
                        continue;
                    }

                    destination[..first].Clear();
                    destination[end..].Clear();
                    T* source = plane + ((nint)iy * g.InputWidth) - g.PadWidth + kx;
                    if (g.StrideWidth == 1)
                    {
                        new ReadOnlySpan<T>(source + first, end - first).CopyTo(destination[first..end]);
                    }
                    else
                    {
                        for (int ox = first; ox < end; ox++)
                        {
                            destination[ox] = source[(nint)ox * g.StrideWidth];
                        }
                    }
                }
            }
        }
    }

    /// <summary>The row of the column matrix that holds kernel tap (<paramref name="ky"/>, <paramref name="kx"/>) of <paramref name="channel"/>.</summary>
    public static T* Row<T>(in Conv2DGeometry g, T* columns, int channel, int ky, int kx)
        where T : unmanaged =>
        columns + ((nint)((((channel * g.KernelHeight) + ky) * g.KernelWidth) + kx) * g.OutputPlaneLength);

    /// <summary>
    /// The output columns <c>[first, end)</c> whose input column <c>ox*stride - pad + k</c> lies inside <c>[0, size)</c>;
    /// the others read padding.
    /// </summary>
    public static (int First, int End) ValidOutputRange(int k, int pad, int stride, int size, int outputSize)
    {
        int lowest = pad - k;                  // ox*stride must be >= this
        int highest = size - 1 + pad - k;      // ox*stride must be <= this
        int first = lowest <= 0 ? 0 : Math.Min(outputSize, (lowest + stride - 1) / stride);
        int end = highest < 0 ? 0 : Math.Min(outputSize, (highest / stride) + 1);
        return (first, Math.Max(first, end));
    }
}
