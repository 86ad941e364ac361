using System.Diagnostics;
using NumericsTensor = System.Numerics.Tensors.Tensor;

namespace NNPackSharp.Bench;

/// <summary>`forward N Cin H Cout k stride pad`: best-of-20 stopwatch time of the managed forward on one thread.</summary>
internal static class ForwardProbe
{
    public static void Run(int[] a)
    {
        var layer = new ConvLayer("probe", a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
        Convolution.MaxDegreeOfParallelism = 1;
        var random = new Random(1);
        var x = NumericsTensor.Create(BenchData.RandomValues(random, layer.InputShape), layer.InputShape);
        var w = NumericsTensor.Create(BenchData.RandomValues(random, layer.WeightShape), layer.WeightShape);
        var y = NumericsTensor.Create(new float[layer.OutputLength], layer.OutputShape);
        double best = double.MaxValue;
        for (int i = 0; i < 25; i++)
        {
            long start = Stopwatch.GetTimestamp();
            Convolution.Conv2D<float>(x, w, default, y, layer.Padding, layer.StrideSize);
            if (i >= 5) best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalSeconds);
        }

        Console.WriteLine($"managed forward {string.Join(",", a)}: {best * 1e3:F2} ms, {layer.Flops / best / 1e9:F1} GFLOP/s");
    }
}
