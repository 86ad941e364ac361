using NNPackSharp.Interop;

namespace NNPackSharp.UpstreamTests;

/// <summary>
/// Issue 11, defect 9, on the real thing: upstream NNPACK (inside libtorch_cpu.so) has the NNPACK API but none of our
/// <c>nnpsharp_*</c> functions, so the loader must refuse it at load time and name them, instead of letting
/// NNPackAuto fail later with EntryPointNotFoundException.
/// </summary>
public class LoaderRefusesUpstreamTests
{
    [Test]
    public void UpstreamNNPackIsRefusedNamingOurMissingFunctions()
    {
        string torch = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libtorch_cpu.so");
        var probe = new NativeLibraryProbe(new ProbeLocations(torch, null, null, "/nonexistent", ["linux-x64"], NativeLibraryFiles.FileName));
        Assert.That(probe.Load(), Is.EqualTo(nint.Zero));
        TestContext.Out.WriteLine(probe.Attempts[0]);
        Assert.That(probe.Attempts[0], Does.StartWith(torch + ": loaded, but it lacks functions the engine calls: nnpsharp_isa, nnpsharp_convolution_output_strided, "
            + "nnpsharp_convolution_input_gradient_strided, nnpsharp_convolution_kernel_gradient_strided (upstream NNPACK"));
    }
}
