using System.Runtime.InteropServices;
using NNPackSharp.Bench.Protocol;
using NNPackSharp.Gemm;

namespace NNPackSharp.Bench;

/// <summary>
/// `gemm-blocking [double] [m n k]`: the managed engine's float (or double) GEMM variant on one thread under several
/// cache blockings (KC, MC, NC), interleaved in rounds with rotating order, thread CPU time, medians over rounds, as %
/// of the zmm or ymm FMA peak measured in the same run (half of it for double). Tuning evidence for
/// <see cref="GemmBlocking"/>; never a protocol figure.
/// </summary>
internal static unsafe class GemmBlockingTuner
{
    private const int Rounds = 9;

    public static void Run(int m, int n, int k, bool isDouble)
    {
        if (isDouble)
        {
            Run<double>(m, n, k);
        }
        else
        {
            Run<float>(m, n, k);
        }
    }

    private static void Run<T>(int m, int n, int k)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        GemmForWidth<T> best = Gemms<T>.Best;
        IReadOnlyList<PeakFigure> peaks = FmaPeak.Measure(1, threadCpuTime: true);
        string register = best.Width == VectorWidth.Vector512 ? "zmm" : "ymm";
        double peak = (peaks.FirstOrDefault(p => p.Width == register)?.PerCore ?? 0) / (best.Width == VectorWidth.Vector128 ? 2 : 1)
            * 4 / sizeof(T);
        Console.WriteLine($"{best} {typeof(T).Name} GEMM m={m} n={n} k={k}, one thread (thread CPU time), {Rounds} rounds; {register} peak {peak:F1} GFLOP/s");
        GemmBlocking[] candidates = Candidates<T>(best.TileRows);
        GemmForWidth<T>[] gemms = [.. candidates.Select(best.WithBlocking)];
        T* a = Random<T>(m * k, 1), b = Random<T>(k * n, 2), c = Random<T>(m * n, 3);
        var workspace = new GemmWorkspace<T>();
        var seconds = new List<double>[gemms.Length];
        for (int i = 0; i < gemms.Length; i++)
        {
            seconds[i] = [];
            Time(gemms[i], m, n, k, a, b, c, workspace);
        }

        for (int round = 0; round < Rounds; round++)
        {
            for (int j = 0; j < gemms.Length; j++)
            {
                int i = (j + round) % gemms.Length;
                Time(gemms[i], m, n, k, a, b, c, workspace);
                seconds[i].Add(Time(gemms[i], m, n, k, a, b, c, workspace));
            }
        }

        Console.WriteLine("| blocking | GFLOP/s | % peak | spread |\n|---|---:|---:|---:|");
        for (int i = 0; i < gemms.Length; i++)
        {
            seconds[i].Sort();
            double median = seconds[i][Rounds / 2];
            double gflops = 2.0 * m * n * k / median / 1e9;
            Console.WriteLine($"| {candidates[i]} | {gflops:F1} | {gflops / peak * 100:F0}% | {(seconds[i][^1] - seconds[i][0]) / median * 100:F0}% |");
        }

        NativeMemory.AlignedFree(a);
        NativeMemory.AlignedFree(b);
        NativeMemory.AlignedFree(c);
    }

    private static GemmBlocking[] Candidates<T>(int mr)
        where T : unmanaged
    {
        var list = new List<GemmBlocking> { GemmBlocking.Default };
        foreach (int kc in new[] { 128, 256, 512, 768, 1024 })
        {
            foreach (int mc in new[] { 5 * mr, 10 * mr, 20 * mr })
            {
                foreach (int nc in new[] { 1024, 4096 })
                {
                    list.Add(new GemmBlocking(kc, mc, nc));
                }
            }
        }

        return [.. list.Distinct()];
    }

    /// <summary>Seconds of the calling thread's CPU time for one GEMM.</summary>
    private static double Time<T>(GemmForWidth<T> gemm, int m, int n, int k, T* a, T* b, T* c, GemmWorkspace<T> workspace)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        Func<long> clock = ThreadClock.Select(threadCpuTime: true);
        long start = clock();
        gemm.Multiply(m, n, k, MatrixRef<T>.RowMajor(a, k), MatrixRef<T>.RowMajor(b, n), c, n, accumulate: false, workspace);
        return (clock() - start) * 1e-9;
    }

    private static T* Random<T>(int length, int seed)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        T* values = (T*)NativeMemory.AlignedAlloc((nuint)length * (nuint)sizeof(T), 64);
        var random = new Random(seed);
        for (int i = 0; i < length; i++)
        {
            values[i] = T.CreateTruncating(random.NextDouble() - 0.5);
        }

        return values;
    }
}
