using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using NNPackSharp.Geometry;
using NNPackSharp.Memory;

namespace NNPackSharp.Engines.Managed;

/// <summary>
/// The input of a strided layer split into its stride phases (of a stride-1 layer, its padded copy; see
/// <see cref="Applies"/>), padding included: phase <c>(py, px)</c> of a channel
/// holds the padded image's rows <c>py, py + sH, ...</c> and of each its columns <c>px, px + sW, ...</c>. Kernel tap
/// <c>(c, ky, kx)</c> of output pixel <c>(oy, ox)</c> is then element <c>(oy + ky / sH, ox + kx / sW)</c> of phase
/// <c>(ky % sH, kx % sW)</c>, so an im2col row reads contiguous runs with no padding to clip
/// (<see cref="PhasePanelSource{T}"/>) where it read every second float, clipped per tap. One pass over the input
/// per call buys that for every kernel tap of every output channel block.
/// </summary>
internal readonly unsafe struct PhaseSplit
{
    /// <summary>Floats of readable memory kept before and after the phases: a 16-lane load of a run may reach 15 past it.</summary>
    public const int Slack = 16;

    /// <summary>The layout of <paramref name="g"/>'s phases; its sizes may exceed int where <see cref="Applies"/> is false.</summary>
    public PhaseSplit(in Conv2DGeometry g)
    {
        StrideHeight = g.StrideHeight;
        StrideWidth = g.StrideWidth;
        Channels = g.InputChannels;
        PhaseRows = Math.Min(g.StrideHeight, g.KernelHeight);
        PhaseColumns = Math.Min(g.StrideWidth, g.KernelWidth);
        Height = (g.InputHeight + (2L * g.PadHeight) + g.StrideHeight - 1) / g.StrideHeight;
        Width = (g.InputWidth + (2L * g.PadWidth) + g.StrideWidth - 1) / g.StrideWidth;
        PlaneLength = Height * Width;
        ChannelLength = PlaneLength * PhaseRows * PhaseColumns;
        ImageLength = ChannelLength * g.InputChannels;
        PaddedCopyPays = g.PadWidth >= 2 || g.PadHeight >= 2 || ((g.PadWidth > 0 || g.PadHeight > 0) && g.OutputWidth >= 8);
        OutputWidth = g.OutputWidth;
    }

    /// <summary>
    /// Padding of at least 2 on either axis, or any padding on output rows at least 8 wide: at stride 1 its copy is
    /// worth making on narrow maps (see <see cref="Applies"/>).
    /// </summary>
    private bool PaddedCopyPays { get; }

    private int OutputWidth { get; }

    public int StrideHeight { get; }

    public int StrideWidth { get; }

    /// <summary>The input channels, each its own phases.</summary>
    public int Channels { get; }

    /// <summary>
    /// Phases kept down: <c>min(sH, kH)</c>. A phase that no kernel row reads (a 1x1 kernel at stride 2 reads only
    /// phase (0, 0)) is neither written nor stored.
    /// </summary>
    public int PhaseRows { get; }

    /// <summary>Phases kept across: <c>min(sW, kW)</c>.</summary>
    public int PhaseColumns { get; }

    /// <summary>Rows of one phase plane.</summary>
    public long Height { get; }

    /// <summary>Columns of one phase plane: the distance between its rows.</summary>
    public long Width { get; }

    public long PlaneLength { get; }

    /// <summary>The phases of one channel, <c>[PhaseRows, PhaseColumns, Height, Width]</c>.</summary>
    public long ChannelLength { get; }

    /// <summary>The phases of one image, <c>[Cin, PhaseRows, PhaseColumns, Height, Width]</c>.</summary>
    public long ImageLength { get; }

    /// <summary>
    /// True where the forward pass packs from the phases: AVX-512 (the split's and the packer's loads), a tile a whole
    /// number of 16-lane vectors wide, a stride above 1, at most 2 across (the split's vector path), and phases of
    /// <paramref name="images"/> images that fit one buffer. At stride 1 the single phase is the padded input, made
    /// where padding meets output rows narrower than a tile (<see cref="PaddedCopyPays"/>): every panel then holds
    /// several rows, and <see cref="RowPanel"/> clipped each of their runs to the padding per tap, or (near the top and
    /// bottom) the general packer took the panel. bench/ab-managed.py, one thread, 9 rounds: Inception 1x7 1.045x
    /// forward and 1.053x input gradient, 7x1 1.024x and 1.027x, AlexNet conv2's forward (5x5, padding 2, 27-wide rows)
    /// 0.996x. With padding 1, once the copy took plain loads (<see cref="PadRow"/>; 7 rounds): batch 32's 28-wide maps
    /// 1.06x forward and 1.04x input gradient, VGG conv5's 14-wide 1.03x both, AlexNet conv3's 13-wide 1.01x; on 7-wide
    /// rows (7x7x512) 0.98x, hence the width of 8; batch-1 112x112 had lost 0.94x, as have maps a tile wide or more.
    /// </summary>
    public bool Applies(int tileColumns, int images)
    {
        bool strided = StrideHeight > 1 || StrideWidth > 1;
        if (!Avx512F.IsSupported || tileColumns % 16 != 0 || tileColumns > PhasePanelSource<float>.MaxWidth || StrideWidth > 2 || (!strided && !(PaddedCopyPays && OutputWidth < tileColumns)))
        {
            return false;
        }

        // In double: with padding near int.MaxValue the long products can wrap.
        double floats = (double)Height * Width * PhaseRows * PhaseColumns * Channels * images;
        return floats + (2 * Slack) <= Array.MaxLength;
    }

    /// <summary>
    /// Splits <paramref name="count"/> images from <paramref name="images"/> into <paramref name="buffer"/> and returns
    /// where their phases start (with <see cref="Slack"/> readable floats on both sides).
    /// </summary>
    public float* Split(in Conv2DGeometry g, float* images, int count, PinnedBuffer<float> buffer)
    {
        float* phases = buffer.Ensure((int)((ImageLength * count) + (2 * Slack))) + Slack;
        nint inputPlane = (nint)g.InputHeight * g.InputWidth;
        for (int image = 0; image < count; image++)
        {
            for (int channel = 0; channel < g.InputChannels; channel++)
            {
                float* source = images + ((nint)image * g.InputImageLength) + (channel * inputPlane);
                float* target = phases + (((nint)image * g.InputChannels) + channel) * (nint)ChannelLength;
                for (int py = 0; py < PhaseRows; py++)
                {
                    for (int i = 0; i < Height; i++)
                    {
                        long y = ((long)i * StrideHeight) + py - g.PadHeight;
                        float* row = target + (py * PhaseColumns * (nint)PlaneLength) + ((nint)i * (nint)Width);
                        if (y < 0 || y >= g.InputHeight)
                        {
                            for (int px = 0; px < PhaseColumns; px++)
                            {
                                new Span<float>(row + (px * (nint)PlaneLength), (int)Width).Clear();
                            }
                        }
                        else if (StrideWidth == 1)
                        {
                            PadRow(source + ((nint)y * g.InputWidth), g.InputWidth, g.PadWidth, row, source, source + inputPlane);
                        }
                        else
                        {
                            Deinterleave(source + ((nint)y * g.InputWidth), g.InputWidth, g.PadWidth, row, PhaseColumns == 2 ? row + (nint)PlaneLength : null, source, source + inputPlane);
                        }
                    }
                }
            }
        }

        return phases;
    }

    /// <summary>
    /// One padded row at stride 1 across: <c>pad</c> zeros, the row, zeros to <see cref="Width"/>; 16 columns per step,
    /// plain loads and a blend wherever the step's floats lie inside the channel's plane <c>[lowest, limit)</c>
    /// (<see cref="MaskedRun.LoadWindow"/>, as <see cref="Deinterleave"/>), only a row's last partial step a masked store.
    /// </summary>
    private void PadRow(float* source, int length, int pad, float* target, float* lowest, float* limit)
    {
        Vector512<int> lane = MaskedRun.Lane;
        long width = Width;
        for (int j = 0; j < width; j += 16)
        {
            long x = (long)j - pad;
            Vector512<float> values;
            if (x >= 0 && x + 16 <= length)
            {
                values = Vector512.Load(source + x);
            }
            else if (x < length && x + 16 > 0)
            {
                values = MaskedRun.LoadWindow(source + x, MaskedRun.InRange(lane + Vector512.Create((int)x), 0, length), lowest, limit);
            }
            else
            {
                values = Vector512<float>.Zero;
            }

            long count = width - j;
            if (count >= 16)
            {
                values.Store(target + j);
            }
            else
            {
                Avx512F.MaskStore(target + j, Vector512.LessThan(lane, Vector512.Create((int)count)).AsSingle(), values);
            }
        }
    }

    /// <summary>
    /// One padded row at stride 2 across into its two phases: element <c>j</c> of phase <c>px</c> is the row's column
    /// <c>2j + px - pad</c>, zero outside it; 32 columns per step. A step reaching past the row's ends still takes plain
    /// loads where its floats lie inside the channel's plane <c>[lowest, limit)</c> (the neighbouring rows), the lanes
    /// outside the row zeroed by a blend (<see cref="MaskedRun.LoadWindow"/>); only steps past the plane's ends take
    /// masked loads, and only a row's last partial step a masked store. Masked loads on every step (where a 56-wide row
    /// with padding 1 has no step inside the row) made this pass a fifth of ResNet 3x3/2's forward (perf, one thread). A
    /// null <paramref name="odd"/> (a kernel one column wide) keeps the even phase alone.
    /// </summary>
    private void Deinterleave(float* source, int length, int pad, float* even, float* odd, float* lowest, float* limit)
    {
        Vector512<int> lane = MaskedRun.Lane, evenLanes = MaskedRun.Even, oddLanes = MaskedRun.Odd;
        long width = Width;
        for (int j = 0; j < width; j += 16)
        {
            long x = (2L * j) - pad;
            Vector512<float> low, high;
            if (x >= 0 && x + 32 <= length)
            {
                low = Vector512.Load(source + x);
                high = Vector512.Load(source + x + 16);
            }
            else if (x < length && x + 32 > 0)
            {
                Vector512<int> column = lane + Vector512.Create((int)x);
                low = MaskedRun.LoadWindow(source + x, MaskedRun.InRange(column, 0, length), lowest, limit);
                high = MaskedRun.LoadWindow(source + x + 16, MaskedRun.InRange(column + Vector512.Create(16), 0, length), lowest, limit);
            }
            else
            {
                low = Vector512<float>.Zero;
                high = Vector512<float>.Zero;
            }

            Vector512<float> evens = Avx512F.PermuteVar16x32x2(low, evenLanes, high);
            long count = width - j;
            if (count >= 16)
            {
                evens.Store(even + j);
                if (odd != null)
                {
                    Avx512F.PermuteVar16x32x2(low, oddLanes, high).Store(odd + j);
                }
            }
            else
            {
                Vector512<float> keep = Vector512.LessThan(lane, Vector512.Create((int)count)).AsSingle();
                Avx512F.MaskStore(even + j, keep, evens);
                if (odd != null)
                {
                    Avx512F.MaskStore(odd + j, keep, Avx512F.PermuteVar16x32x2(low, oddLanes, high));
                }
            }
        }
    }
}
