using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyModel;

namespace NNPackSharp.Interop;

/// <summary>
/// Finds and loads the native NNPACK-API library without ever throwing, recording every place it tried and why each
/// failed. Order: an explicit path (API setting, else <c>NNPACKSHARP_NATIVE_LIBRARY</c>); the app's native assets for
/// this RID from <see cref="DependencyContext.Default"/> (null in single-file and AOT apps); the app's
/// <c>runtimes/&lt;rid&gt;/native/</c> folder; the platform's default probing.
/// </summary>
internal sealed class NativeLibraryProbe(string? explicitPath, string baseDirectory, DependencyContext? dependencies)
{
    public const string FileName = "libnnpack.so";

    private readonly List<string> attempts = [];

    /// <summary>Every attempt, in order, with its outcome.</summary>
    public IReadOnlyList<string> Attempts => attempts;

    /// <summary>Loads the first candidate that is a working NNPACK-API library (it must export and pass <c>nnp_initialize</c>); 0 when none is.</summary>
    public unsafe nint Load()
    {
        foreach (string candidate in Candidates())
        {
            if (!NativeLibrary.TryLoad(candidate, out nint handle))
            {
                attempts.Add($"{candidate}: {(LooksLikePath(candidate) && !File.Exists(candidate) ? "no such file" : "could not be loaded (not a shared library for this platform, or a dependency is missing)")}");
                continue;
            }

            if (!NativeLibrary.TryGetExport(handle, "nnp_initialize", out nint initialize))
            {
                attempts.Add($"{candidate}: loaded, but it does not export nnp_initialize (not an NNPACK library)");
                NativeLibrary.Free(handle);
                continue;
            }

            int status = ((delegate* unmanaged<int>)initialize)();
            if (status != 0)
            {
                attempts.Add($"{candidate}: nnp_initialize returned {status} ({Enum.GetName(typeof(NnpStatus), status) ?? "unknown status"}): it refuses this CPU");
                NativeLibrary.Free(handle);
                continue;
            }

            attempts.Add($"{candidate}: loaded and initialised");
            return handle;
        }

        return 0;
    }

    private IEnumerable<string> Candidates()
    {
        if (!string.IsNullOrEmpty(explicitPath))
        {
            yield return explicitPath;
        }
        else
        {
            attempts.Add("explicit path: none (set NNPackNativeLibrary.ExplicitPath or NNPACKSHARP_NATIVE_LIBRARY)");
        }

        foreach (string asset in DependencyAssets())
        {
            yield return asset;
        }

        foreach (string rid in RuntimeIdentifiers())
        {
            yield return Path.Combine(baseDirectory, "runtimes", rid, "native", FileName);
        }

        yield return FileName;
    }

    private IEnumerable<string> DependencyAssets()
    {
        if (dependencies is null)
        {
            attempts.Add("dependency context: none (single-file or AOT app)");
            yield break;
        }

        foreach (RuntimeLibrary library in dependencies.RuntimeLibraries)
        {
            foreach (string asset in library.GetRuntimeNativeAssets(dependencies, RuntimeInformation.RuntimeIdentifier))
            {
                if (Path.GetFileName(asset) == FileName)
                {
                    yield return Path.Combine(baseDirectory, asset);
                    yield return Path.Combine(baseDirectory, FileName);
                }
            }
        }
    }

    /// <summary>The RID this process runs as, then its portable form (linux-x64 for debian.12-x64, say).</summary>
    private static IEnumerable<string> RuntimeIdentifiers()
    {
        string arch = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        string os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
        return new[] { RuntimeInformation.RuntimeIdentifier, $"{os}-{arch}" }.Distinct();
    }

    private static bool LooksLikePath(string candidate) => candidate.Contains('/') || candidate.Contains('\\');
}
