using NNPackSharp.Interop;

namespace NNPackSharp;

/// <summary>
/// The native NNPACK-API engine behind <see cref="Conv2DAlgorithm.NNPackAuto"/>: where it was looked for, whether it
/// loaded, and an explicit path to use instead. Looking never throws; <see cref="Diagnostics"/> says what was tried.
/// </summary>
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

    /// <summary>Every place the library was looked for and what happened there, one per line.</summary>
    public static string Diagnostics => NativeLibraryLoader.Diagnostics;
}
