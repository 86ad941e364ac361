using NNPackSharp.Engines.Managed;
using NNPackSharp.Geometry;
using NNPackSharp.Memory;

namespace NNPackSharp.Tests.Managed;

/// <summary>
/// The strided layers' im2col panels packed from the input's stride phases (<see cref="PhaseSplit"/>,
/// <see cref="PhasePanelSource{T}"/>) against a naive im2col on random geometries: strides 1 to 4 down and 1 or 2 across
/// (never both 1), kernels up to 7 each way (one column wide included: the odd phase is not kept), padding up to past
/// the kernel, maps from 1 to 70 wide (panels over one row to more than the packer takes, which fall back), columns
/// across images, tiles of 16, 32 and 64 columns, blocks of several panels, every tap offset, depths past the packer's
/// table of 512 tap offsets; and where it applies.
/// </summary>
public unsafe class PhasePanelSourceTests
{
    [Test]
    public void MatchesNaiveIm2ColOnRandomGeometries()
    {
        IgnoreWithoutAvx512("the strided layers pack from the image instead");

        var random = new Random(47);
        var buffer = new PinnedBuffer<float>();
        int phasePanels = 0, fallbackPanels = 0;
        for (int trial = 0; trial < 500; trial++)
        {
            int batch = random.Next(1, 4), channels = random.Next(1, 4), kh = random.Next(1, 8), kw = random.Next(1, 8);
            int strideH = random.Next(1, 5), strideW = random.Next(strideH == 1 ? 2 : 1, 3);
            int padH = random.Next(0, kh + 1), padW = random.Next(0, kw + 2);
            int h = random.Next(Math.Max(1, kh - (2 * padH)), trial % 3 == 0 ? 40 : 14), w = random.Next(Math.Max(1, kw - (2 * padW)), trial % 3 == 0 ? 9 : 71);
            int outH = ((h + (2 * padH) - kh) / strideH) + 1, outW = ((w + (2 * padW) - kw) / strideW) + 1;
            var g = new Conv2DGeometry(batch, channels, h, w, 1, kh, kw, padH, padW, strideH, strideW, outH, outW);
            CheckAgainstNaiveIm2Col(g, 16 << random.Next(3), random, buffer, trial, ref phasePanels, ref fallbackPanels);
        }

        Assert.Multiple(() =>
        {
            Assert.That(phasePanels, Is.GreaterThan(400), "panels packed from the phases");
            Assert.That(fallbackPanels, Is.GreaterThan(20), "panels over too many output rows, packed from the image");
        });
    }

    [Test]
    public void MatchesNaiveIm2ColOnPaddedStrideOneGeometries()
    {
        IgnoreWithoutAvx512("stride-1 layers pack from the image instead");

        // The stride-1 copy (one phase: the padded input) where padding of 2 or more meets rows narrower than a tile.
        var random = new Random(48);
        var buffer = new PinnedBuffer<float>();
        int phasePanels = 0, fallbackPanels = 0;
        for (int trial = 0; trial < 300; trial++)
        {
            int batch = random.Next(1, 4), channels = random.Next(1, 4), kh = random.Next(1, 8), kw = random.Next(1, 8);
            bool acrossWide = random.Next(2) == 0;
            int padH = acrossWide ? random.Next(0, kh + 1) : random.Next(2, kh + 3), padW = acrossWide ? random.Next(2, kw + 3) : random.Next(0, kw + 1);
            int h = random.Next(Math.Max(1, kh - (2 * padH)), trial % 3 == 0 ? 30 : 12), w = random.Next(Math.Max(1, kw - (2 * padW)), 24);
            int outH = h + (2 * padH) - kh + 1, outW = w + (2 * padW) - kw + 1;
            var g = new Conv2DGeometry(batch, channels, h, w, 1, kh, kw, padH, padW, 1, 1, outH, outW);
            CheckAgainstNaiveIm2Col(g, outW < 32 ? 32 : 64, random, buffer, trial, ref phasePanels, ref fallbackPanels);
        }

        Assert.That(phasePanels, Is.GreaterThan(300), "panels packed from the padded copy");
    }

