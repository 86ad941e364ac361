using System.Numerics;
using System.Runtime.CompilerServices;
using NNPackSharp.Gemm;

namespace NNPackSharp.Engines.Managed;

/// <summary>The register width the managed engine's GEMM runs with, in bits, for the public API to report.</summary>
internal static class ManagedVectorWidth
{
    /// <summary>512, 256 or 128 with SIMD; the element's own size where the engine runs its scalar kernel.</summary>
    public static int Bits<T>()
        where T : unmanaged, IFloatingPointIeee754<T> => ManagedEngine<T>.Default.Gemm.Width switch
        {
            VectorWidth.Vector512 => 512,
            VectorWidth.Vector256 => 256,
            VectorWidth.Vector128 => 128,
            _ => Unsafe.SizeOf<T>() * 8,
        };
}
