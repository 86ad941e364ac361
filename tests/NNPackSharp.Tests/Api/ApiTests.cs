using System.Numerics.Tensors;

namespace NNPackSharp.Tests.Api;

/// <summary>The public surface: overloads, optional bias forms, empty batches, threading and the algorithm switch.</summary>
public class ApiTests
{
    private int savedParallelism;

    [SetUp]
    public void SaveParallelism() => savedParallelism = Convolution.MaxDegreeOfParallelism;

    [TearDown]
    public void RestoreParallelism() => Convolution.MaxDegreeOfParallelism = savedParallelism;

    [Test]
    public void DefaultParallelismIsAllCores() =>
        Assert.That(savedParallelism, Is.EqualTo(Environment.ProcessorCount));

    [Test]
    public void OutputShapeFollowsTheFloorFormula() =>
        Assert.That(
            Convolution.Conv2DOutputShape([8, 3, 224, 224], [64, 3, 7, 7], new Size2D(3, 3), new Size2D(2, 2)),
            Is.EqualTo(new nint[] { 8, 64, 112, 112 }));

    [Test]
    public void BiasMayBeRankOneAndGradBiasKeepsItsShape()
    {
        var c = new ConvCase(2, 2, 5, 4, 3, 3, 2, 1, 1, 1, 1);
        var random = new Random(11);
        double[] x = ConvCase.RandomValues(random, c.InputLength), w = ConvCase.RandomValues(random, c.WeightLength), b = ConvCase.RandomValues(random, 3);
        Tensor<double> y3 = Convolution.Conv2D(Tensor.Create(x, c.InputShape), Tensor.Create(w, c.WeightShape), Tensor.Create(b, [3, 1, 1]), c.Padding);
        Tensor<double> y1 = Convolution.Conv2D(Tensor.Create(x, c.InputShape), Tensor.Create(w, c.WeightShape), Tensor.Create(b, [3]), c.Padding);
        Assert.That(ConvCase.ToDoubles(y1), Is.EqualTo(ConvCase.ToDoubles(y3)));

        Conv2DGradients<double> g = Convolution.Conv2DBackward(Tensor.Create(x, c.InputShape), Tensor.Create(w, c.WeightShape), Tensor.Create(b, [3]), y1, c.Padding);
        Assert.That(g.GradBias!.Lengths.ToArray(), Is.EqualTo(new nint[] { 3 }));
    }

    [Test]
    public void NoBiasMeansNoBiasGradient()
    {
        var x = Tensor.Create(new float[2 * 4 * 4], [1, 2, 4, 4]);
        var w = Tensor.Create(new float[3 * 2 * 9], [3, 2, 3, 3]);
        Tensor<float> y = Convolution.Conv2D(x, w);
        Conv2DGradients<float> g = Convolution.Conv2DBackward(x, w, null, y);
        Assert.Multiple(() =>
        {
            Assert.That(g.GradBias, Is.Null);
            Assert.That(g.GradInput.Lengths.ToArray(), Is.EqualTo(new nint[] { 1, 2, 4, 4 }));
            Assert.That(g.GradWeight.Lengths.ToArray(), Is.EqualTo(new nint[] { 3, 2, 3, 3 }));
        });
    }

    [Test]
    public void EmptyBatchGivesEmptyOutputAndZeroWeightGradient()
    {
        var x = Tensor.Create(Array.Empty<float>(), [0, 2, 4, 4]);
        var w = Tensor.Create(Enumerable.Repeat(1f, 18).ToArray(), [1, 2, 3, 3]);
        var b = Tensor.Create(new float[] { 5 }, [1, 1, 1]);
        Tensor<float> y = Convolution.Conv2D(x, w, b);
        Assert.That(y.Lengths.ToArray(), Is.EqualTo(new nint[] { 0, 1, 2, 2 }));
        Conv2DGradients<float> g = Convolution.Conv2DBackward(x, w, b, y);
        Assert.That(ConvCase.ToDoubles(g.GradWeight), Is.All.EqualTo(0.0));
        Assert.That(ConvCase.ToDoubles(g.GradBias!), Is.All.EqualTo(0.0));
    }

    [TestCase(1, 1)]
    [TestCase(1, 2)]
    [TestCase(3, 2)]
    [TestCase(5, 4)]
    public void ThreadCountsGiveCorrectResults(int batch, int threads)
    {
        // Large enough that batch 1 splits its GEMMs across threads; batches above one run images in parallel.
        Convolution.MaxDegreeOfParallelism = threads;
        ConvRunner<float>.CheckAgainstReference(new ConvCase(batch, 24, 20, 18, 40, 3, 3, 1, 1, 1, 1), seed: batch);
    }

