namespace NNPackSharp.Tests.Managed;

/// <summary>The default engine against the double-precision direct loops on hundreds of random shapes, forward and backward.</summary>
public class DifferentialTests
{
    private static IEnumerable<TestCaseData> Cases() =>
        ConvCase.Random(seed: 20261125, count: 300).Select((c, i) => new TestCaseData(c, i).SetArgDisplayNames($"#{i} {c}"));

    [TestCaseSource(nameof(Cases))]
    public void FloatMatchesReference(object problem, int seed) => ConvRunner<float>.CheckAgainstReference((ConvCase)problem, seed);

    [TestCaseSource(nameof(Cases))]
    public void DoubleMatchesReference(object problem, int seed) => ConvRunner<double>.CheckAgainstReference((ConvCase)problem, seed);

    [Test]
    public void HalfRunsOnTheScalarGemm()
    {
        // Half has no SIMD ukernel; the scalar GEMM computes it in Half arithmetic, so compare loosely.
        var c = new ConvCase(2, 3, 6, 5, 4, 3, 2, 1, 0, 1, 2);
        var random = new Random(7);
        double[] x = ConvCase.RandomValues(random, c.InputLength), w = ConvCase.RandomValues(random, c.WeightLength);
        var (expected, _) = ReferenceConvolution.Forward(c, x, w, null);
        double[] actual = ConvRunner<Half>.Forward(c, x, w, null);
        Assert.That(actual, Is.EqualTo(expected).Within(0.05));
    }
}
