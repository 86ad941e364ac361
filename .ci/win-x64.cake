// CI leg win-x64 (loaded by build.cake's Test task): .ci/win-x64.sh cross-builds nnpack.dll with mingw-w64, runs its
// C tests under wine (ctest's JUnit report) and, with NNPS_WINE_MANAGED=1, the managed suite's numeric tests as a
// self-contained win-x64 app under wine (Microsoft.Testing.Platform's summary); both count into the summary line.
(int Passed, int Failed, int Skipped) WinX64Leg(List<string> failures)
{
    Information("== win-x64 (nnpack.dll's C tests and the managed suite under wine)");
    var watch = System.Diagnostics.Stopwatch.StartNew();
    const string results = "artifacts/test-results";
    int exit = StartProcess("bash", new ProcessSettings { Arguments = $".ci/win-x64.sh {results}" });
    Information($"win-x64 leg: exit {exit} after {watch.Elapsed.TotalSeconds:F0} s");
    var native = CtestCounts("win-x64 ctest", exit, $"{results}/ctest-win-x64.xml", failures);
    // The managed suite under wine runs only when asked (NNPS_WINE_MANAGED=1; .ci/win-x64.sh says why).
    var managed = Environment.GetEnvironmentVariable("NNPS_WINE_MANAGED") == "1"
        ? TestPlatformCounts("win-x64 managed", $"{results}/win-x64-tests.log", failures)
        : (Passed: 0, Failed: 0, Skipped: 0);
    return (native.Passed + managed.Passed, native.Failed + managed.Failed, native.Skipped + managed.Skipped);
}

// Reads the "total: / failed: / succeeded: / skipped:" lines a Microsoft.Testing.Platform app prints last; a missing
// summary (the app crashed or never ran) or an empty run is a failure.
(int Passed, int Failed, int Skipped) TestPlatformCounts(string name, string log, List<string> failures)
{
    string text = FileExists(log) ? System.IO.File.ReadAllText(log) : "";
    int Count(string label)
    {
        var match = System.Text.RegularExpressions.Regex.Match(text, $@"^\s*{label}: (\d+)\s*$", System.Text.RegularExpressions.RegexOptions.Multiline | System.Text.RegularExpressions.RegexOptions.RightToLeft);
        return match.Success ? int.Parse(match.Groups[1].Value) : -1;
    }

    int total = Count("total"), failed = Count("failed"), succeeded = Count("succeeded"), skipped = Count("skipped");
    if (total <= 0 || failed < 0 || succeeded < 0 || skipped < 0)
    {
        failures.Add($"{name}: no test summary in {log}");
        return (0, 1, 0);
    }

    if (failed > 0)
    {
        failures.Add($"{name}: {failed} of {total} failed");
    }

    return (succeeded, failed, skipped);
}