    [TestCase(1)]
    [TestCase(2)]
    public void EitherGradientMayBeSkipped(int threads)
    {
        Convolution.MaxDegreeOfParallelism = threads;
        var c = new ConvCase(3, 3, 7, 6, 4, 3, 2, 1, 1, 2, 1);
        var random = new Random(21);
        double[] x = ConvCase.RandomValues(random, c.InputLength), w = ConvCase.RandomValues(random, c.WeightLength), dy = ConvCase.RandomValues(random, c.OutputLength);
        Tensor<double> xs = Tensor.Create(x, c.InputShape), ws = Tensor.Create(w, c.WeightShape), dys = Tensor.Create(dy, c.OutputShape);
        Conv2DGradients<double> full = Convolution.Conv2DBackward(xs, ws, null, dys, c.Padding, c.Stride);

        Tensor<double> weightOnly = Tensor.Create(new double[c.WeightLength], c.WeightShape);
        Convolution.Conv2DBackward<double>(xs, ws, dys, default, weightOnly, default, c.Padding, c.Stride);
        Tensor<double> inputOnly = Tensor.Create(new double[c.InputLength], c.InputShape);
        Convolution.Conv2DBackward<double>(xs, ws, dys, inputOnly, default, default, c.Padding, c.Stride);

        Assert.That(ConvCase.ToDoubles(weightOnly), Is.EqualTo(ConvCase.ToDoubles(full.GradWeight)));
        Assert.That(ConvCase.ToDoubles(inputOnly), Is.EqualTo(ConvCase.ToDoubles(full.GradInput)));
    }

    [TestCase(Conv2DAlgorithm.Im2ColGemm)]
    [TestCase(Conv2DAlgorithm.NNPackAuto)]
    public void MultithreadedBackwardIsDeterministic(Conv2DAlgorithm algorithm)
    {
        // Partial sums are merged in a fixed order, so scheduling cannot change the last bits.
        Convolution.MaxDegreeOfParallelism = 2;
        var c = new ConvCase(7, 6, 11, 9, 10, 3, 2, 1, 1, 1, 2);
        var random = new Random(77);
        double[] x = ConvCase.RandomValues(random, c.InputLength), w = ConvCase.RandomValues(random, c.WeightLength), dy = ConvCase.RandomValues(random, c.OutputLength);
        var first = ConvRunner<float>.Backward(c, x, w, dy, withBias: true, algorithm: algorithm);
        for (int run = 0; run < 5; run++)
        {
            var again = ConvRunner<float>.Backward(c, x, w, dy, withBias: true, algorithm: algorithm);
            Assert.That(again.Weight, Is.EqualTo(first.Weight));
            Assert.That(again.Input, Is.EqualTo(first.Input));
            Assert.That(again.Bias, Is.EqualTo(first.Bias));
        }
    }

    [Test]
    public void NNPackAutoIsFloatOnly()
    {
        var x = Tensor.Create(new double[16], [1, 1, 4, 4]);
        var w = Tensor.Create(new double[9], [1, 1, 3, 3]);
        var error = Assert.Throws<NotSupportedException>(() => Convolution.Conv2D(x, w, algorithm: Conv2DAlgorithm.NNPackAuto));
        Assert.That(error!.Message, Does.Contain("float32").And.Contain("Double"));
        Assert.Throws<NotSupportedException>(() => Convolution.Conv2DBackward(x, w, null, Tensor.Create(new double[4], [1, 1, 2, 2]), algorithm: Conv2DAlgorithm.NNPackAuto));
    }

    [Test]
    public void FastestFallsBackToManagedForDouble()
    {
        var c = new ConvCase(1, 2, 5, 5, 3, 3, 3, 1, 1, 1, 1);
        var random = new Random(4);
        double[] x = ConvCase.RandomValues(random, c.InputLength), w = ConvCase.RandomValues(random, c.WeightLength);
        Tensor<double> fastest = Convolution.Conv2D(Tensor.Create(x, c.InputShape), Tensor.Create(w, c.WeightShape), padding: c.Padding, algorithm: Conv2DAlgorithm.Fastest);
        Tensor<double> managed = Convolution.Conv2D(Tensor.Create(x, c.InputShape), Tensor.Create(w, c.WeightShape), padding: c.Padding);
        Assert.That(ConvCase.ToDoubles(fastest), Is.EqualTo(ConvCase.ToDoubles(managed)));
    }

    [Test]
    public void NNPackAutoStillValidatesArgumentsFirst() =>
        Assert.Throws<ArgumentException>(() => Convolution.Conv2D(
            Tensor.Create(new float[16], [1, 1, 4, 4]), Tensor.Create(new float[18], [1, 2, 3, 3]), algorithm: Conv2DAlgorithm.NNPackAuto));

