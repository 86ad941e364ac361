using System.Runtime.InteropServices;
using NNPackSharp.Interop;

namespace NNPackSharp.Tests.Native;

/// <summary>
/// The loader's probe: an explicit path first, then the runtime's search, the deps.json assets, the app folder and
/// <c>runtimes/&lt;rid&gt;/native/</c> for the RID chain; every failure recorded, never an exception.
/// </summary>
public class LoaderTests
{
    // The build ships the library for the architecture it runs on: runtimes/linux-x64 or runtimes/linux-arm64.
    private static string BuiltLibrary => Path.Combine(AppContext.BaseDirectory, "runtimes", $"linux-{RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant()}", "native", NativeLibraryFiles.FileName);

    private static ProbeLocations Nowhere(string? explicitPath = null) =>
        new(explicitPath, null, null, "/nonexistent", ["linux-x64"], NativeLibraryFiles.FileName);

    [Test]
    public void ExplicitPathIsTriedFirst()
    {
        var probe = new NativeLibraryProbe(Nowhere(BuiltLibrary));
        Assert.That(probe.Load(), Is.Not.EqualTo(0));
        Assert.That(probe.Attempts[0], Does.StartWith(BuiltLibrary).And.Contain("loaded and initialised"));
        Assert.That(probe.Isa, Is.Not.Null.And.Not.Empty);
    }

    [Test]
    public void MissingLibraryIsReportedNotThrown()
    {
        string missing = Path.Combine(Path.GetTempPath(), "no-such-dir", "libnnpack.so");
        string app = Path.Combine(Path.GetTempPath(), "empty-app");
        var locations = new ProbeLocations(missing, null, null, app, NativeLibraryFiles.RuntimeIdentifierChain("linux-x64", "linux", "x64"), "libnnpack.so");
        var probe = new NativeLibraryProbe(locations);
        nint handle = 1;
        Assert.DoesNotThrow(() => handle = probe.Load());
        Assert.That(handle, Is.EqualTo(nint.Zero));
        string report = string.Join("\n", probe.Attempts);
        TestContext.Out.WriteLine(report);
        Assert.Multiple(() =>
        {
            Assert.That(report, Does.Contain(missing + ": no such file"));
            Assert.That(report, Does.Contain("dependency manifest: none on disk"));
            Assert.That(report, Does.Contain(Path.Combine(app, "libnnpack.so") + ": no such file"), "the app's own folder");
            foreach (string rid in new[] { "linux-x64", "linux", "unix-x64", "unix" })
            {
                Assert.That(report, Does.Contain(Path.Combine(app, "runtimes", rid, "native", "libnnpack.so") + ": no such file"));
            }
        });
    }

    [Test]
    public void RuntimesOwnSearchIsTheStepAfterTheExplicitPath()
    {
        // Its outcome depends on the process: here the process-wide loader may already have loaded libnnpack.so,
        // whose name the OS loader then matches; either way the step is tried and recorded second.
        var locations = new ProbeLocations(null, typeof(NNPackNativeLibrary).Assembly, null, "/nonexistent", ["linux-x64"], "libnnpack.so");
        var probe = new NativeLibraryProbe(locations);
        nint handle = probe.Load();
        Assert.That(probe.Attempts[1], Does.StartWith("libnnpack.so (the runtime's search for NNPackSharp): "));
        if (handle != 0)
        {
            NativeLibrary.Free(handle);
        }
    }

    [Test]
    public void WrongFileIsRejectedWithTheLoadersReason()
    {
        string text = Path.Combine(Path.GetTempPath(), $"not-a-library-{Environment.ProcessId}.so");
        File.WriteAllText(text, string.Concat(Enumerable.Repeat("this is not an ELF file\n", 200)));
        try
        {
            var probe = new NativeLibraryProbe(Nowhere(text));
            Assert.That(probe.Load(), Is.EqualTo(nint.Zero));
            Assert.That(probe.Attempts[0], Does.StartWith(text + ": could not be loaded: ").And.Contain("ELF"));
        }
        finally
        {
            File.Delete(text);
        }
    }

