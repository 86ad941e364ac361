using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using TorchSharp;

namespace NNPackSharp.Bench.Protocol;

/// <summary>
/// The protocol mode: the FMA peak measured in the same run, then for each layer, pass and thread count every engine
/// interleaved over rounds (order rotating), each batch after an untimed pre-roll, medians reported. It mirrors
/// <c>native/bench/ab_bench.c</c> with TorchSharp, our two engines and upstream NNPACK as the contestants.
/// </summary>
internal static class ProtocolRunner
{
    private const string Torch = "TorchSharp", Managed = "managed", Native = "NNPackAuto", Upstream = "upstream NNPACK";

    public static void Run(ProtocolOptions options)
    {
        // Loads upstream NNPACK (with the cache sizes this VM hides) before libtorch asks for it, then libtorch.
        string peers = TorchSharpPeer.EnsureLoaded();
        int peakThreads = Math.Max(2, options.Threads.Max());
        IReadOnlyList<PeakFigure> peaks = FmaPeak.Measure(peakThreads);
        // Measure lists zmm first when the CPU has it: the widest FMA is the machine's peak, whatever an engine uses.
        double perCore = peaks.Count > 0 ? peaks[0].PerCore : 0;
        BandwidthFigure memory = MemoryBandwidth.Measure(peakThreads);

        using var report = new ReportWriter(options.OutPath, [Torch, Managed, Native, Upstream], Managed, Native);
        WriteHeader(report, options, peaks, memory, peers);
        var notes = new List<string>();
        long start = Stopwatch.GetTimestamp();
        if (!options.OperatorsOnly)
        {
            RunConvolutions(report, options, perCore, notes);
        }

        OperatorTable.Run(report, options, notes);
        report.Line();
        report.Line($"Wall time {Stopwatch.GetElapsedTime(start).TotalMinutes:F1} min.");
        foreach (string note in notes)
        {
            report.Line("- " + note);
        }

        IReadOnlyList<PeakFigure> after = FmaPeak.Measure(peakThreads);
        report.Line($"- FMA peak re-measured after the table: {Describe(after)} (a large change means the host's clock or load moved during the run).");
        report.Line($"- memory read bandwidth re-measured after the table: {MemoryBandwidth.Measure(peakThreads)}.");
    }

    private static void RunConvolutions(ReportWriter report, ProtocolOptions options, double perCore, List<string> notes)
    {
        WriteConvolutionHeader(report, options);
        report.TableHeader();
        var rows = new List<ProtocolRow>();
        foreach (ConvLayer layer in options.Layers)
        {
            var data = new LayerData(layer);
            // One engine set per thread count, all timed in the same rounds (InterleavedRounds).
            BenchEngine[][] engineSets = options.Threads.Select(_ => Engines(data)).ToArray();
            try
            {
                foreach (Pass pass in options.Passes)
                {
                    EngineResult[][] results = InterleavedRounds.Measure(engineSets, options.Threads, Where(layer, pass), pass, options.Rounds, notes);
                    for (int i = 0; i < options.Threads.Count; i++)
                    {
                        var row = new ProtocolRow(layer, pass, options.Threads[i], results[i]);
                        report.Row(row, perCore);
                        rows.Add(row);
                    }
                }
            }
            finally
            {
                foreach (BenchEngine engine in engineSets.SelectMany(set => set))
                {
                    engine.Dispose();
                }
            }
        }

        ScalingTable.Write(report, rows, [Torch, Managed, Native, Upstream]);
    }

    private static BenchEngine[] Engines(LayerData data) =>
    [
        new TorchSharpEngine(data),
        new LibraryEngine(Managed, Conv2DAlgorithm.Im2ColGemm, data),
        new LibraryEngine(Native, Conv2DAlgorithm.NNPackAuto, data),
        new UpstreamEngine(data),
        new HostFmaControl(),
    ];

    /// <summary>Rows of one configuration on a single thread count (the auto mode's, whose engines run one count at a time).</summary>
    internal static ProtocolRow Measure(BenchEngine[] engines, ConvLayer layer, Pass pass, int threads, int rounds, List<string> notes) =>
        new(layer, pass, threads, InterleavedRounds.Measure([engines], [threads], Where(layer, pass), pass, rounds, notes)[0]);

    private static string Where(ConvLayer layer, Pass pass) => $"{layer.Name}, {ProtocolOptions.PassName(pass)}";

