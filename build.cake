#r "System.Xml.Linq"
#load ".ci/legs.cake"
#load ".ci/sanitizers.cake"
#load ".ci/arm64.cake"
#load ".ci/win-x64.cake"
using System.Xml.Linq;
// NNPackSharp build script. Run with: dotnet tool restore && dotnet cake --target=<Task>
// Tasks: Build, Test (every test, at the native ISA and at each lower ISA level the JIT can be capped to),
// Demo, TrainCnn (the CNN sample; pass --train-cnn-args="--epochs 3 ..."), Bench (BenchmarkDotNet vs TorchSharp; pass
// --bench-filter=... to narrow), Gemm (SGEMM GFLOP/s), Protocol (the bench's protocol mode with jemalloc preloaded; pass
// --protocol-args="--threads 1,2 --layers VGG ..." or "--operators" for the operators' table alone).
var target = Argument("target", "Test");
var configuration = Argument("configuration", "Release");
var benchFilter = Argument("bench-filter", "*");
var protocolArgs = Argument("protocol-args", "");
var trainCnnArgs = Argument("train-cnn-args", "");

// Each leg reruns the suite with the JIT (managed engine) and libnnpack (native engine, NNPACKSHARP_ISA) capped to a
// lower ISA, so the paths older CPUs take run here too.
// The last leg checks ABI and results against upstream NNPACK (inside libtorch_cpu.so), once.
const string MainTests = "tests/NNPackSharp.Tests/NNPackSharp.Tests.csproj";
var isaLegs = new (string Name, string Project, string[] Environment)[]
{
    ("native", MainTests, new string[0]),
    ("no-avx512", MainTests, new[] { "DOTNET_EnableAVX512=0", "NNPACKSHARP_ISA=avx2" }),
    ("no-avx2", MainTests, new[] { "DOTNET_EnableAVX2=0", "NNPACKSHARP_ISA=scalar" }),
    ("scalar", MainTests, new[] { "DOTNET_EnableHWIntrinsic=0", "NNPACKSHARP_ISA=scalar" }),
    ("upstream", "tests/NNPackSharp.UpstreamTests/NNPackSharp.UpstreamTests.csproj", new string[0]),
};

// The native library and its C tests (CMake), then the solution (which copies libnnpack beside the assemblies).
Task("Build")
    .Does(() =>
{
    Run("cmake", "-S . -B build -DCMAKE_BUILD_TYPE=Release");
    Run("cmake", "--build build -j 2");
    DotNetBuild("NNPackSharp.sln", new DotNetBuildSettings { Configuration = configuration });
});

void Run(string tool, string arguments)
{
    int exit = StartProcess(tool, new ProcessSettings { Arguments = arguments });
    if (exit != 0)
    {
        throw new Exception($"{tool} {arguments} exited with {exit}");
    }
}

// Counts a ctest JUnit report into the summary (CtestCounts(junit) parses it); a failed run or an empty report is a
// failure of leg `name`.
(int Passed, int Failed, int Skipped) CtestCounts(string name, int exit, string junit, List<string> failures)
{
    if (!FileExists(junit))
    {
        failures.Add($"{name}: exit {exit}, no report");
        return (0, 1, 0);
    }
    var counts = CtestCounts(junit);
    if (exit != 0 || counts.Passed + counts.Failed + counts.Skipped == 0)
    {
        failures.Add($"{name}: exit {exit}, {counts.Passed + counts.Failed + counts.Skipped} tests");
    }
    return counts;
}

