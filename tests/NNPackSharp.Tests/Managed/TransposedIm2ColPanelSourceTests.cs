using NNPackSharp.Engines.Managed;
using NNPackSharp.Geometry;

namespace NNPackSharp.Tests.Managed;

/// <summary>
/// The weight gradient's transposed im2col panels packed straight from the image (<see cref="TransposedIm2ColPanelSource"/>)
/// against a naive im2col on random geometries: kernels up to 7 each way, padding up to past the kernel, strides 1 to
/// 3 down, maps 1 to 70 wide (groups of eight pixels on one row, on two, on more, in the padding), bands from any
/// output row, depths past the packer's chunk of 256 pixels, panels of 8 to 64 taps from any tap, partial panels. The
/// image lies between NaN guards, so a read outside it shows, and a sentinel after the panels catches a write past
/// them. Then the layers that take it, against the double reference on every GEMM variant.
/// </summary>
[RestoresParallelism]
public unsafe class TransposedIm2ColPanelSourceTests : Support.LayersOnEveryGemmVariant
{
    private const int Guard = 64;

    private static readonly ConvCase[] Cases =
    [
        new(3, 2, 26, 60, 128, 3, 3, 1, 1, 1, 1),    // bands of output rows (4680 pixels), 60-wide rows
        new(2, 5, 11, 13, 130, 4, 2, 2, 0, 2, 1),    // one product per image, stride 2 down, a last partial row tile
        new(2, 3, 5, 3, 128, 5, 5, 2, 2, 1, 1),      // 3-wide rows: groups of eight pixels across three rows
    ];

    [Test]
    public void MatchesNaiveIm2ColOnRandomGeometries()
    {
        if (!System.Runtime.Intrinsics.X86.Avx2.IsSupported)
        {
            Assert.Ignore("AVX2 is not available to the JIT here (the weight gradient gathers its columns instead).");
        }

        var random = new Random(51);
        for (int trial = 0; trial < 400; trial++)
        {
            int channels = random.Next(1, 4), kh = random.Next(1, 8), kw = random.Next(1, 8), strideH = random.Next(1, 4);
            int padH = random.Next(0, kh + 1), padW = random.Next(0, kw + 2);
            int h = random.Next(Math.Max(1, kh - (2 * padH)), trial % 3 == 0 ? 40 : 14), w = random.Next(Math.Max(1, kw - (2 * padW)), trial % 4 == 0 ? 9 : 71);
            int outH = ((h + (2 * padH) - kh) / strideH) + 1, outW = w + (2 * padW) - kw + 1;
            var g = new Conv2DGeometry(1, channels, h, w, 128, kh, kw, padH, padW, strideH, 1, outH, outW);
            CheckAgainstNaiveIm2Col(g, 8 << random.Next(4), random, trial);
        }
    }

    [Test]
    public void AppliesToFloatStrideOneLayersWithManyOutputChannels()
    {
        bool avx2 = System.Runtime.Intrinsics.X86.Avx2.IsSupported;
        static Conv2DGeometry Layer(int cout, int strideW, int width = 20) => new(2, 3, 20, width, cout, 3, 3, 1, 1, 1, strideW, 20, ((width - 1) / strideW) + 1);
        Assert.Multiple(() =>
        {
            Assert.That(TransposedIm2ColPanelSource.Applies<float>(Layer(128, 1), 32), Is.EqualTo(avx2), "128 output channels, stride 1");
            Assert.That(TransposedIm2ColPanelSource.Applies<double>(Layer(128, 1), 32), Is.False, "double");
            Assert.That(TransposedIm2ColPanelSource.Applies<float>(Layer(64, 1), 32), Is.False, "64 output channels");
            Assert.That(TransposedIm2ColPanelSource.Applies<float>(Layer(128, 2), 32), Is.False, "stride 2 across");
            Assert.That(TransposedIm2ColPanelSource.Applies<float>(Layer(128, 1), 2), Is.False, "a 2-column tile");
            Assert.That(TransposedIm2ColPanelSource.Applies<float>(Layer(128, 1, width: 1 << 24), 32), Is.False, "a row too wide for int offsets");
        });
    }

    /// <summary>Packs a random band, depth and range of taps of <paramref name="g"/> and compares every float with a naive im2col.</summary>
    private static void CheckAgainstNaiveIm2Col(in Conv2DGeometry g, int width, Random random, int trial)
    {
        int firstRow = random.Next(g.OutputHeight), pixels = (g.OutputHeight - firstRow) * g.OutputWidth;
        int row0 = random.Next(pixels), depth = random.Next(1, Math.Min(pixels - row0, 700) + 1);
        int firstTap = random.Next(g.PatchLength), col0 = random.Next(g.PatchLength - firstTap), count = random.Next(1, Math.Min(g.PatchLength - firstTap - col0, 3 * width) + 1);
        int panels = (count + width - 1) / width, packedLength = panels * width * depth;
        float[] guarded = new float[g.InputImageLength + (2 * Guard)];
        Array.Fill(guarded, float.NaN);
        float[] image = Enumerable.Range(0, g.InputImageLength).Select(i => i + 1f).ToArray();
        image.CopyTo(guarded, Guard);
        float[] packed = Enumerable.Repeat(-1f, packedLength + Guard).ToArray();
        fixed (float* x = guarded, p = packed)
        {
            new TransposedIm2ColPanelSource(g, x + Guard, firstRow, firstTap).Pack(row0, depth, col0, count, width, p);
        }

        for (int panel = 0; panel < panels; panel++)
        {
            int tap0 = firstTap + col0 + (panel * width), valid = Math.Min(width, count - (panel * width));
            for (int k = 0; k < depth; k++)
            {
                int pixel = (firstRow * g.OutputWidth) + row0 + k;
                for (int j = 0; j < width; j++)
                {
                    float expected = j < valid ? NaiveIm2Col.Value(g, image, tap0 + j, pixel) : 0f;
                    float actual = packed[(panel * width * depth) + (k * width) + j];
                    if (!actual.Equals(expected))
                    {
                        Assert.Fail($"trial {trial}, {g}, width {width}, first row {firstRow}, pixel {pixel}, tap {tap0 + j}: {actual}, expected {expected}");
                    }
                }
            }
        }

        Assert.That(packed.Skip(packedLength).All(v => v == -1f), Is.True, $"trial {trial}: a write past the panels");
    }

    private protected override IReadOnlyList<ConvCase> Layers => Cases;
}
