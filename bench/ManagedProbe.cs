using NumericsTensor = System.Numerics.Tensors.Tensor;

namespace NNPackSharp.Bench;

/// <summary>
/// `probe PASS (N Cin H Cout k stride pad | "layer name") [threads]`: the managed engine alone on one layer, best of 20 after warm-up,
/// for tuning and profiling (perf record with DOTNET_PerfMapEnabled=1). PASS is forward, grad-input or grad-weight.
/// NNPACKSHARP_PROBE_ENGINE=native runs NNPackAuto through the same call instead.
/// On one thread it reports the calling thread's CPU time, which the other processes of a shared machine disturb
/// far less than the wall clock; never a protocol figure.
/// `serve PASS (...) [threads]`: the same call, warmed up (at least 60 calls and 0.5 s), then one timed batch per line read from standard input (an untimed pre-roll of
/// 15 ms, then at least 50 ms and 2 calls), printing seconds per call; `bench/ab-managed.py` runs two builds this way
/// in turn, so that an A/B of the managed engine interleaves its rounds as the native `nnpack_ab_bench` does.
/// </summary>
internal static class ManagedProbe
{
    public static void Run(string pass, string[] args) => Run(pass, args, serve: false);

    public static void Serve(string pass, string[] args) => Run(pass, args, serve: true);

    private static void Run(string pass, string[] args, bool serve)
    {
        ConvLayer? named = ConvLayer.All.Concat(ConvLayer.Extra).FirstOrDefault(l => l.Name == args[0]);
        int[] a = args.Skip(named == null ? 0 : 1).Select(x => int.Parse(x, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        ConvLayer layer = named ?? new ConvLayer("probe", a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
        int threads = named != null ? (a.Length > 0 ? a[0] : 1) : a.Length > 7 ? a[7] : 1;
        // NNPACKSHARP_PROBE_ENGINE=native runs NNPackAuto through the same public call instead (the native engine as
        // .NET callers see it, binding and bias gradient included), for profiling it beside the managed engine.
        bool native = Environment.GetEnvironmentVariable("NNPACKSHARP_PROBE_ENGINE") == "native";
        var options = new Conv2DOptions { MaxDegreeOfParallelism = threads, Algorithm = native ? Conv2DAlgorithm.NNPackAuto : Conv2DAlgorithm.Im2ColGemm };
        var random = new Random(1);
        var x = NumericsTensor.Create(BenchData.RandomValues(random, layer.InputShape), layer.InputShape);
        var w = NumericsTensor.Create(BenchData.RandomValues(random, layer.WeightShape), layer.WeightShape);
        var b = NumericsTensor.Create(new float[layer.Cout], [layer.Cout]);
        var y = NumericsTensor.Create(BenchData.RandomValues(random, layer.OutputShape), layer.OutputShape);
        var dx = NumericsTensor.Create(new float[x.FlattenedLength], layer.InputShape);
        var dw = NumericsTensor.Create(new float[w.FlattenedLength], layer.WeightShape);
        Action call = pass switch
        {
            "forward" => () => Convolution.Conv2D<float>(x, w, b, y, layer.Padding, layer.StrideSize, options),
            "grad-input" => () => Convolution.Conv2DBackward<float>(x, w, y, dx, default, default, layer.Padding, layer.StrideSize, options),
            "grad-weight" => () => Convolution.Conv2DBackward<float>(x, w, y, default, dw, b, layer.Padding, layer.StrideSize, options),
            _ => throw new ArgumentException($"pass '{pass}' is none of forward, grad-input, grad-weight", nameof(pass)),
        };
        Func<long> clock = ThreadClock.Select(threadCpuTime: threads == 1);
        if (serve)
        {
            ServeBatches(call, clock);
            return;
        }

        double best = double.MaxValue;
        for (int i = 0; i < 25; i++)
        {
            long start = clock();
            call();
            double seconds = (clock() - start) * 1e-9;
            if (i >= 5)
            {
                best = Math.Min(best, seconds);
            }
        }

        string clockName = threads == 1 ? "thread CPU time" : "wall clock";
        Console.WriteLine($"{(native ? "NNPackAuto" : "managed")} {pass} {layer.Shape} threads {threads}: {best * 1e3:F2} ms ({clockName}), {layer.Flops / best / 1e9:F1} GFLOP/s");
    }

    /// <summary>One batch per line of standard input until it ends: a pre-roll, then the timed calls; prints seconds per call.</summary>
    private static void ServeBatches(Action call, Func<long> clock)
    {
        // Past the tiered JIT's call counts (30 calls, then a background recompile), so that no round times tier-0 code.
        Repeat(call, clock, 0.5, minimumCalls: 60);
        while (Console.ReadLine() != null)
        {
            Repeat(call, clock, 15e-3, minimumCalls: 1);
            (double seconds, int calls) = Repeat(call, clock, 50e-3, minimumCalls: 2);
            Console.WriteLine((seconds / calls).ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    private static (double Seconds, int Calls) Repeat(Action call, Func<long> clock, double atLeast, int minimumCalls)
    {
        long start = clock();
        int calls = 0;
        double seconds;
        do
        {
            call();
            calls++;
            seconds = (clock() - start) * 1e-9;
        }
        while (seconds < atLeast || calls < minimumCalls);
        return (seconds, calls);
    }
}
