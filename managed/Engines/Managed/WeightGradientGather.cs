using System.Numerics;
using NNPackSharp.Gemm;
using NNPackSharp.Geometry;
using NNPackSharp.Memory;
using NNPackSharp.Threading;

namespace NNPackSharp.Engines.Managed;

/// <summary>
/// The weight gradient tap by tap: <c>gradWeight^T [taps, Cout] = sum over images of im2col(input_i) [taps, P] *
/// gradOutput_i^T [P, Cout]</c> with A never packed nor written out: <see cref="GatherUkernel{T, TVector, TOps}"/>
/// broadcasts six taps' pixels straight from zero-padded copies of the input rows (stride 1 or 2), and B, gradOutput
/// transposed into panels, is packed a block of about <see cref="BlockPixels"/> pixels at a time and read from L1 by
/// every tile of taps. Each task copies the padded rows its blocks read, for its taps' channels, into its own band just
/// before its tiles read them. The result is transposed once into <c>gradWeight</c>. The im2col way round writes the
/// column matrix (or gathers its taps per panel) and transposes it into panels for every product; the native engine
/// measured this design at 1.06-1.25x that on the stem, ResNet 3x3/2, Inception 1x7 / 7x1 and 5x5/2 layers
/// (native/src/convolution/kernel-gradient-gather.c).
/// </summary>
/// <remarks>
/// Tasks own disjoint tiles of <c>gradWeight^T</c> (runs of output-channel panels x runs of tap tiles) and sum each over
/// the images, blocks and pixels in one fixed order, so the bits do not depend on the thread count.
/// </remarks>
internal static unsafe class WeightGradientGather<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Taps per tile (the gather ukernel's rows, the same at every width).</summary>
    private const int TileTaps = GatherUkernel<T, T, ScalarOps<T>>.Rows;

    /// <summary>The depth of one ukernel call, about: B's block (this many pixels of one panel) stays in L1.</summary>
    private const int BlockPixels = 256;

    /// <summary>
    /// The input rows one chunk of tiles reads from a block, about at most: they stay in L2 while every panel passes
    /// over them (VGG conv5's 512 channels, all panels over all taps: a 1 MiB band read from L3 by each of 16 panels).
    /// </summary>
    private const long ChunkBytes = 256 << 10;

    /// <summary>
    /// The fewest multiply-adds per gradWeight element (images x output pixels): below, the transposed copy's trips
    /// through memory (one per block, and the final transpose) cost more than the packing saved (bench/ab-managed.py,
    /// one thread, 9 rounds: VGG conv5's 8 x 196 pixels 0.96x, AlexNet conv3's 8 x 169 0.97x, 7x7 maps at batch 16
    /// 0.93x; Inception's 8 x 289 1.09-1.13x).
    /// </summary>
    private const long MinimumPixels = 2048;

    /// <summary>A task's band of padded input rows holds about at most this many bytes (whole images of a few channels).</summary>
    private const long BandBytes = 1 << 20;

    /// <summary>The shape of one call's work (see <see cref="TryPlan"/>).</summary>
    /// <param name="PaddedWidth">A padded row: just the columns windows read.</param>
    /// <param name="Panels">Output channels in panels of the tile's width.</param>
    /// <param name="Groups">Runs of panels the tasks take.</param>
    /// <param name="Tiles">Tiles of six taps.</param>
    /// <param name="Splits">Runs of tiles the tasks take.</param>
    /// <param name="ChunkTiles">Tiles whose block of input rows is read by every panel before the next chunk's.</param>
    /// <param name="BlockImages">Images per ukernel call: several where their planes are shorter than a block.</param>
    /// <param name="BlockRows">Output rows per ukernel call (all of them with several images).</param>
    /// <param name="BandBlocks">Blocks per band.</param>
    /// <param name="BandRows">Padded rows per band, channel and image.</param>
    /// <param name="PackedLength">A task's packed B block, for all its panels.</param>
    /// <param name="BandLength">A task's band.</param>
    /// <param name="TransposedLength">gradWeight^T, panels wide.</param>
    internal readonly record struct Plan(
        int PaddedWidth, int Panels, int Groups, int Tiles, int Splits, int ChunkTiles, int BlockImages, int BlockRows, int BandBlocks, int BandRows, int PackedLength,
        int BandLength, int TransposedLength)
    {
        public int Tasks => Groups * Splits;
    }

    /// <summary>
    /// Whether <paramref name="g"/>'s weight gradient runs this way on tiles <paramref name="nr"/> wide and
    /// <paramref name="parallelism"/> threads, and its plan: kernels larger than 1x1 (a 1x1 layer's operands lie ready as
    /// they are), strides up to 2 and padding that does not more than double the copied rows (wide strides or padding
    /// would copy mostly what no window reads), at least <see cref="MinimumPixels"/> pixels, output channels that fill
    /// their panels to 8/9 or more, and buffers that fit an int.
    /// </summary>
    public static bool TryPlan(in Conv2DGeometry g, int nr, int parallelism, out Plan plan)
    {
        plan = default;
        if ((g.KernelHeight == 1 && g.KernelWidth == 1) || g.StrideHeight > 2 || g.StrideWidth > 2 || (long)g.Batch * g.OutputPlaneLength < MinimumPixels)
        {
            return false;
        }

        long paddedHeight = ((long)(g.OutputHeight - 1) * g.StrideHeight) + g.KernelHeight;
        long paddedWidth = ((long)(g.OutputWidth - 1) * g.StrideWidth) + g.KernelWidth;
        if (paddedHeight > (2L * g.InputHeight) + 64 || paddedWidth > (2L * g.InputWidth) + 64)
        {
            return false;
        }

        int threads = Math.Max(1, parallelism);
        int patch = g.PatchLength, taps = g.KernelHeight * g.KernelWidth;
        int panels = (g.OutputChannels + nr - 1) / nr, tiles = (patch + TileTaps - 1) / TileTaps;

        // Output channels are the tile's vector lanes: a last panel mostly padding wastes its share of every product
        // (33 channels in two 32-wide panels: 0.83x the im2col way, which pads them to 36 rows).
        if ((long)panels * nr * 8 > (long)g.OutputChannels * 9)
        {
            return false;
        }

        // Runs of tiles each pack gradOutput again (cheap against many taps); runs of panels each read the input block
        // again (cheap against many panels).
        int groups = patch < 512 && panels >= threads ? threads : 1;
        int splits = Math.Min(tiles, Math.Max(1, threads / groups));
        // A block of whole images where a plane is shorter than BlockPixels: each call's product then reads and writes
        // its tile of gradWeight^T once per BlockPixels or more (VGG conv5's 14x14 maps, image by image: 0.87x the
        // im2col way; 7x7 maps 0.69x).
        int plane = g.OutputPlaneLength;
        int blockImages = plane < BlockPixels ? Math.Min(g.Batch, (BlockPixels + plane - 1) / plane) : 1;
        int blockRows = blockImages > 1 ? g.OutputHeight : Math.Clamp(BlockPixels / g.OutputWidth, 1, g.OutputHeight);
        int tilesPerTask = (tiles + splits - 1) / splits;
        int bandChannels = (int)Math.Min(g.InputChannels, (((long)tilesPerTask * TileTaps) + taps - 1) / taps + 1);

        // A band spans whole blocks, as many as its budget holds, so that the rows two blocks share are copied once.
        long rowBytes = (long)bandChannels * paddedWidth * g.StrideHeight * sizeof(T);
        long blocks = (g.OutputHeight + blockRows - 1) / blockRows;
        int bandBlocks = blockImages > 1 ? 1 : (int)Math.Clamp(BandBytes / rowBytes / blockRows, 1, blocks);
        long bandRows = ((long)((bandBlocks * blockRows) - 1) * g.StrideHeight) + g.KernelHeight;
        long band = RoundUpToLine((long)bandChannels * blockImages * bandRows * paddedWidth);
        long packed = (long)blockImages * blockRows * g.OutputWidth * nr * ((panels + groups - 1) / groups);
        long transposed = RoundUpToLine((long)patch * panels * nr);
        if (band > int.MaxValue || packed + band > int.MaxValue || transposed > int.MaxValue)
        {
            return false;
        }

        // A chunk spans the taps of as many channels as ChunkBytes of one block's rows hold.
        long channelBytes = (long)blockImages * ((((long)blockRows - 1) * g.StrideHeight) + g.KernelHeight) * paddedWidth * sizeof(T);
        int chunkTiles = (int)Math.Clamp(ChunkBytes / channelBytes * taps / TileTaps, 1, tiles);
        plan = new Plan((int)paddedWidth, panels, groups, tiles, splits, chunkTiles, blockImages, blockRows, bandBlocks, (int)bandRows, (int)packed, (int)band, (int)transposed);
        return true;
    }

    /// <summary>
    /// <c>gradWeight = sum over images of gradOutput_i * im2col(input_i)^T</c> on <paramref name="plan"/>, with
    /// <paramref name="transposed"/> (<see cref="Plan.TransposedLength"/> elements) for gradWeight^T.
    /// </summary>
    public static void Run(GemmForWidth<T> gemm, in Conv2DGeometry g, in Plan plan, T* input, T* gradOutput, T* gradWeight, T* transposed, int parallelism)
    {
        ForkJoin.For(plan.Tasks, parallelism, new Multiply(gemm, g, plan, input, gradOutput, transposed));
        ForkJoin.For((g.OutputChannels + TransposeRows - 1) / TransposeRows, parallelism, new Transpose(g, plan.Panels * gemm.TileColumns, transposed, gradWeight));
    }

    private static long RoundUpToLine(long elements)
    {
        long line = CacheLine.Bytes / sizeof(T);
        return (elements + line - 1) / line * line;
    }

    /// <summary>Part <paramref name="part"/> of <paramref name="parts"/> near-equal runs of <paramref name="count"/>: [first, end).</summary>
    private static (int First, int End) Balanced(int count, int parts, int part) =>
        ((int)((long)count * part / parts), (int)((long)count * (part + 1) / parts));

    /// <summary>
    /// Task = (run of panels, run of tiles): its tiles of gradWeight^T summed over the batch, block of output rows after
    /// block; each block's gradOutput packed for the task's panels, then panel by panel every tile.
    /// </summary>
    private readonly struct Multiply(GemmForWidth<T> gemm, Conv2DGeometry g, Plan plan, T* input, T* gradOutput, T* transposed) : IParallelBody
    {
        public void Run(int task)
        {
            int nr = gemm.TileColumns, patch = g.PatchLength, plane = g.OutputPlaneLength, taps = g.KernelHeight * g.KernelWidth;
            int width = plan.PaddedWidth, strideH = g.StrideHeight, strideW = g.StrideWidth;
            nint ldc = (nint)plan.Panels * nr;
            (int firstPanel, int endPanel) = Balanced(plan.Panels, plan.Groups, task / plan.Splits);
            (int first, int end) = Balanced(plan.Tiles, plan.Splits, task % plan.Splits);
            int c0 = first * TileTaps / taps, channels = ((Math.Min(end * TileTaps, patch) - 1) / taps) + 1 - c0;

            ManagedWorkspace<T> workspace = Pool<ManagedWorkspace<T>>.Rent();
            T* packed = workspace.Columns.Ensure(plan.PackedLength + plan.BandLength);
            T* band = packed + plan.PackedLength;
            T** rows = stackalloc T*[TileTaps];
            nint imageLength = (nint)plan.BandRows * width, channelLength = plan.BlockImages * imageLength;
            for (int image0 = 0; image0 < g.Batch; image0 += plan.BlockImages)
            {
                int images = Math.Min(plan.BlockImages, g.Batch - image0);
                int bandY = 0;
                for (int oy = 0; oy < g.OutputHeight; oy += plan.BlockRows)
                {
                    int blockRows = Math.Min(plan.BlockRows, g.OutputHeight - oy), pixels = blockRows * g.OutputWidth;
                    if (oy / plan.BlockRows % plan.BandBlocks == 0)
                    {
                        bandY = oy;
                        int bandRows = ((Math.Min(plan.BandBlocks * plan.BlockRows, g.OutputHeight - oy) - 1) * strideH) + g.KernelHeight;
                        for (int i = 0; i < images; i++)
                        {
                            FillBand(g, plan, input + ((nint)(image0 + i) * g.InputImageLength), c0, channels, oy * strideH, bandRows, band + (i * imageLength), channelLength);
                        }
                    }

                    for (int panel = firstPanel; panel < endPanel; panel++)
                    {
                        int n = Math.Min(nr, g.OutputChannels - (panel * nr));
                        for (int i = 0; i < images; i++)
                        {
                            PanelTranspose.Pack(
                                gradOutput + ((nint)(image0 + i) * g.OutputImageLength) + ((nint)panel * nr * plane) + ((nint)oy * g.OutputWidth), plane, n, pixels, nr,
                                packed + ((((nint)(panel - firstPanel) * images) + i) * pixels * nr), 1);
                        }
                    }

                    for (int chunk = first; chunk < end; chunk += plan.ChunkTiles)
                    {
                        for (int panel = firstPanel; panel < endPanel; panel++)
                        {
                            T* b = packed + ((nint)(panel - firstPanel) * images * pixels * nr);
                            T* block = band + ((nint)(oy - bandY) * strideH * width);
                            var cursor = new TapCursor(g, chunk * TileTaps);
                            for (int tile = chunk; tile < Math.Min(end, chunk + plan.ChunkTiles); tile++)
                            {
                                int tap0 = tile * TileTaps, m = Math.Min(TileTaps, patch - tap0);
                                for (int i = 0; i < m; i++, cursor.Next(g))
                                {
                                    rows[i] = block + ((cursor.Channel - c0) * channelLength) + ((nint)cursor.Ky * width) + cursor.Kx;
                                }

                                gemm.ComputeGatherTile(
                                    m, rows, images, imageLength, blockRows, g.OutputWidth, (nint)strideH * width, strideW, b,
                                    transposed + ((nint)tap0 * ldc) + ((nint)panel * nr), ldc, accumulate: image0 != 0 || oy != 0);
                            }
                        }
                    }
                }
            }

            Pool<ManagedWorkspace<T>>.Return(workspace);
        }
    }

    /// <summary>
    /// A tap's channel and position in the window, stepped through the taps in order without a division (three per
    /// tap had been 6% of Inception 1x7's weight gradient, perf).
    /// </summary>
    private struct TapCursor(in Conv2DGeometry g, int tap)
    {
        public int Channel = tap / (g.KernelHeight * g.KernelWidth);
        public int Ky = tap % (g.KernelHeight * g.KernelWidth) / g.KernelWidth;
        public int Kx = tap % g.KernelWidth;

        public void Next(in Conv2DGeometry g)
        {
            if (++Kx < g.KernelWidth)
            {
                return;
            }

            Kx = 0;
            if (++Ky < g.KernelHeight)
            {
                return;
            }

            Ky = 0;
            Channel++;
        }
    }

    /// <summary>
    /// Padded rows [y0, y0 + rows) of channels [c0, c0 + count) of one image into <paramref name="band"/> [channel]
    /// [row][padded width], channels <paramref name="channelLength"/> apart: padded row y, column u hold input row
    /// y - padH, column u - padW, zero outside.
    /// </summary>
    private static void FillBand(in Conv2DGeometry g, in Plan plan, T* image, int c0, int count, int y0, int rows, T* band, nint channelLength)
    {
        int width = plan.PaddedWidth;
        int lo = Math.Min(width, g.PadWidth), hi = Math.Clamp(g.PadWidth + g.InputWidth, lo, width);
        nint inputPlane = (nint)g.InputHeight * g.InputWidth;
        for (int c = 0; c < count; c++)
        {
            T* channel = image + ((c0 + c) * inputPlane);
            T* row = band + (c * channelLength);
            for (int y = y0; y < y0 + rows; y++, row += width)
            {
                int inputY = y - g.PadHeight;
                if (inputY < 0 || inputY >= g.InputHeight)
                {
                    new Span<T>(row, width).Clear();
                    continue;
                }

                new Span<T>(row, lo).Clear();
                new ReadOnlySpan<T>(channel + ((nint)inputY * g.InputWidth) + (lo - g.PadWidth), hi - lo).CopyTo(new Span<T>(row + lo, hi - lo));
                new Span<T>(row + hi, width - hi).Clear();
            }
        }
    }

    /// <summary>Output channels per transpose task.</summary>
    private const int TransposeRows = 32;

    /// <summary>
    /// Task = a run of output channels: <c>gradWeight[o, tap] = transposed[tap, o]</c>, in 8x8 register transposes where
    /// <see cref="PanelTranspose"/> has them (an element at a time it took 7% of VGG conv5's weight gradient).
    /// </summary>
    private readonly struct Transpose(Conv2DGeometry g, nint ldc, T* transposed, T* gradWeight) : IParallelBody
    {
        public void Run(int task)
        {
            int first = task * TransposeRows, count = Math.Min(g.OutputChannels - first, TransposeRows);
            PanelTranspose.Pack(transposed + first, ldc, g.PatchLength, count, g.PatchLength, gradWeight + ((nint)first * g.PatchLength), 1);
        }
    }
}
