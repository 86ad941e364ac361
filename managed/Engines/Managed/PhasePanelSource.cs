using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using NNPackSharp.Gemm;
using NNPackSharp.Geometry;
using NNPackSharp.Memory;

namespace NNPackSharp.Engines.Managed;

/// <summary>
/// The im2col columns of a strided layer (as <see cref="Im2ColPanelSource{T}"/> lays them out) packed from the input's
/// stride phases (<see cref="PhaseSplit"/>): every packed row (kernel tap) is, per output row in the panel, a contiguous
/// run of a phase with its padding already in place, so a 16-lane half of the row is one plain load, or one per run
/// blended under a lane mask made once per panel. The row packer read the same taps at stride 2 as two loads masked per
/// kernel column and a permute, and left the rows that meet the top or bottom padding to the general packer. Panels of
/// more than <see cref="MaxRuns"/> output rows go to <see cref="Im2ColPanelSource{T}"/>.
/// </summary>
internal readonly unsafe struct PhasePanelSource<T>(Conv2DGeometry geometry, PhaseSplit split, T* image, float* phases) : IPanelSource<T>
    where T : unmanaged
{
    /// <summary>The widest panel packed here, in columns.</summary>
    public const int MaxWidth = 64;

    /// <summary>The most output rows one panel may span here.</summary>
    public const int MaxRuns = 8;

    private const int Lanes = 16;

    /// <summary>The taps whose offsets one pass works out at a time (a table of this many on the stack).</summary>
    private const int TapSlice = 512;

    /// <inheritdoc />
    public bool InPlace(out T* origin, out nint rowStride)
    {
        origin = null;
        rowStride = 0;
        return false;
    }

    /// <inheritdoc />
    public void Pack(int row0, int depth, int col0, int columns, int panelColumns, T* destination)
    {
        nint* taps = stackalloc nint[Math.Min(depth, TapSlice)];
        for (int slice0 = 0; slice0 < depth; slice0 += TapSlice)
        {
            int slice = Math.Min(TapSlice, depth - slice0);
            TapOffsets(geometry, split, row0 + slice0, slice, taps);
            for (int q = 0; q < columns; q += panelColumns)
            {
                int pixel0 = col0 + q, valid = Math.Min(panelColumns, columns - q);
                T* panel = destination + ((nint)q * depth) + ((nint)slice0 * panelColumns);
                if (!PackPanel(geometry, split, phases, taps, slice, pixel0, valid, panelColumns, (float*)panel))
                {
                    new Im2ColPanelSource<T>(geometry, image).Pack(row0 + slice0, slice, pixel0, valid, panelColumns, panel);
                }
            }
        }
    }

    /// <summary>
    /// Where taps <c>[row0, row0 + count)</c> read among the phases, for lane 0 of a pixel at offset 0: the channel's
    /// phases, then per kernel row and column its phase and shift (<see cref="TapOffset"/>). Worked out once per block
    /// of panels, so the packing loop reads one offset per row.
    /// </summary>
    private static void TapOffsets(in Conv2DGeometry g, in PhaseSplit split, int row0, int count, nint* offsets)
    {
        int taps = g.KernelHeight * g.KernelWidth, sh = split.StrideHeight, sw = split.StrideWidth;
        int channel = row0 / taps, ky = row0 % taps / g.KernelWidth, kx = row0 % taps % g.KernelWidth;
        nint rowPhase = (nint)(split.PlaneLength * split.PhaseColumns), channelOffset = channel * (nint)split.ChannelLength;
        nint rowOffset = TapOffset(ky, sh, (nint)split.Width, rowPhase);
        for (int k = 0; k < count; k++)
        {
            offsets[k] = channelOffset + rowOffset + TapOffset(kx, sw, 1, (nint)split.PlaneLength);
            if (++kx == g.KernelWidth)
            {
                kx = 0;
                if (++ky == g.KernelHeight)
                {
                    ky = 0;
                    channelOffset += (nint)split.ChannelLength;
                }

                rowOffset = TapOffset(ky, sh, (nint)split.Width, rowPhase);
            }
        }
    }

    /// <summary>
    /// Pixels <c>[pixel0, pixel0 + valid)</c> of the <paramref name="depth"/> taps at <paramref name="taps"/> (offsets
    /// from <see cref="TapOffsets"/>) into rows of <paramref name="width"/> floats, zeros past <paramref name="valid"/>;
    /// false (nothing written) where they span more than <see cref="MaxRuns"/> output rows.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool PackPanel(in Conv2DGeometry g, in PhaseSplit split, float* phases, nint* taps, int depth, int pixel0, int valid, int width, float* panel)
    {
        // Per run (the pixels of one output row): where lane 0 of tap (0, 0, 0) reads, lane j reading j further on;
        // per run and half, its lanes. Runs come in lane order, so each half takes a range of them.
        int plane = g.OutputPlaneLength, halves = width / Lanes;
        nint* origin = stackalloc nint[MaxRuns];
        byte* maskScratch = stackalloc byte[(MaxRuns * (MaxWidth / Lanes) * sizeof(Vector512<float>)) + CacheLine.Bytes - 1];
        Vector512<float>* masks = CacheLine.Align<Vector512<float>>(maskScratch);
        int* firstRun = stackalloc int[MaxWidth / Lanes], endRun = stackalloc int[MaxWidth / Lanes];
        for (int half = 0; half < halves; half++)
        {
            firstRun[half] = MaxRuns;
            endRun[half] = 0;
        }

        // Output rows that follow each other in the phase too (stride 1 across with no padding there: a 7x1 kernel's
        // rows) are one run, so a panel within one image is a plain copy per half.
        int runs = 0;
        int* runFirst = stackalloc int[MaxRuns], runEnd = stackalloc int[MaxRuns];
        for (int first = 0; first < valid;)
        {
            int column = pixel0 + first, pixel = column % plane, oy = pixel / g.OutputWidth, ox = pixel % g.OutputWidth;
            int end = first + Math.Min(valid - first, g.OutputWidth - ox);
            nint at = (nint)((column / plane * split.ImageLength) + ((long)oy * split.Width) + ox - first);
            if (runs > 0 && origin[runs - 1] == at)
            {
                runEnd[runs - 1] = end;
            }
            else if (runs == MaxRuns)
            {
                return false;
            }
            else
            {
                origin[runs] = at;
                runFirst[runs] = first;
                runEnd[runs] = end;
                runs++;
            }

            first = end;
        }

        for (int run = 0; run < runs; run++)
        {
            for (int half = 0; half < halves; half++)
            {
                masks[(run * halves) + half] = MaskedRun.InRange(MaskedRun.Lane + Vector512.Create(Lanes * half), runFirst[run], runEnd[run]);
                if (runFirst[run] < Lanes * (half + 1) && runEnd[run] > Lanes * half)
                {
                    firstRun[half] = Math.Min(firstRun[half], run);
                    endRun[half] = run + 1;
                }
            }
        }

        if (halves == 2 && TwoRunsPerHalf(firstRun, endRun))
        {
            PackTwoRunsPerHalf(phases, taps, depth, origin, masks, firstRun, endRun, panel);
            return true;
        }

        if (halves == 2 && ThreeRunsPerHalf(firstRun, endRun))
        {
            PackThreeRunsPerHalf(phases, taps, depth, origin, masks, firstRun, endRun, panel);
            return true;
        }

        // A half that one run fills is a plain copy; one that no run touches is zeros.
        bool* whole = stackalloc bool[MaxWidth / Lanes];
        for (int half = 0; half < halves; half++)
        {
            whole[half] = endRun[half] - firstRun[half] == 1 && Vector512.EqualsAll(masks[(firstRun[half] * halves) + half].AsInt32(), Vector512<int>.AllBitsSet);
        }

        for (int k = 0; k < depth; k++)
        {
            float* tap = phases + taps[k];
            float* row = panel + ((nint)k * width);
            for (int half = 0; half < halves; half++)
            {
                float* at = tap + (Lanes * half);
                if (whole[half])
                {
                    Vector512.Load(at + origin[firstRun[half]]).Store(row + (Lanes * half));
                    continue;
                }

                Vector512<float> values = Vector512<float>.Zero;
                for (int run = firstRun[half]; run < endRun[half]; run++)
                {
                    values = Vector512.ConditionalSelect(masks[(run * halves) + half], Vector512.Load(at + origin[run]), values);
                }

                values.Store(row + (Lanes * half));
            }
        }

        return true;
    }

    /// <summary>True where each of a 32-column panel's two halves takes one or two runs.</summary>
    private static bool TwoRunsPerHalf(int* firstRun, int* endRun) =>
        endRun[0] - firstRun[0] is 1 or 2 && endRun[1] - firstRun[1] is 1 or 2;

    /// <summary>True where each of a 32-column panel's two halves takes one to three runs.</summary>
    private static bool ThreeRunsPerHalf(int* firstRun, int* endRun) =>
        endRun[0] - firstRun[0] is >= 1 and <= 3 && endRun[1] - firstRun[1] is >= 1 and <= 3;

    /// <summary>
    /// As <see cref="PackTwoRunsPerHalf"/> for maps 11 to 15 wide, whose 16-lane halves meet up to three output rows
    /// (AlexNet conv3's 13, VGG conv5's 14): the middle run blended in between, where the general loop above reloaded
    /// the origins and masks per tap and run (perf, AlexNet conv3's input gradient, one thread: 7% of the call). A half
    /// with fewer runs reads one twice under an empty mask.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackThreeRunsPerHalf(float* phases, nint* taps, int depth, nint* origin, Vector512<float>* masks, int* firstRun, int* endRun, float* panel)
    {
        const int halves = 2;
        int last0 = endRun[0] - 1, last1 = endRun[1] - 1, middle0 = Math.Min(firstRun[0] + 1, last0), middle1 = Math.Min(firstRun[1] + 1, last1);
        nint a0 = origin[firstRun[0]], m0 = origin[middle0], b0 = origin[last0];
        nint a1 = origin[firstRun[1]] + Lanes, m1 = origin[middle1] + Lanes, b1 = origin[last1] + Lanes;
        // Half 0 is all in its runs (half 1 has lanes); half 1's first run is masked too, zeroing lanes past the panel.
        Vector512<float> maskM0 = middle0 == firstRun[0] || middle0 == last0 ? Vector512<float>.Zero : masks[middle0 * halves];
        Vector512<float> maskB0 = last0 == firstRun[0] ? Vector512<float>.Zero : masks[last0 * halves];
        Vector512<float> maskA1 = masks[(firstRun[1] * halves) + 1];
        Vector512<float> maskM1 = middle1 == firstRun[1] || middle1 == last1 ? Vector512<float>.Zero : masks[(middle1 * halves) + 1];
        Vector512<float> maskB1 = last1 == firstRun[1] ? Vector512<float>.Zero : masks[(last1 * halves) + 1];
        for (int k = 0; k < depth; k++)
        {
            float* tap = phases + taps[k];
            float* row = panel + ((nint)k * (halves * Lanes));
            Vector512<float> low = Vector512.ConditionalSelect(maskM0, Vector512.Load(tap + m0), Vector512.Load(tap + a0));
            Vector512.ConditionalSelect(maskB0, Vector512.Load(tap + b0), low).Store(row);
            Vector512<float> high = Vector512.ConditionalSelect(maskM1, Vector512.Load(tap + m1), Vector512.Load(tap + a1) & maskA1);
            Vector512.ConditionalSelect(maskB1, Vector512.Load(tap + b1), high).Store(row + Lanes);
        }
    }

    /// <summary>
    /// The common panel of a 32-column tile (a map at least 16 wide: each half meets at most two output rows), with its
    /// runs' origins and masks in registers for the whole depth: per row and half two loads, a mask and a blend, where
    /// the general loop above reloaded them per tap and run (perf, Inception 1x7's forward, one thread: the packer 14%
    /// of the call). A half with one run reads it twice, the second time under an empty mask.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackTwoRunsPerHalf(float* phases, nint* taps, int depth, nint* origin, Vector512<float>* masks, int* firstRun, int* endRun, float* panel)
    {
        const int halves = 2;
        int last0 = endRun[0] - 1, last1 = endRun[1] - 1;
        nint a0 = origin[firstRun[0]], b0 = origin[last0], a1 = origin[firstRun[1]] + Lanes, b1 = origin[last1] + Lanes;
        // Half 0 is all in its runs (half 1 has lanes, so the panel is more than 16 columns): it blends the two runs.
        // Half 1 may end before the panel does: its first run is masked too, zeroing the lanes past the last column.
        Vector512<float> maskB0 = last0 == firstRun[0] ? Vector512<float>.Zero : masks[last0 * halves];
        Vector512<float> maskA1 = masks[(firstRun[1] * halves) + 1], maskB1 = last1 == firstRun[1] ? Vector512<float>.Zero : masks[(last1 * halves) + 1];
        for (int k = 0; k < depth; k++)
        {
            float* tap = phases + taps[k];
            float* row = panel + ((nint)k * (halves * Lanes));
            Vector512.ConditionalSelect(maskB0, Vector512.Load(tap + b0), Vector512.Load(tap + a0)).Store(row);
            Vector512.ConditionalSelect(maskB1, Vector512.Load(tap + b1), Vector512.Load(tap + a1) & maskA1).Store(row + Lanes);
        }
    }

    /// <summary>
    /// Where kernel row (or column) <paramref name="k"/> reads among the phases: its phase <c>k % stride</c>, phases
    /// <paramref name="phaseLength"/> apart, and its shift <c>k / stride</c>, <paramref name="step"/> apart.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nint TapOffset(int k, int stride, nint step, nint phaseLength)
    {
        int shift = stride == 1 ? k : stride == 2 ? k >> 1 : k / stride;
        return ((k - (shift * stride)) * phaseLength) + (shift * step);
    }
}
