using NNPackSharp.Engines.Managed;
using NNPackSharp.Geometry;

namespace NNPackSharp.Tests.Managed;

/// <summary>
/// The weight gradient tap by tap (<see cref="WeightGradientGather{T}"/>): layers that take it (strides 1 and 2 each
/// way, non-square kernels, padding on one axis only, a last tile of fewer than six taps, a partial panel of output
/// channels, blocks of several images with a shorter last one, bands that end inside an image) against the double
/// reference on every GEMM variant, one and two threads, float and double; bit-identical on 1, 2 and 3 threads; and
/// where the plan declines.
/// </summary>
[RestoresParallelism]
public class WeightGradientGatherTests : Support.LayersOnEveryGemmVariant
{
    private static readonly ConvCase[] Cases =
    [
        new(2, 3, 40, 30, 32, 3, 3, 1, 1, 1, 1),     // 27 taps: a last tile of three
        new(3, 5, 41, 37, 30, 5, 3, 2, 0, 2, 1),     // stride 2 down, 30 of a panel's channels
        new(2, 4, 33, 64, 32, 2, 4, 0, 3, 1, 2),     // stride 2 across, padding across only
        new(21, 6, 12, 11, 32, 3, 3, 1, 1, 1, 1),    // 132-pixel planes: two images a block, the last block one
        new(4, 3, 45, 45, 64, 7, 7, 3, 3, 2, 2),     // a small stem
    ];

    private protected override IReadOnlyList<ConvCase> Layers => Cases;

    [Test]
    public void EveryLayerTakesThePathAtEveryTileWidth()
    {
        foreach (ConvCase c in Cases)
        {
            foreach (int nr in new[] { 2, 4, 8, 16, 32 })
            {
                foreach (int threads in new[] { 1, 2 })
                {
                    Assert.That(WeightGradientGather<float>.TryPlan(Geometry(c), nr, threads, out _), Is.True, $"{c}, {nr}-wide tiles, {threads} threads");
                }
            }
        }
    }

    [Test]
    public void SeveralImagesShareABlockWherePlanesAreShort()
    {
        Assert.That(WeightGradientGather<float>.TryPlan(Geometry(Cases[3]), 32, 1, out WeightGradientGather<float>.Plan plan), Is.True);
        Assert.That(plan.BlockImages, Is.EqualTo(2));
    }

    [Test]
    public void BandsEndInsideAnImage([Values(1, 2)] int threads)
    {
        var c = new ConvCase(1, 48, 40, 160, 32, 3, 3, 1, 1, 1, 1);
        Assert.That(WeightGradientGather<float>.TryPlan(Geometry(c), 32, 1, out WeightGradientGather<float>.Plan plan), Is.True);
        Assert.That(plan.BandBlocks * plan.BlockRows, Is.LessThan(c.OutH), "a band shorter than the image");
        Convolution.MaxDegreeOfParallelism = threads;
        ConvRunner<float>.CheckAgainstReference(c, 7);
    }

    [Test]
    public void DeclinesWhereAnotherWayIsBetter()
    {
        Assert.Multiple(() =>
        {
            Assert.That(WeightGradientGather<float>.TryPlan(new Conv2DGeometry(8, 16, 40, 40, 32, 1, 1, 0, 0, 1, 1, 40, 40), 32, 1, out _), Is.False, "1x1");
            Assert.That(WeightGradientGather<float>.TryPlan(new Conv2DGeometry(8, 16, 40, 40, 32, 3, 3, 0, 0, 3, 3, 13, 13), 32, 1, out _), Is.False, "stride 3");
            Assert.That(WeightGradientGather<float>.TryPlan(new Conv2DGeometry(1, 16, 40, 40, 32, 3, 3, 1, 1, 1, 1, 40, 40), 32, 1, out _), Is.False, "1600 pixels");
            Assert.That(WeightGradientGather<float>.TryPlan(new Conv2DGeometry(2, 16, 40, 40, 33, 3, 3, 1, 1, 1, 1, 40, 40), 32, 1, out _), Is.False, "33 channels in 32-wide panels");
            Assert.That(WeightGradientGather<float>.TryPlan(new Conv2DGeometry(2, 16, 40, 40, 33, 3, 3, 1, 1, 1, 1, 40, 40), 4, 1, out _), Is.True, "33 channels in 4-wide panels");
            Assert.That(WeightGradientGather<float>.TryPlan(new Conv2DGeometry(2, 4, 10, 10, 32, 3, 3, 60, 60, 1, 1, 128, 128), 32, 1, out _), Is.False, "padding past twice the image");
        });
    }

    [Test]
    public void ResultIsTheSameOnAnyThreadCount()
    {
        foreach (ConvCase c in Cases)
        {
            ConvRunner<float>.AssertWeightGradientIgnoresThreadCount(c, 5);
        }
    }

    private static Conv2DGeometry Geometry(ConvCase c) =>
        new(c.N, c.Cin, c.H, c.W, c.Cout, c.KH, c.KW, c.PadH, c.PadW, c.StrideH, c.StrideW, c.OutH, c.OutW);
}
