using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using NNPackSharp.Gemm;
using NNPackSharp.Geometry;

namespace NNPackSharp.Engines.Managed;

/// <summary>
/// The weight gradient's B, the transposed im2col columns of a band of output rows of one image, packed straight from
/// the image: <c>B[p, j] = image[c, oy*strideH - padH + ky, ox*strideW - padW + kx]</c> for pixel
/// <c>p = (oy - firstRow)*Wout + ox</c> and tap <c>firstTap + j = (c, ky, kx)</c>, zero in the padding. Each panel's
/// taps go eight at a time: a tap's eight pixels are one plain load where they lie on one row inside the image (stride
/// 1), else a gather of the lanes inside it (AVX2's masked gather: lanes outside are never read), and an 8x8 register
/// transpose turns eight taps into eight panel rows. Writing the band's column matrix and transposing it back into
/// panels cost a fifth of AlexNet conv2's weight gradient (perf, one thread: the gather 9%, the transposing pack 10%).
/// Float with AVX2 (<see cref="Applies"/>); the others gather the columns first.
/// </summary>
internal readonly unsafe struct TransposedIm2ColPanelSource(Conv2DGeometry g, float* image, int firstRow, int firstTap) : IPanelSource<float>
{
    private const int Lanes = 8;

    /// <summary>Pixels whose groups are worked out at a time (kept on the stack).</summary>
    private const int ChunkPixels = 256;

    /// <summary>Extents below which every index of a lane inside the image fits an int with room to spare (<see cref="Applies"/>).</summary>
    private const int MaximumExtent = 1 << 24;

    /// <summary>Where a lane's row or column lies beyond this from the image, it is clamped here (outside either way).</summary>
    private const long FarOutside = 1 << 30;

    private static readonly Vector256<int> Lane = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7);

    /// <summary>The fewest output channels for which the source packs (see <see cref="Applies"/>).</summary>
    private const int MinimumOutputChannels = 128;

    /// <summary>
    /// Whether the source packs <paramref name="g"/>'s columns for element type <typeparamref name="T"/> into panels
    /// <paramref name="panelColumns"/> wide here: not pointwise (whose columns are the image itself), whole groups of
    /// eight taps, a stride of 1 along the rows, an image and kernel whose offsets fit an int (any padding: the lanes'
    /// positions are clamped), and enough output channels.
    /// A group whose pixels leave their row or reach into the padding costs masked loads or a gather per tap, more than
    /// the column matrix's copy and transpose; what the source saves is that matrix's round trip through the caches,
    /// which counts where the GEMM does enough work per packed element (bench/ab-managed.py, weight gradient, one thread,
    /// 9-15 rounds: AlexNet conv2 1.07x, VGG conv3.2 1.11x, batch 1 with 128 channels 1.07x, AlexNet conv3, VGG conv5,
    /// Inception 1x7 and 7x7 maps 1.01-1.04x; with 64 or fewer output channels batch 32 0.98x, batch 1 112x112 0.98x,
    /// the odd 17->33 layer 0.89x). A wider stride takes gathers for every group: ResNet 3x3/2 ran 0.84x.
    /// </summary>
    public static bool Applies<T>(in Conv2DGeometry g, int panelColumns) =>
        typeof(T) == typeof(float) && Avx2.IsSupported && !g.IsPointwise && panelColumns % Lanes == 0 && g.StrideWidth == 1 && g.OutputChannels >= MinimumOutputChannels &&
        g.InputHeight < MaximumExtent && g.InputWidth < MaximumExtent &&
        g.KernelHeight < MaximumExtent && g.KernelWidth < MaximumExtent && ((long)g.InputHeight + g.KernelHeight) * ((long)g.InputWidth + g.KernelWidth) < int.MaxValue / 2;

    /// <summary>
    /// <c>gradWeight[:, firstTap .. firstTap + taps) (+)= upstream * B^T</c> over the band's <paramref name="pixels"/>
    /// pixels from output row <paramref name="firstRow"/>: <paramref name="upstream"/> is the band's first pixel of
    /// gradOutput's first channel (rows a plane apart). For float only (<see cref="Applies"/>).
    /// </summary>
    public static void MultiplyInto<T>(
        GemmForWidth<T> gemm, in Conv2DGeometry g, T* image, int firstRow, int pixels, int firstTap, int taps, T* upstream, T* gradWeight, bool accumulate,
        int parallelism, GemmWorkspace<T> workspace)
        where T : unmanaged =>
        ParallelGemm.Multiply(
            (GemmForWidth<float>)(object)gemm, g.OutputChannels, taps, pixels, MatrixRef<float>.RowMajor((float*)upstream, g.OutputPlaneLength),
            new TransposedIm2ColPanelSource(g, (float*)image, firstRow, firstTap), (float*)gradWeight + firstTap, g.PatchLength, accumulate, parallelism,
            (GemmWorkspace<float>)(object)workspace);

    /// <summary>
    /// A group of eight pixels (or fewer at the end of the depth): where its lane 0 reads through tap (0, 0) (<c>Y</c>,
    /// <c>X</c>: padding subtracted) when all of its lanes lie on one row (<c>OneRow</c>); else each lane's row and column
    /// the same way, and its offset from tap (0, 0)'s plane (lanes past the group: a row no tap reaches). At a stride of
    /// 1, a group on one or two rows (<c>Runs</c>; 0 for more, or a wider stride) also has the lanes of the first
    /// (<c>FirstLanes</c>) and where each row's run would have its lane 0 (<c>FirstOffset</c>, <c>SecondOffset</c>).
    /// </summary>
    private readonly record struct Group(
        bool OneRow, int Y, int X, Vector256<int> Rows, Vector256<int> Columns, Vector256<int> Offsets, int Runs, Vector256<int> FirstLanes,
        int FirstOffset, int SecondOffset);

    /// <summary>
    /// A tap's channel plane (its offset from the image), its offset within a window (<c>Shift = Ky*W + Kx</c>) and its
    /// window position; <c>Valid</c> false past the panel's taps.
    /// </summary>
    private readonly record struct Tap(nint Plane, int Shift, int Ky, int Kx, bool Valid);

    /// <inheritdoc />
    public bool InPlace(out float* origin, out nint rowStride)
    {
        origin = null;
        rowStride = 0;
        return false;
    }

    public void Pack(int row0, int depth, int col0, int columns, int panelColumns, float* destination)
    {
        Span<Group> groups = stackalloc Group[ChunkPixels / Lanes];
        Span<Tap> taps = stackalloc Tap[Lanes];
        for (int chunk = 0; chunk < depth; chunk += ChunkPixels)
        {
            int pixels = Math.Min(ChunkPixels, depth - chunk), groupCount = (pixels + Lanes - 1) / Lanes;
            for (int group = 0; group < groupCount; group++)
            {
                int k0 = group * Lanes, count = Math.Min(Lanes, pixels - k0);
                groups[group] = Cut(row0 + chunk + k0, count);
            }

            for (int q = 0; q < columns; q += panelColumns)
            {
                int valid = Math.Min(panelColumns, columns - q);
                float* panel = destination + ((nint)q * depth) + ((nint)chunk * panelColumns);
                // Taps past the valid ones read as zero rows: the panel's zero padding, written by the same stores.
                for (int j0 = 0; j0 < panelColumns; j0 += Lanes)
                {
                    for (int j = 0; j < Lanes; j++)
                    {
                        taps[j] = j0 + j < valid ? TapAt(firstTap + col0 + q + j0 + j) : default;
                    }

                    for (int group = 0; group < groupCount; group++)
                    {
                        Group at = groups[group];
                        int k0 = group * Lanes;
                        PanelTranspose.Transpose8x8(
                            TapPixels(taps[0], at), TapPixels(taps[1], at), TapPixels(taps[2], at), TapPixels(taps[3], at),
                            TapPixels(taps[4], at), TapPixels(taps[5], at), TapPixels(taps[6], at), TapPixels(taps[7], at),
                            panel + ((nint)k0 * panelColumns) + j0, panelColumns, Math.Min(Lanes, pixels - k0));
                    }
                }
            }
        }
    }

    private Tap TapAt(int tap)
    {
        int kernelTaps = g.KernelHeight * g.KernelWidth, channel = tap / kernelTaps, within = tap - (channel * kernelTaps), ky = within / g.KernelWidth;
        int kx = within - (ky * g.KernelWidth);
        return new Tap((nint)channel * g.InputHeight * g.InputWidth, (ky * g.InputWidth) + kx, ky, kx, Valid: true);
    }

    /// <summary>The group of pixels <c>[pixel, pixel + count)</c> of the band.</summary>
    private Group Cut(int pixel, int count)
    {
        int outW = g.OutputWidth;
        Span<int> rows = stackalloc int[Lanes], columns = stackalloc int[Lanes], offsets = stackalloc int[Lanes];
        for (int lane = 0; lane < Lanes; lane++)
        {
            int p = pixel + lane;
            // In 64 bits, then clamped: a lane far outside the image stays outside for every tap, with no int overflow.
            long row = lane < count ? ((long)(firstRow + (p / outW)) * g.StrideHeight) - g.PadHeight : -FarOutside;
            long column = ((long)(p % outW) * g.StrideWidth) - g.PadWidth;
            rows[lane] = (int)Math.Clamp(row, -FarOutside, FarOutside);
            columns[lane] = (int)Math.Clamp(column, -FarOutside, FarOutside);
            offsets[lane] = (int)((rows[lane] * (long)g.InputWidth) + columns[lane]); // exact for a lane inside the image; masked off otherwise
        }

        // One plain load per tap needs eight consecutive input columns on one row; two masked loads, two such runs.
        bool oneRow = count == Lanes && rows[0] == rows[Lanes - 1] && g.StrideWidth == 1 && columns[Lanes - 1] - columns[0] == Lanes - 1;
        int split = 1;
        while (split < count && rows[split] == rows[0])
        {
            split++;
        }

        int runs = g.StrideWidth != 1 ? 0 : split == count ? 1 : rows[count - 1] == rows[split] ? 2 : 0;
        return new Group(
            oneRow, rows[0], columns[0], Vector256.Create<int>(rows), Vector256.Create<int>(columns), Vector256.Create<int>(offsets), runs,
            Vector256.LessThan(Lane, Vector256.Create(split)), offsets[0], runs == 2 ? offsets[split] - split : 0);
    }

    /// <summary>The tap's pixels of one group: one plain load where all eight lie on one row inside the image (most taps).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector256<float> TapPixels(Tap tap, in Group group)
    {
        if (!tap.Valid)
        {
            return Vector256<float>.Zero;
        }

        float* origin = image + tap.Plane; // tap (0, 0) of the tap's channel
        int x = group.X + tap.Kx;
        if (group.OneRow && (uint)(group.Y + tap.Ky) < (uint)g.InputHeight && x >= 0 && x <= g.InputWidth - Lanes)
        {
            return Avx.LoadVector256(origin + tap.Shift + ((nint)group.Y * g.InputWidth) + group.X);
        }

        // The lanes inside the image: a masked load per row where the group lies on one or two (lanes outside are never
        // read), else a gather.
        Vector256<int> inside = (Vector256.LessThan((group.Rows + Vector256.Create(tap.Ky)).AsUInt32(), Vector256.Create((uint)g.InputHeight)) &
            Vector256.LessThan((group.Columns + Vector256.Create(tap.Kx)).AsUInt32(), Vector256.Create((uint)g.InputWidth))).AsInt32();
        int shift = tap.Shift;
        if (group.Runs == 1)
        {
            return Avx.MaskLoad(origin + shift + group.FirstOffset, inside.AsSingle());
        }

        if (group.Runs == 2)
        {
            return Avx.MaskLoad(origin + shift + group.FirstOffset, (inside & group.FirstLanes).AsSingle()) |
                Avx.MaskLoad(origin + shift + group.SecondOffset, Vector256.AndNot(inside, group.FirstLanes).AsSingle());
        }

        return Avx2.GatherMaskVector256(Vector256<float>.Zero, origin, group.Offsets + Vector256.Create(shift), inside.AsSingle(), 4);
    }
}
