using System.Runtime.InteropServices;
using NNPackSharp.Bench.Protocol;
using NNPackSharp.Gemm;

namespace NNPackSharp.Bench;

/// <summary>
/// `gemm-blocking [m n k]`: the managed engine's float GEMM variant on one thread under several cache blockings
/// (KC, MC, NC), interleaved in rounds with rotating order, thread CPU time, medians over rounds, as % of the zmm or
/// ymm FMA peak measured in the same run. Tuning evidence for <see cref="GemmBlocking"/>; never a protocol figure.
/// </summary>
internal static unsafe class GemmBlockingTuner
{
    private const int Rounds = 9;

    public static void Run(int m, int n, int k)
    {
        GemmForWidth<float> best = Gemms<float>.Best;
        IReadOnlyList<PeakFigure> peaks = FmaPeak.Measure(1, threadCpuTime: true);
        string register = best.Width == VectorWidth.Vector512 ? "zmm" : "ymm";
        double peak = (peaks.FirstOrDefault(p => p.Width == register)?.PerCore ?? 0) / (best.Width == VectorWidth.Vector128 ? 2 : 1);
        Console.WriteLine($"{best} float GEMM m={m} n={n} k={k}, one thread (thread CPU time), {Rounds} rounds; {register} peak {peak:F1} GFLOP/s");
        GemmBlocking[] candidates = Candidates(best.TileRows);
        GemmForWidth<float>[] gemms = [.. candidates.Select(best.WithBlocking)];
        float* a = Random(m * k, 1), b = Random(k * n, 2), c = Random(m * n, 3);
        var workspace = new GemmWorkspace<float>();
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

    private static GemmBlocking[] Candidates(int mr)
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
    private static double Time(GemmForWidth<float> gemm, int m, int n, int k, float* a, float* b, float* c, GemmWorkspace<float> workspace)
    {
        Func<long> clock = ThreadClock.Select(threadCpuTime: true);
        long start = clock();
        gemm.Multiply(m, n, k, MatrixRef<float>.RowMajor(a, k), MatrixRef<float>.RowMajor(b, n), c, n, accumulate: false, workspace);
        return (clock() - start) * 1e-9;
    }

    private static float* Random(int length, int seed)
    {
        float* values = (float*)NativeMemory.AlignedAlloc((nuint)length * sizeof(float), 64);
        var random = new Random(seed);
        for (int i = 0; i < length; i++)
        {
            values[i] = (float)(random.NextDouble() - 0.5);
        }

        return values;
    }
}
