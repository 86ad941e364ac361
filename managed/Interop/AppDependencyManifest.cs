using System.Text.Json;
using Microsoft.Extensions.DependencyModel;

namespace NNPackSharp.Interop;

/// <summary>
/// The app's dependency manifest (<c>&lt;app&gt;.deps.json</c>): the file the host names in
/// <c>APP_CONTEXT_DEPS_FILES</c>, read with <see cref="DependencyContextJsonReader"/>. <c>DependencyContext.Default</c>
/// finds the same file through the entry assembly's location, which single-file and NativeAOT apps do not have (IL3002);
/// reading the named file needs no assembly file, so this probe is safe in every app shape and simply finds nothing
/// where there is no manifest on disk.
/// </summary>
internal static class AppDependencyManifest
{
    /// <summary>
    /// The app's own manifest as the host names it: the first of the ';'-separated deps files, unless that is the
    /// framework's (<c>FX_DEPS_FILE</c>), as in a single-file app whose manifest stays in its bundle; null there and
    /// without a host (NativeAOT).
    /// </summary>
    public static string? HostDepsFile
    {
        get
        {
            string? first = (AppContext.GetData("APP_CONTEXT_DEPS_FILES") as string)?.Split(';', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
            return first is null || first == AppContext.GetData("FX_DEPS_FILE") as string ? null : first;
        }
    }

    /// <summary>
    /// The paths of the native assets named <paramref name="fileName"/> that <paramref name="depsFile"/> lists for the
    /// first of <paramref name="runtimeIdentifiers"/> that has any, under the manifest's folder; every outcome is
    /// added to <paramref name="attempts"/>, and nothing is thrown.
    /// </summary>
    public static IReadOnlyList<string> NativeAssets(string? depsFile, string fileName, IReadOnlyList<string> runtimeIdentifiers, List<string> attempts)
    {
        if (depsFile is null)
        {
            attempts.Add("dependency manifest: none on disk (a single-file app keeps it in its bundle; a NativeAOT app has none)");
            return [];
        }

        if (!File.Exists(depsFile))
        {
            attempts.Add($"dependency manifest {depsFile}: no such file");
            return [];
        }

        try
        {
            using var stream = File.OpenRead(depsFile);
            using var reader = new DependencyContextJsonReader();
            DependencyContext context = reader.Read(stream);
            string directory = Path.GetDirectoryName(depsFile) ?? ".";
            foreach (string runtimeIdentifier in runtimeIdentifiers)
            {
                List<string> assets =
                [
                    .. context.RuntimeLibraries
                        .SelectMany(library => library.GetRuntimeNativeAssets(context, runtimeIdentifier))
                        .Where(asset => Path.GetFileName(asset) == fileName)
                        .Select(asset => Path.GetFullPath(Path.Combine(directory, asset)))
                        .Distinct(),
                ];
                if (assets.Count > 0)
                {
                    return assets;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or FormatException or InvalidOperationException or ArgumentException)
        {
            attempts.Add($"dependency manifest {depsFile}: unreadable ({e.Message})");
            return [];
        }

        attempts.Add($"dependency manifest {depsFile}: lists no native asset named {fileName} for {string.Join(", ", runtimeIdentifiers)}");
        return [];
    }
}
