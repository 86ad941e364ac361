using System.Reflection;
using System.Runtime.InteropServices;

namespace NNPackSharp.Interop;

/// <summary>Where the probe looks, gathered once so tests can point it anywhere (another app folder, another RID).</summary>
/// <param name="ExplicitPath">The user's path (API setting or <c>NNPACKSHARP_NATIVE_LIBRARY</c>), tried first; null for none.</param>
/// <param name="SearchingAssembly">The assembly whose DllImport search the runtime repeats; null to skip that step.</param>
/// <param name="DepsFile">The app's dependency manifest; null where the host named none.</param>
/// <param name="AppDirectory">The app's own folder (<see cref="AppContext.BaseDirectory"/>).</param>
/// <param name="RuntimeIdentifiers">The RIDs whose <c>runtimes/&lt;rid&gt;/native/</c> folders are tried, most specific first.</param>
/// <param name="FileName">The library's file name on this OS.</param>
internal sealed record ProbeLocations(
    string? ExplicitPath, Assembly? SearchingAssembly, string? DepsFile, string AppDirectory, IReadOnlyList<string> RuntimeIdentifiers, string FileName)
{
    /// <summary>This process's places, with <paramref name="explicitPath"/> first.</summary>
    public static ProbeLocations ForThisProcess(string? explicitPath) => new(
        explicitPath, typeof(ProbeLocations).Assembly, AppDependencyManifest.HostDepsFile, AppContext.BaseDirectory,
        NativeLibraryFiles.CurrentRuntimeIdentifiers, NativeLibraryFiles.FileName);
}

/// <summary>
/// Finds and loads the native NNPACK-API library without ever throwing, recording every place it tried and why each
/// failed. Order: the explicit path; the runtime's own search for NNPackSharp's DllImports (the host's native search
/// folders, the assembly's folder, then the OS's default search); the native assets the app's deps.json lists; the app's
/// folder (where publishing, single-file and NativeAOT put it); then <c>runtimes/&lt;rid&gt;/native/</c> under the app
/// folder for the running RID and its fallbacks. A library is accepted only when it exports every function the engine
/// calls (<see cref="RequiredExports"/>) and its <c>nnp_initialize</c> succeeds on this CPU.
/// </summary>
internal sealed class NativeLibraryProbe(ProbeLocations locations)
{
    private readonly List<string> attempts = [];

    /// <summary>Every attempt, in order, with its outcome.</summary>
    public IReadOnlyList<string> Attempts => attempts;

    /// <summary>The ISA level the loaded library chose (<c>nnpsharp_isa</c>); null until one loads.</summary>
    public string? Isa { get; private set; }

    /// <summary>Loads the first candidate that is a working library for the engine; 0 when none is.</summary>
    public nint Load()
    {
        var tried = new HashSet<string>();
        foreach (Candidate candidate in Candidates())
        {
            if (!tried.Add(candidate.Label))
            {
                continue;
            }

            if (!TryLoad(candidate, out nint handle, out string failure))
            {
                attempts.Add($"{candidate.Label}: {failure}");
                continue;
            }

            string? refusal = Refusal(handle);
            if (refusal is not null)
            {
                attempts.Add($"{candidate.Label}: loaded, but {refusal}");
                NativeLibrary.Free(handle);
                continue;
            }

            attempts.Add($"{candidate.Label}: loaded and initialised (ISA {Isa})");
            return handle;
        }

        return 0;
    }

    private IEnumerable<Candidate> Candidates()
    {
        if (!string.IsNullOrEmpty(locations.ExplicitPath))
        {
            yield return new Candidate(locations.ExplicitPath, null);
        }
        else
        {
            attempts.Add("explicit path: none (set NNPackNativeLibrary.ExplicitPath or NNPACKSHARP_NATIVE_LIBRARY)");
        }

        if (locations.SearchingAssembly is not null)
        {
            yield return new Candidate(locations.FileName, locations.SearchingAssembly);
        }

        foreach (string asset in AppDependencyManifest.NativeAssets(locations.DepsFile, locations.FileName, locations.RuntimeIdentifiers, attempts))
        {
            yield return new Candidate(asset, null);
        }

        yield return new Candidate(Path.Combine(locations.AppDirectory, locations.FileName), null);
        foreach (string rid in locations.RuntimeIdentifiers)
        {
            yield return new Candidate(Path.Combine(locations.AppDirectory, "runtimes", rid, "native", locations.FileName), null);
        }
    }

    private static bool TryLoad(Candidate candidate, out nint handle, out string failure)
    {
        failure = "";
        if (candidate.SearchingAssembly is not null)
        {
            bool found = NativeLibrary.TryLoad(candidate.Name, candidate.SearchingAssembly, null, out handle);
            if (!found)
            {
                failure = "not found by the runtime's search (the host's native search folders, the assembly's folder, the OS's default search)";
            }

            return found;
        }

        handle = 0;
        if (!File.Exists(candidate.Name))
        {
            failure = "no such file";
            return false;
        }

        try
        {
            handle = NativeLibrary.Load(candidate.Name);
            return true;
        }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
        {
            // The first line is the runtime's generic advice; the OS loader's own reason (wrong architecture, a missing
            // dependency, a GLIBC version this system lacks) follows it.
            string[] lines = e.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            failure = "could not be loaded: " + (lines.Length > 1 ? string.Join(" ", lines[1..]) : e.Message);
            return false;
        }
    }

    /// <summary>Why <paramref name="handle"/> cannot serve the engine, or null once it has initialised (and <see cref="Isa"/> is set).</summary>
    private unsafe string? Refusal(nint handle)
    {
        if (!NativeLibrary.TryGetExport(handle, nameof(NNPackNative.nnp_initialize), out nint initialize))
        {
            return "it does not export nnp_initialize (not an NNPACK library)";
        }

        IReadOnlyList<string> missing = RequiredExports.MissingFrom(handle);
        if (missing.Count > 0)
        {
            return $"it lacks functions the engine calls: {string.Join(", ", missing)} (upstream NNPACK, or an older build of NNPackSharp's library)";
        }

        int status = ((delegate* unmanaged<int>)initialize)();
        if (status != 0)
        {
            return $"nnp_initialize returned {status} ({Enum.GetName((NnpStatus)status) ?? "unknown status"}): it refuses this CPU";
        }

        nint isa = NativeLibrary.GetExport(handle, nameof(NNPackNative.nnpsharp_isa));
        Isa = Marshal.PtrToStringUTF8((nint)((delegate* unmanaged<byte*>)isa)()) ?? "unknown";
        return null;
    }

    /// <summary>A path to load, or a name for the runtime to search for on behalf of <see cref="SearchingAssembly"/>.</summary>
    private readonly record struct Candidate(string Name, Assembly? SearchingAssembly)
    {
        public string Label => SearchingAssembly is null ? Name : $"{Name} (the runtime's search for {SearchingAssembly.GetName().Name})";
    }
}
