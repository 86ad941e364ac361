using System.Numerics.Tensors;

namespace NNPackSharp.Tests.Api;

/// <summary>
/// Backward against central differences of the forward pass in double (h = 1e-5): the loss is
/// <c>sum(conv2d(x, w, b) * r)</c>, with r all ones (the plain sum) or random.
/// </summary>
public class GradientCheckTests
{
    private static IEnumerable<TestCaseData> Cases()
    {
        foreach (bool randomWeights in new[] { false, true })
        {
            string r = randomWeights ? "random r" : "r = 1";
            yield return new TestCaseData(new ConvCase(2, 3, 4, 5, 2, 3, 3, 1, 1, 1, 1), randomWeights).SetArgDisplayNames("[2,3,4,5] 3x3 pad 1", r);
            yield return new TestCaseData(new ConvCase(2, 3, 4, 5, 2, 3, 3, 1, 1, 2, 2), randomWeights).SetArgDisplayNames("stride 2", r);
            yield return new TestCaseData(new ConvCase(2, 3, 5, 6, 3, 2, 3, 1, 0, 2, 1), randomWeights).SetArgDisplayNames("2x3 kernel, stride (2,1)", r);
            yield return new TestCaseData(new ConvCase(1, 2, 7, 4, 2, 4, 1, 0, 1, 1, 3), randomWeights).SetArgDisplayNames("4x1 kernel, stride (1,3)", r);
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void AnalyticGradientsMatchCentralDifferences(object problem, bool randomWeights)
    {
        var c = (ConvCase)problem;
        var random = new Random(3);
        double[] x = ConvCase.RandomValues(random, c.InputLength);
        double[] w = ConvCase.RandomValues(random, c.WeightLength);
        double[] b = ConvCase.RandomValues(random, c.Cout);
        double[] r = randomWeights ? ConvCase.RandomValues(random, c.OutputLength) : Enumerable.Repeat(1.0, c.OutputLength).ToArray();

        Conv2DGradients<double> analytic = Convolution.Conv2DBackward(
            Tensor.Create(x, c.InputShape), Tensor.Create(w, c.WeightShape), Tensor.Create(b, [c.Cout, 1, 1]), Tensor.Create(r, c.OutputShape),
            c.Padding, c.Stride);

        double Loss(double[] xs, double[] ws, double[] bs)
        {
            Tensor<double> y = Convolution.Conv2D(Tensor.Create(xs, c.InputShape), Tensor.Create(ws, c.WeightShape), Tensor.Create(bs, [c.Cout, 1, 1]), c.Padding, c.Stride);
            double[] values = ConvCase.ToDoubles(y);
            return values.Select((v, i) => v * r[i]).Sum();
        }

        CentralDifferences.AssertMatches(CentralDifferences.Gradient(x, v => Loss(v, w, b)), ConvCase.ToDoubles(analytic.GradInput), "gradInput");
        CentralDifferences.AssertMatches(CentralDifferences.Gradient(w, v => Loss(x, v, b)), ConvCase.ToDoubles(analytic.GradWeight), "gradWeight");
        CentralDifferences.AssertMatches(CentralDifferences.Gradient(b, v => Loss(x, w, v)), ConvCase.ToDoubles(analytic.GradBias!), "gradBias");
    }
}
