using System.Diagnostics;
using System.Runtime.InteropServices;
using NNPackSharp.Interop;

namespace NNPackSharp.Tests.Native;

/// <summary>
/// Issue 11, defect 9: a library with upstream NNPACK's API but without our <c>nnpsharp_*</c> functions (upstream
/// NNPACK, or an old build of ours) used to be accepted, and NNPackAuto then died with EntryPointNotFoundException. The
/// probe must refuse it at load time, name every missing function, and go on to the next place. (The consumer leg of
/// CI runs the same library in a published app, where NNPackAuto throws NNPackUnavailableException naming them and
/// Fastest computes with the managed engine.)
/// </summary>
public class MissingExportsTests
{
    // What an upstream-style library exports: the NNPACK API's initialise, pools and a convolution, none of ours.
    private const string UpstreamLikeSource = """
        #include <stddef.h>
        int nnp_initialize(void) { return 0; }
        void *pthreadpool_create(size_t threads) { (void)threads; return NULL; }
        void pthreadpool_destroy(void *pool) { (void)pool; }
        int nnp_convolution_output(void) { return 0; }
        """;

    private string directory = "";
    private string upstreamLike = "";

    // The build ships the library for the architecture it runs on: runtimes/linux-x64 or runtimes/linux-arm64.
    private static string RuntimeFolder => $"linux-{RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant()}";

    [OneTimeSetUp]
    public void BuildUpstreamLikeLibrary()
    {
        if (RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            // CI's arm64 leg runs this suite under qemu on an x86-64 host, whose cc builds x86-64 libraries only.
            Assert.Ignore("the upstream-like library is built by the host's cc for x86-64; this non-x64 process cannot load it (the x86-64 legs run these tests)");
        }

        directory = Directory.CreateTempSubdirectory("nnpacksharp-upstream-like-").FullName;
        string source = Path.Combine(directory, "upstream_like.c");
        upstreamLike = Path.Combine(directory, "libnnpack.so");
        File.WriteAllText(source, UpstreamLikeSource);
        var compiler = new ProcessStartInfo("cc", ["-shared", "-fPIC", "-o", upstreamLike, source]) { RedirectStandardError = true };
        Process process;
        try
        {
            process = Process.Start(compiler)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Assert.Ignore("no C compiler (cc) on PATH to build the upstream-like test library; CI has one because it builds libnnpack");
            return;
        }

        string errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.That(process.ExitCode, Is.Zero, "cc failed: " + errors);
    }

    // Nothing to remove where the set-up was ignored before it made the folder (off x86-64, no cc).
    [OneTimeTearDown]
    public void Remove()
    {
        if (directory.Length > 0)
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    public void LibraryWithoutOurExtensionsIsRefusedNamingEveryMissingFunction()
    {
        var probe = new NativeLibraryProbe(new ProbeLocations(upstreamLike, null, null, "/nonexistent", ["linux-x64"], NativeLibraryFiles.FileName));
        Assert.That(probe.Load(), Is.EqualTo(nint.Zero));
        string refusal = probe.Attempts[0];
        TestContext.Out.WriteLine(refusal);
        Assert.Multiple(() =>
        {
            Assert.That(refusal, Does.StartWith(upstreamLike + ": loaded, but it lacks functions the engine calls: "));
            foreach (string name in RequiredExports.Names.Where(name => name.StartsWith("nnpsharp_", StringComparison.Ordinal)))
            {
                Assert.That(refusal, Does.Contain(name));
            }

            foreach (string present in new[] { "nnp_initialize", "pthreadpool_create", "pthreadpool_destroy" })
            {
                Assert.That(refusal, Does.Not.Contain(present + ","), "only the missing ones are named");
            }

            Assert.That(probe.Isa, Is.Null);
        });

        var error = new NNPackUnavailableException(string.Join(Environment.NewLine, probe.Attempts));
        Assert.That(error.Message, Does.Contain("nnpsharp_convolution_output_strided"), "NNPackAuto's exception names them");
    }

    [Test]
    public void ProbeGoesOnToAWorkingLibraryAfterTheRefusal()
    {
        var probe = new NativeLibraryProbe(new ProbeLocations(upstreamLike, null, null, AppContext.BaseDirectory, ["linux-x64"], NativeLibraryFiles.FileName));
        nint handle = probe.Load();
        Assert.That(handle, Is.Not.EqualTo(0), string.Join("\n", probe.Attempts));
        Assert.That(probe.Attempts[0], Does.Contain("lacks functions the engine calls"));
        Assert.That(probe.Attempts[^1], Does.Contain(Path.Combine("runtimes", RuntimeFolder, "native")).And.Contain("loaded and initialised"));
        System.Runtime.InteropServices.NativeLibrary.Free(handle);
    }

    [Test]
    public void EveryRequiredExportIsInTheBuiltLibrary()
    {
        nint handle = System.Runtime.InteropServices.NativeLibrary.Load(Path.Combine(AppContext.BaseDirectory, "runtimes", RuntimeFolder, "native", NativeLibraryFiles.FileName));
        Assert.That(RequiredExports.MissingFrom(handle), Is.Empty);
        System.Runtime.InteropServices.NativeLibrary.Free(handle);
    }
}
