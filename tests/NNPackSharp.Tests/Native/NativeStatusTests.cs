using NNPackSharp.Interop;

namespace NNPackSharp.Tests.Native;

/// <summary>Native statuses other than success surface as typed exceptions with the status's name.</summary>
public class NativeStatusTests
{
    [Test]
    public void FailureStatusBecomesNNPackException()
    {
        var error = Assert.Throws<NNPackException>(() => Ensure.Success(NnpStatus.OutOfMemory, "nnp_convolution_output"));
        Assert.Multiple(() =>
        {
            Assert.That(error!.StatusCode, Is.EqualTo(52));
            Assert.That(error.StatusName, Is.EqualTo("OutOfMemory"));
            Assert.That(error.Function, Is.EqualTo("nnp_convolution_output"));
            Assert.That(error.Message, Does.Contain("nnp_convolution_output").And.Contain("52").And.Contain("OutOfMemory"));
        });
        Assert.DoesNotThrow(() => Ensure.Success(NnpStatus.Success, "nnp_convolution_output"));
    }

    [Test]
    public unsafe void NativeLibraryRefusesBadArgumentsWithUpstreamStatuses()
    {
        // Straight through the generated bindings: the library validates on its own, in upstream's order.
        Assert.That(NNPackNativeLibrary.IsAvailable, Is.True, NNPackNativeLibrary.Diagnostics);
        float value = 0;
        var size = new NnpSize { Width = 4, Height = 4 };
        var kernel = new NnpSize { Width = 3, Height = 3 };
        var tooMuchPadding = new NnpPadding { Top = 3 };
        var status = NNPackNative.nnp_convolution_output(
            NnpConvolutionAlgorithm.Auto, 1, 1, 1, size, tooMuchPadding, kernel, &value, &value, &value, &value, null, null,
            NnpActivation.Identity, null, 0, null);
        Assert.That(status, Is.EqualTo(NnpStatus.InvalidInputPadding));
    }
}
