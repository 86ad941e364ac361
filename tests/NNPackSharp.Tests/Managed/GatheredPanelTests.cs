using NNPackSharp.Engines.Managed;
using NNPackSharp.Geometry;

namespace NNPackSharp.Tests.Managed;

/// <summary>
/// The gathered im2col panel against a naive im2col on random geometries: odd maps, non-square kernels, strides 1 to
/// 3, padding up to the kernel, columns that run on through several images, partial panels and every tap offset.
/// </summary>
public unsafe class GatheredPanelTests
{
    [Test]
    public void MatchesNaiveIm2ColOnRandomGeometries()
    {
        if (!System.Runtime.Intrinsics.X86.Avx2.IsSupported)
        {
            Assert.Ignore("AVX2 is not available to the JIT here (the run-by-run packer runs instead).");
        }

        var random = new Random(12);
        for (int trial = 0; trial < 400; trial++)
        {
            int batch = random.Next(1, 4), channels = random.Next(1, 5), kh = random.Next(1, 6), kw = random.Next(1, 6);
            int stride = random.Next(1, 4), padH = random.Next(0, kh), padW = random.Next(0, kw);
            int h = random.Next(Math.Max(1, kh - (2 * padH)), 20), w = random.Next(Math.Max(1, kw - (2 * padW)), 20);
            int outH = ((h + (2 * padH) - kh) / stride) + 1, outW = ((w + (2 * padW) - kw) / stride) + 1;
            var g = new Conv2DGeometry(batch, channels, h, w, 1, kh, kw, padH, padW, stride, stride, outH, outW);
            int width = 8 * random.Next(1, 9), columns = batch * g.OutputPlaneLength;
            int pixel0 = random.Next(columns), valid = Math.Min(width, random.Next(1, columns - pixel0 + 1));
            int row0 = random.Next(g.PatchLength), depth = random.Next(1, g.PatchLength - row0 + 1);
            float[] image = Enumerable.Range(0, batch * g.InputImageLength).Select(i => i + 1f).ToArray();
            float[] panel = Enumerable.Repeat(float.NaN, depth * width).ToArray();
            Assert.That(GatheredPanel.Applies(g, pixel0, width), Is.True);
            fixed (float* x = image, p = panel)
            {
                GatheredPanel.Pack(g, x, row0, depth, pixel0, valid, width, p);
            }

            for (int k = 0; k < depth; k++)
            {
                for (int j = 0; j < width; j++)
                {
                    float expected = j < valid ? NaiveIm2Col.Value(g, image, row0 + k, pixel0 + j) : 0f;
                    if (!panel[(k * width) + j].Equals(expected))
                    {
                        Assert.Fail($"trial {trial}, {g}, pixel0 {pixel0}, valid {valid}, width {width}, tap {row0 + k}, column {j}: {panel[(k * width) + j]}, expected {expected}");
                    }
                }
            }
        }
    }

    [Test]
    public void RefusesColumnsWhoseOffsetsPass32Bits()
    {
        if (!System.Runtime.Intrinsics.X86.Avx2.IsSupported)
        {
            Assert.Ignore("AVX2 is not available to the JIT here: the gathered packer never applies.");
        }

        // Images of 2^28 elements: columns that reach into the third image keep their offsets below 2^30 (three images'
        // extent); columns that reach into the fourth do not.
        var g = new Conv2DGeometry(5, 256, 1024, 1024, 1, 1, 1, 0, 0, 1, 1, 1024, 1024);
        Assert.Multiple(() =>
        {
            Assert.That(GatheredPanel.Applies(g, 0, 32), Is.True);
            Assert.That(GatheredPanel.Applies(g, (2 * g.OutputPlaneLength) - 8, 32), Is.True);
            Assert.That(GatheredPanel.Applies(g, (3 * g.OutputPlaneLength) - 8, 32), Is.False);
            Assert.That(GatheredPanel.Applies(g, 0, 12), Is.False, "a width of part of a gather");
            var padded = new Conv2DGeometry(1, 1, 3, 3, 1, 1, 1, int.MaxValue / 4, 0, 1, 1, (int.MaxValue / 2) + 3, 3);
            Assert.That(GatheredPanel.Applies(padded, 0, 32), Is.False, "rows read through a padding of 2^29");
            var strided = new Conv2DGeometry(1, 1, 5, 5, 1, 1, 1, 0, 0, int.MaxValue, int.MaxValue, 1, 1);
            Assert.That(GatheredPanel.Applies(strided, 0, 32), Is.True, "one output pixel: no stride is ever multiplied");
        });
    }
}
