using NNPackSharp.Interop;

namespace NNPackSharp;

/// <summary>
/// The native NNPACK-API engine behind <see cref="Conv2DAlgorithm.NNPackAuto"/>: where it was looked for, whether it
/// loaded, and an explicit path to use instead. Looking never throws; <see cref="Diagnostics"/> says what was tried.
/// </summary>
/// <remarks>
/// The library (<c>libnnpack.so</c>, <c>nnpack.dll</c> or <c>libnnpack.dylib</c>) is looked for once per process, in
/// order: <see cref="ExplicitPath"/>; the runtime's own search for NNPackSharp's native imports; the native assets of the
/// app's <c>deps.json</c>; the app's folder; <c>runtimes/&lt;rid&gt;/native/</c> under it for the running RID and its
/// fallbacks. It is taken only when it exports every function the engine calls and initialises on this CPU.
/// </remarks>
public static class NNPackNativeLibrary
{
    /// <summary>
    /// A path to the native library to load, tried before any other place. Set it before the first use of
    /// <see cref="Conv2DAlgorithm.NNPackAuto"/>; the environment variable <c>NNPACKSHARP_NATIVE_LIBRARY</c> does the same.
    /// </summary>
    /// <exception cref="InvalidOperationException">The library has already been looked for in this process.</exception>
    public static string? ExplicitPath
    {
        get => NativeLibraryLoader.ExplicitPath;
        set => NativeLibraryLoader.ExplicitPath = value;
    }

    /// <summary>True when the native library was found, loaded and initialised on this CPU.</summary>
    public static bool IsAvailable => NativeLibraryLoader.Handle != 0;

    /// <summary>
    /// The instruction-set level the loaded library computes with (<c>avx512</c>, <c>avx2</c>, <c>scalar</c>, ...: what
    /// its <c>nnp_initialize</c> chose for this CPU, capped by <c>NNPACKSHARP_ISA</c>); null when it is not available.
    /// </summary>
    public static string? Isa => NativeLibraryLoader.Isa;

    /// <summary>
    /// Every place the library was looked for and what happened there, one per line: a file missing, a load failure with
    /// the OS loader's reason, a library that lacks functions the engine calls (named), or one that refuses this CPU.
    /// </summary>
    public static string Diagnostics => NativeLibraryLoader.Diagnostics;
}