    [Test]
    public void MatchesNaiveIm2ColOverMoreTapsThanOneSlice()
    {
        IgnoreWithoutAvx512("the strided layers pack from the image instead");

        // Depths past the packer's table of 512 tap offsets: its second slice starts mid-channel and mid-kernel.
        var random = new Random(49);
        var buffer = new PinnedBuffer<float>();
        int phasePanels = 0, fallbackPanels = 0;
        for (int trial = 0; trial < 24; trial++)
        {
            int channels = random.Next(12, 30), kh = random.Next(5, 8), kw = random.Next(5, 8), strideH = random.Next(1, 3), strideW = trial % 2 == 0 ? 2 : 1;
            int padH = random.Next(0, kh), padW = strideW == 1 ? random.Next(2, kw) : random.Next(0, kw), h = random.Next(kh, 24), w = random.Next(kw, strideW == 1 ? 24 : 60);
            var g = new Conv2DGeometry(2, channels, h, w, 1, kh, kw, padH, padW, strideH, strideW, ((h + (2 * padH) - kh) / strideH) + 1, ((w + (2 * padW) - kw) / strideW) + 1);
            CheckAgainstNaiveIm2Col(g, 32, random, buffer, trial, ref phasePanels, ref fallbackPanels, minimumDepth: 513);
        }

        Assert.That(phasePanels, Is.GreaterThan(24), "panels packed from the phases");
    }

    /// <summary>The phase packer needs AVX-512; without it the test says what packs those layers instead.</summary>
    private static void IgnoreWithoutAvx512(string packsInstead)
    {
        if (!System.Runtime.Intrinsics.X86.Avx512F.IsSupported)
        {
            Assert.Ignore($"AVX-512 is not available to the JIT here ({packsInstead}).");
        }
    }

    /// <summary>
    /// Packs random panels of <paramref name="g"/> from its phases (at least <paramref name="minimumDepth"/> taps where the
    /// kernel has them) and compares every float with a naive im2col.
    /// </summary>
    private static void CheckAgainstNaiveIm2Col(
        in Conv2DGeometry g, int width, Random random, PinnedBuffer<float> buffer, int trial, ref int phasePanels, ref int fallbackPanels, int minimumDepth = 1)
    {
        int batch = g.Batch;
        Assert.That(new PhaseSplit(g).Applies(width, batch), Is.True, g.ToString());

        int columns = batch * g.OutputPlaneLength, col0 = random.Next(columns), count = random.Next(1, Math.Min(columns - col0, 3 * width) + 1);
        int least = Math.Min(minimumDepth, g.PatchLength), row0 = random.Next(g.PatchLength - least + 1), depth = random.Next(least, g.PatchLength - row0 + 1);
        int panels = (count + width - 1) / width;
        float[] image = Enumerable.Range(0, batch * g.InputImageLength).Select(i => i + 1f).ToArray();
        float[] packed = Enumerable.Repeat(float.NaN, panels * width * depth).ToArray();
        fixed (float* x = image, p = packed)
        {
            var split = new PhaseSplit(g);
            float* phases = split.Split(g, x, batch, buffer);
            new PhasePanelSource<float>(g, split, x, phases).Pack(row0, depth, col0, count, width, p);
        }

        for (int panel = 0; panel < panels; panel++)
        {
            int pixel0 = col0 + (panel * width), valid = Math.Min(width, count - (panel * width));
            _ = OutputRows(g, pixel0, valid) <= PhasePanelSource<float>.MaxRuns ? phasePanels++ : fallbackPanels++;
            for (int k = 0; k < depth; k++)
            {
                for (int j = 0; j < width; j++)
                {
                    float expected = j < valid ? NaiveIm2Col.Value(g, image, row0 + k, pixel0 + j) : 0f;
                    float actual = packed[(panel * width * depth) + (k * width) + j];
                    if (!actual.Equals(expected))
                    {
                        Assert.Fail($"trial {trial}, {g}, width {width}, panel at {pixel0}, valid {valid}, tap {row0 + k}, column {j}: {actual}, expected {expected}");
                    }
                }
            }
        }
    }

