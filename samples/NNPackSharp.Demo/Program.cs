using System.Diagnostics;
using System.Numerics.Tensors;
using NNPackSharp;
using NNPackSharp.Demo;

// The conv layers of a small CIFAR-style CNN (batch 16, 32x32 RGB), forward and backward, with every algorithm
// this build offers, in float and double. Each algorithm's float results are checked against the managed engine's
// double results, then a table of times and GFLOP/s (by the direct-convolution count) is printed.
(string Name, int Cin, int Hw, int Cout, int K, int Stride, int Pad)[] layers =
[
    ("conv1 3x3", 3, 32, 32, 3, 1, 1),
    ("conv2 3x3/2", 32, 32, 64, 3, 2, 1),
    ("conv3 3x3", 64, 16, 64, 3, 1, 1),
    ("conv4 3x3/2", 64, 16, 128, 3, 2, 1),
    ("conv5 1x1", 128, 8, 256, 1, 1, 0),
];
const int Batch = 16;
const int Repeats = 3;

Console.WriteLine($"NNPackSharp demo: {layers.Length} conv layers of a small CNN, batch {Batch}, {Convolution.MaxDegreeOfParallelism} thread(s)");
// What this machine runs: the native library's ISA level, the managed GEMM's register width, and Fastest's choice.
Console.WriteLine($"  native library: {(NNPackNativeLibrary.IsAvailable ? $"loaded, ISA {NNPackNativeLibrary.Isa}" : "not available")}");
Console.WriteLine($"  managed engine: {Convolution.ManagedVectorBits<float>()}-bit vectors for float, {Convolution.ManagedVectorBits<double>()}-bit for double");
Console.WriteLine($"  Fastest runs {Convolution.ResolveAlgorithm<float>(Conv2DAlgorithm.Fastest)} for float and {Convolution.ResolveAlgorithm<double>(Conv2DAlgorithm.Fastest)} for double");
if (!NNPackNativeLibrary.IsAvailable)
{
    Console.WriteLine("  why the native library is not available:" + Environment.NewLine + "    " + NNPackNativeLibrary.Diagnostics.ReplaceLineEndings(Environment.NewLine + "    "));
}

// Every algorithm in each precision it supports here; NNPackAuto is float-only and needs the native library.
var runs = new List<(Conv2DAlgorithm Algorithm, bool Single)>();
foreach (Conv2DAlgorithm algorithm in Enum.GetValues<Conv2DAlgorithm>())
{
    foreach (bool single in new[] { true, false })
    {
        string type = single ? "float" : "double";
        try
        {
            if (single)
            {
                Convolution.Conv2D(Tensor.Create(new float[1], [1, 1, 1, 1]), Tensor.Create(new float[1], [1, 1, 1, 1]), algorithm: algorithm);
            }
            else
            {
                Convolution.Conv2D(Tensor.Create(new double[1], [1, 1, 1, 1]), Tensor.Create(new double[1], [1, 1, 1, 1]), algorithm: algorithm);
            }

            runs.Add((algorithm, single));
            Console.WriteLine($"  {algorithm} {type}: available");
        }
        catch (NotSupportedException e)
        {
            Console.WriteLine($"  {algorithm} {type}: not available: {e.Message.Split(Environment.NewLine)[0]}");
        }
    }
}

var random = new Random(42);
var rows = new List<string>();
var progress = new Progress(layers.Length * (runs.Count + 1));
bool allAgree = true;
foreach (var layer in layers)
{
    nint[] inputShape = [Batch, layer.Cin, layer.Hw, layer.Hw];
    nint[] weightShape = [layer.Cout, layer.Cin, layer.K, layer.K];
    double[] x = Random(random, inputShape), w = Random(random, weightShape), b = Random(random, [layer.Cout]);
    var padding = new Size2D(layer.Pad);
    var stride = new Size2D(layer.Stride);
    nint[] outputShape = Convolution.Conv2DOutputShape(inputShape, weightShape, padding, stride);
    double[] dy = Random(random, outputShape);
    double flops = 2.0 * Batch * layer.Cout * outputShape[2] * outputShape[3] * layer.Cin * layer.K * layer.K;

    // The double-precision managed results are the yardstick every float run is checked against.
    Tensor<double> referenceOut = Convolution.Conv2D(Tensor.Create(x, inputShape), Tensor.Create(w, weightShape), Tensor.Create(b, [layer.Cout, 1, 1]), padding, stride);
    Conv2DGradients<double> referenceGrad = Convolution.Conv2DBackward(Tensor.Create(x, inputShape), Tensor.Create(w, weightShape), Tensor.Create(b, [layer.Cout, 1, 1]), Tensor.Create(dy, outputShape), padding, stride);
    progress.Step($"{layer.Name} double reference");

    foreach (var (algorithm, single) in runs)
    {
        {
            string type = single ? "float" : "double";
            (double forward, double backward, double error) = single
                ? Run<float>(x, w, b, dy, inputShape, weightShape, padding, stride, algorithm, referenceOut, referenceGrad)
                : Run<double>(x, w, b, dy, inputShape, weightShape, padding, stride, algorithm, referenceOut, referenceGrad);
            bool agrees = error <= (single ? 1e-4 : 1e-12);
            allAgree &= agrees;
            rows.Add($"| {layer.Name,-12} | {algorithm,-10} | {type,-6} | {forward * 1e3,9:F2} | {flops / forward / 1e9,8:F1} | {backward * 1e3,9:F2} | {2 * flops / backward / 1e9,8:F1} | {error,9:E1} {(agrees ? "ok" : "MISMATCH")} |");
            progress.Step($"{layer.Name} {algorithm} {type}");
        }
    }
}

