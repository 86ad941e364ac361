using System.Runtime.InteropServices;
using NNPackSharp.Interop;

namespace NNPackSharp.Tests.Native;

/// <summary>The loader's probe: an explicit path first, every failure recorded, never an exception.</summary>
public class LoaderTests
{
    // The build ships the library for the architecture it runs on: runtimes/linux-x64 or runtimes/linux-arm64.
    private static string BuiltLibrary => Path.Combine(AppContext.BaseDirectory, "runtimes", $"linux-{RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant()}", "native", NativeLibraryProbe.FileName);

    [Test]
    public void ExplicitPathIsTriedFirst()
    {
        var probe = new NativeLibraryProbe(BuiltLibrary, "/nonexistent", dependencies: null);
        Assert.That(probe.Load(), Is.Not.EqualTo(0));
        Assert.That(probe.Attempts[0], Does.StartWith(BuiltLibrary).And.EndWith("loaded and initialised"));
    }

    [Test]
    public void MissingLibraryIsReportedNotThrown()
    {
        string missing = Path.Combine(Path.GetTempPath(), "no-such-dir", "libnnpack.so");
        var probe = new NativeLibraryProbe(missing, Path.Combine(Path.GetTempPath(), "empty-app"), dependencies: null);
        nint handle = 0;
        Assert.DoesNotThrow(() => handle = probe.Load());
        string report = string.Join("\n", probe.Attempts);
        Assert.Multiple(() =>
        {
            Assert.That(report, Does.Contain(missing + ": no such file"));
            Assert.That(report, Does.Contain("dependency context: none"));
            Assert.That(report, Does.Contain(Path.Combine("empty-app", "runtimes")));
        });
        TestContext.Out.WriteLine(report);
        if (handle == 0)
        {
            Assert.That(report, Does.Contain("libnnpack.so: could not be loaded"), "default probing is the last attempt");
        }
    }

    [Test]
    public void WrongFileIsRejected()
    {
        string text = Path.Combine(Path.GetTempPath(), $"not-a-library-{Environment.ProcessId}.so");
        File.WriteAllText(text, "this is not an ELF file");
        try
        {
            var probe = new NativeLibraryProbe(text, "/nonexistent", dependencies: null);
            probe.Load();
            Assert.That(probe.Attempts[0], Does.Contain("could not be loaded"));
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
        var probe = new NativeLibraryProbe("libm.so.6", "/nonexistent", dependencies: null);
        probe.Load();
        Assert.That(probe.Attempts[0], Does.Contain("does not export nnp_initialize"));
    }

    [Test]
    public void ProcessWideLoaderFoundTheShippedLibrary()
    {
        Assert.That(NNPackNativeLibrary.IsAvailable, Is.True, NNPackNativeLibrary.Diagnostics);
        Assert.That(NNPackNativeLibrary.Diagnostics, Does.Contain("loaded and initialised"));
        Assert.Throws<InvalidOperationException>(() => NNPackNativeLibrary.ExplicitPath = "/elsewhere", "too late once the library was looked for");
    }

    [Test]
    public void UnavailableEngineExplainsWhatWasTried()
    {
        var error = new NNPackUnavailableException("a: no such file\nb: could not be loaded");
        Assert.That(error, Is.InstanceOf<NotSupportedException>());
        Assert.That(error.Message, Does.Contain("a: no such file").And.Contain("Fastest"));
    }
}
