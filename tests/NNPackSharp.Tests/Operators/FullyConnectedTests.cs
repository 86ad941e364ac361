using System.Numerics;
using System.Numerics.Tensors;

namespace NNPackSharp.Tests.Operators;

/// <summary>
/// <see cref="FullyConnected"/> against the double reference on random shapes (batch 0 and 1, odd channel counts that
/// are no multiple of a vector width), float on both engines and double on the managed one; the FP16-weight inference.
/// </summary>
[RestoresParallelism]
public class FullyConnectedTests
{
    private static IEnumerable<TestCaseData> Cases()
    {
        var random = new Random(1201);
        int[] batches = [1, 0, 2, 3, 7, 13, 1, 5];
        for (int i = 0; i < 24; i++)
        {
            int batch = batches[i % batches.Length], cin = random.Next(1, 70), cout = random.Next(1, 70);
            yield return new TestCaseData(batch, cin, cout, i).SetArgDisplayNames($"#{i} x[{batch},{cin}] w[{cout},{cin}]");
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void ForwardAndBackwardMatchTheReference(int batch, int cin, int cout, int seed)
    {
        Convolution.MaxDegreeOfParallelism = 1 + (seed % 2);
        var random = new Random(seed);
        double[] x = ConvCase.RandomValues(random, batch * cin), w = ConvCase.RandomValues(random, cout * cin);
        double[] b = ConvCase.RandomValues(random, cout), dy = ConvCase.RandomValues(random, batch * cout);
        Check<float>(batch, cin, cout, x, w, b, dy, OperatorEngine.Managed);
        Check<double>(batch, cin, cout, x, w, b, dy, OperatorEngine.Managed);
        if (NNPackNativeLibrary.IsAvailable)
        {
            Check<float>(batch, cin, cout, x, w, b, dy, OperatorEngine.Native);
        }
    }

    [Test]
    public void ForwardWithoutBiasAndWithARowBias()
    {
        var random = new Random(5);
        double[] x = ConvCase.RandomValues(random, 4 * 9), w = ConvCase.RandomValues(random, 6 * 9), b = ConvCase.RandomValues(random, 6);
        var (expected, magnitude) = OperatorReference.FullyConnected(4, 9, 6, x, w, null);
        Tensor<float> y = FullyConnected.Forward(ConvCase.ToTensor<float>(x, 4, 9), ConvCase.ToTensor<float>(w, 6, 9));
        Tolerance.AssertClose<float>(ConvCase.ToDoubles(y), expected, magnitude, 9, "no bias");

        (expected, magnitude) = OperatorReference.FullyConnected(4, 9, 6, x, w, b);
        y = FullyConnected.Forward(ConvCase.ToTensor<float>(x, 4, 9), ConvCase.ToTensor<float>(w, 6, 9), ConvCase.ToTensor<float>(b, 1, 6));
        Tolerance.AssertClose<float>(ConvCase.ToDoubles(y), expected, magnitude, 10, "bias [1,Cout]");
    }

    [Test]
    public void InferenceMatchesTheReferenceOnBothEngines([Values(1, 7, 16, 33, 250)] int cin, [Values(1, 5, 17, 64)] int cout)
    {
        var random = new Random((cin * 100) + cout);
        double[] x = ConvCase.RandomValues(random, cin), w = ConvCase.RandomValues(random, cout * cin), b = ConvCase.RandomValues(random, cout);
        var (expected, magnitude) = OperatorReference.FullyConnected(1, cin, cout, x, w, b);
        foreach (OperatorEngine engine in Engines())
        {
            var output = new float[cout];
            FullyConnected.Inference<float>(Floats(x), ConvCase.ToTensor<float>(w, cout, cin), Floats(b), output, engine);
            Tolerance.AssertClose<float>([.. output.Select(v => (double)v)], expected, magnitude, cin + 1, $"{engine} inference");
        }

        var doubles = new double[cout];
        FullyConnected.Inference<double>(x, ConvCase.ToTensor<double>(w, cout, cin), b, doubles);
        Tolerance.AssertClose<double>(doubles, expected, magnitude, cin + 1, "double inference");
    }

    /// <summary>
    /// FP16 weights: each weight is widened exactly, so against the reference on the Half-rounded weights the error is
    /// a float sum's (the documented tolerance); against the float weights, half's rounding (2^-11 relative) per term.
    /// </summary>
    [Test]
    public void HalfWeightInferenceMatchesTheReferenceOnItsRoundedWeights([Values(1, 9, 64, 301)] int cin, [Values(1, 3, 40)] int cout)
    {
        var random = new Random((cin * 7) + cout);
        double[] x = ConvCase.RandomValues(random, cin), w = ConvCase.RandomValues(random, cout * cin), b = ConvCase.RandomValues(random, cout);
        Half[] halves = [.. w.Select(v => (Half)v)];
        double[] rounded = [.. halves.Select(h => (double)h)];
        var (expected, magnitude) = OperatorReference.FullyConnected(1, cin, cout, x, rounded, b);
        var (exact, _) = OperatorReference.FullyConnected(1, cin, cout, x, w, b);
        foreach (OperatorEngine engine in Engines())
        {
            var output = new float[cout];
            FullyConnected.Inference(Floats(x), new ReadOnlyTensorSpan<Half>(halves, [cout, cin], []), Floats(b), output, engine);
            double[] actual = [.. output.Select(v => (double)v)];
            Tolerance.AssertClose<float>(actual, expected, magnitude, cin + 1, $"{engine} f16 inference");
            for (int o = 0; o < cout; o++)
            {
                Assert.That(Math.Abs(actual[o] - exact[o]), Is.LessThanOrEqualTo((magnitude[o] * Math.Pow(2, -11)) + (4 * (cin + 2) * 1.2e-7 * magnitude[o])), $"{engine} f16 against the float weights, output {o}");
            }
        }
    }

    /// <summary>A layer large enough that the products split across threads: every result bit-identical on 1 and 2 threads.</summary>
    [Test]
    public void ALargerLayerIsBitIdenticalOnOneAndTwoThreads()
    {
        const int batch = 37, cin = 301, cout = 203;
        var random = new Random(77);
        double[] x = ConvCase.RandomValues(random, batch * cin), w = ConvCase.RandomValues(random, cout * cin), b = ConvCase.RandomValues(random, cout);
        double[] dy = ConvCase.RandomValues(random, batch * cout);
        var (expected, magnitude) = OperatorReference.FullyConnected(batch, cin, cout, x, w, b);
        foreach (OperatorEngine engine in Engines())
        {
            var results = new List<double[]>();
            foreach (int threads in new[] { 1, 2 })
            {
                Convolution.MaxDegreeOfParallelism = threads;
                Tensor<float> input = ConvCase.ToTensor<float>(x, batch, cin), weight = ConvCase.ToTensor<float>(w, cout, cin), bias = ConvCase.ToTensor<float>(b, cout);
                double[] y = ConvCase.ToDoubles(FullyConnected.Forward(input, weight, bias, engine));
                Tolerance.AssertClose<float>(y, expected, magnitude, cin + 1, $"{engine}, {threads} threads");
                var g = FullyConnected.Backward(input, weight, bias, ConvCase.ToTensor<float>(dy, batch, cout), engine == OperatorEngine.Native ? OperatorEngine.Fastest : engine);
                results.Add([.. y, .. ConvCase.ToDoubles(g.GradInput), .. ConvCase.ToDoubles(g.GradWeight), .. ConvCase.ToDoubles(g.GradBias!)]);
            }

            Bits.AssertIdentical(results[1], results[0], $"{engine}: 2 threads against 1");
        }
    }

    /// <summary>A single vector through a weight large enough to split its rows across threads: the same bits on 1 and 2 threads.</summary>
    [Test]
    public void ALargeInferenceIsBitIdenticalOnOneAndTwoThreads()
    {
        const int cin = 2100, cout = 1031;
        var random = new Random(78);
        double[] x = ConvCase.RandomValues(random, cin), w = ConvCase.RandomValues(random, cout * cin), b = ConvCase.RandomValues(random, cout);
        Tensor<float> weight = ConvCase.ToTensor<float>(w, cout, cin);
        AssertOneAndTwoThreadsAgree(cin, cout, x, w, b, (input, bias, output, engine) => FullyConnected.Inference<float>(input, weight, bias, output, engine));
    }

    /// <summary>The same with FP16 weights (several widening chunks per row), against the reference on the halves' values.</summary>
    [Test]
    public void ALargeHalfWeightInferenceIsBitIdenticalOnOneAndTwoThreads()
    {
        const int cin = 2100, cout = 1031;
        var random = new Random(79);
        double[] x = ConvCase.RandomValues(random, cin), b = ConvCase.RandomValues(random, cout);
        Half[] halves = [.. ConvCase.RandomValues(random, cout * cin).Select(v => (Half)v)];
        AssertOneAndTwoThreadsAgree(cin, cout, x, [.. halves.Select(h => (double)h)], b,
            (input, bias, output, engine) => FullyConnected.Inference(input, new ReadOnlyTensorSpan<Half>(halves, [cout, cin], []), bias, output, engine));
    }

    private delegate void VectorInference(float[] input, float[] bias, float[] output, OperatorEngine engine);

    /// <summary>Each engine on 1 and 2 threads: close to the reference (weights <paramref name="w"/> as the call sees them), the same bits on both.</summary>
    private static void AssertOneAndTwoThreadsAgree(int cin, int cout, double[] x, double[] w, double[] b, VectorInference inference)
    {
        var (expected, magnitude) = OperatorReference.FullyConnected(1, cin, cout, x, w, b);
        float[] input = [.. x.Select(v => (float)v)], bias = [.. b.Select(v => (float)v)];
        foreach (OperatorEngine engine in Engines())
        {
            var results = new List<double[]>();
            foreach (int threads in new[] { 1, 2 })
            {
                Convolution.MaxDegreeOfParallelism = threads;
                var output = new float[cout];
                inference(input, bias, output, engine);
                results.Add([.. output.Select(v => (double)v)]);
                Tolerance.AssertClose<float>(results[^1], expected, magnitude, cin + 1, $"{engine}, {threads} threads");
            }

            Bits.AssertIdentical(results[1], results[0], $"{engine}: 2 threads against 1");
        }
    }

    /// <summary>An infinite or NaN FP16 weight: IEEE's infinity and NaN on every engine (upstream's native function would read them as large finite numbers).</summary>
    [Test]
    public void HalfWeightInfinityIsIeeesOnEveryEngine()
    {
        Half[] weight = [Half.One, Half.PositiveInfinity, Half.One, Half.NaN, (Half)2, (Half)3];
        foreach (OperatorEngine engine in Engines())
        {
            var output = new float[3];
            FullyConnected.Inference([1f, 1f], new ReadOnlyTensorSpan<Half>(weight, [3, 2], []), default, output, engine);
            Assert.That(output, Is.EqualTo(new[] { float.PositiveInfinity, float.NaN, 5f }), $"{engine}");
        }
    }

    internal static IEnumerable<OperatorEngine> Engines() =>
        NNPackNativeLibrary.IsAvailable ? [OperatorEngine.Managed, OperatorEngine.Native, OperatorEngine.Fastest] : [OperatorEngine.Managed, OperatorEngine.Fastest];

    private static float[] Floats(double[] values) => [.. values.Select(v => (float)v)];

    private static void Check<T>(int batch, int cin, int cout, double[] x, double[] w, double[] b, double[] dy, OperatorEngine engine)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        string what = $"{typeof(T).Name} {engine}";
        var (expected, magnitude) = OperatorReference.FullyConnected(batch, cin, cout, x, w, b);
        Tensor<T> input = ConvCase.ToTensor<T>(x, batch, cin), weight = ConvCase.ToTensor<T>(w, cout, cin), bias = ConvCase.ToTensor<T>(b, cout);
        Tolerance.AssertClose<T>(ConvCase.ToDoubles(FullyConnected.Forward(input, weight, bias, engine)), expected, magnitude, cin + 1, $"{what} forward");

        var reference = OperatorReference.FullyConnectedBackward(batch, cin, cout, x, w, dy);
        OperatorEngine backwardEngine = engine == OperatorEngine.Native ? OperatorEngine.Fastest : engine; // NNPACK has no backward
        var gradients = FullyConnected.Backward(input, weight, bias, ConvCase.ToTensor<T>(dy, batch, cout), backwardEngine);
        Tolerance.AssertClose<T>(ConvCase.ToDoubles(gradients.GradInput), reference.Dx, reference.DxMag, cout, $"{what} gradInput");
        Tolerance.AssertClose<T>(ConvCase.ToDoubles(gradients.GradWeight), reference.Dw, reference.DwMag, batch, $"{what} gradWeight");
        Tolerance.AssertClose<T>(ConvCase.ToDoubles(gradients.GradBias!), reference.Db, reference.DbMag, batch, $"{what} gradBias");
    }
}
