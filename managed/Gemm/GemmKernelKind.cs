namespace NNPackSharp.Gemm;

/// <summary>The register width a GEMM kernel computes with.</summary>
internal enum GemmKernelKind
{
    Scalar,
    Vector128,
    Vector256,
    Vector512,
}
