using System.Numerics;
using System.Runtime.InteropServices;

namespace NNPackSharp.Engines;

/// <summary>
/// Resolves an <see cref="OperatorEngine"/> for one validated call. Called after validation, so an invalid call reports
/// its argument before any engine's refusal, and before anything is written.
/// </summary>
internal static class OperatorEngineChoice
{
    /// <summary>
    /// Whether the call runs on the native operator. <paramref name="nativeRefusal"/> is null when the native operator
    /// computes this call, else why it cannot (the <see cref="NotSupportedException"/>'s message for
    /// <see cref="OperatorEngine.Native"/>; <see cref="OperatorEngine.Fastest"/> then runs managed).
    /// </summary>
    /// <exception cref="NNPackUnavailableException"><see cref="OperatorEngine.Native"/> where the library is not available.</exception>
    /// <exception cref="NotSupportedException"><see cref="OperatorEngine.Native"/> for an element type other than float, or a call the native operator cannot compute.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="engine"/> is not an <see cref="OperatorEngine"/> value.</exception>
    public static bool RunsNative<T>(OperatorEngine engine, string operation, string? nativeRefusal = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (engine)
        {
            case OperatorEngine.Managed:
                return false;
            case OperatorEngine.Fastest:
                return typeof(T) == typeof(float) && nativeRefusal is null && NativeIsMeasuredFaster && NNPackNativeLibrary.IsAvailable;
            case OperatorEngine.Native:
                if (typeof(T) != typeof(float))
                {
                    throw new NotSupportedException($"OperatorEngine.Native computes {operation} in float32 only; element type {typeof(T).Name} needs OperatorEngine.Managed (or Fastest).");
                }

                if (!NNPackNativeLibrary.IsAvailable)
                {
                    throw new NNPackUnavailableException(NNPackNativeLibrary.Diagnostics);
                }

                return nativeRefusal is null ? true : throw new NotSupportedException($"OperatorEngine.Native cannot compute this {operation}: {nativeRefusal} Use OperatorEngine.Managed or Fastest.");
            default:
                throw new ArgumentOutOfRangeException(nameof(engine), engine, $"unknown OperatorEngine value {(int)engine}.");
        }
    }

    // As Convolution's Fastest: the native library was measured only on x86-64; ARM64 only ran under qemu.
    private static bool NativeIsMeasuredFaster => RuntimeInformation.ProcessArchitecture == Architecture.X64;
}
