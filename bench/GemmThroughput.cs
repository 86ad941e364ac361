using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using NNPackSharp.Bench.Protocol;
using NNPackSharp.Gemm;

namespace NNPackSharp.Bench;

/// <summary>
/// `gemm [size | m n k] [--rounds R]`: the managed GEMM of every variant (register width x tile) this CPU runs, float
/// and double, as a markdown table against the FMA peak: the ukernel alone on L1-resident panels, then the whole GEMM
/// (packing included) on one thread and on all cores. The protocol's way: rounds (9 unless told), each measuring the
/// peak of one core first, then every variant in an order that rotates by round, each figure a batch after an untimed
/// pre-roll; every cell is the median over the rounds of that round's GFLOP/s and its % of that round's peak, and the
/// scaling the median of the rounds' all-core / one-thread ratios. One-thread figures use the thread's CPU time (robust
/// to other processes on a shared machine), all-core ones the wall clock. A single best-of-ten per process read the
/// same code at 79% and 86% of the peak in runs a minute apart (Vector512 12x32, 384 x 169 x 1728).
/// </summary>
internal static unsafe class GemmThroughput
{
    private const int KernelDepth = 256;
    private const int KernelCalls = 2_000;
    private const int DefaultRounds = 9;

    public static void Run(int m, int n, int k, int rounds = DefaultRounds)
    {
        int cores = Environment.ProcessorCount;
        using var floats = new Operands<float>(m, n, k);
        using var doubles = new Operands<double>(m, n, k);
        var rows = new List<Row>();
        rows.AddRange(Rows(floats));
        rows.AddRange(Rows(doubles));
        var peaks = new List<(double Zmm, double Ymm)>();
        for (int round = 0; round < rounds; round++)
        {
            IReadOnlyList<PeakFigure> peak = FmaPeak.Measure(1, threadCpuTime: true);
            (double zmm, double ymm) = (peak.FirstOrDefault(p => p.Width == "zmm")?.PerCore ?? 0, peak.FirstOrDefault(p => p.Width == "ymm")?.PerCore ?? 0);
            peaks.Add((zmm, ymm));
            for (int i = 0; i < rows.Count; i++)
            {
                rows[(i + round) % rows.Count].Measure(zmm, ymm, cores);
            }
        }

        Console.WriteLine($"FMA peak of one core (float, thread CPU time), median of {rounds} rounds: zmm {BatchTimer.Median(peaks.Select(p => p.Zmm).ToList()):F1}, ymm {BatchTimer.Median(peaks.Select(p => p.Ymm).ToList()):F1} GFLOP/s (range zmm {peaks.Min(p => p.Zmm):F1}-{peaks.Max(p => p.Zmm):F1}); xmm counted as ymm/2, scalar as one lane of ymm, double as half of float.");
        Console.WriteLine($"GEMM m={m} n={n} k={k}; ukernel alone: kc={KernelDepth}, panels in L1; {rounds} rounds, medians; % of each round's own peak");
        Console.WriteLine($"| type | variant | width's peak | ukernel GFLOP/s | % | 1 thread GFLOP/s | % | {cores} threads GFLOP/s | % of {cores}x | scaling |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (Row row in rows)
        {
            Console.WriteLine(row.Format(cores));
        }
    }

    private static IEnumerable<Row> Rows<T>(Operands<T> operands)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool doublePrecision = typeof(T) == typeof(double);
        return Gemms<T>.Supported.Select(gemm => new Row(
            typeof(T).Name,
            gemm.ToString()!,
            (zmm, ymm) => doublePrecision ? WidthPeak<T>(gemm.Width, zmm / 2, ymm / 2) : WidthPeak<T>(gemm.Width, zmm, ymm),
            2.0 * gemm.TileRows * gemm.TileColumns * KernelDepth * KernelCalls,
            () =>
            {
                for (int call = 0; call < KernelCalls; call++)
                {
                    gemm.ComputeTile(KernelDepth, operands.A, operands.B, operands.C, gemm.TileColumns);
                }
            },
            operands.Flops,
            threads => operands.Multiply(gemm, threads)));
    }

