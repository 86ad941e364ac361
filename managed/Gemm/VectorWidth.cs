namespace NNPackSharp.Gemm;

/// <summary>The register width a GEMM's ukernel computes with: one <see cref="GemmForWidth{T}"/> per value.</summary>
internal enum VectorWidth
{
    Scalar,
    Vector128,
    Vector256,
    Vector512,
}
