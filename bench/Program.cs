using BenchmarkDotNet.Running;
using NNPackSharp.Bench;
using NNPackSharp.Bench.Protocol;

// Modes (the first argument):
//   protocol [--threads 1,2] [--rounds 9] [--layers <substring>[,...]] [--passes forward,grad-input,grad-weight] [--out <file.md>]
//            [--operators] [--tiny]
//       the honest comparison: FMA peak measured in the same run, TorchSharp / managed / NNPackAuto / upstream NNPACK
//       interleaved over rounds with pre-rolls, medians, % of peak, as a markdown table; then the operators' table
//       (TorchSharp / managed / native per operation; --operators: that table alone, --tiny: at smoke-run sizes).
//       `dotnet cake --target=Protocol` runs it with jemalloc preloaded (torch's steady state).
//   auto [protocol's options but --out]    libnnpack's auto against each algorithm pinned (interleaved, medians): auto / best per row.
//   gemm [size | m n k]                    the managed GEMM per variant (float and double, ukernel alone, 1 and all threads) as % of the FMA peak.
//   gemm-blocking [double] [m n k]         the engine's float (or double) GEMM under several cache blockings, interleaved (tuning).
//   probe PASS (N Cin H Cout k stride pad | "layer name") [threads]   the managed engine alone on one layer (tuning, profiling;
//                                          NNPACKSHARP_PROBE_ENGINE=native: NNPackAuto through the same public call).
//   serve PASS (as probe)                  one timed batch of that call per line of standard input (bench/ab-managed.py).
//   anything else                          BenchmarkDotNet micro-benchmarks (for example `--filter *` for every layer).
if (args.Length > 0 && args[0] == "protocol")
{
    ProtocolOptions options;
    try
    {
        options = ProtocolOptions.Parse(args[1..]);
    }
    catch (ArgumentException e)
    {
        Console.Error.WriteLine(e.Message);
        Environment.Exit(2);
        return;
    }

    ProtocolRunner.Run(options);
    return;
}

if (args.Length > 0 && args[0] == "auto")
{
    AutoCheck.Run(ProtocolOptions.Parse(args[1..]));
    return;
}

if (args.Length > 1 && args[0] == "serve")
{
    ManagedProbe.Serve(args[1], args[2..]);
    return;
}

if (args.Length > 1 && args[0] == "probe")
{
    ManagedProbe.Run(args[1], args[2..]);
    return;
}

if (args.Length > 0 && args[0] == "gemm-blocking")
{
    bool isDouble = args.Length > 1 && args[1] == "double";
    int[] size = args.Skip(isDouble ? 2 : 1).Select(a => int.Parse(a, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
    GemmBlockingTuner.Run(size.Length == 3 ? size[0] : 1024, size.Length == 3 ? size[1] : 1024, size.Length == 3 ? size[2] : 1024, isDouble);
    return;
}

if (args.Length > 0 && args[0] == "gemm")
{
    int roundsAt = Array.IndexOf(args, "--rounds");
    int rounds = roundsAt > 0 && roundsAt + 1 < args.Length ? int.Parse(args[roundsAt + 1], System.Globalization.CultureInfo.InvariantCulture) : 9;
    int[] size = args.Skip(1).Where((_, i) => roundsAt < 0 || (i + 1 != roundsAt && i + 1 != roundsAt + 1))
        .Select(a => int.Parse(a, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
    (int m, int n, int k) = size.Length == 3 ? (size[0], size[1], size[2]) : size.Length == 1 ? (size[0], size[0], size[0]) : (1024, 1024, 1024);
    GemmThroughput.Run(m, n, k, rounds);
    return;
}

Console.WriteLine(TorchSharpPeer.EnsureLoaded());
BenchmarkSwitcher.FromAssembly(typeof(Conv2DBenchmarks).Assembly).Run(args.Length == 0 ? ["--filter", "*"] : args);