Task("Test")
    .IsDependentOn("Build")
    .Does(() =>
{
    int passed = 0, failed = 0, skipped = 0;
    var failures = new List<string>();
    EnsureDirectoryExists("artifacts/test-results");
    CleanDirectory("artifacts/test-results");

    // C tests of libnnpack (every ISA level, memcheck, runtime dependencies) under ctest, then nnpack.dll's under wine.
    Information("== ctest (native)");
    int ctestExit = StartProcess("ctest", new ProcessSettings { Arguments = "--test-dir build --output-on-failure --output-junit ../artifacts/test-results/ctest.xml" });
    foreach (var counts in new[] { CtestCounts("ctest", ctestExit, "artifacts/test-results/ctest.xml", failures), WinX64Leg(failures) })
    {
        passed += counts.Passed;
        failed += counts.Failed;
        skipped += counts.Skipped;
    }

    var sanitizers = SanitizerLeg();
    (passed, failed, skipped) = (passed + sanitizers.Passed, failed + sanitizers.Failed, skipped + sanitizers.Skipped);
    if (sanitizers.Failure is not null) failures.Add(sanitizers.Failure);

    foreach (var leg in isaLegs)
    {
        string trx = $"{leg.Name}.trx";
        var settings = new DotNetTestSettings
        {
            Configuration = configuration,
            NoBuild = true,
            ResultsDirectory = "artifacts/test-results",
            Loggers = new[] { $"trx;LogFileName={trx}" },
            EnvironmentVariables = leg.Environment.ToDictionary(e => e.Split('=')[0], e => e.Split('=')[1]),
        };
        Information($"== ISA leg '{leg.Name}' {string.Join(" ", leg.Environment)}");
        try
        {
            DotNetTest(leg.Project, settings);
        }
        catch (Exception e)
        {
            failures.Add($"{leg.Name}: {e.Message}");
        }

        var counters = XElement.Load($"artifacts/test-results/{trx}").Descendants().First(x => x.Name.LocalName == "Counters");
        int total = int.Parse(counters.Attribute("total").Value);
        int legPassed = int.Parse(counters.Attribute("passed").Value);
        int legFailed = int.Parse(counters.Attribute("failed").Value) + int.Parse(counters.Attribute("error").Value) + int.Parse(counters.Attribute("timeout").Value) + int.Parse(counters.Attribute("aborted").Value);
        passed += legPassed;
        failed += legFailed;
        skipped += total - legPassed - legFailed;
        if (total == 0)
        {
            failures.Add($"{leg.Name}: no test ran");
        }
    }

    var arm64 = RunArm64Leg();
    (passed, failed, skipped) = (passed + arm64.Passed, failed + arm64.Failed, skipped + arm64.Skipped);
    failures.AddRange(arm64.Failures);

    // The README's demo command must keep working: run it once and count it as a check.
    Information("== demo");
    try
    {
        DotNetRun("samples/NNPackSharp.Demo/NNPackSharp.Demo.csproj", new DotNetRunSettings { Configuration = configuration, NoBuild = true });
        passed++;
    }
    catch (Exception e)
    {
        failed++;
        failures.Add($"demo: {e.Message}");
    }

    // The CNN sample's command must keep working and its plot must render on this headless box: one short epoch per
    // engine into artifacts/ (a few seconds; the training's accuracy is CnnTrainingTests' to check).
    Information("== CNN sample");
    try
    {
        const string plot = "artifacts/train-cnn-smoke.png";
        DeleteFiles(plot);
        RunTrainCnn(new DotNetRunSettings { Configuration = configuration, NoBuild = true }, $"--epochs 1 --samples 640 --test-samples 160 --size 16 --out {plot}");
        if (!FileExists(plot) || new System.IO.FileInfo(plot).Length == 0)
        {
            throw new Exception($"no plot at {plot}");
        }
        passed++;
    }
    catch (Exception e)
    {
        failed++;
        failures.Add($"CNN sample: {e.Message}");
    }

    // NNPackSharp as a package in a fresh console app (.ci/consumer-test.sh): linux-x64, linux-arm64 under qemu, win-x64
    // under wine. Runs after the win-x64 and arm64 legs: the package takes the libraries they built for those RIDs.
    var consumer = ScriptLeg("consumer", ".ci/consumer-test.sh", "artifacts/consumer/summary.txt");
    (passed, failed, skipped) = (passed + consumer.Passed, failed + consumer.Failed, skipped + consumer.Skipped);

    string summary = $"{passed} passed, {failed} failed, {skipped} skipped";
    System.IO.File.WriteAllText("artifacts/test-results/summary.txt", summary + "\n");
    Information(summary);
    if (failed > 0 || failures.Count > 0)
    {
        throw new Exception("Tests failed: " + string.Join("; ", failures));
    }
});

