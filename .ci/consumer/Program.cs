// The consumer leg's app (.ci/consumer-test.sh copies it over a fresh `dotnet new console` that added NNPackSharp from
// the local feed). It convolves a small padded, strided problem with each engine, forward and backward, and checks
// every element against a direct double-precision convolution computed right here. Exit 0 only when all agree.
//   ConsumerApp              the packaged libnnpack must load: NNPackAuto, Im2ColGemm and Fastest (-> NNPackAuto on
//                            x86-64, where the native engine is measured faster; Im2ColGemm elsewhere)
//   ConsumerApp isa=NAME     the same, and the library must compute with that ISA level (isa=neon on linux-arm64)
//   ConsumerApp missing-exports   pointed at a library without our nnpsharp_* functions: NNPackAuto must throw
//                            NNPackUnavailableException naming them, and Fastest must compute with the managed engine
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using NNPackSharp;

bool expectMissingExports = args.Contains("missing-exports");
string? expectedIsa = args.FirstOrDefault(a => a.StartsWith("isa=", StringComparison.Ordinal))?["isa=".Length..];
Conv2DAlgorithm expectedFastest = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? Conv2DAlgorithm.NNPackAuto : Conv2DAlgorithm.Im2ColGemm;
const int N = 2, Cin = 3, H = 7, W = 6, Cout = 4, KH = 3, KW = 2;
var padding = new Size2D(1, 2);
var stride = new Size2D(2, 1);
int hOut = ((H + (2 * padding.Height) - KH) / stride.Height) + 1, wOut = ((W + (2 * padding.Width) - KW) / stride.Width) + 1;
float[] x = Values(N * Cin * H * W, 37), w = Values(Cout * Cin * KH * KW, 11), b = Values(Cout, 5), dy = Values(N * Cout * hOut * wOut, 23);
var (refY, refDx, refDw, refDb) = Direct();

Console.WriteLine($"runtime: {RuntimeInformation.RuntimeIdentifier} ({RuntimeInformation.OSDescription}, {RuntimeInformation.ProcessArchitecture})");
Console.WriteLine($"native library: {(NNPackNativeLibrary.IsAvailable ? $"loaded, ISA {NNPackNativeLibrary.Isa}" : "not available")}");
Console.WriteLine($"managed engine: {Convolution.ManagedVectorBits<float>()}-bit vectors; Fastest runs {Convolution.ResolveAlgorithm<float>(Conv2DAlgorithm.Fastest)}");
Console.WriteLine("loader: " + NNPackNativeLibrary.Diagnostics.ReplaceLineEndings(Environment.NewLine + "loader: "));

bool ok = true;
if (expectMissingExports)
{
    try
    {
        Run(Conv2DAlgorithm.NNPackAuto);
        ok = Fail("NNPackAuto ran although the library lacks our functions");
    }
    catch (NNPackUnavailableException e)
    {
        bool named = e.Message.Contains("nnpsharp_convolution_output_strided", StringComparison.Ordinal);
        ok = named ? Pass("NNPackAuto threw NNPackUnavailableException naming the missing functions") : Fail("the exception does not name the missing functions: " + e.Message);
    }

    ok &= Convolution.ResolveAlgorithm<float>(Conv2DAlgorithm.Fastest) == Conv2DAlgorithm.Im2ColGemm || Fail("Fastest did not fall back to Im2ColGemm");
    ok &= Run(Conv2DAlgorithm.Fastest);
}
else
{
    ok &= NNPackNativeLibrary.IsAvailable || Fail("the packaged libnnpack did not load");
    ok &= expectedIsa is null || NNPackNativeLibrary.Isa == expectedIsa || Fail($"the library computes with ISA {NNPackNativeLibrary.Isa}, not {expectedIsa}");
    ok &= Convolution.ResolveAlgorithm<float>(Conv2DAlgorithm.Fastest) == expectedFastest || Fail($"Fastest does not pick {expectedFastest}");
    foreach (Conv2DAlgorithm algorithm in new[] { Conv2DAlgorithm.NNPackAuto, Conv2DAlgorithm.Im2ColGemm, Conv2DAlgorithm.Fastest })
    {
        ok &= Run(algorithm);
    }
}

Console.WriteLine(ok ? "consumer: PASS" : "consumer: FAIL");
return ok ? 0 : 1;

bool Run(Conv2DAlgorithm algorithm)
{
    Tensor<float> input = Tensor.Create(x, [N, Cin, H, W]), weight = Tensor.Create(w, [Cout, Cin, KH, KW]), bias = Tensor.Create(b, [Cout, 1, 1]);
    Tensor<float> y = Convolution.Conv2D(input, weight, bias, padding, stride, algorithm);
    Conv2DGradients<float> g = Convolution.Conv2DBackward(input, weight, bias, Tensor.Create(dy, [N, Cout, hOut, wOut]), padding, stride, algorithm);
    double error = new[] { Error(y, refY), Error(g.GradInput, refDx), Error(g.GradWeight, refDw), Error(g.GradBias!, refDb) }.Max();
    return error <= 1e-5 ? Pass($"{algorithm}: forward and backward match the direct convolution (max relative error {error:E1})")
        : Fail($"{algorithm}: max relative error {error:E1} against the direct convolution");
}

(double[] Y, double[] Dx, double[] Dw, double[] Db) Direct()
{
    double[] y = new double[N * Cout * hOut * wOut], dx = new double[x.Length], dw = new double[w.Length], db = new double[Cout];
    for (int n = 0; n < N; n++)
    for (int co = 0; co < Cout; co++)
    for (int oh = 0; oh < hOut; oh++)
    for (int ow = 0; ow < wOut; ow++)
    {
        int o = (((n * Cout) + co) * hOut + oh) * wOut + ow;
        y[o] = b[co];
        db[co] += dy[o];
        for (int ci = 0; ci < Cin; ci++)
        for (int kh = 0; kh < KH; kh++)
        for (int kw = 0; kw < KW; kw++)
        {
            int ih = (oh * stride.Height) - padding.Height + kh, iw = (ow * stride.Width) - padding.Width + kw;
            if (ih < 0 || ih >= H || iw < 0 || iw >= W)
            {
                continue;
            }

            int i = (((n * Cin) + ci) * H + ih) * W + iw, k = (((co * Cin) + ci) * KH + kh) * KW + kw;
            y[o] += (double)x[i] * w[k];
            dx[i] += (double)dy[o] * w[k];
            dw[k] += (double)dy[o] * x[i];
        }
    }

    return (y, dx, dw, db);
}

// Error relative to the reference's largest magnitude (single elements may cancel to about zero).
static double Error(Tensor<float> actual, double[] expected)
{
    float[] a = new float[actual.FlattenedLength];
    actual.FlattenTo(a);
    double scale = Math.Max(expected.Max(Math.Abs), 1e-30);
    return a.Length != expected.Length ? double.PositiveInfinity : a.Select((v, i) => Math.Abs(v - expected[i])).Max() / scale;
}

static float[] Values(int length, int step) => [.. Enumerable.Range(0, length).Select(i => (((i * step) % 17) - 8) / 8f)];

static bool Pass(string what)
{
    Console.WriteLine("ok: " + what);
    return true;
}

static bool Fail(string what)
{
    Console.WriteLine("FAILED: " + what);
    return false;
}
