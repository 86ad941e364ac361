using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using NNPackSharp.Bench.Protocol;
using NNPackSharp.Gemm;

namespace NNPackSharp.Bench;

/// <summary>
/// `gemm [size | m n k]`: the managed GEMM of every variant (register width x tile) this CPU runs, float and double,
/// as a markdown table against the FMA peak measured first in the same run: the ukernel alone on L1-resident panels,
/// then the whole GEMM (packing included) on one thread and on all cores. One-thread figures use the thread's CPU
/// time (robust to other processes on a shared machine), all-core figures the wall clock; best of 10 after warm-up.
/// </summary>
internal static unsafe class GemmThroughput
{
    private const int KernelDepth = 256;
    private const int KernelCalls = 20_000;

    public static void Run(int m, int n, int k)
    {
        int cores = Environment.ProcessorCount;
        IReadOnlyList<PeakFigure> peaks = FmaPeak.Measure(1, threadCpuTime: true);
        double zmm = peaks.FirstOrDefault(p => p.Width == "zmm")?.PerCore ?? 0;
        double ymm = peaks.FirstOrDefault(p => p.Width == "ymm")?.PerCore ?? 0;
        Console.WriteLine($"FMA peak (float, one core, thread CPU time): zmm {zmm:F1}, ymm {ymm:F1} GFLOP/s; xmm counted as ymm/2, scalar as one lane of ymm, double as half of float.");
        Console.WriteLine($"GEMM m={m} n={n} k={k}; ukernel alone: kc={KernelDepth}, panels in L1");
        Console.WriteLine("| type | variant | width's peak | ukernel GFLOP/s | % | 1 thread GFLOP/s | % | " + cores + " threads GFLOP/s | % of " + cores + "x |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|");
        Table<float>(m, n, k, cores, zmm, ymm);
        Table<double>(m, n, k, cores, zmm / 2, ymm / 2);
    }

    private static void Table<T>(int m, int n, int k, int cores, double zmm, double ymm)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T* a = Random<T>(m * k, 1), b = Random<T>(k * n, 2), c = Random<T>(m * n, 3);
        var workspace = new GemmWorkspace<T>();
        foreach (GemmForWidth<T> gemm in Gemms<T>.Supported)
        {
            double peak = gemm.Width switch
            {
                VectorWidth.Vector512 => zmm,
                VectorWidth.Vector256 => ymm,
                VectorWidth.Vector128 => ymm / 2,
                _ => ymm / Vector256<T>.Count,
            };
            double tileFlops = 2.0 * gemm.TileRows * gemm.TileColumns * KernelDepth * KernelCalls;
            double kernel = tileFlops / Best(threadClock: true, () =>
            {
                for (int call = 0; call < KernelCalls; call++)
                {
                    gemm.ComputeTile(KernelDepth, a, b, c, gemm.TileColumns);
                }
            });
            double flops = 2.0 * m * n * k;
            double one = flops / Best(threadClock: true, () => Multiply(gemm, m, n, k, a, b, c, threads: 1, workspace));
            double all = flops / Best(threadClock: false, () => Multiply(gemm, m, n, k, a, b, c, cores, workspace));
            Console.WriteLine(
                $"| {typeof(T).Name} | {gemm} | {peak:F1} | {kernel / 1e9:F1} | {Percent(kernel, peak)} | {one / 1e9:F1} | {Percent(one, peak)} | {all / 1e9:F1} | {Percent(all, peak * cores)} |");
        }

        NativeMemory.AlignedFree(a);
        NativeMemory.AlignedFree(b);
        NativeMemory.AlignedFree(c);
    }

    private static void Multiply<T>(GemmForWidth<T> gemm, int m, int n, int k, T* a, T* b, T* c, int threads, GemmWorkspace<T> workspace)
        where T : unmanaged =>
        ParallelGemm.Multiply(gemm, m, n, k, MatrixRef<T>.RowMajor(a, k), MatrixRef<T>.RowMajor(b, n), c, n, accumulate: false, threads, workspace);

    private static string Percent(double flops, double peakGflops) => peakGflops > 0 ? $"{flops / 1e9 / peakGflops * 100:F0}%" : "-";

    /// <summary>The shortest of 10 timed runs after 2 untimed ones, in seconds.</summary>
    private static double Best(bool threadClock, Action run)
    {
        Func<long> clock = ThreadClock.Select(threadClock);
        double best = double.MaxValue;
        for (int repeat = 0; repeat < 12; repeat++)
        {
            long start = clock();
            run();
            double seconds = (clock() - start) * 1e-9;
            if (repeat >= 2)
            {
                best = Math.Min(best, seconds);
            }
        }

        return best;
    }

    /// <summary>64-byte-aligned values in [-0.5, 0.5); at least one ukernel's panels (kc x 64 of each) long.</summary>
    private static T* Random<T>(int length, int seed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int size = Math.Max(length, KernelDepth * 64);
        T* values = (T*)NativeMemory.AlignedAlloc((nuint)size * (nuint)sizeof(T), 64);
        var random = new Random(seed);
        for (int i = 0; i < size; i++)
        {
            values[i] = T.CreateTruncating(random.NextDouble() - 0.5);
        }

        return values;
    }
}
