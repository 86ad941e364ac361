using System.Numerics;
using System.Numerics.Tensors;

namespace NNPackSharp.Tests.Operators;

/// <summary>
/// <see cref="Pooling"/> against the reference on random shapes (padding up to past the window, stride unlike the
/// window, huge strides, the window equal to the padded input): the forward pass is exact (a maximum rounds nothing),
/// the backward pass sums at most a few gradients per element. Native on every case where the library loads, those
/// where upstream's ceil output size differs from the floor and padding at least as large as the window included
/// (libnnpack's nnpsharp_max_pooling_output).
/// </summary>
[RestoresParallelism]
public class PoolingTests
{
    private static IEnumerable<TestCaseData> Cases() =>
        PoolCase.Random(seed: 1202, count: 60).Concat(PoolCase.Wide(seed: 1203, count: 9)).Select((c, i) => new TestCaseData(c, i).SetArgDisplayNames($"#{i} {c}"));

    [TestCaseSource(nameof(Cases))]
    public void ForwardAndBackwardMatchTheReference(object problem, int seed)
    {
        var c = (PoolCase)problem;
        Convolution.MaxDegreeOfParallelism = 1 + (seed % 2);
        var random = new Random(seed);
        double[] x = [.. ConvCase.RandomValues(random, c.InputLength).Select(v => (double)(float)v)], dy = ConvCase.RandomValues(random, c.OutputLength);
        Check<float>(c, x, dy, OperatorEngine.Managed);
        Check<double>(c, x, dy, OperatorEngine.Managed);
        Check<float>(c, x, dy, OperatorEngine.Fastest);
        if (NNPackNativeLibrary.IsAvailable)
        {
            Check<float>(c, x, dy, OperatorEngine.Native);
        }
    }

    [Test]
    public void DefaultStrideIsOneAsInArraymancer()
    {
        Assert.That(Pooling.MaxPool2DOutputShape([2, 3, 8, 6], new Size2D(2)), Is.EqualTo(new nint[] { 2, 3, 7, 5 }));
        Assert.That(Pooling.MaxPool2DOutputShape([2, 3, 8, 6], new Size2D(2), default, new Size2D(2)), Is.EqualTo(new nint[] { 2, 3, 4, 3 }));
        Assert.That(Pooling.MaxPool2DOutputShape([1, 1, 7, 7], new Size2D(3), new Size2D(1), new Size2D(2)), Is.EqualTo(new nint[] { 1, 1, 4, 4 }));
    }

    [Test]
    public void NaNNeverWinsAndATieGoesToTheFirstMaximum()
    {
        float[] x = [float.NaN, 2, 2, float.NaN];
        Tensor<float> input = Tensor.Create(x, [1, 1, 2, 2]);
        Assert.That(Pooling.MaxPool2D(input, new Size2D(2)).GetSpan([0, 0, 0, 0], 1)[0], Is.EqualTo(2f));
        Tensor<float> grad = Pooling.MaxPool2DBackward(input, Tensor.Create([5f], [1, 1, 1, 1]), new Size2D(2));
        Assert.That(ConvCase.ToDoubles(grad), Is.EqualTo(new double[] { 0, 5, 0, 0 }));
    }

    [Test]
    public void ABatchOfZeroIsValidOnEveryEngine()
    {
        foreach (OperatorEngine engine in FullyConnectedTests.Engines())
        {
            Tensor<float> pooled = Pooling.MaxPool2D(Tensor.Create(new float[0], [0, 3, 4, 4]), new Size2D(2), default, new Size2D(2), engine);
            Assert.That(pooled.Lengths.ToArray(), Is.EqualTo(new nint[] { 0, 3, 2, 2 }), $"{engine}");
        }

        Tensor<float> grad = Pooling.MaxPool2DBackward(Tensor.Create(new float[0], [0, 3, 4, 4]), Tensor.Create(new float[0], [0, 3, 2, 2]), new Size2D(2), default, new Size2D(2));
        Assert.That(grad.Lengths.ToArray(), Is.EqualTo(new nint[] { 0, 3, 4, 4 }));
    }

    [Test]
    public void TheCasesIncludeWhatUpstreamsOperatorRefuses()
    {
        // Upstream's nnp_max_pooling_output sizes with ceil and refuses padding as large as the window: the native
        // engine's extension computes those too, so the random cases must hold some of each to prove it.
        var cases = PoolCase.Random(seed: 1202, count: 60).ToList();
        Assert.That(cases.Count(c => ((long)c.H + (2L * c.PadH) - c.KH) % c.StrideH != 0 || ((long)c.W + (2L * c.PadW) - c.KW) % c.StrideW != 0), Is.GreaterThan(5));
        Assert.That(cases.Count(c => c.PadH >= c.KH || c.PadW >= c.KW), Is.GreaterThan(2));
    }

    private static void Check<T>(PoolCase c, double[] x, double[] dy, OperatorEngine engine)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        string what = $"{c} {typeof(T).Name} {engine}";
        var (expected, _) = OperatorReference.MaxPool(c, x);
        Tensor<T> input = ConvCase.ToTensor<T>(x, c.InputShape);
        Assert.That(ConvCase.ToDoubles(Pooling.MaxPool2D(input, c.Kernel, c.Padding, c.Stride, engine)), Is.EqualTo(expected), $"{what} forward");
        if (engine != OperatorEngine.Native)
        {
            double[] dx = OperatorReference.MaxPoolBackward(c, x, dy);
            double[] actual = ConvCase.ToDoubles(Pooling.MaxPool2DBackward(input, ConvCase.ToTensor<T>(dy, c.OutputShape), c.Kernel, c.Padding, c.Stride));
            double[] magnitude = [.. OperatorReference.MaxPoolBackward(c, x, [.. dy.Select(Math.Abs)])];
            int overlap = (int)Math.Min(64, ((c.KH + (long)c.StrideH - 1) / c.StrideH) * ((c.KW + (long)c.StrideW - 1) / c.StrideW));
            Tolerance.AssertClose<T>(actual, dx, magnitude, overlap, $"{what} backward");
        }
    }
}
