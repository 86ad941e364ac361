using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using NNPackSharp.Geometry;

namespace NNPackSharp.Engines.Managed;

/// <summary>
/// Packs one 32-column im2col panel that lies in a single output row of a stride-1 convolution, away from the top and
/// bottom padding: every packed row (kernel tap) is then 32 consecutive input floats, two AVX-512 loads and stores,
/// with the lanes that fall into the left or right padding masked off by masks made once per kernel column. The
/// general packer (<see cref="Im2ColPanelSource{T}"/>) works out each tap's run, window and clipping again.
/// </summary>
internal static unsafe class RowPanel
{
    private const int Width = 32;
    private const int MaxKernelWidth = 32;

    /// <summary>
    /// True where this packer applies to the panel of pixels <c>[pixel0, pixel0 + valid)</c>, <paramref name="width"/>
    /// wide: AVX-512, 32 columns, stride 1, kernels up to 32 wide, the pixels in one output row, and every kernel row of
    /// that output row inside the image.
    /// </summary>
    public static bool Applies(in Conv2DGeometry g, int pixel0, int valid, int width)
    {
        if (!Avx512F.IsSupported || width != Width || g.StrideHeight != 1 || g.StrideWidth != 1 || g.KernelWidth > MaxKernelWidth)
        {
            return false;
        }

        int pixel = pixel0 % g.OutputPlaneLength, oy = pixel / g.OutputWidth;
        return (pixel % g.OutputWidth) + valid <= g.OutputWidth
            && oy >= g.PadHeight && (long)oy - g.PadHeight + g.KernelHeight <= g.InputHeight;
    }

    /// <summary>
    /// Pixels <c>[pixel0, pixel0 + valid)</c> of taps <c>[row0, row0 + depth)</c> into rows of 32 floats, zeros for
    /// padding and past <paramref name="valid"/>; <paramref name="image"/> is the first image of the columns.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Pack(in Conv2DGeometry g, float* image, int row0, int depth, int pixel0, int valid, float* panel)
    {
        int plane = g.OutputPlaneLength, pixel = pixel0 % plane, oy = pixel / g.OutputWidth, ox = pixel % g.OutputWidth;
        int kw = g.KernelWidth;

        // Per kernel column: the lanes whose input column lies inside the row (and below `valid`), as two 16-lane
        // masks, and whether that is all 32.
        Vector512<float>* low = stackalloc Vector512<float>[kw];
        Vector512<float>* high = stackalloc Vector512<float>[kw];
        bool* full = stackalloc bool[kw];
        for (int kx = 0; kx < kw; kx++)
        {
            long first = Math.Clamp((long)g.PadWidth - kx - ox, 0, valid);
            long end = Math.Clamp((long)g.InputWidth + g.PadWidth - kx - ox, first, valid);
            low[kx] = MaskedRun.InRange(MaskedRun.Lane, (int)first, (int)end);
            high[kx] = MaskedRun.InRange(MaskedRun.Lane + Vector512.Create(16), (int)first, (int)end);
            full[kx] = first == 0 && end == Width;
        }

        nint channelPlane = (nint)g.InputHeight * g.InputWidth;
        float* origin = image + ((nint)(pixel0 / plane) * g.InputImageLength) + ((nint)(oy - g.PadHeight) * g.InputWidth) + ox - g.PadWidth;
        int taps = g.KernelHeight * kw;
        int channel = row0 / taps, ky = row0 % taps / kw, column = row0 % taps % kw;
        for (int k = 0; k < depth; k++)
        {
            float* source = origin + (channel * channelPlane) + ((nint)ky * g.InputWidth) + column;
            float* row = panel + ((nint)k * Width);
            if (full[column])
            {
                Vector512.Load(source).Store(row);
                Vector512.Load(source + 16).Store(row + 16);
            }
            else
            {
                // Masked-off lanes are neither read nor faulted on: the source may start before the row or end past it.
                Avx512F.MaskLoad(source, low[column], Vector512<float>.Zero).Store(row);
                Avx512F.MaskLoad(source + 16, high[column], Vector512<float>.Zero).Store(row + 16);
            }

            if (++column == kw)
            {
                column = 0;
                if (++ky == g.KernelHeight)
                {
                    ky = 0;
                    channel++;
                }
            }
        }
    }
}
