using System.Numerics;
using System.Runtime.Intrinsics;

namespace NNPackSharp.Gemm;

/// <summary>
/// Every GEMM kernel for <typeparamref name="T"/>, and the widest one this CPU runs, chosen once per process.
/// Tests reach each supported kernel through <see cref="Supported"/>.
/// </summary>
internal static class GemmKernels<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>All kernels, narrowest first, whether or not this CPU runs them.</summary>
    public static IReadOnlyList<GemmKernel<T>> All { get; } =
    [
        new BlockedGemm<T, T, ScalarOps<T>>(GemmKernelKind.Scalar),
        new BlockedGemm<T, Vector128<T>, Vector128Ops<T>>(GemmKernelKind.Vector128),
        new BlockedGemm<T, Vector256<T>, Vector256Ops<T>>(GemmKernelKind.Vector256),
        new BlockedGemm<T, Vector512<T>, Vector512Ops<T>>(GemmKernelKind.Vector512),
    ];

    /// <summary>The kernels this CPU runs in hardware (the scalar one always).</summary>
    public static IReadOnlyList<GemmKernel<T>> Supported { get; } = [.. All.Where(kernel => kernel.IsSupported)];

    /// <summary>The widest supported kernel: the one the engine uses.</summary>
    public static GemmKernel<T> Best { get; } = Supported[^1];

    public static GemmKernel<T> Get(GemmKernelKind kind) => All.Single(kernel => kernel.Kind == kind);
}
