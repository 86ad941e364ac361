using NNPackSharp.Engines.Managed;
using NNPackSharp.Geometry;

namespace NNPackSharp.Tests.Managed;

/// <summary>
/// The run-by-row im2col panel (<see cref="RowPanel"/>) against a naive im2col on random geometries: stride 1 across
/// and 1 to 3 down, rows from 1 to 80 wide (panels over one to four output rows, across images), kernels up to 7
/// wide, padding up to past the kernel, panels at both borders of a row, partial panels, every tap offset; and where it
/// must not apply.
/// </summary>
public unsafe class RowPanelTests
{
    [Test]
    public void MatchesNaiveIm2ColOnRandomGeometries()
    {
        if (!System.Runtime.Intrinsics.X86.Avx512F.IsSupported)
        {
            Assert.Ignore("AVX-512 is not available to the JIT here (the general packer runs instead).");
        }

        var random = new Random(31);
        int checkedPanels = 0;
        for (int trial = 0; trial < 600; trial++)
        {
            int batch = random.Next(1, 3), channels = random.Next(1, 4), kh = random.Next(1, 6), kw = random.Next(1, 8);
            int padH = random.Next(0, kh), padW = random.Next(0, kw + 2), strideH = random.Next(1, 4), strideW = 1;
            int h = random.Next(Math.Max(1, kh - (2 * padH)), 12), w = random.Next(Math.Max(1, kw - (2 * padW)), 81);
            int outH = ((h + (2 * padH) - kh) / strideH) + 1, outW = ((w + (2 * padW) - kw) / strideW) + 1;
            var g = new Conv2DGeometry(batch, channels, h, w, 1, kh, kw, padH, padW, strideH, strideW, outH, outW);
            int columns = batch * g.OutputPlaneLength, pixel0 = random.Next(columns);
            int valid = Math.Min(32, random.Next(1, columns - pixel0 + 1));
            if (!RowPanel.Applies(g, pixel0, valid, 32))
            {
                continue;
            }

            int row0 = random.Next(g.PatchLength), depth = random.Next(1, g.PatchLength - row0 + 1);
            float[] image = Enumerable.Range(0, batch * g.InputImageLength).Select(i => i + 1f).ToArray();
            float[] panel = Enumerable.Repeat(float.NaN, depth * 32).ToArray();
            fixed (float* x = image, p = panel)
            {
                RowPanel.Pack(g, x, row0, depth, pixel0, valid, p);
            }

            checkedPanels++;
            for (int k = 0; k < depth; k++)
            {
                for (int j = 0; j < 32; j++)
                {
                    float expected = j < valid ? NaiveIm2Col.Value(g, image, row0 + k, pixel0 + j) : 0f;
                    if (!panel[(k * 32) + j].Equals(expected))
                    {
                        Assert.Fail($"trial {trial}, {g}, pixel0 {pixel0}, valid {valid}, tap {row0 + k}, column {j}: {panel[(k * 32) + j]}, expected {expected}");
                    }
                }
            }
        }

        Assert.That(checkedPanels, Is.GreaterThan(150), "panels that took the packer");
    }

    [Test]
    public void AppliesOnlyToRowsAwayFromTheTopAndBottomPadding()
    {
        var g = new Conv2DGeometry(1, 1, 10, 40, 1, 3, 3, 1, 1, 1, 1, 10, 40);
        bool avx512 = System.Runtime.Intrinsics.X86.Avx512F.IsSupported;
        Assert.Multiple(() =>
        {
            Assert.That(RowPanel.Applies(g, 40, 32, 32), Is.EqualTo(avx512), "row 1, columns 0-31");
            Assert.That(RowPanel.Applies(g, 50, 32, 32), Is.EqualTo(avx512), "rows 1 and 2");
            Assert.That(RowPanel.Applies(g, 0, 32, 32), Is.False, "row 0 reads the top padding");
            Assert.That(RowPanel.Applies(g, 350, 32, 32), Is.False, "rows 8 and 9: row 9 reads the bottom padding");
            Assert.That(RowPanel.Applies(g, 40, 32, 16), Is.False, "a 16-column panel");
            var narrow = new Conv2DGeometry(1, 1, 20, 7, 1, 3, 3, 1, 1, 1, 1, 20, 7);
            Assert.That(RowPanel.Applies(narrow, 7, 28, 32), Is.EqualTo(avx512), "four rows of 7");
            Assert.That(RowPanel.Applies(narrow, 7, 29, 32), Is.False, "a fifth row");
            var strided = new Conv2DGeometry(1, 1, 20, 80, 1, 3, 3, 1, 1, 2, 2, 10, 40);
            Assert.That(RowPanel.Applies(strided, 40, 32, 32), Is.False, "stride 2 across: packed from the stride phases");
            var down = new Conv2DGeometry(1, 1, 20, 80, 1, 3, 3, 1, 1, 2, 1, 10, 80);
            Assert.That(RowPanel.Applies(down, 80, 32, 32), Is.EqualTo(avx512), "stride 2 down only, output row 1");
            var wide = new Conv2DGeometry(1, 1, 20, 90, 1, 3, 3, 1, 1, 1, 3, 20, 30);
            Assert.That(RowPanel.Applies(wide, 30, 30, 32), Is.False, "stride 3 across");
        });
    }
}
