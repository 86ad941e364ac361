using NumericsTensor = System.Numerics.Tensors.Tensor;

namespace NNPackSharp.Bench;

/// <summary>
/// `probe PASS (N Cin H Cout k stride pad | "layer name") [threads]`: the managed engine alone on one layer, best of 20 after warm-up,
/// for tuning and profiling (perf record with DOTNET_PerfMapEnabled=1). PASS is forward, grad-input or grad-weight.
/// On one thread it reports the calling thread's CPU time, which the other processes of a shared machine disturb
/// far less than the wall clock; never a protocol figure.
/// </summary>
internal static class ManagedProbe
{
    public static void Run(string pass, string[] args)
    {
        ConvLayer? named = ConvLayer.All.Concat(ConvLayer.Extra).FirstOrDefault(l => l.Name == args[0]);
        int[] a = args.Skip(named == null ? 0 : 1).Select(x => int.Parse(x, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        ConvLayer layer = named ?? new ConvLayer("probe", a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
        int threads = named != null ? (a.Length > 0 ? a[0] : 1) : a.Length > 7 ? a[7] : 1;
        var options = new Conv2DOptions { MaxDegreeOfParallelism = threads };
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
        Console.WriteLine($"managed {pass} {layer.Shape} threads {threads}: {best * 1e3:F2} ms ({clockName}), {layer.Flops / best / 1e9:F1} GFLOP/s");
    }
}
