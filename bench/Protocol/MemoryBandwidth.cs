using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NNPackSharp.Bench.Protocol;

/// <summary>Streaming read bandwidth from memory in GB/s: one thread alone, and every thread at once (their sum).</summary>
internal sealed record BandwidthFigure(double OneThread, int Threads, double AllThreads)
{
    /// <summary>All threads' bandwidth over one thread's: what the memory gives a second core.</summary>
    public double Scaling => OneThread > 0 ? AllThreads / OneThread : 0;

    public override string ToString() =>
        $"1 thread {OneThread:F1} GB/s, {Threads} threads {AllThreads:F1} GB/s ({Scaling:F2}x)";
}

/// <summary>
/// The memory control beside the FMA peak: each thread sums its own buffer, far larger than the last-level cache, a
/// few times over. The FMA chains scale with the cores on this VM while streaming from memory did not (measured here
/// 1.35-2.05x on two vCPUs between runs), so a convolution phase that streams from memory cannot scale further than
/// this figure, whatever its code does; the thread-scaling table is read beside it.
/// </summary>
internal static class MemoryBandwidth
{
    /// <summary>Bytes per thread: twice a 32 MiB L3, so the reads come from memory.</summary>
    private const long BufferBytes = 64L << 20;

    /// <summary>Passes over the buffer per run: about 10 ms of reading at 25 GB/s.</summary>
    private const int Passes = 4;

    /// <summary>Best of five runs with one thread, then best of five with <paramref name="threads"/> at once.</summary>
    public static unsafe BandwidthFigure Measure(int threads)
    {
        var buffers = new float*[threads];
        try
        {
            for (int t = 0; t < threads; t++)
            {
                buffers[t] = (float*)NativeMemory.AlignedAlloc((nuint)BufferBytes, 64);
                // Touched before timing, so no page fault lands in a run.
                new Span<float>(buffers[t], (int)(BufferBytes / sizeof(float))).Fill(1f);
            }

            Func<int, double> read = t => ReadPasses(buffers[t]);
            Func<long> wall = ThreadClock.Select(threadCpuTime: false);
            return new BandwidthFigure(ConcurrentRuns.Best(1, read, wall), threads, ConcurrentRuns.Best(threads, read, wall));
        }
        finally
        {
            foreach (float* buffer in buffers)
            {
                NativeMemory.AlignedFree(buffer);
            }
        }
    }

    /// <summary>Each thread's passes over its own buffer; returns the bytes read.</summary>
    private static unsafe double ReadPasses(float* buffer)
    {
        for (int pass = 0; pass < Passes; pass++)
        {
            Sum(buffer, BufferBytes / sizeof(float));
        }

        return (double)BufferBytes * Passes;
    }

    private static volatile float keep;

    /// <summary>Four independent vector sums, so the adds' latency never limits the loads.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Sum(float* data, long count)
    {
        int width = Vector<float>.Count;
        Vector<float> s0 = default, s1 = default, s2 = default, s3 = default;
        for (long i = 0; i + (4 * width) <= count; i += 4 * width)
        {
            s0 += Unsafe.Read<Vector<float>>(data + i);
            s1 += Unsafe.Read<Vector<float>>(data + i + width);
            s2 += Unsafe.Read<Vector<float>>(data + i + (2 * width));
            s3 += Unsafe.Read<Vector<float>>(data + i + (3 * width));
        }

        keep = Vector.Sum((s0 + s1) + (s2 + s3));
    }
}
