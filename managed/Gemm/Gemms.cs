using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace NNPackSharp.Gemm;

/// <summary>
/// Every GEMM variant (register width x ukernel tile) for <typeparamref name="T"/>, and the one the managed engine uses,
/// chosen once per process: the widest width the CPU runs, with the tallest tile its register file holds. Tests reach
/// every supported variant through <see cref="Supported"/>, so the tiles not chosen here are exercised too.
/// </summary>
internal static class Gemms<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Every variant, narrowest width first and, within a width, the 6-row tile before the 12-row one.</summary>
    public static IReadOnlyList<GemmForWidth<T>> All { get; } =
    [
        new BlockedGemm<T, T, ScalarOps<T>, Ukernel6x2<T, T, ScalarOps<T>>, Ukernel6x2<T, T, ScalarOps<T>>>(VectorWidth.Scalar, Blocking),
        new BlockedGemm<T, Vector128<T>, Vector128Ops<T>, Ukernel6x2<T, Vector128<T>, Vector128Ops<T>>, Ukernel6x2<T, Vector128<T>, Vector128Ops<T>>>(VectorWidth.Vector128, Blocking),
        new BlockedGemm<T, Vector128<T>, Vector128Ops<T>, Ukernel12x2<T, Vector128<T>, Vector128Ops<T>>, Ukernel6x2<T, Vector128<T>, Vector128Ops<T>>>(VectorWidth.Vector128, Blocking),
        new BlockedGemm<T, Vector256<T>, Vector256Ops<T>, Ukernel6x2<T, Vector256<T>, Vector256Ops<T>>, Ukernel6x2<T, Vector256<T>, Vector256Ops<T>>>(VectorWidth.Vector256, Blocking),
        new BlockedGemm<T, Vector256<T>, Vector256Ops<T>, Ukernel12x2<T, Vector256<T>, Vector256Ops<T>>, Ukernel6x2<T, Vector256<T>, Vector256Ops<T>>>(VectorWidth.Vector256, Blocking),
        new BlockedGemm<T, Vector512<T>, Vector512Ops<T>, Ukernel6x2<T, Vector512<T>, Vector512Ops<T>>, Ukernel6x2<T, Vector512<T>, Vector512Ops<T>>>(VectorWidth.Vector512, Blocking),
        new BlockedGemm<T, Vector512<T>, Vector512Ops<T>, Ukernel12x2<T, Vector512<T>, Vector512Ops<T>>, Ukernel6x2<T, Vector512<T>, Vector512Ops<T>>>(VectorWidth.Vector512, Blocking),
    ];

    /// <summary>The cache blocking of every variant for this element type.</summary>
    private static GemmBlocking Blocking => GemmBlocking.Default;

    /// <summary>The variants this CPU runs in hardware (scalar always).</summary>
    public static IReadOnlyList<GemmForWidth<T>> Supported { get; } = [.. All.Where(gemm => gemm.IsSupported)];

    /// <summary>
    /// The managed engine's variant: the widest supported width, with the 12-row tile where it is the faster one: on
    /// Arm64 (32 registers) and at Vector512 on x64; at Vector256 and Vector128 an x64 CPU with AVX-512's 32 registers
    /// ran the 12-row ukernel at 82-83% of the width's peak and the 6-row one at 97-98% (bench `gemm`, 1024^3, Zen 4,
    /// <c>DOTNET_PreferredVectorBitWidth=256</c>'s case), and without AVX-512 its 24 accumulators would spill from 16.
    /// </summary>
    public static GemmForWidth<T> Best { get; } = Preferred(Supported[^1].Width);

    /// <summary>True where the JIT has 32 vector registers: x64 with AVX-512 (EVEX reaches xmm/ymm/zmm16-31) and Arm64.</summary>
    public static bool Has32VectorRegisters => Avx512F.VL.IsSupported || AdvSimd.Arm64.IsSupported;

    /// <summary>The variant the engine would use at <paramref name="width"/>, supported or not.</summary>
    public static GemmForWidth<T> Preferred(VectorWidth width)
    {
        bool tall = AdvSimd.Arm64.IsSupported ? width != VectorWidth.Scalar : width == VectorWidth.Vector512 && Has32VectorRegisters;
        int rows = tall ? 12 : 6;
        return All.Single(gemm => gemm.Width == width && gemm.TileRows == rows);
    }
}
