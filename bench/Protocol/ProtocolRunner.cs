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

    /// <summary>Untimed calls per engine before a configuration's first round: lets the JIT tier our engines up.</summary>
    private const double WarmUpSeconds = 0.25;

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
            BenchEngine[] engines =
            [
                new TorchSharpEngine(data),
                new LibraryEngine(Managed, Conv2DAlgorithm.Im2ColGemm, data),
                new LibraryEngine(Native, Conv2DAlgorithm.NNPackAuto, data),
                new UpstreamEngine(data),
                new HostFmaControl(),
            ];
            try
            {
                foreach (Pass pass in options.Passes)
                {
                    foreach (int threads in options.Threads)
                    {
                        ProtocolRow row = Measure(engines, layer, pass, threads, options.Rounds, notes);
                        report.Row(row, perCore);
                        rows.Add(row);
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

        ScalingTable.Write(report, rows, [Torch, Managed, Native, Upstream]);
    }

    /// <summary>One row: every engine that runs this pass, interleaved over the rounds.</summary>
    internal static ProtocolRow Measure(BenchEngine[] engines, ConvLayer layer, Pass pass, int threads, int rounds, List<string> notes) =>
        new(layer, pass, threads, MeasureEngines(engines, $"{layer.Name}, {ProtocolOptions.PassName(pass)}", pass, threads, rounds, notes));

    /// <summary>
    /// Every engine that prepares for <paramref name="pass"/> on <paramref name="threads"/> threads, interleaved over the
    /// rounds (order rotating, a pre-roll before each timed batch); the results in the engines' order. An engine that
    /// cannot run the row, or throws while warming up, is a skipped result and a note naming <paramref name="what"/>.
    /// </summary>
    internal static EngineResult[] MeasureEngines(BenchEngine[] engines, string what, Pass pass, int threads, int rounds, List<string> notes)
    {
        Convolution.MaxDegreeOfParallelism = threads;
        if (engines.OfType<TorchSharpEngine>().Any())
        {
            torch.set_num_threads(threads);
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        string where = $"{what}, {threads} thread(s)";
        var results = new Dictionary<string, EngineResult>();
        var live = new List<BenchEngine>();
        foreach (BenchEngine engine in engines)
        {
            string? skipped;
            try
            {
                skipped = engine.Prepare(pass, threads);
                if (skipped is null)
                {
                    WarmUp(engine);
                }
            }
            catch (Exception e) when (e is NNPackException or InvalidOperationException or ArgumentException or NotSupportedException or ExternalException)
            {
                skipped = $"failed: {e.GetType().Name}: {e.Message}";
                notes.Add($"{where}: {engine.Name} {skipped}");
            }

            if (skipped is not null)
            {
                results[engine.Name] = EngineResult.Skip(engine.Name, skipped);
                continue;
            }

            live.Add(engine);
            if (engine.PromisesNoAllocation && AllocatedPerCall(engine) is long bytes and > 0)
            {
                notes.Add($"{where}: {engine.Name} allocated {bytes} managed bytes in one timed call (expected 0).");
            }
        }

        var seconds = live.Select(_ => new List<double>(rounds)).ToArray();
        for (int round = 0; round < rounds; round++)
        {
            for (int slot = 0; slot < live.Count; slot++)
            {
                // Rotate which engine goes first, and run every other round backwards: a rotation alone keeps the cyclic
                // order, so each engine always followed the same one (NNPackAuto the managed engine, whose 2-thread rows
                // it then ran in the state that engine left). AlexNet conv3 and a batch-1 128-channel layer, 9 rounds:
                // NNPackAuto's 2-thread scaling 1.67-2.11x with the cyclic order, 1.88-2.23x with this one (one
                // run each; aside a row whose control ran 1.71x).
                int e = round % 2 == 0 ? (round + slot) % live.Count : (round + live.Count - slot) % live.Count;
                seconds[e].Add(BatchTimer.SecondsPerCall(live[e]));
                if (live[e].QuietSeconds > 0)
                {
                    Thread.Sleep(TimeSpan.FromSeconds(live[e].QuietSeconds));
                }
            }
        }

        for (int e = 0; e < live.Count; e++)
        {
            results[live[e].Name] = EngineResult.FromRounds(live[e].Name, seconds[e]);
        }

        return engines.Select(e => results[e.Name]).ToArray();
    }

    private static void WarmUp(BenchEngine engine)
    {
        long start = Stopwatch.GetTimestamp();
        int calls = 0;
        while (calls < 2 || Stopwatch.GetElapsedTime(start).TotalSeconds < WarmUpSeconds)
        {
            engine.Call();
            calls++;
        }
    }

    /// <summary>Managed bytes allocated by one call on any thread (the smaller of two, after warm-up).</summary>
    private static long AllocatedPerCall(BenchEngine engine)
    {
        long least = long.MaxValue;
        for (int i = 0; i < 2; i++)
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            engine.Call();
            least = Math.Min(least, GC.GetTotalAllocatedBytes(precise: true) - before);
        }

        return least;
    }

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
        report.Line($"- protocol: {options.Rounds} rounds; in each round every engine runs once, the order rotating between rounds (every other round backwards); before each "
            + $"engine's timed batch an untimed pre-roll of >= {BatchTimer.PreRollSeconds * 1e3:F0} ms, then a timed batch of >= {BatchTimer.BatchSeconds * 1e3:F0} ms "
            + $"and >= {BatchTimer.MinCalls} calls; the figure is the median over rounds of seconds per call. Untimed warm-up of {WarmUpSeconds * 1e3:F0} ms per engine "
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
