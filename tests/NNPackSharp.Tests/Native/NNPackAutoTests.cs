using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace NNPackSharp.Tests.Native;

/// <summary>
/// <see cref="Conv2DAlgorithm.NNPackAuto"/> against the double reference on hundreds of random shapes (strided,
/// padding at or past the kernel, batch 1, 1x1, kernel = padded input), forward and backward: every element within
/// 1e-5 (implicit GEMM, direct) or 1e-3 (Winograd) of the sum of the magnitudes of its terms. These tests need the
/// native library; CI builds it.
/// </summary>
[RestoresParallelism(NeedsNativeLibrary = true)]
public class NNPackAutoTests
{
    private const double MaxRelativeError = 1e-5;
    private static IEnumerable<TestCaseData> Cases() =>
        ConvCase.Random(seed: 3003, count: 300).Select((c, i) => new TestCaseData(c, i).SetArgDisplayNames($"#{i} {c}"));

    [TestCaseSource(nameof(Cases))]
    public void MatchesReference(object problem, int seed)
    {
        var c = (ConvCase)problem;
        Convolution.MaxDegreeOfParallelism = 1 + (seed % 2);
        var random = new Random(seed);
        double[] x = ConvCase.RandomValues(random, c.InputLength), w = ConvCase.RandomValues(random, c.WeightLength);
        double[] b = ConvCase.RandomValues(random, c.Cout), dy = ConvCase.RandomValues(random, c.OutputLength);

        var (expected, magnitude) = ReferenceConvolution.Forward(c, x, w, b);
        AssertWithin(ConvRunner<float>.Forward(c, x, w, b, algorithm: Conv2DAlgorithm.NNPackAuto), expected, magnitude, $"{c} forward");

        var reference = ReferenceConvolution.Backward(c, x, w, dy);
        var (dx, dw, db) = ConvRunner<float>.Backward(c, x, w, dy, withBias: true, algorithm: Conv2DAlgorithm.NNPackAuto);
        AssertWithin(dx, reference.Input, reference.InputMagnitude, $"{c} gradInput");
        AssertWithin(dw, reference.Weight, reference.WeightMagnitude, $"{c} gradWeight");
        AssertWithin(db!, reference.Bias, reference.BiasMagnitude, $"{c} gradBias");
    }

    [Test]
    public void AgreesWithManagedOnALargerLayer()
    {
        var c = new ConvCase(3, 32, 23, 21, 48, 3, 3, 1, 1, 2, 1);
        var random = new Random(9);
        double[] x = ConvCase.RandomValues(random, c.InputLength), w = ConvCase.RandomValues(random, c.WeightLength), b = ConvCase.RandomValues(random, c.Cout);
        var (expected, magnitude) = ReferenceConvolution.Forward(c, x, w, b);
        AssertWithin(ConvRunner<float>.Forward(c, x, w, b, algorithm: Conv2DAlgorithm.NNPackAuto), expected, magnitude, "NNPackAuto");
        AssertWithin(ConvRunner<float>.Forward(c, x, w, b, algorithm: Conv2DAlgorithm.Fastest), expected, magnitude, "Fastest");
    }

    [Test]
    public void FastestRunsTheNativeEngineOnlyWhereItWasMeasuredFaster()
    {
        // Depth 32 x 3 x 3 = 288: the managed GEMM sums it as 256 + 32, the native one as 2 x 144, so the two engines
        // round differently and Fastest's result tells which one ran. Native on x86-64 (measured faster there);
        // managed on ARM64, which has only run under qemu, where speed means nothing.
        var c = new ConvCase(1, 32, 12, 12, 16, 3, 3, 1, 1, 1, 1);
        var random = new Random(11);
        double[] x = ConvCase.RandomValues(random, c.InputLength), w = ConvCase.RandomValues(random, c.WeightLength);
        double[] native = ConvRunner<float>.Forward(c, x, w, null, algorithm: Conv2DAlgorithm.NNPackAuto);
        double[] managed = ConvRunner<float>.Forward(c, x, w, null, algorithm: Conv2DAlgorithm.Im2ColGemm);
        Assert.That(native, Is.Not.EqualTo(managed), "the engines must round differently for Fastest's choice to show");
        bool nativeExpected = RuntimeInformation.ProcessArchitecture == Architecture.X64;
        Assert.That(ConvRunner<float>.Forward(c, x, w, null, algorithm: Conv2DAlgorithm.Fastest), Is.EqualTo(nativeExpected ? native : managed),
            nativeExpected ? "Fastest should run NNPackAuto on x86-64" : "Fastest should run the managed engine here");
    }

