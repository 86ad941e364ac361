using NNPackSharp.Engines.Managed;
using NNPackSharp.Gemm;

namespace NNPackSharp.Tests.EdgeCases;

/// <summary>
/// Issue 11, defects 4 and 10: any <see cref="Convolution.MaxDegreeOfParallelism"/> from 1 to int.MaxValue computes
/// the right answer on both engines, and the managed engine's results, weight and bias gradients included, are
/// bit-identical on any number of threads for any batch.
/// </summary>
[RestoresParallelism(NeedsNativeLibrary = true)]
public class ParallelismTests
{
    // Issue 11's reproduction: the parallel GEMM split divided by zero at int.MaxValue, after zeroing gradWeight.
    private const int Depth = 1 << 16;

    private static readonly ConvCase Layer = new(1, 16, 32, 32, 32, 3, 3, 1, 1, 1, 1);
    private static readonly Lazy<Expected> LayerReference = new(() => new Expected(Layer, seed: 4));
    [Test]
    public void AnyParallelismComputesTheRightAnswer(
        [Values(1, 3, int.MaxValue)] int threads,
        [Values(Conv2DAlgorithm.Im2ColGemm, Conv2DAlgorithm.NNPackAuto)] Conv2DAlgorithm algorithm)
    {
        Convolution.MaxDegreeOfParallelism = threads;
        Expected e = LayerReference.Value;
        Tolerance.AssertClose<float>(ConvRunner<float>.Forward(Layer, e.X, e.W, e.B, algorithm: algorithm), e.Output, e.OutputMagnitude, Layer.Depth + 1, $"{algorithm} forward");
        var (dx, dw, db) = ConvRunner<float>.Backward(Layer, e.X, e.W, e.Dy, withBias: true, algorithm: algorithm);
        int terms = Layer.N * Layer.OutH * Layer.OutW;
        Tolerance.AssertClose<float>(dx, e.Gradients.Input, e.Gradients.InputMagnitude, Layer.Cout * Layer.KH * Layer.KW, $"{algorithm} gradInput");
        Tolerance.AssertClose<float>(dw, e.Gradients.Weight, e.Gradients.WeightMagnitude, terms, $"{algorithm} gradWeight");
        Tolerance.AssertClose<float>(db!, e.Gradients.Bias, e.Gradients.BiasMagnitude, terms, $"{algorithm} gradBias");
    }

    [Test]
    public void ParallelGemmSplitsIntoNoMoreSlabsThanWork([Values(2, 1000, int.MaxValue)] int threads)
    {
        // A 7x5 product deep enough to be split (2^21 multiply-adds or more), split as if int.MaxValue threads
        // were free: one slab per ukernel tile at most, and the same result as one thread.
        GemmForWidth<float> gemm = Gemms<float>.Best;
        float[] a = Enumerable.Range(0, 7 * Depth).Select(i => (float)(i % 13)).ToArray();
        float[] b = Enumerable.Range(0, Depth * 5).Select(i => (float)(i % 7)).ToArray();
        float[] serial = Multiply(gemm, a, b, 1), parallel = Multiply(gemm, a, b, threads);
        Assert.That(parallel, Is.EqualTo(serial));
    }

    private static IEnumerable<TestCaseData> DeterminismCases() =>
        from batch in new[] { 1, 2, 3, 4, 5, 7 }
        from c in new[]
        {
            new ConvCase(batch, 32, 24, 24, 32, 3, 3, 1, 1, 1, 1),   // GEMMs large enough to be split across threads
            new ConvCase(batch, 3, 40, 40, 64, 7, 7, 3, 3, 2, 2),    // stem-like: the weight gradient's narrow C split by columns
            new ConvCase(batch, 2, 36, 36, 96, 3, 3, 1, 1, 1, 1),    // few inputs, many outputs: the weight gradient split by rows
            new ConvCase(batch, 3, 9, 11, 5, 2, 5, 0, 2, 3, 2),      // small: whole images per thread
            new ConvCase(batch, 8, 64, 64, 16, 3, 3, 1, 1, 1, 1),   // batch 1: col2im folds its channels on every thread; batch 4 up: the bias gradient splits its channels
        }
        select new TestCaseData(c).SetArgDisplayNames(c.ToString());

