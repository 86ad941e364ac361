using NNPackSharp.Interop;

namespace NNPackSharp.UpstreamTests;

/// <summary>
/// Issue 11, defect 9, on the real thing: upstream NNPACK (inside libtorch_cpu.so) has the NNPACK API but none of our
/// <c>nnpsharp_*</c> functions, so the loader must refuse it at load time and name them, instead of letting
/// NNPackAuto fail later with EntryPointNotFoundException. PyTorch's copy also leaves out NNPACK's operators (fully
/// connected, max pooling, softmax, ReLU), which the operators' native engine calls: named too.
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
            + "nnpsharp_convolution_input_gradient_strided, nnpsharp_convolution_kernel_gradient_strided, nnp_fully_connected_output, "
            + "nnp_fully_connected_inference, nnpsharp_fully_connected_inference_ieee_f16f32, nnpsharp_max_pooling_output, nnp_softmax_output, nnp_relu_output, "
            + "nnp_relu_input_gradient (upstream NNPACK"));
    }
}