    [TestCase(1, 16, 96, 95, 17, 1, 1)]
    [TestCase(2, 17, 70, 71, 16, 0, 1)]
    public void WinogradLayersMatchReferenceWithinItsTolerance(int batch, int cin, int height, int width, int cout, int padH, int padW)
    {
        // 3x3, stride 1, at least 16 channels each way and 256 or more 6x6 output tiles: the native auto algorithm
        // picks Winograd F(6x6,3x3), whose accuracy bound (upstream's) is 1e-3 rather than 1e-5.
        var c = new ConvCase(batch, cin, height, width, cout, 3, 3, padH, padW, 1, 1);
        var random = new Random(batch * 100 + cin);
        double[] x = ConvCase.RandomValues(random, c.InputLength), w = ConvCase.RandomValues(random, c.WeightLength);
        double[] b = ConvCase.RandomValues(random, c.Cout), dy = ConvCase.RandomValues(random, c.OutputLength);
        var (expected, magnitude) = ReferenceConvolution.Forward(c, x, w, b);
        AssertWithin(ConvRunner<float>.Forward(c, x, w, b, algorithm: Conv2DAlgorithm.NNPackAuto), expected, magnitude, $"{c} forward", 1e-3);
        var reference = ReferenceConvolution.Backward(c, x, w, dy);
        var (dx, dw, _) = ConvRunner<float>.Backward(c, x, w, dy, withBias: false, algorithm: Conv2DAlgorithm.NNPackAuto);
        AssertWithin(dx, reference.Input, reference.InputMagnitude, $"{c} gradInput", 1e-3);
        AssertWithin(dw, reference.Weight, reference.WeightMagnitude, $"{c} gradWeight (implicit GEMM)");
    }