    /// <summary>The peak of a width for <typeparamref name="T"/>, given its zmm and ymm peaks: xmm half of ymm, scalar one lane of ymm.</summary>
    private static double WidthPeak<T>(VectorWidth width, double zmm, double ymm) => width switch
    {
        VectorWidth.Vector512 => zmm,
        VectorWidth.Vector256 => ymm,
        VectorWidth.Vector128 => ymm / 2,
        _ => ymm / Vector256<T>.Count,
    };

    /// <summary>Seconds per run of a batch of at least <see cref="BatchTimer.BatchSeconds"/> after an untimed pre-roll, on the given clock.</summary>
    private static double SecondsPerRun(bool threadClock, Action run)
    {
        Func<long> clock = ThreadClock.Select(threadClock);
        long preRoll = ThreadClock.WallNanoseconds();
        do
        {
            run();
        }
        while ((ThreadClock.WallNanoseconds() - preRoll) * 1e-9 < BatchTimer.PreRollSeconds);

        int runs = 0;
        long start = clock(), wallStart = ThreadClock.WallNanoseconds();
        do
        {
            run();
            runs++;
        }
        while ((ThreadClock.WallNanoseconds() - wallStart) * 1e-9 < BatchTimer.BatchSeconds || runs < BatchTimer.MinCalls);

        return (clock() - start) * 1e-9 / runs;
    }

    private static string Percent(double value) => $"{value * 100:F0}%";

    /// <summary>One variant's figures, a value per round.</summary>
    private sealed class Row(
        string type, string variant, Func<double, double, double> peakOf, double tileFlops, Action kernel, double flops, Action<int> multiply)
    {
        private readonly List<double> peak = [], kernelRate = [], oneRate = [], allRate = [], kernelShare = [], oneShare = [], allShare = [], scaling = [];

        public void Measure(double zmm, double ymm, int cores)
        {
            double width = peakOf(zmm, ymm) * 1e9;
            double kernelFlops = tileFlops / SecondsPerRun(threadClock: true, kernel);
            double one = flops / SecondsPerRun(threadClock: true, () => multiply(1));
            double all = flops / SecondsPerRun(threadClock: false, () => multiply(cores));
            peak.Add(width);
            kernelRate.Add(kernelFlops);
            oneRate.Add(one);
            allRate.Add(all);
            kernelShare.Add(width > 0 ? kernelFlops / width : 0);
            oneShare.Add(width > 0 ? one / width : 0);
            allShare.Add(width > 0 ? all / (width * cores) : 0);
            scaling.Add(all / one);
        }

        public string Format(int cores) =>
            $"| {type} | {variant} | {Median(peak) / 1e9:F1} | {Median(kernelRate) / 1e9:F1} | {Percent(Median(kernelShare))} | {Median(oneRate) / 1e9:F1} | {Percent(Median(oneShare))} | " +
            $"{Median(allRate) / 1e9:F1} | {Percent(Median(allShare))} | {Median(scaling):F2}x |";

        private static double Median(List<double> values) => BatchTimer.Median(values);
    }

    /// <summary>64-byte-aligned operands in [-0.5, 0.5) and a workspace, reused by every call.</summary>
    private sealed class Operands<T> : IDisposable
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly int m, n, k;
        private readonly GemmWorkspace<T> workspace = new();

        public Operands(int m, int n, int k)
        {
            (this.m, this.n, this.k) = (m, n, k);
            A = Random(m * k, 1);
            B = Random(k * n, 2);
            C = Random(m * n, 3);
        }

        public T* A { get; }

        public T* B { get; }

        public T* C { get; }

        public double Flops => 2.0 * m * n * k;

        public void Multiply(GemmForWidth<T> gemm, int threads) =>
            ParallelGemm.Multiply(gemm, m, n, k, MatrixRef<T>.RowMajor(A, k), MatrixRef<T>.RowMajor(B, n), C, n, accumulate: false, threads, workspace);

        public void Dispose()
        {
            NativeMemory.AlignedFree(A);
            NativeMemory.AlignedFree(B);
            NativeMemory.AlignedFree(C);
        }

        /// <summary>At least one ukernel's panels (kc x 64 of each) long.</summary>
        private static T* Random(int length, int seed)
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
}
