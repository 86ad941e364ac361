using System.Numerics;
using System.Numerics.Tensors;

namespace NNPackSharp.Tests.Operators;

/// <summary>
/// <see cref="Activations"/> against their definitions on random shapes (odd lengths: the vector loops' tails), both
/// engines for float and the managed one for double, in place and not.
/// </summary>
[RestoresParallelism]
public class ActivationTests
{
    private static IEnumerable<TestCaseData> Shapes()
    {
        nint[][] shapes = [[1], [37], [3, 5], [1, 1000], [2, 3, 5, 7], [4, 17], [0, 5], [129, 3], [40000], [3, 11001]]; // the last two: native rows of 16384 and a tail
        return shapes.Select(s => new TestCaseData((object)s).SetArgDisplayNames($"[{string.Join(",", s)}]"));
    }

    [TestCaseSource(nameof(Shapes))]
    public void ReluAndLeakyReluAndTheirGradients(nint[] shape)
    {
        int length = (int)shape.Aggregate((nint)1, (a, b) => a * b);
        var random = new Random(length);
        double[] x = [.. ConvCase.RandomValues(random, length).Select(v => (double)(float)v)], dy = [.. ConvCase.RandomValues(random, length).Select(v => (double)(float)v)];
        foreach (OperatorEngine engine in FullyConnectedTests.Engines())
        {
            CheckRelu<float>(shape, x, dy, 0, engine);
            CheckRelu<float>(shape, x, dy, 0.125, engine);
        }

        CheckRelu<double>(shape, x, dy, 0, OperatorEngine.Managed);
        CheckRelu<double>(shape, x, dy, 0.3, OperatorEngine.Managed);
        CheckRelu<double>(shape, x, dy, -0.5, OperatorEngine.Managed);
    }

    private static IEnumerable<TestCaseData> Matrices() => Shapes().Where(c => ((nint[])c.Arguments[0]!).Length == 2);

    [TestCaseSource(nameof(Matrices))]
    public void SoftmaxAndItsGradient(nint[] shape)
    {
        int rows = (int)shape[0], columns = (int)shape[1];
        var random = new Random(rows + columns);
        double[] x = [.. ConvCase.RandomValues(random, rows * columns).Select(v => 8 * v)], dy = ConvCase.RandomValues(random, rows * columns);
        double[] expected = OperatorReference.Softmax(rows, columns, x);
        foreach (OperatorEngine engine in FullyConnectedTests.Engines())
        {
            CheckSoftmax<float>(shape, x, dy, expected, engine);
        }

        CheckSoftmax<double>(shape, x, dy, expected, OperatorEngine.Managed);
    }

    [Test]
    public void ReluOfSpecialValues()
    {
        float[] x = [float.NegativeInfinity, -0f, float.NaN, float.PositiveInfinity, -3, 2];
        foreach (OperatorEngine engine in FullyConnectedTests.Engines())
        {
            float[] y = new float[x.Length];
            Activations.Relu<float>(new ReadOnlyTensorSpan<float>(x), new TensorSpan<float>(y), engine);
            Assert.That(y.Select(v => BitConverter.SingleToInt32Bits(v)), Is.EqualTo(new[] { 0f, 0f, float.NaN, float.PositiveInfinity, 0f, 2f }.Select(v => BitConverter.SingleToInt32Bits(v))), $"{engine}");
        }
    }

    private static void CheckRelu<T>(nint[] shape, double[] x, double[] dy, double slope, OperatorEngine engine)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        string what = $"{typeof(T).Name} {engine} slope {slope}";
        double[] expected = [.. x.Select(v => v > 0 ? v : slope == 0 ? 0 : double.CreateTruncating(T.CreateTruncating(v) * T.CreateTruncating(slope)))];
        double[] expectedGrad = [.. x.Select((v, i) => v > 0 ? dy[i] : slope == 0 ? 0 : double.CreateTruncating(T.CreateTruncating(dy[i]) * T.CreateTruncating(slope)))];
        T s = T.CreateTruncating(slope);
        Tensor<T> input = ConvCase.ToTensor<T>(x, shape), gradOutput = ConvCase.ToTensor<T>(dy, shape);
        double[] Exactly(double[] values) => [.. values.Select(v => double.CreateTruncating(T.CreateTruncating(v)))];
        Assert.That(ConvCase.ToDoubles(Activations.LeakyRelu(input, s, engine)), Is.EqualTo(Exactly(expected)), $"{what} forward");
        Assert.That(ConvCase.ToDoubles(Activations.LeakyReluBackward(gradOutput, input, s, engine)), Is.EqualTo(Exactly(expectedGrad)), $"{what} backward");
        if (slope == 0)
        {
            Assert.That(ConvCase.ToDoubles(Activations.Relu(input, engine)), Is.EqualTo(Exactly(expected)), $"{what} relu");
            Assert.That(ConvCase.ToDoubles(Activations.ReluBackward(gradOutput, input, engine)), Is.EqualTo(Exactly(expectedGrad)), $"{what} relu backward");
        }

        // In place: the output is the input's memory, the input gradient gradOutput's.
        Activations.LeakyRelu<T>(input, input, s, engine);
        Assert.That(ConvCase.ToDoubles(input), Is.EqualTo(Exactly(expected)), $"{what} in place");
        input = ConvCase.ToTensor<T>(x, shape);
        Activations.LeakyReluBackward<T>(gradOutput, input, gradOutput, s, engine);
        Assert.That(ConvCase.ToDoubles(gradOutput), Is.EqualTo(Exactly(expectedGrad)), $"{what} backward in place");
    }

    private static void CheckSoftmax<T>(nint[] shape, double[] x, double[] dy, double[] expected, OperatorEngine engine)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        string what = $"{typeof(T).Name} {engine}";
        int columns = (int)shape[1];
        Tensor<T> input = ConvCase.ToTensor<T>(x, shape);
        double[] y = ConvCase.ToDoubles(Activations.Softmax(input, engine));
        double eps = Tolerance.Epsilon<T>();
        for (int i = 0; i < y.Length; i++)
        {
            // exp of an argument up to 16 in magnitude, rounded to T, then a sum of C terms.
            Assert.That(Math.Abs(y[i] - expected[i]), Is.LessThanOrEqualTo(((columns + 40) * eps * expected[i]) + (eps * 1e-6)), $"{what} softmax element {i}");
        }

        Activations.Softmax<T>(input, input, engine);
        Assert.That(ConvCase.ToDoubles(input), Is.EqualTo(y), $"{what} softmax in place");

        // Backward from the computed output: y * (dy - dot(dy, y)) in double on the same y.
        Tensor<T> output = ConvCase.ToTensor<T>(y, shape);
        double[] yt = ConvCase.ToDoubles(output);
        double[] dx = new double[y.Length], magnitude = new double[y.Length];
        for (int r = 0; r < shape[0]; r++)
        {
            double dot = 0, abs = 0;
            for (int c = 0; c < columns; c++)
            {
                dot += dy[(r * columns) + c] * yt[(r * columns) + c];
                abs += Math.Abs(dy[(r * columns) + c] * yt[(r * columns) + c]);
            }

            for (int c = 0; c < columns; c++)
            {
                int i = (r * columns) + c;
                dx[i] = yt[i] * (dy[i] - dot);
                magnitude[i] = yt[i] * (Math.Abs(dy[i]) + abs);
            }
        }

        Tolerance.AssertClose<T>(ConvCase.ToDoubles(Activations.SoftmaxBackward(output, ConvCase.ToTensor<T>(dy, shape))), dx, magnitude, columns, $"{what} softmax backward");
    }
}
