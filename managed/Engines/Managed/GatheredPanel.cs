using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using NNPackSharp.Geometry;
using NNPackSharp.Memory;

namespace NNPackSharp.Engines.Managed;

/// <summary>
/// Packs one im2col panel with AVX2 gathers: each packed row (kernel tap) is 8 columns per masked gather from input
/// offsets computed once per panel, whatever the map width, stride or padding. A narrow map (13, 17, 27 wide) splits a
/// 32-column panel row into two or three runs of output rows, and copying run by run cost about as much as the GEMM's
/// own multiply-adds on those layers; a gather costs the same for one run or four.
/// </summary>
internal static unsafe class GatheredPanel
{
    private const int MaxColumns = 64;

    /// <summary>
    /// True where this packer applies: AVX2 in hardware, a panel width of whole 8-lane gathers, and every offset
    /// within the images the columns span representable in 32 bits (gather indices).
    /// </summary>
    public static bool Applies(in Conv2DGeometry g, int pixel0, int width)
    {
        if (!Avx2.IsSupported || width % 8 != 0 || width > MaxColumns)
        {
            return false;
        }

        long lastImage = ((long)pixel0 + width) / g.OutputPlaneLength;
        return OffsetsFit(g, (lastImage + 1) * g.InputImageLength);
    }

    /// <summary>
    /// True where every input row and column a tap reads (<c>o*stride - pad + k</c>, padding included), and every
    /// offset <c>row*W + column</c> plus up to <paramref name="extent"/> elements of images and channels, stays well
    /// inside 32 bits: padding and stride may each be int.MaxValue, and gather indices are int.
    /// </summary>
    private static bool OffsetsFit(in Conv2DGeometry g, long extent)
    {
        long spanY = Math.Max(g.PadHeight, (long)(g.OutputHeight - 1) * g.StrideHeight) + g.KernelHeight;
        long spanX = Math.Max(g.PadWidth, (long)(g.OutputWidth - 1) * g.StrideWidth) + g.KernelWidth;
        return spanY < (1L << 30) && spanX < (1L << 30) && (spanY * g.InputWidth) + spanX + extent < int.MaxValue / 2;
    }

    /// <summary>
    /// Pixels <c>[pixel0, pixel0 + valid)</c> of taps <c>[row0, row0 + depth)</c> into rows of <paramref name="width"/>
    /// floats, zeros for padding and past <paramref name="valid"/>. <paramref name="image"/> is the first image of the
    /// columns; pixels past its plane run on into the images after it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Pack(in Conv2DGeometry g, float* image, int row0, int depth, int pixel0, int valid, int width, float* panel)
    {
        // Per column: the input row and column its tap (0, 0) reads, and that position's offset from `image`
        // (int.MinValue / 2 keeps the bounds test false for the columns past `valid`).
        // Line-aligned: every tap reads them as vectors (see CacheLine).
        byte* scratch = stackalloc byte[(3 * MaxColumns * sizeof(int)) + CacheLine.Bytes - 1];
        int* inputY = CacheLine.Align<int>(scratch);
        int* inputX = inputY + MaxColumns, origin = inputX + MaxColumns;
        int plane = g.OutputPlaneLength;
        for (int j = 0; j < width; j++)
        {
            if (j >= valid)
            {
                inputY[j] = int.MinValue / 2;
                inputX[j] = int.MinValue / 2;
                origin[j] = 0;
                continue;
            }

            int column = pixel0 + j, pixel = column % plane;
            inputY[j] = (pixel / g.OutputWidth * g.StrideHeight) - g.PadHeight;
            inputX[j] = (pixel % g.OutputWidth * g.StrideWidth) - g.PadWidth;
            origin[j] = (column / plane * g.InputImageLength) + (inputY[j] * g.InputWidth) + inputX[j];
        }

        // A group of 8 columns whose origins are consecutive (stride 1 over output rows that continue each other in the
        // input: a map as wide as its output, "same" padding) reads 8 consecutive floats per tap: one masked load
        // instead of a gather (Inception's 17-wide maps, 7x7 and 13x13 maps with padding 1).
        bool* consecutive = stackalloc bool[MaxColumns / 8];
        for (int j = 0; j < width; j += 8)
        {
            bool run = g.StrideWidth == 1;
            for (int i = 1; i < 8 && run; i++)
            {
                run = j + i >= valid || origin[j + i] == origin[j] + i;
            }

            consecutive[j / 8] = run;
        }

        int taps = g.KernelHeight * g.KernelWidth;
        int channel = row0 / taps, ky = row0 % taps / g.KernelWidth, kx = row0 % taps % g.KernelWidth;
        nint planeLength = (nint)g.InputHeight * g.InputWidth;
        Vector256<int> height = Vector256.Create(g.InputHeight), inputWidth = Vector256.Create(g.InputWidth);
        for (int k = 0; k < depth; k++)
        {
            float* channelPlane = image + (channel * planeLength);
            int tapShift = (ky * g.InputWidth) + kx;
            Vector256<int> dy = Vector256.Create(ky), dx = Vector256.Create(kx), shift = Vector256.Create(tapShift);
            float* row = panel + ((nint)k * width);
            for (int j = 0; j < width; j += 8)
            {
                Vector256<int> y = Vector256.Load(inputY + j) + dy, x = Vector256.Load(inputX + j) + dx;
                Vector256<float> inside = (Vector256.LessThan(y.AsUInt32(), height.AsUInt32()) & Vector256.LessThan(x.AsUInt32(), inputWidth.AsUInt32())).AsSingle();
                Vector256<float> values = consecutive[j / 8]
                    ? Avx.MaskLoad(channelPlane + origin[j] + tapShift, inside) // masked-off lanes are neither read nor faulted on
                    : Avx2.GatherMaskVector256(Vector256<float>.Zero, channelPlane, Vector256.Load(origin + j) + shift, inside, 4);
                values.Store(row + j);
            }

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
}
