using System.Globalization;

namespace NNPackSharp.Bench.Protocol;

/// <summary>
/// The auto mode: libnnpack's auto (measured, unless NNPACKSHARP_AUTO=static) against each algorithm pinned, per
/// layer, pass and thread count, interleaved as the protocol interleaves engines (<see cref="ProtocolRunner.Measure"/>:
/// rotating order, pre-rolls, medians). The warm-up before the first round includes auto's first, measuring call, so
/// the rounds time its kept choice. Reports auto's time over the fastest pinned algorithm's (issue 8 asks for at most
/// 1.05 on every benchmark layer) and the FMA peak measured in the same run.
/// </summary>
internal static class AutoCheck
{
    private const string Auto = "auto";

    private static readonly NNPackConvolutionAlgorithm[] Pinned =
    [
        NNPackConvolutionAlgorithm.ImplicitGemm, NNPackConvolutionAlgorithm.Winograd, NNPackConvolutionAlgorithm.Winograd4x4,
        NNPackConvolutionAlgorithm.Fft8x8, NNPackConvolutionAlgorithm.Fft16x16,
    ];

    public static void Run(ProtocolOptions options)
    {
        IReadOnlyList<PeakFigure> peaks = FmaPeak.Measure(Math.Max(2, options.Threads.Max()));
        double perCore = peaks.Count > 0 ? peaks[0].PerCore : 0;
        string policy = Environment.GetEnvironmentVariable("NNPACKSHARP_AUTO") ?? "measured (default)";
        Console.WriteLine($"# NNPackAuto's choice against each pinned algorithm\n\n- FMA peak: {ProtocolRunner.Describe(peaks)}");
        Console.WriteLine($"- auto policy: {policy}; {options.Rounds} rounds; times are medians in ms; '-' = the algorithm refuses the pass\n");
        Console.WriteLine($"| layer | pass | threads | {Auto} | {string.Join(" | ", Pinned)} | {Auto} / best | {Auto} % peak |");
        Console.WriteLine($"|---|---|---|---|{string.Concat(Pinned.Select(_ => "---|"))}---|---|");
        var notes = new List<string>();
        double worst = 0;
        foreach (ConvLayer layer in options.Layers)
        {
            var data = new LayerData(layer);
            BenchEngine[] engines =
            [
                new LibraryEngine(Auto, Conv2DAlgorithm.NNPackAuto, data),
                .. Pinned.Select(a => new LibraryEngine(a.ToString(), Conv2DAlgorithm.NNPackAuto, data, a)),
            ];
            try
            {
                foreach (Pass pass in options.Passes)
                {
                    foreach (int threads in options.Threads)
                    {
                        ProtocolRow row = ProtocolRunner.Measure(engines, layer, pass, threads, options.Rounds, notes);
                        worst = Math.Max(worst, WriteRow(row, perCore));
                    }
                }
            }
            finally
            {
                foreach (BenchEngine engine in engines)
                {
                    engine.Dispose();
                }
            }
        }

        Console.WriteLine($"\nWorst {Auto} / best: {worst.ToString("F3", CultureInfo.InvariantCulture)}");
        foreach (string note in notes.Where(n => !n.Contains("NotSupportedException", StringComparison.Ordinal)))
        {
            Console.WriteLine("- " + note);
        }
    }

    /// <summary>Writes one row; returns auto's time over the fastest pinned algorithm's (0 where either did not run).</summary>
    private static double WriteRow(ProtocolRow row, double perCore)
    {
        static string Ms(EngineResult? r) => r?.MedianSeconds is double s ? (s * 1e3).ToString("F3", CultureInfo.InvariantCulture) : "-";
        double? auto = row.For(Auto)?.MedianSeconds;
        double? best = Pinned.Select(a => row.For(a.ToString())?.MedianSeconds).Where(s => s is not null).Min();
        double ratio = auto is double a && best is double b ? a / b : 0;
        string peak = auto is double t && perCore > 0 ? (row.Layer.Flops / t / 1e9 / (perCore * row.Threads) * 100).ToString("F0", CultureInfo.InvariantCulture) + "%" : "-";
        Console.WriteLine($"| {row.Layer.Name} | {ProtocolOptions.PassName(row.Pass)} | {row.Threads} | {Ms(row.For(Auto))} | "
            + $"{string.Join(" | ", Pinned.Select(a => Ms(row.For(a.ToString()))))} | {ratio.ToString("F3", CultureInfo.InvariantCulture)} | {peak} |");
        return ratio;
    }
}
