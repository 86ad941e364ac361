// Loaded by build.cake. ctest's JUnit counts, and the sanitizer leg (.ci/sanitizers.sh: libnnpack under ASan+UBSan
// with its C tests, the micro-kernel tester and the libFuzzer harness; budget 4 minutes, the fuzzing run 60 s of it).

// Passed, failed (failures and errors) and skipped tests of a ctest --output-junit file.
(int Passed, int Failed, int Skipped) CtestCounts(string junit)
{
    var suite = XElement.Load(junit);
    int total = int.Parse(suite.Attribute("tests").Value);
    int failed = int.Parse(suite.Attribute("failures").Value) + (suite.Attribute("errors") is null ? 0 : int.Parse(suite.Attribute("errors").Value));
    int skipped = suite.Attribute("skipped") is null ? 0 : int.Parse(suite.Attribute("skipped").Value);
    return (total - failed - skipped, failed, skipped);
}

// Runs the leg; its ctest counts, and a failure message (null when it passed).
(int Passed, int Failed, int Skipped, string Failure) SanitizerLeg()
{
    Information("== sanitizers (ASan+UBSan build, C tests, micro-kernel tester, fuzzer)");
    const string junit = "artifacts/test-results/ctest-sanitizers.xml";
    var watch = System.Diagnostics.Stopwatch.StartNew();
    int exit = StartProcess("bash", new ProcessSettings { Arguments = ".ci/sanitizers.sh" });
    if (!FileExists(junit))
    {
        return (0, 1, 0, $"sanitizers: exit {exit}, no ctest results (the build failed)");
    }
    var counts = CtestCounts(junit);
    string executions = System.IO.File.ReadAllText("artifacts/test-results/fuzz-executions.txt").Trim();
    Information($"sanitizers: {counts.Passed} passed, {counts.Failed} failed in {watch.Elapsed.TotalSeconds:F0} s; fuzzer executions: {executions}");
    bool ok = exit == 0 && counts.Passed + counts.Failed > 0;
    return (counts.Passed, counts.Failed, counts.Skipped, ok ? null : $"sanitizers: exit {exit}, {counts.Failed} failed");
}

// The leg alone: dotnet cake --target=Sanitizers
Task("Sanitizers")
    .Does(() =>
{
    EnsureDirectoryExists("artifacts/test-results");
    var leg = SanitizerLeg();
    if (leg.Failure is not null)
    {
        throw new Exception(leg.Failure);
    }
});
