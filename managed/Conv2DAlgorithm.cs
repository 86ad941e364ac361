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
    /// The native engine: NNPACK's C API with the kernel picked automatically (float only).
    /// This build does not ship the native library yet, so this algorithm throws
    /// <see cref="NotSupportedException"/> after the arguments have been validated.
    /// </summary>
    NNPackAuto = 1,
}
