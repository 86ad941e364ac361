using System.Diagnostics;
using System.Numerics.Tensors;
using NNPackSharp.Memory;

namespace NNPackSharp.Tests.EdgeCases;

/// <summary>
/// Issue 11, defect 3: memory and time scale with the output and the valid input, not with the padding. Before,
/// padding and stride 1500 on a 3x3 input cost NNPackAuto 311 MiB (a padded copy) and the managed engine 36 MiB, and
/// Fastest picked NNPackAuto. Each padded problem here is compared with an unpadded one of the same output size.
/// </summary>
[RestoresParallelism(NeedsNativeLibrary = true)]
public class PaddingCostTests
{
    // One thread: one workspace of each kind, and every allocation on the calling thread, where it is counted.
    [SetUp]
    public void OneThread() => Convolution.MaxDegreeOfParallelism = 1;

    private static IEnumerable<TestCaseData> Pairs() =>
        from padded in new[]
        {
            new ConvCase(1, 8, 3, 3, 2, 2, 2, 1500, 1500, 1500, 1500),
            new ConvCase(1, 8, 3, 3, 2, 2, 2, int.MaxValue - 1, int.MaxValue - 1, int.MaxValue, int.MaxValue),
        }
        from algorithm in new[] { Conv2DAlgorithm.Im2ColGemm, Conv2DAlgorithm.NNPackAuto, Conv2DAlgorithm.Fastest }
        select new TestCaseData(padded, algorithm).SetArgDisplayNames($"{padded} {algorithm}");

    [TestCaseSource(nameof(Pairs))]
    public void MemoryIsThatOfAnUnpaddedProblemWithTheSameOutput(object problem, Conv2DAlgorithm algorithm)
    {
        var padded = (ConvCase)problem;
        var unpadded = padded with { H = padded.OutH + 1, W = padded.OutW + 1, PadH = 0, PadW = 0, StrideH = 1, StrideW = 1 };
        Assert.That(unpadded.OutputShape, Is.EqualTo(padded.OutputShape), "the test needs the same output");
        var (paddedManaged, paddedNative) = ColdCallMemory(padded, algorithm);
        var (unpaddedManaged, unpaddedNative) = ColdCallMemory(unpadded, algorithm);
        TestContext.Out.WriteLine($"{algorithm}: managed bytes {paddedManaged} (unpadded {unpaddedManaged}), native workspace {paddedNative} (unpadded {unpaddedNative})");
        Assert.Multiple(() =>
        {
            // 2 KiB of slack: the padded (strided) layer's input gradient folds a small column buffer back by col2im,
            // while its unpadded stride-1 twin runs as a transposed forward, which allocates none (1048 bytes apart
            // without AVX-512 since the transposed forward stopped allocating a rotated copy of the weight).
            Assert.That(paddedManaged, Is.LessThanOrEqualTo(unpaddedManaged + 2048), "managed bytes a cold forward and backward allocate");
            Assert.That(paddedNative, Is.LessThanOrEqualTo(unpaddedNative + 4096), "the native workspace's bytes");
        });
    }

    [Test]
    public void TimeDoesNotGrowWithPadding([Values(Conv2DAlgorithm.Im2ColGemm, Conv2DAlgorithm.NNPackAuto, Conv2DAlgorithm.Fastest)] Conv2DAlgorithm algorithm)
    {
        // Work proportional to the padding would be 2^31 steps per row here: seconds at the least, minutes likely.
        var c = new ConvCase(1, 8, 3, 3, 2, 2, 2, int.MaxValue - 1, int.MaxValue - 1, int.MaxValue, int.MaxValue);
        double[] x = ConvCase.RandomValues(new Random(1), c.InputLength), w = ConvCase.RandomValues(new Random(2), c.WeightLength);
        double[] dy = ConvCase.RandomValues(new Random(3), c.OutputLength);
        ConvRunner<float>.Forward(c, x, w, null, algorithm: algorithm);
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < 10; i++)
        {
            ConvRunner<float>.Forward(c, x, w, null, algorithm: algorithm);
            ConvRunner<float>.Backward(c, x, w, dy, withBias: false, algorithm: algorithm);
        }

        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(1)), "10 forward and backward calls");
    }

    /// <summary>
    /// Bytes the first forward and backward after <see cref="Convolution.ReleaseWorkspaces"/> allocate on the managed
    /// heap beyond their tensors (workspaces included), and the native workspace they leave in the pool.
    /// </summary>
    private static (long ManagedBytes, ulong NativeBytes) ColdCallMemory(ConvCase c, Conv2DAlgorithm algorithm)
    {
        var x = Tensor.Create(new float[c.InputLength], c.InputShape);
        var w = Tensor.Create(new float[c.WeightLength], c.WeightShape);
        var y = Tensor.Create(new float[c.OutputLength], c.OutputShape);
        var dx = Tensor.Create(new float[c.InputLength], c.InputShape);
        var dw = Tensor.Create(new float[c.WeightLength], c.WeightShape);
        Convolution.Conv2D<float>(x, w, default, y, c.Padding, c.Stride, algorithm);   // warm the code, not the memory
        Convolution.ReleaseWorkspaces();
        long before = GC.GetAllocatedBytesForCurrentThread();
        Convolution.Conv2D<float>(x, w, default, y, c.Padding, c.Stride, algorithm);
        Convolution.Conv2DBackward<float>(x, w, y, dx, dw, default, c.Padding, c.Stride, algorithm);
        long managed = GC.GetAllocatedBytesForCurrentThread() - before;
        NativeBuffer workspace = Pool<NativeBuffer>.Rent();
        ulong native = workspace.Capacity;
        Pool<NativeBuffer>.Return(workspace);
        return (managed, native);
    }
}
