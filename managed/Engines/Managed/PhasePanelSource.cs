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

    /// <inheritdoc />
    public void Pack(int row0, int depth, int col0, int columns, int panelColumns, T* destination)
    {
        for (int q = 0; q < columns; q += panelColumns)
        {
            int pixel0 = col0 + q, valid = Math.Min(panelColumns, columns - q);
            T* panel = destination + ((nint)q * depth);
            if (!PackPanel(geometry, split, phases, row0, depth, pixel0, valid, panelColumns, (float*)panel))
            {
                new Im2ColPanelSource<T>(geometry, image).Pack(row0, depth, pixel0, valid, panelColumns, panel);
            }
        }
    }

    /// <summary>
    /// Pixels <c>[pixel0, pixel0 + valid)</c> of taps <c>[row0, row0 + depth)</c> into rows of <paramref name="width"/>
    /// floats, zeros past <paramref name="valid"/>; false (nothing written) where they span more than <see cref="MaxRuns"/>
    /// output rows.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool PackPanel(in Conv2DGeometry g, in PhaseSplit split, float* phases, int row0, int depth, int pixel0, int valid, int width, float* panel)
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

        // A half that one run fills is a plain copy; one that no run touches is zeros.
        bool* whole = stackalloc bool[MaxWidth / Lanes];
        for (int half = 0; half < halves; half++)
        {
            whole[half] = endRun[half] - firstRun[half] == 1 && Vector512.EqualsAll(masks[(firstRun[half] * halves) + half].AsInt32(), Vector512<int>.AllBitsSet);
        }

        // The tap's offset in the phases, kept as its parts: channel, and per kernel row and column its phase and shift.
        int taps = g.KernelHeight * g.KernelWidth, sh = split.StrideHeight, sw = split.StrideWidth;
        int channel = row0 / taps, ky = row0 % taps / g.KernelWidth, kx = row0 % taps % g.KernelWidth;
        nint rowPhase = (nint)(split.PlaneLength * split.PhaseColumns), rowOffset = TapOffset(ky, sh, (nint)split.Width, rowPhase);
        nint columnOffset = TapOffset(kx, sw, 1, (nint)split.PlaneLength);
        float* channelPhases = phases + (channel * (nint)split.ChannelLength);
        for (int k = 0; k < depth; k++)
        {
            float* tap = channelPhases + rowOffset + columnOffset;
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

            if (++kx == g.KernelWidth)
            {
                kx = 0;
                if (++ky == g.KernelHeight)
                {
                    ky = 0;
                    channel++;
                    channelPhases += split.ChannelLength;
                }

                rowOffset = TapOffset(ky, sh, (nint)split.Width, rowPhase);
            }

            columnOffset = TapOffset(kx, sw, 1, (nint)split.PlaneLength);
        }

        return true;
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