    [Test]
    public void AppliesToStridedOrPaddedNarrowLayersWithTilesOfWholeVectors()
    {
        bool avx512 = System.Runtime.Intrinsics.X86.Avx512F.IsSupported;
        Conv2DGeometry Layer(int strideH, int strideW, int pad = 1, int size = 20) =>
            new(2, 3, size, size, 4, 3, 3, pad, pad, strideH, strideW, ((size + (2 * pad) - 3) / strideH) + 1, ((size + (2 * pad) - 3) / strideW) + 1);
        Assert.Multiple(() =>
        {
            Assert.That(new PhaseSplit(Layer(2, 2)).Applies(32, 2), Is.EqualTo(avx512), "stride 2");
            Assert.That(new PhaseSplit(Layer(3, 1)).Applies(16, 2), Is.EqualTo(avx512), "stride 3 down, 1 across, 16 columns");
            Assert.That(new PhaseSplit(Layer(1, 1)).Applies(32, 2), Is.EqualTo(avx512), "stride 1, padding 1, 20-wide rows in 32-column tiles");
            Assert.That(new PhaseSplit(Layer(1, 1, size: 7)).Applies(32, 2), Is.False, "stride 1, padding 1, 7-wide rows");
            Assert.That(new PhaseSplit(Layer(1, 1, pad: 0)).Applies(32, 2), Is.False, "stride 1, no padding");
            Assert.That(new PhaseSplit(Layer(1, 1, pad: 2, size: 5)).Applies(32, 2), Is.EqualTo(avx512), "stride 1, padding 2, 7-wide rows");
            Assert.That(new PhaseSplit(Layer(1, 1, pad: 2)).Applies(32, 2), Is.EqualTo(avx512), "stride 1, padding 2, 22-wide rows in 32-column tiles");
            Assert.That(new PhaseSplit(Layer(1, 1, pad: 2)).Applies(16, 2), Is.False, "stride 1, padding 2, rows as wide as a 16-column tile or wider");
            Assert.That(new PhaseSplit(Layer(1, 3)).Applies(32, 2), Is.False, "stride 3 across");
            Assert.That(new PhaseSplit(Layer(2, 2)).Applies(24, 2), Is.False, "a 24-column tile");
            Assert.That(new PhaseSplit(Layer(2, 2, int.MaxValue / 4)).Applies(32, 2), Is.False, "phases past an array's size");
        });
    }

    [Test]
    public void KeepsOnlyThePhasesTheKernelReads()
    {
        var pointwise = new Conv2DGeometry(1, 8, 28, 28, 16, 1, 1, 0, 0, 2, 2, 14, 14);
        var split = new PhaseSplit(pointwise);
        Assert.Multiple(() =>
        {
            Assert.That((split.PhaseRows, split.PhaseColumns), Is.EqualTo((1, 1)));
            Assert.That(split.ImageLength, Is.EqualTo(8 * 14 * 14), "a quarter of the input");
        });
    }

    /// <summary>How many output rows the panel's pixels span (the runs the packer plans).</summary>
    private static int OutputRows(in Conv2DGeometry g, int pixel0, int valid)
    {
        int runs = 0;
        for (int offset = 0; offset < valid; runs++)
        {
            int pixel = (pixel0 + offset) % g.OutputPlaneLength;
            offset += Math.Min(valid - offset, g.OutputWidth - (pixel % g.OutputWidth));
        }

        return runs;
    }
}