    [Test]
    public void LibraryWithoutTheApiIsRejected()
    {
        // libm loads fine but is not an NNPACK library.
        // This architecture's libm by path (under qemu-aarch64 -L, /lib/libm.so.6 is the cross libc's; the host's
        // /lib/x86_64-linux-gnu holds x86-64 files an ARM64 process cannot load).
        string[] candidates = RuntimeInformation.ProcessArchitecture == Architecture.X64
            ? ["/lib/x86_64-linux-gnu/libm.so.6", "/usr/lib64/libm.so.6"]
            : ["/lib/aarch64-linux-gnu/libm.so.6", "/lib/libm.so.6", "/usr/lib64/libm.so.6"];
        string? libm = candidates.FirstOrDefault(File.Exists);
        if (libm is null)
        {
            Assert.Ignore($"no libm.so.6 for {RuntimeInformation.ProcessArchitecture} at {string.Join(", ", candidates)}");
        }
        var probe = new NativeLibraryProbe(Nowhere(libm));
        probe.Load();
        Assert.That(probe.Attempts[0], Does.Contain("does not export nnp_initialize"));
    }

    [Test]
    public void LibraryBesideTheAppIsFound()
    {
        // Where single-file and NativeAOT publishing put it: no deps.json, no runtimes folder.
        using var app = new TemporaryApp();
        string beside = app.Place(NativeLibraryFiles.FileName);
        AssertLoadsFrom(new ProbeLocations(null, null, null, app.Directory, ["linux-x64"], NativeLibraryFiles.FileName), beside);
    }

    [Test]
    public void RuntimesFolderOfEveryRidInTheChainIsProbed()
    {
        // A linux-arm64 process's chain; the file is this machine's build, so it loads wherever it is placed.
        using var app = new TemporaryApp();
        string arm64 = app.Place(Path.Combine("runtimes", "linux-arm64", "native", NativeLibraryFiles.FileName));
        var chain = NativeLibraryFiles.RuntimeIdentifierChain("linux-arm64", "linux", "arm64");
        AssertLoadsFrom(new ProbeLocations(null, null, null, app.Directory, chain, NativeLibraryFiles.FileName), arm64);
    }

    [Test]
    public void DependencyManifestAssetsAreProbed()
    {
        using var app = new TemporaryApp();
        string asset = app.Place(Path.Combine("assets-from-deps", NativeLibraryFiles.FileName));
        string deps = Path.Combine(app.Directory, "app.deps.json");
        File.WriteAllText(deps, $$"""
            {
              "runtimeTarget": { "name": ".NETCoreApp,Version=v10.0" },
              "targets": { ".NETCoreApp,Version=v10.0": { "NNPackSharp/0.2.0": {
                "runtimeTargets": { "assets-from-deps/{{NativeLibraryFiles.FileName}}": { "rid": "linux-x64", "assetType": "native" } } } } },
              "libraries": { "NNPackSharp/0.2.0": { "type": "package", "serviceable": false, "sha512": "" } }
            }
            """);
        AssertLoadsFrom(new ProbeLocations(null, null, deps, app.Directory, ["linux-x64"], NativeLibraryFiles.FileName), asset);
    }

    [Test]
    public void UnreadableOrMissingManifestIsReported()
    {
        using var app = new TemporaryApp();
        string broken = Path.Combine(app.Directory, "broken.deps.json");
        File.WriteAllText(broken, "{ not json");
        var attempts = new List<string>();
        Assert.That(AppDependencyManifest.NativeAssets(broken, "libnnpack.so", ["linux-x64"], attempts), Is.Empty);
        Assert.That(AppDependencyManifest.NativeAssets(Path.Combine(app.Directory, "bundled.deps.json"), "libnnpack.so", ["linux-x64"], attempts), Is.Empty);
        Assert.That(attempts[0], Does.Contain("unreadable"));
        Assert.That(attempts[1], Does.EndWith("bundled.deps.json: no such file"));
    }