    [TestCaseSource(nameof(DeterminismCases))]
    public void ManagedResultsAreBitIdenticalOnAnyThreadCount(object problem)
    {
        var c = (ConvCase)problem;
        var random = new Random(c.N);
        double[] x = ConvCase.RandomValues(random, c.InputLength), w = ConvCase.RandomValues(random, c.WeightLength);
        double[] b = ConvCase.RandomValues(random, c.Cout), dy = ConvCase.RandomValues(random, c.OutputLength);
        (double[] Output, double[] Input, double[] Weight, double[] Bias) RunOn(int threads)
        {
            Convolution.MaxDegreeOfParallelism = threads;
            double[] y = ConvRunner<float>.Forward(c, x, w, b, ManagedEngine<float>.Default);
            var (dx, dw, db) = ConvRunner<float>.Backward(c, x, w, dy, withBias: true, ManagedEngine<float>.Default);
            return (y, dx, dw, db!);
        }

        var one = RunOn(1);
        foreach (int threads in new[] { 2, 3, 4 })
        {
            var many = RunOn(threads);
            Bits.AssertIdentical(many.Output, one.Output, $"output, {threads} threads");
            Bits.AssertIdentical(many.Input, one.Input, $"gradInput, {threads} threads");
            Bits.AssertIdentical(many.Weight, one.Weight, $"gradWeight, {threads} threads");
            Bits.AssertIdentical(many.Bias, one.Bias, $"gradBias, {threads} threads");
        }
    }

    [TestCase(1)]
    [TestCase(2)]
    public void SmallMapsSharingOneProductMatchImageByImage(int threads)
    {
        // Small maps share one forward product, and one input-gradient product, between images
        // (ManagedEngine.ImagesPerProduct); each element must still be computed exactly as the image's own product
        // computes it.
        var c = new ConvCase(6, 24, 7, 7, 40, 3, 3, 1, 1, 1, 1);
        var single = new ConvCase(1, 24, 7, 7, 40, 3, 3, 1, 1, 1, 1);
        var random = new Random(17);
        double[] x = ConvCase.RandomValues(random, c.InputLength), w = ConvCase.RandomValues(random, c.WeightLength), b = ConvCase.RandomValues(random, c.Cout);
        double[] dy = ConvCase.RandomValues(random, c.OutputLength);
        Convolution.MaxDegreeOfParallelism = threads;
        double[] batched = ConvRunner<float>.Forward(c, x, w, b, ManagedEngine<float>.Default);
        double[] batchedGradient = ConvRunner<float>.Backward(c, x, w, dy, withBias: false, ManagedEngine<float>.Default).Input;
        for (int image = 0; image < c.N; image++)
        {
            Range input = (image * single.InputLength)..((image + 1) * single.InputLength), output = (image * single.OutputLength)..((image + 1) * single.OutputLength);
            double[] alone = ConvRunner<float>.Forward(single, x[input], w, b, ManagedEngine<float>.Default);
            Bits.AssertIdentical(batched[output], alone, $"output of image {image}, {threads} threads");
            double[] aloneGradient = ConvRunner<float>.Backward(single, x[input], w, dy[output], withBias: false, ManagedEngine<float>.Default).Input;
            Bits.AssertIdentical(batchedGradient[input], aloneGradient, $"input gradient of image {image}, {threads} threads");
        }
    }

    private static unsafe float[] Multiply(GemmForWidth<float> gemm, float[] a, float[] b, int threads)
    {
        const int m = 7, n = 5, k = Depth;
        var c = new float[m * n];
        fixed (float* pa = a, pb = b, pc = c)
        {
            ParallelGemm.Multiply(gemm, m, n, k, MatrixRef<float>.RowMajor(pa, k), MatrixRef<float>.RowMajor(pb, n), pc, n, accumulate: false, threads, new GemmWorkspace<float>());
        }

        return c;
    }

    /// <summary>A problem's random data and its double reference, computed once.</summary>
    private sealed class Expected
    {
        public Expected(ConvCase c, int seed)
        {
            var random = new Random(seed);
            X = ConvCase.RandomValues(random, c.InputLength);
            W = ConvCase.RandomValues(random, c.WeightLength);
            B = ConvCase.RandomValues(random, c.Cout);
            Dy = ConvCase.RandomValues(random, c.OutputLength);
            (Output, OutputMagnitude) = ReferenceConvolution.Forward(c, X, W, B);
            Gradients = ReferenceConvolution.Backward(c, X, W, Dy);
        }

        public double[] X { get; }

        public double[] W { get; }

        public double[] B { get; }

        public double[] Dy { get; }

        public double[] Output { get; }

        public double[] OutputMagnitude { get; }

        public ReferenceConvolution.Gradients Gradients { get; }
    }
}
