using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyModel;
using NNPackSharp.Native;

namespace NNPackSharp;

/// <summary>
/// The native NNPACK-API engine behind <see cref="Conv2DAlgorithm.NNPackAuto"/>: where it was looked for, whether it
/// loaded, and an explicit path to use instead. Looking never throws; <see cref="Diagnostics"/> says what was tried.
/// </summary>
public static class NNPackNativeLibrary
{
    private static readonly Lock Gate = new();
    private static string? explicitPath;
    private static bool probed;
    private static nint handle;
    private static string diagnostics = "not looked for yet";
    private static int resolverRegistered;

    /// <summary>
    /// A path to the native library to load, tried before any other place. Set it before the first use of
    /// <see cref="Conv2DAlgorithm.NNPackAuto"/>; the environment variable <c>NNPACKSHARP_NATIVE_LIBRARY</c> does the same.
    /// </summary>
    /// <exception cref="InvalidOperationException">The library has already been looked for in this process.</exception>
    public static string? ExplicitPath
    {
        get => explicitPath;
        set
        {
            lock (Gate)
            {
                if (probed)
                {
                    throw new InvalidOperationException("NNPackNativeLibrary.ExplicitPath must be set before the native library is first used.");
                }

                explicitPath = value;
            }
        }
    }

    /// <summary>True when the native library was found, loaded and initialised on this CPU.</summary>
    public static bool IsAvailable => Handle != 0;

    /// <summary>Every place the library was looked for and what happened there, one per line.</summary>
    public static string Diagnostics
    {
        get
        {
            _ = Handle;
            return diagnostics;
        }
    }

    /// <summary>The loaded library, or 0; the first call looks for it.</summary>
    internal static nint Handle
    {
        get
        {
            lock (Gate)
            {
                if (!probed)
                {
                    probed = true;
                    string? path = explicitPath ?? Environment.GetEnvironmentVariable("NNPACKSHARP_NATIVE_LIBRARY");
                    var probe = new NativeLibraryProbe(path, AppContext.BaseDirectory, AppDependencies());
                    handle = probe.Load();
                    diagnostics = string.Join(Environment.NewLine, probe.Attempts);
                    RegisterResolver();
                }

                return handle;
            }
        }
    }

    /// <summary>The app's dependency manifest (deps.json); null in single-file and AOT apps, where the probe skips it.</summary>
    [UnconditionalSuppressMessage("SingleFile", "IL3002", Justification = "DependencyContext.Default returns null in single-file apps; the probe records that and moves on.")]
    private static DependencyContext? AppDependencies() => DependencyContext.Default;

    /// <summary>Routes the generated bindings' library name to the loaded handle; registering twice is harmless.</summary>
    private static void RegisterResolver()
    {
        if (Interlocked.Exchange(ref resolverRegistered, 1) != 0)
        {
            return;
        }

        try
        {
            NativeLibrary.SetDllImportResolver(typeof(NNPackNativeLibrary).Assembly, Resolve);
        }
        catch (InvalidOperationException)
        {
            // The host registered its own resolver for this assembly; it wins, and default probing remains.
        }
    }

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath) =>
        name == Interop.NNPackNative.LibraryName ? handle : 0;
}