    [Test]
    public void HostNamesThisAppsManifest()
    {
        // The test host runs with the tests' deps.json; the framework's own manifest never counts as the app's.
        Assert.That(AppDependencyManifest.HostDepsFile, Does.EndWith("NNPackSharp.Tests.deps.json"));
        Assert.That(File.Exists(AppDependencyManifest.HostDepsFile), Is.True);
    }

    [Test]
    public void RuntimeIdentifierChainsAndFileNames()
    {
        Assert.Multiple(() =>
        {
            Assert.That(NativeLibraryFiles.RuntimeIdentifierChain("linux-arm64", "linux", "arm64"), Is.EqualTo(new[] { "linux-arm64", "linux", "unix-arm64", "unix" }));
            Assert.That(NativeLibraryFiles.RuntimeIdentifierChain("ubuntu.22.04-x64", "linux", "x64"), Is.EqualTo(new[] { "ubuntu.22.04-x64", "linux-x64", "linux", "unix-x64", "unix" }));
            Assert.That(NativeLibraryFiles.RuntimeIdentifierChain("win-x64", "win", "x64"), Is.EqualTo(new[] { "win-x64", "win" }));
            Assert.That(NativeLibraryFiles.FileNameFor("linux"), Is.EqualTo("libnnpack.so"));
            Assert.That(NativeLibraryFiles.FileNameFor("win"), Is.EqualTo("nnpack.dll"));
            Assert.That(NativeLibraryFiles.FileNameFor("osx"), Is.EqualTo("libnnpack.dylib"));
            Assert.That(NativeLibraryFiles.CurrentRuntimeIdentifiers, Does.Contain($"linux-{System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant()}"));
        });
    }

    [Test]
    public void ProcessWideLoaderFoundTheShippedLibrary()
    {
        Assert.That(NNPackNativeLibrary.IsAvailable, Is.True, NNPackNativeLibrary.Diagnostics);
        Assert.That(NNPackNativeLibrary.Diagnostics, Does.Contain("loaded and initialised"));
        string? cap = Environment.GetEnvironmentVariable("NNPACKSHARP_ISA");
        Assert.That(NNPackNativeLibrary.Isa, string.IsNullOrEmpty(cap) ? Is.Not.Null.And.Not.Empty : Is.EqualTo(cap), "the ISA level, capped by NNPACKSHARP_ISA in the lower legs");
        Assert.Throws<InvalidOperationException>(() => NNPackNativeLibrary.ExplicitPath = "/elsewhere", "too late once the library was looked for");
    }

    [Test]
    public void UnavailableEngineExplainsWhatWasTried()
    {
        var error = new NNPackUnavailableException("a: no such file\nb: could not be loaded");
        Assert.That(error, Is.InstanceOf<NotSupportedException>());
        Assert.That(error.Message, Does.Contain("a: no such file").And.Contain("Fastest"));
    }

    /// <summary>Probes <paramref name="locations"/> and checks that the library loaded, from <paramref name="expected"/>.</summary>
    private static void AssertLoadsFrom(ProbeLocations locations, string expected)
    {
        var probe = new NativeLibraryProbe(locations);
        nint handle = probe.Load();
        Assert.That(handle, Is.Not.EqualTo(nint.Zero), string.Join("\n", probe.Attempts));
        Assert.That(probe.Attempts[^1], Does.StartWith(expected + ": loaded and initialised"));
        NativeLibrary.Free(handle);
    }

    /// <summary>A fresh app folder under the temp directory holding copies of the built library; deleted on dispose.</summary>
    private sealed class TemporaryApp : IDisposable
    {
        public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("nnpacksharp-app-").FullName;

        /// <summary>Copies the built library to <paramref name="relativePath"/> under the app folder; returns its full path.</summary>
        public string Place(string relativePath)
        {
            string path = Path.Combine(Directory, relativePath);
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.Copy(BuiltLibrary, path);
            return path;
        }

        public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
    }
}