progress.Finish();
Console.WriteLine();
Console.WriteLine("| layer        | algorithm  | type   | fwd ms    | GFLOP/s  | bwd ms    | GFLOP/s  | max rel. error vs double |");
Console.WriteLine("|--------------|------------|--------|-----------|----------|-----------|----------|--------------------------|");
rows.ForEach(Console.WriteLine);
Console.WriteLine();
Console.WriteLine("Times are the best of " + Repeats + " runs after a warm-up; backward computes gradInput, gradWeight and gradBias (2x the forward FLOPs).");
Console.WriteLine(allAgree ? "All algorithms and precisions agree with the double-precision results." : "MISMATCH: some results disagree (see the table).");
return allAgree ? 0 : 1;

static (double Forward, double Backward, double Error) Run<T>(
    double[] x, double[] w, double[] b, double[] dy, nint[] inputShape, nint[] weightShape, Size2D padding, Size2D stride,
    Conv2DAlgorithm algorithm, Tensor<double> referenceOut, Conv2DGradients<double> referenceGrad)
    where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
{
    Tensor<T> input = Convert<T>(x, inputShape), weight = Convert<T>(w, weightShape), bias = Convert<T>(b, [weightShape[0], 1, 1]);
    Tensor<T> gradOutput = Convert<T>(dy, referenceOut.Lengths.ToArray());
    Tensor<T> output = Tensor.CreateFromShape<T>(referenceOut.Lengths);
    Tensor<T> gradInput = Tensor.CreateFromShape<T>(inputShape), gradWeight = Tensor.CreateFromShape<T>(weightShape), gradBias = Tensor.CreateFromShape<T>([weightShape[0], 1, 1]);

    double forward = Best(() => Convolution.Conv2D<T>(input, weight, bias, output, padding, stride, algorithm));
    double backward = Best(() => Convolution.Conv2DBackward<T>(input, weight, gradOutput, gradInput, gradWeight, gradBias, padding, stride, algorithm));
    double error = new[]
    {
        MaxRelativeError(output, referenceOut),
        MaxRelativeError(gradInput, referenceGrad.GradInput),
        MaxRelativeError(gradWeight, referenceGrad.GradWeight),
        MaxRelativeError(gradBias, referenceGrad.GradBias!),
    }.Max();
    return (forward, backward, error);
}

static double Best(Action action)
{
    action();
    double best = double.MaxValue;
    for (int i = 0; i < Repeats; i++)
    {
        long start = Stopwatch.GetTimestamp();
        action();
        best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalSeconds);
    }

    return best;
}

// Error relative to the largest reference magnitude: elementwise relative error is meaningless where a sum cancels to ~0.
static double MaxRelativeError<T>(Tensor<T> actual, Tensor<double> reference)
    where T : System.Numerics.IFloatingPointIeee754<T>
{
    var a = new T[actual.FlattenedLength];
    var r = new double[reference.FlattenedLength];
    actual.FlattenTo(a);
    reference.FlattenTo(r);
    double scale = Math.Max(r.Max(Math.Abs), double.Epsilon);
    return a.Select((v, i) => Math.Abs(double.CreateTruncating(v) - r[i])).Max() / scale;
}

static Tensor<T> Convert<T>(double[] values, nint[] shape)
    where T : System.Numerics.IFloatingPointIeee754<T> =>
    Tensor.Create(values.Select(T.CreateTruncating).ToArray(), shape);

static double[] Random(Random random, nint[] shape)
{
    var values = new double[shape.Aggregate(1L, (p, l) => p * l)];
    for (int i = 0; i < values.Length; i++)
    {
        values[i] = (random.NextDouble() * 2) - 1;
    }

    return values;
}
