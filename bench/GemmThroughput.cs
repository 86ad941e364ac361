using System.Diagnostics;
using NNPackSharp.Gemm;

namespace NNPackSharp.Bench;

/// <summary>
/// A plain stopwatch measurement of the managed SGEMM on square matrices, per register width: the figure to compare
/// with the machine's FMA peak. Best of several repetitions after warm-up; buffers are allocated once.
/// </summary>
internal static unsafe class GemmThroughput
{
    public static void Run(int size, int threads) => Run(size, size, size, threads);

    public static void Run(int m, int n, int k, int threads)
    {
        float[] a = Random(m * k, 1), b = Random(k * n, 2), c = new float[m * n];
        Console.WriteLine($"SGEMM m={m} n={n} k={k}, {threads} thread(s): best of 10 after warm-up");
        var workspace = new GemmWorkspace<float>();
        fixed (float* pa = a, pb = b, pc = c)
        {
            foreach (GemmForWidth<float> gemm in Gemms<float>.Supported)
            {
                double best = double.MaxValue;
                for (int rep = 0; rep < 12; rep++)
                {
                    long start = Stopwatch.GetTimestamp();
                    ParallelGemm.Multiply(gemm, m, n, k, MatrixRef<float>.RowMajor(pa, k), MatrixRef<float>.RowMajor(pb, n), pc, n, accumulate: false, threads, workspace);
                    double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
                    if (rep >= 2)
                    {
                        best = Math.Min(best, seconds);
                    }
                }

                double gflops = 2.0 * m * n * k / best / 1e9;
                Console.WriteLine($"  {gemm,-18} {best * 1e3,8:F2} ms  {gflops,7:F1} GFLOP/s  ({gflops / threads,6:F1} per thread)");
            }
        }
    }

    private static float[] Random(int length, int seed)
    {
        var random = new Random(seed);
        float[] values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = (float)(random.NextDouble() - 0.5);
        }

        return values;
    }
}
