using System.Numerics;
using System.Runtime.Intrinsics;

namespace NNPackSharp.Gemm;

/// <summary>
/// The GEMM of every register width for <typeparamref name="T"/>, and the widest one this CPU runs, chosen once per
/// process. Tests reach each supported width through <see cref="Supported"/>.
/// </summary>
internal static class Gemms<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Every width, narrowest first, whether or not this CPU runs it.</summary>
    public static IReadOnlyList<GemmForWidth<T>> All { get; } =
    [
        new BlockedGemm<T, T, ScalarOps<T>>(VectorWidth.Scalar),
        new BlockedGemm<T, Vector128<T>, Vector128Ops<T>>(VectorWidth.Vector128),
        new BlockedGemm<T, Vector256<T>, Vector256Ops<T>>(VectorWidth.Vector256),
        new BlockedGemm<T, Vector512<T>, Vector512Ops<T>>(VectorWidth.Vector512),
    ];

    /// <summary>The widths this CPU runs in hardware (scalar always).</summary>
    public static IReadOnlyList<GemmForWidth<T>> Supported { get; } = [.. All.Where(gemm => gemm.IsSupported)];

    /// <summary>The widest supported width: the one the managed engine uses.</summary>
    public static GemmForWidth<T> Best { get; } = Supported[^1];

    /// <summary>The GEMM of <paramref name="width"/>, supported or not.</summary>
    public static GemmForWidth<T> Get(VectorWidth width) => All.Single(gemm => gemm.Width == width);
}
