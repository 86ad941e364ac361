using System.Runtime.InteropServices;

namespace NNPackSharp.Interop;

/// <summary>
/// What the native library is called on each OS and which <c>runtimes/&lt;rid&gt;/native/</c> folders may hold it: the
/// facts the probe needs about the platform, kept apart so tests can ask them for other platforms.
/// </summary>
internal static class NativeLibraryFiles
{
    /// <summary>The library's file name on the running OS.</summary>
    public static string FileName { get; } = FileNameFor(CurrentOperatingSystem);

    /// <summary>The running OS as a RID's first part: <c>win</c>, <c>osx</c> or <c>linux</c>.</summary>
    public static string CurrentOperatingSystem =>
        OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";

    /// <summary>The RIDs whose native folders may hold this process's library, most specific first.</summary>
    public static IReadOnlyList<string> CurrentRuntimeIdentifiers { get; } = RuntimeIdentifierChain(
        RuntimeInformation.RuntimeIdentifier, CurrentOperatingSystem, RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant());

    /// <summary>The library's file name on <paramref name="operatingSystem"/> (a RID's first part).</summary>
    public static string FileNameFor(string operatingSystem) => operatingSystem switch
    {
        "win" => "nnpack.dll",
        "osx" => "libnnpack.dylib",
        _ => "libnnpack.so",
    };

    /// <summary>
    /// The RID the runtime reports, then NuGet's portable fallbacks for its OS and architecture: <c>linux-arm64</c>,
    /// <c>linux</c>, <c>unix-arm64</c>, <c>unix</c> (Windows has no unix step). A distribution RID such as
    /// <c>ubuntu.22.04-x64</c> (source-built runtimes report one) falls back to <c>linux-x64</c> first.
    /// </summary>
    public static IReadOnlyList<string> RuntimeIdentifierChain(string runtimeIdentifier, string operatingSystem, string architecture)
    {
        var chain = new List<string> { runtimeIdentifier, $"{operatingSystem}-{architecture}", operatingSystem };
        if (operatingSystem != "win")
        {
            chain.Add($"unix-{architecture}");
            chain.Add("unix");
        }

        return [.. chain.Distinct()];
    }
}
