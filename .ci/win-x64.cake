// CI leg win-x64 (loaded by build.cake's Test task): .ci/win-x64.sh cross-builds nnpack.dll with mingw-w64 and runs
// its C tests under wine; its ctest report counts into the summary like the native ctest's.
(int Passed, int Failed, int Skipped) WinX64Leg(List<string> failures)
{
    Information("== win-x64 (nnpack.dll's C tests under wine)");
    var watch = System.Diagnostics.Stopwatch.StartNew();
    const string junit = "artifacts/test-results/ctest-win-x64.xml";
    int exit = StartProcess("bash", new ProcessSettings { Arguments = $".ci/win-x64.sh {junit}" });
    Information($"win-x64 leg: exit {exit} after {watch.Elapsed.TotalSeconds:F0} s");
    return CtestCounts("win-x64", exit, junit, failures);
}
