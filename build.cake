#r "System.Xml.Linq"
using System.Xml.Linq;
// NNPackSharp build script. Run with: dotnet tool restore && dotnet cake --target=<Task>
// Tasks: Build, Test (every test, at the native ISA and at each lower ISA level the JIT can be capped to),
// Demo, Bench (BenchmarkDotNet vs TorchSharp; pass --bench-filter=... to narrow), Gemm (SGEMM GFLOP/s).
var target = Argument("target", "Test");
var configuration = Argument("configuration", "Release");
var benchFilter = Argument("bench-filter", "*");

// Each leg reruns the suite with the JIT capped to a lower ISA, so the Vector256/128 and scalar paths the library
// picks on older CPUs (and library code that tests its own ISA flags) run here too.
var isaLegs = new (string Name, string[] Environment)[]
{
    ("native", new string[0]),
    ("no-avx512", new[] { "DOTNET_EnableAVX512=0" }),
    ("no-avx2", new[] { "DOTNET_EnableAVX2=0" }),
    ("scalar", new[] { "DOTNET_EnableHWIntrinsic=0" }),
};

Task("Build")
    .Does(() =>
{
    DotNetBuild("NNPackSharp.sln", new DotNetBuildSettings { Configuration = configuration });
});

Task("Test")
    .IsDependentOn("Build")
    .Does(() =>
{
    int passed = 0, failed = 0, skipped = 0;
    var failures = new List<string>();
    EnsureDirectoryExists("artifacts/test-results");
    CleanDirectory("artifacts/test-results");
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
            DotNetTest("tests/NNPackSharp.Tests.csproj", settings);
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

Task("Bench")
    .Does(() =>
{
    DotNetRun("bench/NNPackSharp.Bench.csproj", new ProcessArgumentBuilder().Append("--filter").AppendQuoted(benchFilter), new DotNetRunSettings { Configuration = "Release" });
});

Task("Gemm")
    .Does(() =>
{
    DotNetRun("bench/NNPackSharp.Bench.csproj", new ProcessArgumentBuilder().Append("gemm"), new DotNetRunSettings { Configuration = "Release" });
});

RunTarget(target);