Task("Demo")
    .Does(() =>
{
    DotNetRun("samples/NNPackSharp.Demo/NNPackSharp.Demo.csproj", new DotNetRunSettings { Configuration = configuration });
});

// The CNN sample (samples/NNPackSharp.TrainCnn): trains on each engine and writes the curves as a PNG.
Task("TrainCnn")
    .Does(() =>
{
    RunTrainCnn(new DotNetRunSettings { Configuration = configuration }, trainCnnArgs);
});

// SkiaSharp's Linux build without dependencies (ScottPlot draws the sample's plot with it) finds fonts only as files
// under /usr/share/fonts/; a bare Debian box has none, and the plot's text would be left out. Debian's DejaVu is added
// when no TrueType font is there (needs root, as CI and the dev VM have).
void RunTrainCnn(DotNetRunSettings settings, string arguments)
{
    if (IsRunningOnLinux() && !GetFiles("/usr/share/fonts/**/*.ttf").Any())
    {
        InstallDebianPackage("fonts-dejavu-core", "no TrueType font under /usr/share/fonts");
    }

    DotNetRun("samples/NNPackSharp.TrainCnn/NNPackSharp.TrainCnn.csproj", arguments, settings);
}

void InstallDebianPackage(string package, string why)
{
    Information($"== {why}: installing Debian's {package}");
    Run("apt-get", "update -q");
    Run("apt-get", $"install -y -q {package}");
}

Task("Bench")
    .Does(() =>
{
    DotNetRun("bench/NNPackSharp.Bench.csproj", new ProcessArgumentBuilder().Append("--filter").AppendQuoted(benchFilter), new DotNetRunSettings { Configuration = "Release" });
});

// The protocol benchmark (bench/Protocol) with jemalloc preloaded: libtorch allocates its result tensors on every call,
// and glibc malloc hands such large blocks back to the OS and faults them in again each time, which is not torch's
// steady state in a training loop. jemalloc with decay off and no oversize arena keeps them. Debian's libjemalloc2 is
// installed when missing (needs root, as on the dev VM).
const string Jemalloc = "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2";
Task("Protocol")
    .Does(() =>
{
    if (!FileExists(Jemalloc))
    {
        InstallDebianPackage("libjemalloc2", $"{Jemalloc} missing");
    }

    DotNetBuild("bench/NNPackSharp.Bench.csproj", new DotNetBuildSettings { Configuration = "Release" });
    string arguments = $"bench/bin/Release/net10.0/NNPackSharp.Bench.dll protocol {protocolArgs}";
    Information($"== LD_PRELOAD={Jemalloc} dotnet {arguments}");
    int exit = StartProcess("dotnet", new ProcessSettings
    {
        Arguments = arguments,
        EnvironmentVariables = new Dictionary<string, string>
        {
            ["LD_PRELOAD"] = Jemalloc,
            ["MALLOC_CONF"] = "oversize_threshold:4294967296,dirty_decay_ms:-1,muzzy_decay_ms:-1",
        },
    });
    if (exit != 0)
    {
        throw new Exception($"protocol benchmark exited with {exit}");
    }
});

Task("Gemm")
    .Does(() =>
{
    DotNetRun("bench/NNPackSharp.Bench.csproj", new ProcessArgumentBuilder().Append("gemm"), new DotNetRunSettings { Configuration = "Release" });
});

RunTarget(target);
