using NNPackSharp.Engines.Managed;
using NNPackSharp.Gemm;
using NNPackSharp.Geometry;

namespace NNPackSharp.Tests.Managed;

/// <summary>
/// The weight gradient split into bands of output rows (<see cref="WeightGradientSegments{T}"/>): layers whose
/// gradient is small and whose images are large enough for the split, against the double reference on every GEMM
/// variant and thread count, and bit-identical on 1, 2 and 3 threads.
/// </summary>
[RestoresParallelism]
public class WeightGradientSegmentsTests
{
    private static readonly ConvCase[] Layers =
    [
        new(3, 2, 25, 60, 3, 3, 3, 1, 1, 1, 1),      // two bands; the first ends inside the second image
        new(4, 3, 97, 41, 5, 7, 7, 3, 3, 2, 2),      // stride 2, 7x7: a small stem
        new(3, 5, 40, 40, 6, 1, 1, 0, 0, 1, 1),      // pointwise: the columns are the image
        new(1, 2, 130, 70, 3, 3, 5, 0, 2, 1, 1),     // one image in four bands, non-square kernel
        new(2, 1, 120, 120, 2, 2, 2, 1, 1, 1, 1),    // eight bands of 30 or 31 rows
        new(1, 2, 70, 100, 3, 3, 3, 1, 1, 1, 1),     // three bands by pixels, rounded up to four
        new(1, 1, 3, 2100, 2, 1, 1, 0, 0, 1, 1),     // three bands by pixels but three rows: rounded down to two
    ];

    private static IEnumerable<TestCaseData> Cases() => GemmVariantCases.OnOneAndTwoThreads<float>();

    [Test]
    public void EveryLayerSplits()
    {
        foreach (ConvCase c in Layers)
        {
            Assert.That(WeightGradientSegments<float>.Count(Geometry(c)), Is.GreaterThan(1), c.ToString());
        }
    }

    [Test]
    public void BandCountsAreEven()
    {
        foreach (ConvCase c in Layers)
        {
            Assert.That(WeightGradientSegments<float>.Count(Geometry(c)) % 2, Is.Zero, c.ToString());
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void FloatMatchesReference(int variant, int threads)
    {
        Convolution.MaxDegreeOfParallelism = threads;
        var engine = new ManagedEngine<float>(Gemms<float>.Supported[variant]);
        int seed = 0;
        foreach (ConvCase c in Layers)
        {
            ConvRunner<float>.CheckAgainstReference(c, seed++, engine);
        }
    }

    [Test]
    public void DoubleMatchesReference([Values(1, 2)] int threads)
    {
        Convolution.MaxDegreeOfParallelism = threads;
        int seed = 0;
        foreach (ConvCase c in Layers)
        {
            ConvRunner<double>.CheckAgainstReference(c, seed++);
        }
    }

    [Test]
    public void ResultIsTheSameOnAnyThreadCount()
    {
        foreach (ConvCase c in Layers)
        {
            ConvRunner<float>.AssertWeightGradientIgnoresThreadCount(c, 3);
        }
    }

    private static Conv2DGeometry Geometry(ConvCase c) =>
        new(c.N, c.Cin, c.H, c.W, c.Cout, c.KH, c.KW, c.PadH, c.PadW, c.StrideH, c.StrideW, c.OutH, c.OutW);
}
