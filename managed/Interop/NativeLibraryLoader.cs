using System.Reflection;
using System.Runtime.InteropServices;

namespace NNPackSharp.Interop;

/// <summary>
/// The process's one look for the native library (behind the public <see cref="NNPackNativeLibrary"/>): probes once,
/// on first use, keeps the handle and what was tried, and routes the generated bindings to that handle.
/// </summary>
internal static class NativeLibraryLoader
{
    private static readonly Lock Gate = new();
    private static string? explicitPath;
    private static bool probed;
    private static nint handle;
    private static string diagnostics = "not looked for yet";
    private static string? isa;
    private static int resolverRegistered;

    /// <inheritdoc cref="NNPackNativeLibrary.ExplicitPath"/>
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

    /// <inheritdoc cref="NNPackNativeLibrary.Diagnostics"/>
    public static string Diagnostics
    {
        get
        {
            _ = Handle;
            return diagnostics;
        }
    }

    /// <inheritdoc cref="NNPackNativeLibrary.Isa"/>
    public static string? Isa
    {
        get
        {
            _ = Handle;
            return isa;
        }
    }

    /// <summary>The loaded library, or 0; the first call looks for it.</summary>
    public static nint Handle
    {
        get
        {
            lock (Gate)
            {
                if (!probed)
                {
                    probed = true;
                    string? path = explicitPath ?? Environment.GetEnvironmentVariable("NNPACKSHARP_NATIVE_LIBRARY");
                    var probe = new NativeLibraryProbe(ProbeLocations.ForThisProcess(path));
                    handle = probe.Load();
                    isa = probe.Isa;
                    diagnostics = string.Join(Environment.NewLine, probe.Attempts);
                    RegisterResolver();
                }

                return handle;
            }
        }
    }

    /// <summary>Routes the generated bindings' library name to the loaded handle; registering twice is harmless.</summary>
    private static void RegisterResolver()
    {
        if (Interlocked.Exchange(ref resolverRegistered, 1) != 0)
        {
            return;
        }

        try
        {
            NativeLibrary.SetDllImportResolver(typeof(NativeLibraryLoader).Assembly, Resolve);
        }
        catch (InvalidOperationException)
        {
            // The host registered its own resolver for this assembly; it wins, and default probing remains.
        }
    }

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath) =>
        name == NNPackNative.LibraryName ? handle : 0;
}
