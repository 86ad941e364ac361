using System.Runtime.CompilerServices;
using NNPackSharp.Gemm;
using NNPackSharp.Geometry;

namespace NNPackSharp.Engines.Managed;

/// <summary>
/// The im2col columns of one image (<c>[Cin*kH*kW, Hout*Wout]</c>, row = kernel tap (c, ky, kx), column = output
/// pixel (oy, ox)) as the forward GEMM's B, packed straight from the image: the column matrix is never written out,
/// which saves a write and a read of it per image (for VGG conv3.2, 29 MB each) and the memory traffic that makes
/// two threads contend. Columns past the first image's plane run on through the images that follow
/// (<c>[Cin*kH*kW, images*Hout*Wout]</c>), so small maps can share one product.
/// </summary>
internal readonly unsafe struct Im2ColPanelSource<T>(Conv2DGeometry geometry, T* image) : IPanelSource<T>
    where T : unmanaged
{
    private const int MaxPanelColumns = 64;
    private const int ShortRun = 16;
    

    /// <summary>
    /// True where panels that break into several output rows are packed with vector loads or gathers (<see cref="RowPanel"/>,
    /// <see cref="GatheredPanel"/>: floats with AVX2) rather than element by element, so narrow maps pack faster here
    /// than through a column buffer.
    /// </summary>
    public static bool PacksNarrowMapsInVectors => typeof(T) == typeof(float) && System.Runtime.Intrinsics.X86.Avx2.IsSupported;

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
        for (int q = 0; q < columns; q += panelColumns)
        {
            int pixel0 = col0 + q, valid = Math.Min(panelColumns, columns - q);
            T* panel = destination + ((nint)q * depth);
            if (typeof(T) == typeof(float) && RowPanel.Applies(geometry, pixel0, valid, panelColumns))
            {
                RowPanel.Pack(geometry, (float*)image, row0, depth, pixel0, valid, (float*)panel);
            }
            else if (typeof(T) == typeof(float) && Gathered(geometry, pixel0, valid) && GatheredPanel.Applies(geometry, pixel0, panelColumns))
            {
                GatheredPanel.Pack(geometry, (float*)image, row0, depth, pixel0, valid, panelColumns, (float*)panel);
            }
            else
            {
                PackPanel(geometry, image, row0, depth, pixel0, valid, panelColumns, panel);
            }
        }
    }

    /// <summary>
    /// Whether a panel is gathered rather than copied run by run: where its columns break into more than one run of an
    /// output row. A single run is one or two vector copies per tap, faster than gathers (by 1.15x on batch-1 112x112
    /// maps); two or three short runs cost more than the gathers (1.13x to 1.25x on 13x13, 17x17 and 7x7 maps, by an
    /// in-process A/B of the forward pass on one thread's CPU time).
    /// </summary>
    private static bool Gathered(in Conv2DGeometry g, int pixel0, int valid) => (pixel0 % g.OutputPlaneLength % g.OutputWidth) + valid > g.OutputWidth;

    /// <summary>
    /// One panel: pixels <c>[pixel0, pixel0 + valid)</c> of the taps <c>[row0, row0 + depth)</c>, each tap's values
    /// contiguous (<paramref name="width"/> apart), zeros past <paramref name="valid"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackPanel(in Conv2DGeometry g, T* image, int row0, int depth, int pixel0, int valid, int width, T* panel)
    {
        // The panel's columns as runs within output rows: (image, oy, first ox, length), found once for all its taps.
        if (width > MaxPanelColumns)
        {
            throw new InvalidOperationException($"A ukernel tile of {width} columns exceeds the {MaxPanelColumns} this packer plans for.");
        }

        Span<int> runs = stackalloc int[4 * MaxPanelColumns];
        int runCount = 0;
        int outputPlane = g.OutputPlaneLength;
        for (int offset = 0; offset < valid;)
        {
            int column = pixel0 + offset;
            int pixel = column % outputPlane;
            int oy = pixel / g.OutputWidth, ox = pixel % g.OutputWidth;
            int length = Math.Min(valid - offset, g.OutputWidth - ox);
            runs[4 * runCount] = column / outputPlane;
            runs[(4 * runCount) + 1] = oy;
            runs[(4 * runCount) + 2] = ox;
            runs[(4 * runCount) + 3] = length;
            runCount++;
            offset += length;
        }

        int taps = g.KernelHeight * g.KernelWidth;
        int channel = row0 / taps, ky = row0 % taps / g.KernelWidth, kx = row0 % taps % g.KernelWidth;
        nint planeLength = (nint)g.InputHeight * g.InputWidth;

        // The valid output columns of each kernel column (the first MaxPanelColumns of them; wider kernels compute the
        // rest as they come), and of the current kernel row.
        Span<int> columnRanges = stackalloc int[2 * Math.Min(g.KernelWidth, MaxPanelColumns)];
        for (int x = 0; x < columnRanges.Length / 2; x++)
        {
            (columnRanges[2 * x], columnRanges[(2 * x) + 1]) = Im2Col.ValidOutputRange(x, g.PadWidth, g.StrideWidth, g.InputWidth, g.OutputWidth);
        }

        int firstY = 0, endY = 0;
        bool masked = typeof(T) == typeof(float) && MaskedRun.IsSupported && MaskedRun.Handles(g.StrideWidth);
        for (int k = 0; k < depth; k++)
        {
            Span<T> row = new(panel + ((nint)k * width), width);
            T* plane = image + (channel * planeLength);
            if (kx == 0 || k == 0)
            {
                (firstY, endY) = Im2Col.ValidOutputRange(ky, g.PadHeight, g.StrideHeight, g.InputHeight, g.OutputHeight);
            }

            var (firstX, endX) = kx < columnRanges.Length / 2 ? (columnRanges[2 * kx], columnRanges[(2 * kx) + 1])
                : Im2Col.ValidOutputRange(kx, g.PadWidth, g.StrideWidth, g.InputWidth, g.OutputWidth);
            int at = 0;
            for (int run = 0; run < runCount; run++)
            {
                int oy = runs[(4 * run) + 1], ox = runs[(4 * run) + 2], length = runs[(4 * run) + 3];
                T* target = panel + ((nint)k * width) + at;
                at += length;
                int lo = Math.Max(ox, firstX), hi = Math.Min(ox + length, endX);
                bool empty = oy < firstY || oy >= endY || lo >= hi;
                T* source = empty ? null : plane + ((nint)runs[4 * run] * g.InputImageLength) + (Im2Col.InputIndex(oy, ky, g.StrideHeight, g.PadHeight) * g.InputWidth)
                    + Im2Col.InputIndex(lo, kx, g.StrideWidth, g.PadWidth);
                if (masked)
                {
                    if (empty)
                    {
                        MaskedRun.Zero((float*)target, length);
                    }
                    else
                    {
                        T* imagePlane = plane + ((nint)runs[4 * run] * g.InputImageLength);
                        MaskedRun.Copy((float*)target, length, lo - ox, hi - ox, (float*)source, g.StrideWidth, (float*)imagePlane, (float*)(imagePlane + planeLength));
                    }
                }
                else if (empty)
                {
                    new Span<T>(target, length).Clear();
                }
                else
                {
                    CopyRun(new Span<T>(target, length), lo - ox, hi - ox, source, g.StrideWidth);
                }
            }

            row[valid..].Clear();
            if (++kx == g.KernelWidth)
            {
                kx = 0;
                if (++ky == g.KernelHeight)
                {
                    ky = 0;
                    channel++;
                }
            }
        }
    }

    /// <summary>
    /// <c>target[first..end) = source[0, stride, 2*stride, ...]</c>, zeros around it (without AVX-512, or for a stride
    /// <see cref="MaskedRun"/> does not handle). Runs here are at most a tile wide and often a few elements (small maps):
    /// a plain loop beats the call overhead of a span copy below <see cref="ShortRun"/> elements.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyRun(Span<T> target, int first, int end, T* source, int stride)
    {
        if (stride == 1 && end - first > ShortRun)
        {
            target[..first].Clear();
            new ReadOnlySpan<T>(source, end - first).CopyTo(target[first..end]);
            target[end..].Clear();
            return;
        }

        for (int i = 0; i < first; i++)
        {
            target[i] = default;
        }

        for (int i = first; i < end; i++)
        {
            target[i] = source[(nint)(i - first) * stride];
        }

        for (int i = end; i < target.Length; i++)
        {
            target[i] = default;
        }
    }
}
