using System.Numerics.Tensors;

namespace NNPackSharp.Tests.Operators;

/// <summary>The operators' span overloads allocate nothing once warm (one thread: the forks' pool queues are the .NET thread pool's own).</summary>
[RestoresParallelism]
public class OperatorAllocationTests
{
    private static IEnumerable<TestCaseData> Engines() => FullyConnectedTests.Engines().Select(e => new TestCaseData(e).SetArgDisplayNames(e.ToString()));

    [TestCaseSource(nameof(Engines))]
    public void WarmSpanCallsAllocateNothing(OperatorEngine engine)
    {
        Convolution.MaxDegreeOfParallelism = 1;
        Tensor<float> x = Random(16, 40), w = Random(24, 40), b = Random(24), y = Random(16, 24), dy = Random(16, 24), dx = Random(16, 40), dw = Random(24, 40), db = Random(24);
        Tensor<float> image = Random(2, 3, 8, 8), pooled = Random(2, 3, 4, 4), gradImage = Random(2, 3, 8, 8);
        Tensor<Half> halfWeight = Tensor.Create(Enumerable.Range(0, 24 * 40).Select(i => (Half)(i % 7)).ToArray(), [24, 40]);
        float[] vector = new float[40], bias = new float[24], result = new float[24];
        OperatorEngine backward = engine == OperatorEngine.Native ? OperatorEngine.Fastest : engine;

        AssertNoAllocation("FullyConnected.Forward", () => FullyConnected.Forward<float>(x, w, b, y, engine));
        AssertNoAllocation("FullyConnected.Backward", () => FullyConnected.Backward<float>(x, w, dy, dx, dw, db, backward));
        AssertNoAllocation("FullyConnected.Inference", () => FullyConnected.Inference<float>(vector, w, bias, result, engine));
        AssertNoAllocation("FullyConnected.Inference (FP16)", () => FullyConnected.Inference(vector, halfWeight, bias, result, engine));
        AssertNoAllocation("Pooling.MaxPool2D", () => Pooling.MaxPool2D<float>(image, pooled, new Size2D(2), default, new Size2D(2), engine));
        AssertNoAllocation("Pooling.MaxPool2DBackward", () => Pooling.MaxPool2DBackward<float>(image, pooled, gradImage, new Size2D(2), default, new Size2D(2)));
        AssertNoAllocation("Activations.Relu", () => Activations.Relu<float>(x, dx, engine));
        AssertNoAllocation("Activations.LeakyReluBackward", () => Activations.LeakyReluBackward<float>(dx, x, dx, 0.5f, engine));
        AssertNoAllocation("Activations.Softmax", () => Activations.Softmax<float>(y, dy, engine));
        AssertNoAllocation("Activations.SoftmaxBackward", () => Activations.SoftmaxBackward<float>(y, dy, dy));
    }

    private static void AssertNoAllocation(string what, Action call)
    {
        call();
        call();
        long before = GC.GetAllocatedBytesForCurrentThread();
        call();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(allocated, Is.Zero, $"{what}: bytes allocated by a warm call");
    }

    private static Tensor<float> Random(params nint[] shape)
    {
        var random = new Random(shape.Length);
        return Tensor.Create(ConvCase.RandomValues(random, (int)shape.Aggregate((nint)1, (a, c) => a * c)).Select(v => (float)v).ToArray(), shape);
    }
}
