using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using NNPackSharp.Geometry;
using NNPackSharp.Memory;

namespace NNPackSharp.Engines.Managed;

/// <summary>
/// Packs one 32-column im2col panel whose columns lie in at most four output rows, each away from the top and bottom
/// padding, at stride 1 across (any stride down): every packed row (kernel tap) is then, per output row, a run of
/// contiguous input floats, read with AVX-512 masked loads whose lane masks (the run's lanes, less those in the left or
/// right padding) are made once per panel and kernel column, the runs of a 16-lane half merged with an OR. A single run
/// without padding takes plain loads. The general packer (<see cref="Im2ColPanelSource{T}"/>) works out each tap's
/// runs, window and clipping again, and the gathered one (<see cref="GatheredPanel"/>) loads element by element.
/// Layers strided across pack from their stride phases instead (<see cref="PhasePanelSource{T}"/>).
/// </summary>
internal static unsafe class RowPanel
{
    private const int Width = 32;
    private const int MaxKernelWidth = 32;
    private const int MaxRuns = 4;

    /// <summary>
    /// True where this packer applies to the panel of pixels <c>[pixel0, pixel0 + valid)</c>, <paramref name="width"/>
    /// wide: AVX-512, 32 columns, stride 1 across, kernels up to 32 wide, the pixels in at most four output rows,
    /// and every kernel row of those output rows inside the image.
    /// </summary>
    public static bool Applies(in Conv2DGeometry g, int pixel0, int valid, int width)
    {
        if (!Avx512F.IsSupported || width != Width || g.StrideWidth != 1 || g.KernelWidth > MaxKernelWidth)
        {
            return false;
        }

        int runs = 0;
        for (int offset = 0; offset < valid; runs++)
        {
            int pixel = (pixel0 + offset) % g.OutputPlaneLength;
            long top = ((long)(pixel / g.OutputWidth) * g.StrideHeight) - g.PadHeight;
            if (runs == MaxRuns || top < 0 || top + g.KernelHeight > g.InputHeight)
            {
                return false;
            }

            offset += Math.Min(valid - offset, g.OutputWidth - (pixel % g.OutputWidth));
        }

        return true;
    }

    /// <summary>
    /// Pixels <c>[pixel0, pixel0 + valid)</c> of taps <c>[row0, row0 + depth)</c> into rows of 32 floats, zeros for
    /// padding and past <paramref name="valid"/>; <paramref name="image"/> is the first image of the columns.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Pack(in Conv2DGeometry g, float* image, int row0, int depth, int pixel0, int valid, float* panel)
    {
        int plane = g.OutputPlaneLength, kw = g.KernelWidth;

        // Per run: where lane j of tap (0, 0, 0) reads (image-relative, j added); per run, kernel column and half: the
        // lanes that read inside the row. Runs come in lane order, so each half reads a range of them.
        nint* origin = stackalloc nint[MaxRuns];
        // Line-aligned: every tap reads its masks (see CacheLine).
        byte* maskScratch = stackalloc byte[(MaxRuns * kw * 2 * sizeof(Vector512<float>)) + CacheLine.Bytes - 1];
        Vector512<float>* masks = CacheLine.Align<Vector512<float>>(maskScratch);
        int* firstRun = stackalloc int[2], endRun = stackalloc int[2];
        firstRun[0] = firstRun[1] = MaxRuns;
        endRun[0] = endRun[1] = 0;
        int runs = 0;
        for (int first = 0; first < valid; runs++)
        {
            int column = pixel0 + first, pixel = column % plane, oy = pixel / g.OutputWidth, ox = pixel % g.OutputWidth;
            int end = first + Math.Min(valid - first, g.OutputWidth - ox);
            origin[runs] = ((nint)(column / plane) * g.InputImageLength) + ((nint)(((long)oy * g.StrideHeight) - g.PadHeight) * g.InputWidth)
                + ox - g.PadWidth - first;
            for (int kx = 0; kx < kw; kx++)
            {
                // Lane j reads input column ox + j - first - pad + kx, inside the row for j in [lo, hi).
                long below = (long)g.PadWidth - kx - ox, beyond = below + g.InputWidth;
                long lo = Math.Clamp(first + below, first, end);
                long hi = Math.Clamp(first + beyond, lo, end);
                Vector512<float>* at = masks + (((runs * kw) + kx) * 2);
                at[0] = MaskedRun.InRange(MaskedRun.Lane, (int)lo, (int)hi);
                at[1] = MaskedRun.InRange(MaskedRun.Lane + Vector512.Create(16), (int)lo, (int)hi);
            }

            for (int half = 0; half < 2; half++)
            {
                if (first < (16 * half) + 16 && end > 16 * half)
                {
                    firstRun[half] = Math.Min(firstRun[half], runs);
                    endRun[half] = runs + 1;
                }
            }

            first = end;
        }

        // One run over all 32 lanes reads plain where no lane falls into the padding.
        bool* plain = stackalloc bool[kw];
        for (int kx = 0; kx < kw; kx++)
        {
            plain[kx] = runs == 1 && valid == Width && Vector512.EqualsAll(masks[(kx * 2) + 0].AsInt32() & masks[(kx * 2) + 1].AsInt32(), Vector512<int>.AllBitsSet);
        }

        nint channelPlane = (nint)g.InputHeight * g.InputWidth;
        int taps = g.KernelHeight * kw;
        int channel = row0 / taps, ky = row0 % taps / kw, kx0 = row0 % taps % kw;
        for (int k = 0; k < depth; k++)
        {
            float* tap = image + (channel * channelPlane) + ((nint)ky * g.InputWidth) + kx0;
            float* row = panel + ((nint)k * Width);
            if (plain[kx0])
            {
                Vector512.Load(tap + origin[0]).Store(row);
                Vector512.Load(tap + origin[0] + 16).Store(row + 16);
            }
            else
            {
                // Masked-off lanes are neither read nor faulted on: a run's origin may lie before its row or past it.
                for (int half = 0; half < 2; half++)
                {
                    Vector512<float> values = Vector512<float>.Zero;
                    for (int run = firstRun[half]; run < endRun[half]; run++)
                    {
                        values |= Avx512F.MaskLoad(tap + origin[run] + (16 * half), masks[(((run * kw) + kx0) * 2) + half], Vector512<float>.Zero);
                    }

                    values.Store(row + (16 * half));
                }
            }

            if (++kx0 == kw)
            {
                kx0 = 0;
                if (++ky == g.KernelHeight)
                {
                    ky = 0;
                    channel++;
                }
            }
        }
    }
}
