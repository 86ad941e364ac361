using System.Numerics.Tensors;

namespace NNPackSharp.Tests.Native;

/// <summary>
/// <see cref="Conv2DOptions.NativeAlgorithm"/>: each native algorithm pinned per call computes what the double
/// reference does where it applies (1e-5 of the terms for the GEMM algorithms, 1e-3 for Winograd, the weight gradient
/// included, 1e-5 of the largest term magnitude for FFT), and where it does not (Winograd on a 5x5 kernel, direct on a
/// padded layer, FFT on a strided layer or a kernel past its tile) the call throws
/// <see cref="NotSupportedException"/> saying why, with every destination untouched; options that contradict each
/// other are <see cref="ArgumentException"/>s naming <c>options</c>.
/// </summary>
[RestoresParallelism(NeedsNativeLibrary = true)]
public class PinnedAlgorithmTests
{
    private static readonly ConvCase Winogradable = new(2, 5, 13, 11, 7, 3, 3, 1, 1, 1, 1);
    /// <summary>Channels past 16 and off the vector widths (auto's Winograd weight gradient), padding 2 and 0.</summary>
    private static readonly ConvCase WinogradableWide = new(3, 17, 9, 15, 19, 3, 3, 2, 0, 1, 1);
    private static readonly ConvCase Pointwise = new(2, 9, 6, 7, 5, 1, 1, 0, 0, 1, 1);
    private static readonly ConvCase Strided5x5 = new(1, 4, 12, 10, 6, 5, 5, 2, 1, 2, 1);
    private static readonly ConvCase Kernel11x9 = new(2, 5, 19, 17, 6, 11, 9, 5, 3, 1, 1); // FFT 16x16's alone of the fast ones
    private static readonly ConvCase Kernel7x5 = new(1, 17, 15, 13, 18, 7, 5, 3, 2, 1, 1); // both FFT sizes; batch 1, odd map
    private static IEnumerable<TestCaseData> Cases()
    {
        foreach (ConvCase c in new[] { Winogradable, WinogradableWide, Pointwise, Strided5x5, Kernel11x9, Kernel7x5 })
        {
            foreach (NNPackConvolutionAlgorithm algorithm in Enum.GetValues<NNPackConvolutionAlgorithm>())
            {
                yield return new TestCaseData(c, algorithm).SetArgDisplayNames($"{c}", $"{algorithm}");
            }
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void ComputesWhereItAppliesAndRefusesUntouchedWhereItDoesNot(object problem, NNPackConvolutionAlgorithm algorithm)
    {
        var c = (ConvCase)problem;
        var random = new Random(c.GetHashCode() & 0xffff);
        double[] x = ConvCase.RandomValues(random, c.InputLength), w = ConvCase.RandomValues(random, c.WeightLength);
        double[] b = ConvCase.RandomValues(random, c.Cout), dy = ConvCase.RandomValues(random, c.OutputLength);
        Tensor<float> input = ConvCase.ToTensor<float>(x, c.InputShape), weight = ConvCase.ToTensor<float>(w, c.WeightShape);
        Tensor<float> bias = ConvCase.ToTensor<float>(b, c.Cout), gradOutput = ConvCase.ToTensor<float>(dy, c.OutputShape);
        Tensor<float> output = ConvRunner<float>.Sentinel(c.OutputShape), gradInput = ConvRunner<float>.Sentinel(c.InputShape);
        Tensor<float> gradWeight = ConvRunner<float>.Sentinel(c.WeightShape), gradBias = ConvRunner<float>.Sentinel(c.Cout);
        var options = new Conv2DOptions(Conv2DAlgorithm.NNPackAuto, algorithm);

        bool winograd = c.KH == 3 && c.KW == 3 && c.StrideH == 1 && c.StrideW == 1 && c.PadH <= 2 && c.PadW <= 2;
        bool forwardApplies = algorithm switch
        {
            NNPackConvolutionAlgorithm.Auto or NNPackConvolutionAlgorithm.ImplicitGemm => true,
            NNPackConvolutionAlgorithm.Direct => c.KH == 1 && c.KW == 1 && c.StrideH == 1 && c.StrideW == 1 && c.PadH == 0 && c.PadW == 0,
            NNPackConvolutionAlgorithm.Winograd or NNPackConvolutionAlgorithm.Winograd4x4 => winograd,
            NNPackConvolutionAlgorithm.Fft8x8 => c.KH <= 8 && c.KW <= 8 && c.StrideH == 1 && c.StrideW == 1,
            NNPackConvolutionAlgorithm.Fft16x16 => c.KH <= 16 && c.KW <= 16 && c.StrideH == 1 && c.StrideW == 1,
            _ => false,
        };
        bool isWinograd = algorithm is NNPackConvolutionAlgorithm.Winograd or NNPackConvolutionAlgorithm.Winograd4x4;
        bool isFft = algorithm is NNPackConvolutionAlgorithm.Fft8x8 or NNPackConvolutionAlgorithm.Fft16x16;
        double tolerance = isWinograd || (algorithm == NNPackConvolutionAlgorithm.Auto && winograd) ? 1e-3 : 1e-5;
        // The FFT's rounding spreads over a tile, so its bound is relative to the largest term magnitude of the result.
        Action<double[], double[], double[], string, double> within = isFft ? AssertWithinLargest : AssertWithin;

        void Forward() => Convolution.Conv2D<float>(input, weight, bias, output, c.Padding, c.Stride, options);
        void Backward() => Convolution.Conv2DBackward<float>(input, weight, gradOutput, gradInput, gradWeight, gradBias, c.Padding, c.Stride, options);
        if (!forwardApplies)
        {
            var refusal = Assert.Throws<NotSupportedException>(Forward)!;
            Assert.That(refusal.Message, Does.Contain($"NNPackConvolutionAlgorithm.{algorithm}").And.Contain("forward pass"));
            Assert.That(ConvCase.ToDoubles(output), Is.All.NaN, "a refused forward call wrote its output");
        }
        else
        {
            Forward();
            var (expected, magnitude) = ReferenceConvolution.Forward(c, x, w, b);
            within(ConvCase.ToDoubles(output), expected, magnitude, $"{c} {algorithm} forward", tolerance);
        }

        if (!forwardApplies)
        {
            // Every pass is refused alike: the whole call fails before the bias or any gradient is written.
            var refusal = Assert.Throws<NotSupportedException>(Backward)!;
            Assert.That(refusal.Message, Does.Contain($"NNPackConvolutionAlgorithm.{algorithm}"));
            Assert.That(ConvCase.ToDoubles(gradInput).Concat(ConvCase.ToDoubles(gradWeight)).Concat(ConvCase.ToDoubles(gradBias)), Is.All.NaN,
                "a refused backward call wrote a gradient");
        }
        else
        {
            Backward();
            var reference = ReferenceConvolution.Backward(c, x, w, dy);
            within(ConvCase.ToDoubles(gradInput), reference.Input, reference.InputMagnitude, $"{c} {algorithm} gradInput", tolerance);
            within(ConvCase.ToDoubles(gradWeight), reference.Weight, reference.WeightMagnitude, $"{c} {algorithm} gradWeight", tolerance);
        }
    }

    [Test]
    public void WinogradComputesTheInputGradientAloneWhenTheWeightGradientIsSkipped()
    {
        var c = Winogradable;
        var random = new Random(5);
        double[] x = ConvCase.RandomValues(random, c.InputLength), w = ConvCase.RandomValues(random, c.WeightLength), dy = ConvCase.RandomValues(random, c.OutputLength);
        Tensor<float> gradInput = ConvRunner<float>.Sentinel(c.InputShape);
        Convolution.Conv2DBackward<float>(ConvCase.ToTensor<float>(x, c.InputShape), ConvCase.ToTensor<float>(w, c.WeightShape), ConvCase.ToTensor<float>(dy, c.OutputShape),
            gradInput, default, default, c.Padding, c.Stride, new Conv2DOptions(Conv2DAlgorithm.NNPackAuto, NNPackConvolutionAlgorithm.Winograd));
        var reference = ReferenceConvolution.Backward(c, x, w, dy);
        AssertWithin(ConvCase.ToDoubles(gradInput), reference.Input, reference.InputMagnitude, "Winograd gradInput", 1e-3);
    }

    [Test]
    public void PerCallThreadsGiveTheSameBits()
    {
        var c = new ConvCase(3, 16, 30, 30, 24, 3, 3, 1, 1, 1, 1);
        var random = new Random(17);
        double[] x = ConvCase.RandomValues(random, c.InputLength), w = ConvCase.RandomValues(random, c.WeightLength);
        Tensor<float> input = ConvCase.ToTensor<float>(x, c.InputShape), weight = ConvCase.ToTensor<float>(w, c.WeightShape);
        double[] Run(Conv2DAlgorithm engine, int threads)
        {
            Tensor<float> output = ConvRunner<float>.Sentinel(c.OutputShape);
            Convolution.Conv2D<float>(input, weight, default, output, c.Padding, c.Stride, new Conv2DOptions(engine, MaxDegreeOfParallelism: threads));
            return ConvCase.ToDoubles(output);
        }

        foreach (Conv2DAlgorithm engine in new[] { Conv2DAlgorithm.Im2ColGemm, Conv2DAlgorithm.NNPackAuto })
        {
            Assert.That(Run(engine, 2), Is.EqualTo(Run(engine, 1)), $"{engine}: 2 threads differ from 1");
        }
    }

    [Test]
    public void ContradictoryOrUnknownOptionsNameTheOptions()
    {
        var c = Winogradable;
        Tensor<float> input = ConvRunner<float>.Sentinel(c.InputShape), weight = ConvRunner<float>.Sentinel(c.WeightShape), output = ConvRunner<float>.Sentinel(c.OutputShape);
        void Call(Conv2DOptions options) => Convolution.Conv2D<float>(input, weight, default, output, c.Padding, c.Stride, options);
        Assert.Multiple(() =>
        {
            Assert.That(() => Call(new Conv2DOptions(Conv2DAlgorithm.Im2ColGemm, NNPackConvolutionAlgorithm.Winograd)),
                Throws.ArgumentException.With.Property("ParamName").EqualTo("options").And.Message.Contain("runs Im2ColGemm"));
            Assert.That(() => Call(new Conv2DOptions(Conv2DAlgorithm.NNPackAuto, (NNPackConvolutionAlgorithm)42)),
                Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("options"));
            Assert.That(() => Call(new Conv2DOptions(Conv2DAlgorithm.NNPackAuto, MaxDegreeOfParallelism: -1)),
                Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("options"));
            Assert.That(() => Convolution.Conv2D<double>(Tensor.Create(new double[c.InputLength], c.InputShape), Tensor.Create(new double[c.WeightLength], c.WeightShape),
                default, Tensor.Create(new double[c.OutputLength], c.OutputShape), c.Padding, c.Stride, new Conv2DOptions(Conv2DAlgorithm.NNPackAuto, NNPackConvolutionAlgorithm.ImplicitGemm)),
                Throws.InstanceOf<NotSupportedException>());
        });
        Assert.That(ConvCase.ToDoubles(output), Is.All.NaN, "a refused call wrote its output");
    }

    private static void AssertWithinLargest(double[] actual, double[] expected, double[] magnitude, string what, double tolerance)
    {
        double largest = Math.Max(magnitude.Max(), float.Epsilon);
        for (int i = 0; i < actual.Length; i++)
        {
            double error = Math.Abs(actual[i] - expected[i]) / largest;
            if (!(error <= tolerance))
            {
                Assert.Fail($"{what}: element {i} is {actual[i]:R}, reference {expected[i]:R}: error {error:E2} of the largest term magnitude > {tolerance:E0}");
            }
        }
    }

    private static void AssertWithin(double[] actual, double[] expected, double[] magnitude, string what, double tolerance)
    {
        for (int i = 0; i < actual.Length; i++)
        {
            double error = Math.Abs(actual[i] - expected[i]) / Math.Max(magnitude[i], float.Epsilon);
            if (!(error <= tolerance))
            {
                Assert.Fail($"{what}: element {i} is {actual[i]:R}, reference {expected[i]:R}: relative error {error:E2} > {tolerance:E0}");
            }
        }
    }
}
