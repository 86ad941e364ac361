using System.Numerics.Tensors;

namespace NNPackSharp.Tests.Native;

/// <summary>
/// <see cref="PreparedConvolution{T}"/>: on the native engine the kernel is transformed once and reused (Winograd and
/// implicit GEMM), on the managed engine the ordinary call runs; either way every call matches the double reference, the
/// weights are the ones given at creation, a wrong input size or a disposed layer is refused with nothing written, and a
/// warm call allocates nothing.
/// </summary>
[RestoresParallelism(NeedsNativeLibrary = true)]
public class PreparedConvolutionTests
{
    private static IEnumerable<TestCaseData> Cases()
    {
        var shapes = new[]
        {
            (new ConvCase(2, 20, 30, 30, 24, 3, 3, 1, 1, 1, 1), true),  // Winograd under auto
            (new ConvCase(3, 6, 13, 11, 5, 5, 3, 2, 1, 2, 1), true),    // strided, non-square kernel
            (new ConvCase(2, 9, 6, 7, 5, 1, 1, 0, 0, 1, 1), true),      // pointwise
            (new ConvCase(1, 3, 6, 6, 4, 3, 3, 3, 4, 1, 1), false),     // padding past the kernel: no inference, ordinary calls
        };
        foreach (var (c, stores) in shapes)
        {
            yield return new TestCaseData(c, new Conv2DOptions(Conv2DAlgorithm.NNPackAuto), stores).SetArgDisplayNames($"{c}", "NNPackAuto");
            yield return new TestCaseData(c, new Conv2DOptions(Conv2DAlgorithm.NNPackAuto, NNPackConvolutionAlgorithm.ImplicitGemm), stores).SetArgDisplayNames($"{c}", "ImplicitGemm");
            yield return new TestCaseData(c, default(Conv2DOptions), false).SetArgDisplayNames($"{c}", "Im2ColGemm");
        }

        yield return new TestCaseData(shapes[0].Item1, new Conv2DOptions(Conv2DAlgorithm.NNPackAuto, NNPackConvolutionAlgorithm.Winograd, 2), true)
            .SetArgDisplayNames($"{shapes[0].Item1}", "Winograd, 2 threads");
    }

    [TestCaseSource(nameof(Cases))]
    public void MatchesReferenceWithTheWeightsGivenAtCreation(object problem, Conv2DOptions options, bool stores)
    {
        var c = (ConvCase)problem;
        var random = new Random(c.Cin * 31 + c.KH);
        double[] x = ConvCase.RandomValues(random, c.InputLength), w = ConvCase.RandomValues(random, c.WeightLength), b = ConvCase.RandomValues(random, c.Cout);
        Tensor<float> weight = ConvCase.ToTensor<float>(w, c.WeightShape);
        using var layer = new PreparedConvolution<float>(weight, c.H, c.W, c.Padding, c.Stride, options);
        weight.Fill(float.NaN); // the layer keeps its own copy
        Assert.That(layer.ReusesTransformedKernel, Is.EqualTo(stores), "whether the layer keeps a transformed kernel");

        Tensor<float> output = ConvRunner<float>.Sentinel(c.OutputShape);
        for (int call = 0; call < 2; call++)
        {
            layer.Forward(ConvCase.ToTensor<float>(x, c.InputShape), ConvCase.ToTensor<float>(b, c.Cout), output);
        }

        var (expected, magnitude) = ReferenceConvolution.Forward(c, x, w, b);
        double tolerance = c.KH == 3 && c.KW == 3 && c.StrideH == 1 && options.NativeAlgorithm != NNPackConvolutionAlgorithm.ImplicitGemm && options.Algorithm != Conv2DAlgorithm.Im2ColGemm ? 1e-3 : 1e-5;
        double[] actual = ConvCase.ToDoubles(output);
        for (int i = 0; i < actual.Length; i++)
        {
            double error = Math.Abs(actual[i] - expected[i]) / Math.Max(magnitude[i], float.Epsilon);
            Assert.That(error, Is.LessThanOrEqualTo(tolerance), $"element {i}: {actual[i]:R}, reference {expected[i]:R}");
        }
    }

    [Test]
    public void RefusesAnotherInputSizeAndADisposedLayerWritingNothing()
    {
        var c = new ConvCase(1, 4, 10, 10, 6, 3, 3, 1, 1, 1, 1);
        var layer = new PreparedConvolution<float>(ConvRunner<float>.Sentinel(c.WeightShape), c.H, c.W, c.Padding, c.Stride, new Conv2DOptions(Conv2DAlgorithm.NNPackAuto));
        Tensor<float> output = ConvRunner<float>.Sentinel(1, 6, 12, 12);
        Assert.That(() => layer.Forward(ConvRunner<float>.Sentinel(1, 4, 12, 12), default, output),
            Throws.ArgumentException.With.Property("ParamName").EqualTo("input").And.Message.Contain("10x10"));
        layer.Dispose();
        Tensor<float> right = ConvRunner<float>.Sentinel(c.OutputShape);
        Assert.That(() => layer.Forward(ConvRunner<float>.Sentinel(c.InputShape), default, right), Throws.InstanceOf<ObjectDisposedException>());
        Assert.That(ConvCase.ToDoubles(output).Concat(ConvCase.ToDoubles(right)), Is.All.NaN, "a refused call wrote its output");
        Assert.That(() => new PreparedConvolution<float>(ConvRunner<float>.Sentinel(6, 4, 5, 5), c.H, c.W, c.Padding, c.Stride,
            new Conv2DOptions(Conv2DAlgorithm.NNPackAuto, NNPackConvolutionAlgorithm.Winograd)), Throws.InstanceOf<NotSupportedException>());
    }

    [Test]
    public void AWarmCallAllocatesNothing()
    {
        Convolution.MaxDegreeOfParallelism = 1;
        var c = new ConvCase(2, 16, 20, 20, 16, 3, 3, 1, 1, 1, 1);
        using var layer = new PreparedConvolution<float>(ConvRunner<float>.Sentinel(c.WeightShape), c.H, c.W, c.Padding, c.Stride, new Conv2DOptions(Conv2DAlgorithm.NNPackAuto));
        Tensor<float> input = ConvRunner<float>.Sentinel(c.InputShape), output = ConvRunner<float>.Sentinel(c.OutputShape);
        void Call() => layer.Forward(input, default, output);
        Call();
        Call();
        long before = GC.GetAllocatedBytesForCurrentThread();
        Call();
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero, "bytes allocated by a warm call");
    }
}