    [Test]
    public void PaddingPastTheKernelRunsInPlaceWithoutAllocating()
    {
        // Padding (4,5) is past the 3x3 kernel on both axes, which upstream's API refuses; libnnpack's strided functions
        // take it as is, so the engine neither copies the input nor allocates: after warm-up a call allocates nothing at
        // all on the calling thread (one thread, so no pool bookkeeping either).
        Convolution.MaxDegreeOfParallelism = 1;
        var c = new ConvCase(2, 3, 9, 9, 4, 3, 3, 4, 5, 2, 1);
        var random = new Random(45);
        double[] x = ConvCase.RandomValues(random, c.InputLength), w = ConvCase.RandomValues(random, c.WeightLength);
        double[] b = ConvCase.RandomValues(random, c.Cout), dy = ConvCase.RandomValues(random, c.OutputLength);
        Tensor<float> input = ConvCase.ToTensor<float>(x, c.InputShape), weight = ConvCase.ToTensor<float>(w, c.WeightShape);
        Tensor<float> bias = ConvCase.ToTensor<float>(b, c.Cout, 1, 1), gradOutput = ConvCase.ToTensor<float>(dy, c.OutputShape);
        Tensor<float> output = Tensor.Create(new float[c.OutputLength], c.OutputShape);
        Tensor<float> gradInput = Tensor.Create(new float[c.InputLength], c.InputShape);
        Tensor<float> gradWeight = Tensor.Create(new float[c.WeightLength], c.WeightShape);
        Tensor<float> gradBias = Tensor.Create(new float[c.Cout], [c.Cout, 1, 1]);
        void Forward() => Convolution.Conv2D<float>(input, weight, bias, output, c.Padding, c.Stride, Conv2DAlgorithm.NNPackAuto);
        void Backward() => Convolution.Conv2DBackward<float>(input, weight, gradOutput, gradInput, gradWeight, gradBias, c.Padding, c.Stride, Conv2DAlgorithm.NNPackAuto);
        // A pinned algorithm asks the library whether it applies, pass by pass: that check allocates nothing either.
        var pinned = new Conv2DOptions(Conv2DAlgorithm.NNPackAuto, NNPackConvolutionAlgorithm.ImplicitGemm);
        void PinnedForward() => Convolution.Conv2D<float>(input, weight, bias, output, c.Padding, c.Stride, pinned);
        void PinnedBackward() => Convolution.Conv2DBackward<float>(input, weight, gradOutput, gradInput, gradWeight, gradBias, c.Padding, c.Stride, pinned);
        for (int i = 0; i < 3; i++)
        {
            Forward();
            Backward();
            PinnedForward();
            PinnedBackward();
        }

        Assert.Multiple(() =>
        {
            Assert.That(BytesAllocatedBy(Forward), Is.Zero, "bytes allocated by a warm forward call");
            Assert.That(BytesAllocatedBy(Backward), Is.Zero, "bytes allocated by a warm backward call");
            Assert.That(BytesAllocatedBy(PinnedForward), Is.Zero, "bytes allocated by a warm forward call with a pinned algorithm");
            Assert.That(BytesAllocatedBy(PinnedBackward), Is.Zero, "bytes allocated by a warm backward call with a pinned algorithm");
        });

        var (expected, magnitude) = ReferenceConvolution.Forward(c, x, w, b);
        AssertWithin(ConvCase.ToDoubles(output), expected, magnitude, $"{c} forward");
        var reference = ReferenceConvolution.Backward(c, x, w, dy);
        AssertWithin(ConvCase.ToDoubles(gradInput), reference.Input, reference.InputMagnitude, $"{c} gradInput");
        AssertWithin(ConvCase.ToDoubles(gradWeight), reference.Weight, reference.WeightMagnitude, $"{c} gradWeight");
        AssertWithin(ConvCase.ToDoubles(gradBias), reference.Bias, reference.BiasMagnitude, $"{c} gradBias");
    }

    [Test]
    public void EmptyBatch()
    {
        var x = Tensor.Create(Array.Empty<float>(), [0, 2, 4, 4]);
        var w = Tensor.Create(Enumerable.Repeat(1f, 18).ToArray(), [1, 2, 3, 3]);
        Tensor<float> y = Convolution.Conv2D(x, w, algorithm: Conv2DAlgorithm.NNPackAuto);
        Conv2DGradients<float> g = Convolution.Conv2DBackward(x, w, Tensor.Create(new float[1], [1]), y, algorithm: Conv2DAlgorithm.NNPackAuto);
        Assert.That(ConvCase.ToDoubles(g.GradWeight), Is.All.EqualTo(0.0));
        Assert.That(ConvCase.ToDoubles(g.GradBias!), Is.All.EqualTo(0.0));
    }

    /// <summary>
    /// The least of three calls' allocations on this thread: a call during which the runtime tiers a method up (a CI run
    /// once saw 264 bytes in one warm call of the pinned path, never reproduced) does not count as the call's own.
    /// </summary>
    private static long BytesAllocatedBy(Action call)
    {
        long least = long.MaxValue;
        for (int i = 0; i < 3; i++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            call();
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return least;
    }

    private static void AssertWithin(double[] actual, double[] expected, double[] magnitude, string what, double tolerance = MaxRelativeError)
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
