namespace NNPackSharp;

/// <summary>Which engine computes a convolution.</summary>
public enum Conv2DAlgorithm
{
    /// <summary>
    /// The managed engine: im2col followed by a SIMD GEMM written in C#. Runs everywhere .NET runs,
    /// for <see cref="float"/>, <see cref="double"/> and every other IEEE floating-point type.
    /// </summary>
    Im2ColGemm = 0,

    /// <summary>
    /// The native engine: NNPackSharp's implementation of the NNPACK C API (libnnpack) with its automatic algorithm
    /// choice; <see cref="float"/> only. Throws <see cref="NNPackUnavailableException"/> (a
    /// <see cref="NotSupportedException"/> carrying the loader's diagnostic) where the library is missing or refuses
    /// the CPU, and <see cref="NotSupportedException"/> for other element types; it never silently runs the managed engine.
    /// </summary>
    NNPackAuto = 1,

    /// <summary>
    /// The fastest engine available for the call: <see cref="NNPackAuto"/> for <see cref="float"/> on x86-64 where the
    /// native library loads (see <see cref="NNPackNativeLibrary.IsAvailable"/>), otherwise <see cref="Im2ColGemm"/>.
    /// On ARM64 it is <see cref="Im2ColGemm"/> until the native engine is measured faster on real ARM64 hardware.
    /// </summary>
    Fastest = 2,
}
