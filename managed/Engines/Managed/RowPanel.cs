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

        // Kernel column by kernel column: a column's rows share their lane masks and run origins, which stay in
        // registers while its taps advance by a row or a channel (the masks reloaded per tap cost a quarter of batch
        // 32's forward pass).
        var steps = new TapSteps(g.InputWidth, ((nint)g.InputHeight * g.InputWidth) - ((nint)g.KernelHeight * g.InputWidth), g.KernelHeight, kw * Width);
        int taps = g.KernelHeight * kw;
        for (int kx = 0; kx < kw; kx++)
        {
            int k0 = ((kx - (row0 % kw)) + kw) % kw;
            if (k0 >= depth)
            {
                continue;
            }

            int r = row0 + k0, count = ((depth - k0 - 1) / kw) + 1, ky = r % taps / kw;
            float* tap = image + ((nint)(r / taps) * g.InputHeight * g.InputWidth) + ((nint)ky * g.InputWidth) + kx;
            float* row = panel + ((nint)k0 * Width);
            // One run over all 32 lanes reads plain where no lane falls into the padding.
            if (runs == 1 && valid == Width && Vector512.EqualsAll(masks[kx * 2].AsInt32() & masks[(kx * 2) + 1].AsInt32(), Vector512<int>.AllBitsSet))
            {
                PackPlain(tap + origin[0], row, count, ky, steps);
            }
            else if (endRun[0] - firstRun[0] <= 2 && endRun[1] - firstRun[1] <= 2)
            {
                PackTwoRuns(tap, row, count, ky, steps, HalfRuns(origin, masks, kw, kx, 0, firstRun[0], endRun[0]), HalfRuns(origin, masks, kw, kx, 1, firstRun[1], endRun[1]));
            }
            else
            {
                PackRuns(tap, row, count, ky, steps, origin, masks, kw, kx, firstRun, endRun);
            }
        }
    }

    /// <summary>How a kernel column's taps advance: a row down, past the kernel's last row into the next channel, and a panel row per tap of the column.</summary>
    private readonly record struct TapSteps(nint Row, nint Channel, int KernelHeight, nint PanelRow)
    {
        /// <summary>Moves <paramref name="tap"/>, <paramref name="row"/> and the kernel row <paramref name="ky"/> to the column's next tap.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Next(ref float* tap, ref float* row, ref int ky)
        {
            row += PanelRow;
            tap += Row;
            if (++ky == KernelHeight)
            {
                ky = 0;
                tap += Channel;
            }
        }
    }

    /// <summary>One 16-lane half's reads: up to two runs, each an origin and a lane mask (a run that is absent has no lanes).</summary>
    private readonly record struct HalfReads(nint First, Vector512<float> FirstMask, nint Second, Vector512<float> SecondMask);

    private static HalfReads HalfRuns(nint* origin, Vector512<float>* masks, int kw, int kx, int half, int first, int end)
    {
        Vector512<float> none = Vector512<float>.Zero;
        nint offset = 16 * half;
        return end <= first ? new HalfReads(origin[0], none, origin[0], none)
            : new HalfReads(origin[first] + offset, masks[(((first * kw) + kx) * 2) + half],
                origin[end - 1] + offset, end - first == 2 ? masks[((((end - 1) * kw) + kx) * 2) + half] : none);
    }

    private static void PackPlain(float* tap, float* row, int count, int ky, TapSteps steps)
    {
        for (int i = 0; i < count; i++)
        {
            Vector512.Load(tap).Store(row);
            Vector512.Load(tap + 16).Store(row + 16);
            steps.Next(ref tap, ref row, ref ky);
        }
    }

    /// <summary>Masked-off lanes are neither read nor faulted on: a run's origin may lie before its row or past it.</summary>
    private static void PackTwoRuns(float* tap, float* row, int count, int ky, TapSteps steps, HalfReads low, HalfReads high)
    {
        Vector512<float> zero = Vector512<float>.Zero;
        for (int i = 0; i < count; i++)
        {
            (Avx512F.MaskLoad(tap + low.First, low.FirstMask, zero) | Avx512F.MaskLoad(tap + low.Second, low.SecondMask, zero)).Store(row);
            (Avx512F.MaskLoad(tap + high.First, high.FirstMask, zero) | Avx512F.MaskLoad(tap + high.Second, high.SecondMask, zero)).Store(row + 16);
            steps.Next(ref tap, ref row, ref ky);
        }
    }

    /// <summary>Halves of three or four runs (maps narrower than 16 pixels).</summary>
    private static void PackRuns(float* tap, float* row, int count, int ky, TapSteps steps, nint* origin, Vector512<float>* masks, int kw, int kx, int* firstRun, int* endRun)
    {
        for (int i = 0; i < count; i++)
        {
            for (int half = 0; half < 2; half++)
            {
                Vector512<float> values = Vector512<float>.Zero;
                for (int run = firstRun[half]; run < endRun[half]; run++)
                {
                    values |= Avx512F.MaskLoad(tap + origin[run] + (16 * half), masks[(((run * kw) + kx) * 2) + half], Vector512<float>.Zero);
                }

                values.Store(row + (16 * half));
            }

            steps.Next(ref tap, ref row, ref ky);
        }
    }
}
