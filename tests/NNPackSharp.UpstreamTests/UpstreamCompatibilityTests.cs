using NNPackSharp.Interop;

namespace NNPackSharp.UpstreamTests;

/// <summary>
/// Ours and upstream's nnp_convolution_output and nnp_convolution_inference, called through the same generated
/// bindings on the same random problems, agree with each other and with a double-precision reference. Upstream picks
/// FFT or Winograd here, so agreement is judged at upstream's own Winograd tolerance, 1e-3 of the terms' magnitude.
/// </summary>
public unsafe class UpstreamCompatibilityTests
{
    [OneTimeSetUp]
    public void Load()
    {
        if (!System.Runtime.Intrinsics.X86.Avx2.IsSupported || !System.Runtime.Intrinsics.X86.Fma.IsSupported)
        {
            Assert.Ignore("upstream NNPACK requires x86-64 with AVX2 and FMA and refuses this CPU (status 51), so there is nothing to compare against here.");
        }

        Assert.That(NNPackNativeLibrary.IsAvailable, Is.True, NNPackNativeLibrary.Diagnostics);
        TestContext.Out.WriteLine(UpstreamNNPack.Note);
    }

    private static IEnumerable<TestCaseData> TrainingShapes()
    {
        var random = new Random(51);
        for (int i = 0; i < 40; i++)
        {
            int kh = random.Next(1, 6), kw = random.Next(1, 6);
            yield return new TestCaseData(random.Next(1, 4), random.Next(1, 20), random.Next(1, 20), random.Next(kh, 24), random.Next(kw, 24), kh, kw,
                random.Next(0, kh), random.Next(0, kw), i).SetArgDisplayNames($"#{i} k{kh}x{kw}");
        }
    }

    [TestCaseSource(nameof(TrainingShapes))]
    public void OutputAgrees(int batch, int cin, int cout, int height, int width, int kh, int kw, int padH, int padW, int seed)
    {
        var shape = new Shape(batch, cin, cout, height, width, kh, kw, padH, padW, 1, 1);
        var data = new ProblemData(shape, seed);
        float[] ours = Run(NNPackNativeLibraryFunctions(), shape, data, inference: false);
        float[] upstream = Run(UpstreamNNPack.Functions, shape, data, inference: false);
        data.AssertClose(ours, "ours");
        data.AssertClose(upstream, "upstream");
    }

    private static IEnumerable<TestCaseData> InferenceShapes()
    {
        var random = new Random(52);
        for (int i = 0; i < 30; i++)
        {
            int kh = random.Next(1, 6), kw = random.Next(1, 6);
            int sh = random.Next(1, 4), sw = random.Next(1, 4);
            yield return new TestCaseData(random.Next(1, 20), random.Next(1, 20), random.Next(kh, 24), random.Next(kw, 24), kh, kw,
                random.Next(0, kh), random.Next(0, kw), sh, sw, i).SetArgDisplayNames($"#{i} k{kh}x{kw} s{sh}x{sw}");
        }
    }

    [TestCaseSource(nameof(InferenceShapes))]
    public void InferenceAgreesWithImplicitGemmAndStride(int cin, int cout, int height, int width, int kh, int kw, int padH, int padW, int sh, int sw, int seed)
    {
        var shape = new Shape(1, cin, cout, height, width, kh, kw, padH, padW, sh, sw);
        var data = new ProblemData(shape, seed);
        float[] ours = Run(NNPackNativeLibraryFunctions(), shape, data, inference: true);
        float[] upstream = Run(UpstreamNNPack.Functions, shape, data, inference: true);
        data.AssertClose(ours, "ours");
        data.AssertClose(upstream, "upstream");
    }

    [Test]
    public void UpstreamThreadPoolRunsThroughTheSameBindings()
    {
        NNPackFunctionTable upstream = UpstreamNNPack.Functions;
        nint pool = upstream.pthreadpool_create(2);
        Assert.That(upstream.pthreadpool_get_threads_count(pool), Is.EqualTo((nuint)2));
        var shape = new Shape(2, 8, 12, 17, 15, 3, 3, 1, 1, 1, 1);
        var data = new ProblemData(shape, 7);
        data.AssertClose(Run(upstream, shape, data, inference: false, pool), "upstream on its own pool");
        upstream.pthreadpool_destroy(pool);
    }

    private static NNPackFunctionTable NNPackNativeLibraryFunctions() => new(NativeLibraryLoader.Handle);

    private static float[] Run(NNPackFunctionTable functions, Shape s, ProblemData data, bool inference, nint pool = 0)
    {
        float[] output = new float[s.OutputLength];
        var input = new NnpSize { Width = (nuint)s.W, Height = (nuint)s.H };
        var kernel = new NnpSize { Width = (nuint)s.KW, Height = (nuint)s.KH };
        var stride = new NnpSize { Width = (nuint)s.SW, Height = (nuint)s.SH };
        var padding = new NnpPadding { Top = (nuint)s.PadH, Bottom = (nuint)s.PadH, Left = (nuint)s.PadW, Right = (nuint)s.PadW };
        fixed (float* x = data.Input, w = data.Weight, b = data.Bias, y = output)
        {
            NnpStatus status = inference
                ? functions.nnp_convolution_inference(NnpConvolutionAlgorithm.Auto, NnpConvolutionTransformStrategy.Compute, (nuint)s.Cin, (nuint)s.Cout,
                    input, padding, kernel, stride, x, w, b, y, null, null, NnpActivation.Identity, null, pool, null)
                : functions.nnp_convolution_output(NnpConvolutionAlgorithm.Auto, (nuint)s.N, (nuint)s.Cin, (nuint)s.Cout,
                    input, padding, kernel, x, w, b, y, null, null, NnpActivation.Identity, null, pool, null);
            Assert.That(status, Is.EqualTo(NnpStatus.Success));
        }

        return output;
    }
}