    [Test]
    public void WarmCallsAllocateLittle()
    {
        // The allocation-free overload reuses pooled workspaces: after warm-up a call allocates only
        // bookkeeping (Parallel.For closures), never buffers the size of the problem.
        var c = new ConvCase(2, 16, 24, 24, 32, 3, 3, 1, 1, 1, 1);
        var x = Tensor.Create(new float[c.InputLength], c.InputShape);
        var w = Tensor.Create(new float[c.WeightLength], c.WeightShape);
        var y = Tensor.Create(new float[c.OutputLength], c.OutputShape);
        for (int i = 0; i < 3; i++)
        {
            Convolution.Conv2D<float>(x, w, default, y, c.Padding);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        Convolution.Conv2D<float>(x, w, default, y, c.Padding);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(allocated, Is.LessThan(16 * 1024), "bytes allocated by a warm call on the calling thread");
    }

    [TestCase(4, 16, 2, TestName = "Images in parallel")]
    [TestCase(1, 48, 3, TestName = "One image: GEMM slabs and im2col rows in parallel")]
    public void WarmMultiThreadedManagedCallsAllocateNothingOfOurs(int batch, int size, int threads)
    {
        // The forks (images, GEMM slabs, im2col rows, the weight gradient's per-image forks) reuse pooled jobs and
        // workspaces: after warm-up our code allocates nothing on any thread (Parallel.For allocated about 1 KB per
        // fork: 7.7-11.5 KB per call here). The .NET thread pool that runs the helpers still allocates now and then
        // for its own queues (0, 184, 320 or 640 bytes in a call, measured), which no caller can prevent: the bound
        // allows that, far below one fork's closure and loop state.
        const long RuntimeQueues = 1024;
        var c = new ConvCase(batch, 8, size, size, 24, 3, 3, 1, 1, 1, 1);
        var x = Tensor.Create(ConvCase.RandomValues(new Random(5), c.InputLength).Select(v => (float)v).ToArray(), c.InputShape);
        var w = Tensor.Create(ConvCase.RandomValues(new Random(6), c.WeightLength).Select(v => (float)v).ToArray(), c.WeightShape);
        var b = Tensor.Create(new float[c.WeightShape[0]], [c.WeightShape[0]]);
        var y = Tensor.Create(new float[c.OutputLength], c.OutputShape);
        var dx = Tensor.Create(new float[c.InputLength], c.InputShape);
        var dw = Tensor.Create(new float[c.WeightLength], c.WeightShape);
        var db = Tensor.Create(new float[c.WeightShape[0]], [c.WeightShape[0]]);
        var options = new Conv2DOptions(Conv2DAlgorithm.Im2ColGemm, MaxDegreeOfParallelism: threads);
        void Both()
        {
            Convolution.Conv2D<float>(x, w, b, y, c.Padding, c.Stride, options);
            Convolution.Conv2DBackward<float>(x, w, y, dx, dw, db, c.Padding, c.Stride, options);
        }

        // From empty pools (other tests leave workspaces of other sizes there, which a call may pick and grow), then a
        // warm-up long enough for the thread pool to settle: in a fresh process it is still starting its threads
        // during the first dozen calls.
        Convolution.ReleaseWorkspaces();
        for (int i = 0; i < 40; i++)
        {
            Both();
        }

        long least = long.MaxValue;
        for (int i = 0; i < 5; i++)
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            Both();
            least = Math.Min(least, GC.GetTotalAllocatedBytes(precise: true) - before);
        }

        Assert.That(least, Is.LessThanOrEqualTo(RuntimeQueues), $"bytes allocated by warm {threads}-thread forward and backward on any thread");
    }

    [Test]
    public void WarmSingleThreadedManagedCallsAllocateNothing()
    {
        // On one thread nothing forks, so nothing at all may be allocated: no closure, no buffer, no message.
        var c = new ConvCase(2, 3, 9, 9, 4, 3, 3, 4, 5, 2, 1);
        var x = Tensor.Create(ConvCase.RandomValues(new Random(3), c.InputLength).Select(v => (float)v).ToArray(), c.InputShape);
        var w = Tensor.Create(ConvCase.RandomValues(new Random(4), c.WeightLength).Select(v => (float)v).ToArray(), c.WeightShape);
        var b = Tensor.Create(new float[c.WeightShape[0]], [c.WeightShape[0]]);
        var y = Tensor.Create(new float[c.OutputLength], c.OutputShape);
        var dx = Tensor.Create(new float[c.InputLength], c.InputShape);
        var dw = Tensor.Create(new float[c.WeightLength], c.WeightShape);
        var db = Tensor.Create(new float[c.WeightShape[0]], [c.WeightShape[0]]);
        int saved = Convolution.MaxDegreeOfParallelism;
        try
        {
            Convolution.MaxDegreeOfParallelism = 1;
            void Both()
            {
                Convolution.Conv2D<float>(x, w, b, y, c.Padding, c.Stride);
                Convolution.Conv2DBackward<float>(x, w, y, dx, dw, db, c.Padding, c.Stride);
            }

            for (int i = 0; i < 3; i++)
            {
                Both();
            }

            long before = GC.GetAllocatedBytesForCurrentThread();
            Both();
            Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero, "bytes allocated by warm single-threaded forward and backward");
        }
        finally
        {
            Convolution.MaxDegreeOfParallelism = saved;
        }
    }

    [Test]
    public void ReleasedWorkspacesAreRebuilt()
    {
        var c = new ConvCase(1, 2, 6, 6, 2, 3, 3, 0, 0, 1, 1);
        Convolution.ReleaseWorkspaces();
        ConvRunner<float>.CheckAgainstReference(c, seed: 1);
    }
}
