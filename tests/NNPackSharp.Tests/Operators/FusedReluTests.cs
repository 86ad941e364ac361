using System.Numerics;
using System.Numerics.Tensors;

namespace NNPackSharp.Tests.Operators;

/// <summary>
/// <see cref="Conv2DOptions.Activation"/>: the forward pass with fused ReLU equals ReLU of the reference on both
/// engines (the native one through NNPACK's activation argument, every pinned algorithm that computes the shape), in
/// <see cref="PreparedConvolution{T}"/> (stored kernel and ordinary calls). The refusals (backward, unknown values) are
/// rows of the README's invalid-call table (<c>Api/InvalidCalls.cs</c>).
/// </summary>
[RestoresParallelism]
public class FusedReluTests
{
    private static readonly ConvCase[] Shapes =
    [
        new(2, 5, 9, 8, 7, 3, 3, 1, 1, 1, 1),
        new(1, 3, 11, 13, 4, 5, 3, 2, 1, 2, 1),
        new(9, 4, 5, 5, 6, 3, 3, 1, 1, 1, 1),   // small maps: images share one product
        new(3, 8, 6, 7, 5, 1, 1, 0, 0, 1, 1),   // pointwise
    ];

    private static IEnumerable<TestCaseData> Cases()
    {
        foreach (ConvCase c in Shapes)
        {
            yield return new TestCaseData(c, Conv2DAlgorithm.Im2ColGemm, NNPackConvolutionAlgorithm.Auto).SetArgDisplayNames($"{c}", "Im2ColGemm");
            foreach (NNPackConvolutionAlgorithm algorithm in new[] { NNPackConvolutionAlgorithm.Auto, NNPackConvolutionAlgorithm.ImplicitGemm, NNPackConvolutionAlgorithm.Winograd, NNPackConvolutionAlgorithm.Fft8x8 })
            {
                yield return new TestCaseData(c, Conv2DAlgorithm.NNPackAuto, algorithm).SetArgDisplayNames($"{c}", $"NNPackAuto {algorithm}");
            }
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void ForwardAppliesRelu(object problem, Conv2DAlgorithm engine, NNPackConvolutionAlgorithm nativeAlgorithm)
    {
        var c = (ConvCase)problem;
        RequireNative(engine);
        var options = new Conv2DOptions(engine, nativeAlgorithm) { Activation = Conv2DActivation.Relu };
        var (x, w, b, expected, magnitude) = Problem(c);
        Tensor<float> output = ConvRunner<float>.Sentinel(c.OutputShape);
        try
        {
            Convolution.Conv2D<float>(ConvCase.ToTensor<float>(x, c.InputShape), ConvCase.ToTensor<float>(w, c.WeightShape), ConvCase.ToTensor<float>(b, c.Cout), output, c.Padding, c.Stride, options);
        }
        catch (NotSupportedException e) when (nativeAlgorithm != NNPackConvolutionAlgorithm.Auto)
        {
            Assert.That(ConvCase.ToDoubles(output), Is.All.NaN, "a refused pinned algorithm writes nothing");
            Assert.Pass($"{nativeAlgorithm} does not compute {c}: {e.Message}");
        }

        AssertRelu(ConvCase.ToDoubles(output), expected, magnitude, nativeAlgorithm is NNPackConvolutionAlgorithm.Winograd or NNPackConvolutionAlgorithm.Fft8x8 ? 1e-3 : 1e-5, $"{engine} {nativeAlgorithm}");
        if (engine == Conv2DAlgorithm.Im2ColGemm)
        {
            Tensor<double> doubles = ConvRunner<double>.Sentinel(c.OutputShape);
            Convolution.Conv2D<double>(ConvCase.ToTensor<double>(x, c.InputShape), ConvCase.ToTensor<double>(w, c.WeightShape), ConvCase.ToTensor<double>(b, c.Cout), doubles, c.Padding, c.Stride, options);
            AssertRelu(ConvCase.ToDoubles(doubles), expected, magnitude, 1e-12, "double");
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void PreparedConvolutionAppliesRelu(object problem, Conv2DAlgorithm engine, NNPackConvolutionAlgorithm nativeAlgorithm)
    {
        var c = (ConvCase)problem;
        RequireNative(engine);
        var options = new Conv2DOptions(engine, nativeAlgorithm) { Activation = Conv2DActivation.Relu };
        var (x, w, b, expected, magnitude) = Problem(c);
        PreparedConvolution<float> layer;
        try
        {
            layer = new PreparedConvolution<float>(ConvCase.ToTensor<float>(w, c.WeightShape), c.H, c.W, c.Padding, c.Stride, options);
        }
        catch (NotSupportedException e) when (nativeAlgorithm != NNPackConvolutionAlgorithm.Auto)
        {
            Assert.Pass($"{nativeAlgorithm} does not compute {c}: {e.Message}");
            return;
        }

        using (layer)
        {
            Tensor<float> output = ConvRunner<float>.Sentinel(c.OutputShape);
            layer.Forward(ConvCase.ToTensor<float>(x, c.InputShape), ConvCase.ToTensor<float>(b, c.Cout), output);
            AssertRelu(ConvCase.ToDoubles(output), expected, magnitude, 1e-3, $"prepared {engine} {nativeAlgorithm} (stored kernel: {layer.ReusesTransformedKernel})");
            if (c.N > 1)
            {
                // One image: the stored kernel's path where the layer keeps one.
                var one = c with { N = 1 };
                Tensor<float> single = ConvRunner<float>.Sentinel(one.OutputShape);
                layer.Forward(ConvCase.ToTensor<float>(x[..one.InputLength], one.InputShape), ConvCase.ToTensor<float>(b, c.Cout), single);
                AssertRelu(ConvCase.ToDoubles(single), expected[..one.OutputLength], magnitude[..one.OutputLength], 1e-3, $"prepared, one image, {engine} {nativeAlgorithm}");
            }
        }
    }

    private static void RequireNative(Conv2DAlgorithm engine)
    {
        if (engine == Conv2DAlgorithm.NNPackAuto)
        {
            Assert.That(NNPackNativeLibrary.IsAvailable, Is.True, "the native library must load here: " + NNPackNativeLibrary.Diagnostics);
        }
    }

    private static (double[] X, double[] W, double[] B, double[] Expected, double[] Magnitude) Problem(ConvCase c)
    {
        var random = new Random(c.InputLength + c.Cout);
        double[] x = ConvCase.RandomValues(random, c.InputLength), w = ConvCase.RandomValues(random, c.WeightLength), b = ConvCase.RandomValues(random, c.Cout);
        var (expected, magnitude) = ReferenceConvolution.Forward(c, x, w, b);
        Assert.That(expected.Count(v => v < 0), Is.GreaterThan(expected.Length / 5), "the case has negative outputs for ReLU to clear");
        return (x, w, b, expected, magnitude);
    }

    private static void AssertRelu(double[] actual, double[] expected, double[] magnitude, double relative, string what)
    {
        for (int i = 0; i < actual.Length; i++)
        {
            double relu = Math.Max(expected[i], 0);
            Assert.That(Math.Abs(actual[i] - relu), Is.LessThanOrEqualTo(relative * magnitude[i]), $"{what}: element {i} is {actual[i]:R}, relu of the reference {relu:R}");
            Assert.That(actual[i], Is.GreaterThanOrEqualTo(0), $"{what}: element {i} negative");
        }
    }
}