    private static void WriteHeader(ReportWriter report, ProtocolOptions options, IReadOnlyList<PeakFigure> peaks, BandwidthFigure memory, string peers)
    {
        (bool jemalloc, string allocator) = MachineInfo.Jemalloc();
        report.Line(options.OperatorsOnly ? "# Operators protocol benchmark" : "# Conv2D and operators protocol benchmark");
        report.Line();
        if (options.Rounds < ProtocolOptions.MinRounds || options.TinyOperators)
        {
            report.Loud($"SMOKE RUN: {options.Rounds} rounds (the protocol asks for at least {ProtocolOptions.MinRounds})"
                + (options.TinyOperators ? ", tiny operator sizes" : string.Empty) + "; not a measurement.");
        }

        if (!jemalloc)
        {
            report.Loud($"WARNING: jemalloc was NOT preloaded ({allocator}). TorchSharp's numbers include glibc malloc returning "
                + "its large blocks to the OS and faulting them in again on each call; run `dotnet cake --target=Protocol` for torch's steady state.");
        }

        report.Line();
        report.Line($"- date (UTC): {DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}");
        report.Line($"- machine: {MachineInfo.CpuModel()}, {Environment.ProcessorCount} logical cores, {RuntimeInformation.OSDescription}");
        report.Line($"- git commit: {MachineInfo.GitCommit()}");
        report.Line($"- command: `{MachineInfo.Command()}`");
        report.Line($"- runtime: {RuntimeInformation.FrameworkDescription}; Vector512.IsHardwareAccelerated={Vector512.IsHardwareAccelerated}, "
            + $"Vector256.IsHardwareAccelerated={Vector256.IsHardwareAccelerated}; libnnpack {(NNPackNativeLibrary.IsAvailable ? "loaded" : "NOT loaded")}");
        report.Line($"- TorchSharp {typeof(torch).Assembly.GetName().Version}, libtorch {torch.__version__}; peers: {peers}");
        report.Line($"- jemalloc: {allocator}");
        report.Line($"- FMA peak: {Describe(peaks)}. \"% peak\" = GFLOP/s / ({(peaks.Count > 0 ? peaks[0].Width : "no FMA")} peak per core x threads).");
        report.Line($"- memory read bandwidth (each thread streaming its own 64 MiB, best of 5): {memory}; a phase that streams from memory scales "
            + "no further than this between 1 and 2 threads.");
        report.Line($"- protocol: {options.Rounds} rounds; in each round every engine runs once on each thread count of the run (one engine set per count, "
            + "so a row's 1- and 2-thread figures come from the same rounds), the order rotating between rounds (every other round backwards); before each "
            + $"engine's timed batch an untimed pre-roll of >= {BatchTimer.PreRollSeconds * 1e3:F0} ms, then a timed batch of >= {BatchTimer.BatchSeconds * 1e3:F0} ms "
            + $"and >= {BatchTimer.MinCalls} calls; the figure is the median over rounds of seconds per call. Untimed warm-up of {InterleavedRounds.WarmUpSeconds * 1e3:F0} ms per engine "
            + "before each configuration's first round; after upstream NNPACK's batch a pause of 50 ms (its pool's workers spin longer than the pre-roll).");
    }

    private static void WriteConvolutionHeader(ReportWriter report, ProtocolOptions options)
    {
        report.Line();
        report.Line("## Convolutions");
        report.Line();
        report.Line("- GFLOP/s = 2*N*Cout*Hout*Wout*Cin*kH*kW / median seconds, the same count for every pass.");
        report.Line($"- engines: {Torch} (forward under no_grad; gradients by autograd.grad on a graph built once, retain_graph), {Managed} "
            + $"(Conv2DAlgorithm.Im2ColGemm) and {Native} (Conv2DAlgorithm.NNPackAuto) through the allocation-free span overloads into preallocated "
            + $"outputs, {Upstream} (nnp_convolution_output, auto, in libtorch_cpu.so: forward with stride 1 only, '-' elsewhere). Forward adds the "
            + "bias everywhere; grad-input computes dX only; grad-weight computes dW and the bias gradient (dW+db) everywhere; inference is the "
            + $"forward pass again, {Native} through a PreparedConvolution made outside the timing (the kernel transformed once and stored), "
            + $"{Torch} and {Managed} as in forward.");
        report.Line($"- ratios are times: {Torch}/{Managed} = torch's time / managed's time (above 1: ours faster), likewise {Torch}/{Native}; "
            + $"{Native}/{Managed} = managed's time / NNPackAuto's time (above 1: NNPackAuto faster). spread = the largest (max - min) / median over rounds among the engines. "
            + $"{HostFmaControl.EngineName} = the control: FMA chains on the row's threads, timed in the same rounds as the engines, as % of the peak "
            + "measured at the start (below 100% on 2 threads: the host did not give this row two full cores).");
        report.Line("- layers (N,Cin,H=W,Cout,kHxkW,stride,pad):");
        foreach (ConvLayer layer in options.Layers)
        {
            report.Line($"  - {layer.Name}: {layer.Shape}, {layer.Flops / 1e9:F3} GFLOP per call");
        }
    }

    internal static string Describe(IReadOnlyList<PeakFigure> peaks) =>
        peaks.Count == 0
            ? "no FMA unit found (% peak not computed)"
            : string.Join(", ", peaks.Select(p => $"{p.Width} {p.PerCore:F1} GFLOP/s per core ({p.AllThreads:F1} on {p.Threads} threads)"));
}
