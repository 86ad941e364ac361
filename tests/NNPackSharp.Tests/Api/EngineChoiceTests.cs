using System.Runtime.Intrinsics;

namespace NNPackSharp.Tests.Api;

/// <summary>What <see cref="Convolution.ResolveAlgorithm{T}"/> and <see cref="Convolution.ManagedVectorBits{T}"/> report (the demo prints them).</summary>
public class EngineChoiceTests
{
    [Test]
    public void FastestResolvesToTheNativeEngineForFloatWhereItLoads()
    {
        Assert.Multiple(() =>
        {
            // Native only where it was measured faster: x86-64 (ARM64 has run only under qemu, which measures no speed).
            bool nativeExpected = NNPackNativeLibrary.IsAvailable && System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.X64;
            Assert.That(Convolution.ResolveAlgorithm<float>(Conv2DAlgorithm.Fastest), Is.EqualTo(nativeExpected ? Conv2DAlgorithm.NNPackAuto : Conv2DAlgorithm.Im2ColGemm));
            Assert.That(Convolution.ResolveAlgorithm<double>(Conv2DAlgorithm.Fastest), Is.EqualTo(Conv2DAlgorithm.Im2ColGemm));
            Assert.That(Convolution.ResolveAlgorithm<Half>(Conv2DAlgorithm.Im2ColGemm), Is.EqualTo(Conv2DAlgorithm.Im2ColGemm));
            Assert.Throws<NotSupportedException>(() => Convolution.ResolveAlgorithm<double>(Conv2DAlgorithm.NNPackAuto));
            Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => Convolution.ResolveAlgorithm<float>((Conv2DAlgorithm)7))!.ParamName, Is.EqualTo("algorithm"));
        });
    }

    [Test]
    public void ManagedVectorWidthFollowsTheJitsCaps()
    {
        // The legs cap the JIT (no AVX-512, no AVX2, no SIMD); the managed engine's width must follow.
        static int Expected(int elementBits) =>
            Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : Vector128.IsHardwareAccelerated ? 128 : elementBits;
        Assert.That(Convolution.ManagedVectorBits<float>(), Is.EqualTo(Expected(32)));
        Assert.That(Convolution.ManagedVectorBits<double>(), Is.EqualTo(Expected(64)));
    }
}
