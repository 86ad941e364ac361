using System.Numerics.Tensors;

namespace NNPackSharp.Tests.Operators;

/// <summary>
/// The operators' backward passes against central differences of their forward passes in double: the loss is
/// <c>sum(f(...) * r)</c> with r random. Random inputs keep every ReLU input and every window's runner-up far from a
/// kink or tie at the differences' step.
/// </summary>
public class OperatorGradientCheckTests
{
    [TestCase(1, 7, 5)]
    [TestCase(4, 13, 3)]
    [TestCase(6, 2, 9)]
    public void FullyConnected(int batch, int cin, int cout)
    {
        var random = new Random(batch + cin + cout);
        double[] x = ConvCase.RandomValues(random, batch * cin), w = ConvCase.RandomValues(random, cout * cin), b = ConvCase.RandomValues(random, cout);
        double[] r = ConvCase.RandomValues(random, batch * cout);
        double Loss(double[] xs, double[] ws, double[] bs) =>
            Weighted(global::NNPackSharp.FullyConnected.Forward(Tensor.Create(xs, [batch, cin]), Tensor.Create(ws, [cout, cin]), Tensor.Create(bs, [cout])), r);

        var analytic = global::NNPackSharp.FullyConnected.Backward(Tensor.Create(x, [batch, cin]), Tensor.Create(w, [cout, cin]), Tensor.Create(b, [cout]), Tensor.Create(r, [batch, cout]));
        CentralDifferences.AssertMatches(CentralDifferences.Gradient(x, v => Loss(v, w, b)), ConvCase.ToDoubles(analytic.GradInput), "gradInput");
        CentralDifferences.AssertMatches(CentralDifferences.Gradient(w, v => Loss(x, v, b)), ConvCase.ToDoubles(analytic.GradWeight), "gradWeight");
        CentralDifferences.AssertMatches(CentralDifferences.Gradient(b, v => Loss(x, w, v)), ConvCase.ToDoubles(analytic.GradBias!), "gradBias");
    }

    private static IEnumerable<TestCaseData> PoolCases()
    {
        PoolCase[] cases =
        [
            new(2, 2, 6, 6, 2, 2, 0, 0, 2, 2),  // the usual non-overlapping windows
            new(1, 3, 7, 5, 3, 3, 1, 1, 1, 1),  // overlapping windows, padding
            new(2, 1, 5, 8, 3, 2, 2, 1, 2, 3),  // padding past the window's middle, stride unlike the window
            new(1, 2, 4, 4, 6, 6, 1, 1, 1, 1),  // the window is the padded input
        ];
        return cases.Select(c => new TestCaseData(c).SetArgDisplayNames(c.ToString()));
    }

    [TestCaseSource(nameof(PoolCases))]
    public void MaxPooling(PoolCase c)
    {
        var random = new Random(c.InputLength);
        double[] x = ConvCase.RandomValues(random, c.InputLength), r = ConvCase.RandomValues(random, c.OutputLength);
        double Loss(double[] xs) => Weighted(Pooling.MaxPool2D(Tensor.Create(xs, c.InputShape), c.Kernel, c.Padding, c.Stride), r);
        Tensor<double> analytic = Pooling.MaxPool2DBackward(Tensor.Create(x, c.InputShape), Tensor.Create(r, c.OutputShape), c.Kernel, c.Padding, c.Stride);
        CentralDifferences.AssertMatches(CentralDifferences.Gradient(x, Loss), ConvCase.ToDoubles(analytic), $"{c} gradInput");
    }

    [TestCase(0.0)]
    [TestCase(0.2)]
    [TestCase(1.5)]
    public void LeakyRelu(double slope)
    {
        var random = new Random(11);
        nint[] shape = [3, 4, 5];
        double[] x = ConvCase.RandomValues(random, 60), r = ConvCase.RandomValues(random, 60);
        double Loss(double[] xs) => Weighted(Activations.LeakyRelu(Tensor.Create(xs, shape), slope), r);
        Tensor<double> analytic = Activations.LeakyReluBackward(Tensor.Create(r, shape), Tensor.Create(x, shape), slope);
        CentralDifferences.AssertMatches(CentralDifferences.Gradient(x, Loss), ConvCase.ToDoubles(analytic), $"slope {slope}");
        if (slope == 0)
        {
            CentralDifferences.AssertMatches(CentralDifferences.Gradient(x, Loss), ConvCase.ToDoubles(Activations.ReluBackward(Tensor.Create(r, shape), Tensor.Create(x, shape))), "ReluBackward");
        }
    }

    [TestCase(1, 1)]
    [TestCase(3, 7)]
    [TestCase(2, 33)]
    public void Softmax(int rows, int columns)
    {
        var random = new Random(rows * columns);
        double[] x = [.. ConvCase.RandomValues(random, rows * columns).Select(v => 4 * v)], r = ConvCase.RandomValues(random, rows * columns);
        double Loss(double[] xs) => Weighted(Activations.Softmax(Tensor.Create(xs, [rows, columns])), r);
        Tensor<double> output = Activations.Softmax(Tensor.Create(x, [rows, columns]));
        Tensor<double> analytic = Activations.SoftmaxBackward(output, Tensor.Create(r, [rows, columns]));
        double[] numeric = CentralDifferences.Gradient(x, Loss);
        if (columns == 1)
        {
            // A single class: softmax is constantly 1, so the gradient is exactly 0.
            Assert.That(ConvCase.ToDoubles(analytic), Is.All.EqualTo(0));
            Assert.That(numeric, Is.All.EqualTo(0));
            return;
        }

        CentralDifferences.AssertMatches(numeric, ConvCase.ToDoubles(analytic), $"[{rows},{columns}]");
    }

    private static double Weighted(Tensor<double> y, double[] r) => ConvCase.ToDoubles(y).Select((v, i) => v * r[i]).Sum();
}
