using System.Numerics.Tensors;
using NNPackSharp.Interop;

namespace NNPackSharp.Tests.EdgeCases;

/// <summary>
/// Issue 11, defect 5: the native engine's thread pool is bounded by the cores, reused, and its threads stop at
/// <see cref="Convolution.ReleaseWorkspaces"/>. Before, each distinct <see cref="Convolution.MaxDegreeOfParallelism"/>
/// kept a pool of that many threads forever: 1,000 calls at 2..40 left 787 threads, and int.MaxValue started threads
/// until the OS refused.
/// </summary>
[RestoresParallelism(NeedsNativeLibrary = true)]
public class ThreadPoolTests
{
    // Threads the runtime may start on its own meanwhile (tiered compilation, timers).
    private const int RuntimeSlack = 2;
    [Test]
    public void ThousandCallsAtVaryingParallelismLeaveNoThreadsAfterReleaseWorkspaces()
    {
        // Real calls (1.2 M multiply-adds forward); every call rents the pool whatever its size, which is what leaked.
        var x = Tensor.Create(Enumerable.Range(0, 2 * 16 * 16 * 16).Select(i => (float)(i % 5)).ToArray(), [2, 16, 16, 16]);
        var w = Tensor.Create(Enumerable.Range(0, 16 * 16 * 9).Select(i => (float)(i % 3)).ToArray(), [16, 16, 3, 3]);
        Tensor<float> y = Convolution.Conv2D(x, w, padding: new Size2D(1), algorithm: Conv2DAlgorithm.NNPackAuto);
        Convolution.ReleaseWorkspaces();
        int before = ProcessThreads(), peak = before;
        for (int call = 0; call < 1000; call++)
        {
            Convolution.MaxDegreeOfParallelism = call % 50 == 49 ? int.MaxValue : 1 + (call % 40);
            if (call % 4 == 0)
            {
                Convolution.Conv2DBackward(x, w, null, y, new Size2D(1), algorithm: Conv2DAlgorithm.NNPackAuto);
            }
            else
            {
                Convolution.Conv2D<float>(x, w, default, y, new Size2D(1), algorithm: Conv2DAlgorithm.NNPackAuto);
            }

            peak = Math.Max(peak, ProcessThreads());
        }

        Assert.That(ThreadPools.CurrentThreads, Is.LessThanOrEqualTo(Environment.ProcessorCount), "threads of the pool calls get now");
        Convolution.ReleaseWorkspaces();
        int after = ProcessThreads();
        TestContext.Out.WriteLine($"process threads: {before} before, {peak} at the most during 1,000 calls at MaxDegreeOfParallelism 1..40 and int.MaxValue, {after} after ReleaseWorkspaces ({Environment.ProcessorCount} cores)");
        Assert.Multiple(() =>
        {
            Assert.That(peak, Is.LessThanOrEqualTo(before + Environment.ProcessorCount - 1 + RuntimeSlack), "threads at the most during the calls: one pool, its workers at most the cores less the caller");
            Assert.That(after, Is.LessThanOrEqualTo(before + RuntimeSlack), "threads after ReleaseWorkspaces");
            Assert.That(ThreadPools.CurrentThreads, Is.Zero, "a pool left after ReleaseWorkspaces");
        });
    }

    [Test]
    public void CallsAskingTheSameCountReuseOnePool()
    {
        Convolution.ReleaseWorkspaces();
        ThreadPools.SharedPool? first = ThreadPools.Rent(2);
        ThreadPools.SharedPool? second = ThreadPools.Rent(2);
        ThreadPools.Return(first);
        ThreadPools.Return(second);
        Assert.That(second, Is.SameAs(first));
        Convolution.ReleaseWorkspaces();
        Assert.That(first!.Handle, Is.EqualTo((nint)0), "released and idle, so destroyed");
    }

    [Test]
    public void APoolReleasedDuringACallStopsWhenTheCallReturns()
    {
        ThreadPools.SharedPool? inUse = ThreadPools.Rent(2);
        Convolution.ReleaseWorkspaces();
        Assert.That(inUse!.Handle, Is.Not.EqualTo((nint)0), "still running a call");
        ThreadPools.SharedPool? next = ThreadPools.Rent(2);
        Assert.That(next, Is.Not.SameAs(inUse), "a released pool is not handed out again");
        ThreadPools.Return(next);
        ThreadPools.Return(inUse);
        Assert.That(inUse.Handle, Is.EqualTo((nint)0), "its last call returned");
    }

    /// <summary>The threads of this process, as the kernel lists them.</summary>
    private static int ProcessThreads() => Directory.GetDirectories("/proc/self/task").Length;
}
