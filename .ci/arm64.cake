// The linux-arm64 leg for build.cake's Test task: runs .ci/arm64.sh (the C tests and the NUnit suite under qemu) and
// counts both into the summary. About 5 minutes on an idle 2-core machine; qemu's times say nothing about ARM64 speed.
using System.Text.RegularExpressions;
using System.Xml.Linq;

// Passed, failed and skipped tests of a JUnit file ctest wrote (--output-junit).
(int Passed, int Failed, int Skipped) JUnitCounts(string path)
{
    var suite = XElement.Load(path);
    int Count(string name) => suite.Attribute(name) is { } attribute ? int.Parse(attribute.Value) : 0;
    int failed = Count("failures") + Count("errors"), skipped = Count("skipped");
    return (Count("tests") - failed - skipped, failed, skipped);
}

// The closing summary of a Microsoft.Testing.Platform run ("total: N", "failed: N", "succeeded: N", "skipped: N").
(int Passed, int Failed, int Skipped) TestingPlatformCounts(string log)
{
    int Count(string name) => Regex.Match(log, $@"^\s*{name}: (\d+)\s*$", RegexOptions.Multiline) is { Success: true } match ? int.Parse(match.Groups[1].Value) : 0;
    return (Count("succeeded"), Count("failed"), Count("skipped"));
}

(int Passed, int Failed, int Skipped, List<string> Failures) RunArm64Leg()
{
    Information("== linux-arm64 leg (.ci/arm64.sh: NEON library, C tests and NUnit suite under qemu-aarch64)");
    var watch = System.Diagnostics.Stopwatch.StartNew();
    int exit = StartProcess("bash", ".ci/arm64.sh");
    var failures = new List<string>();
    const string ctestJunit = "artifacts/test-results/ctest-linux-arm64.xml", managedLog = "artifacts/test-results/managed-linux-arm64.log";
    (int Passed, int Failed, int Skipped) native = FileExists(ctestJunit) ? JUnitCounts(ctestJunit) : (0, 0, 0);
    (int Passed, int Failed, int Skipped) managed = FileExists(managedLog) ? TestingPlatformCounts(System.IO.File.ReadAllText(managedLog)) : (0, 0, 0);
    if (exit != 0)
    {
        failures.Add($"linux-arm64: .ci/arm64.sh exited with {exit}");
    }

    if (native.Passed == 0 || managed.Passed == 0)
    {
        failures.Add($"linux-arm64: no test passed (C tests {native.Passed}, managed {managed.Passed})");
    }

    // A leg that broke before its tests counted still shows as a failure in the summary line.
    int failed = native.Failed + managed.Failed;
    failed = failed == 0 && failures.Count > 0 ? 1 : failed;
    Information($"== linux-arm64 leg: C tests {native.Passed} passed, {native.Failed} failed; managed {managed.Passed} passed, {managed.Failed} failed, {managed.Skipped} skipped; {watch.Elapsed.TotalMinutes:F1} min");
    return (native.Passed + managed.Passed, failed, native.Skipped + managed.Skipped, failures);
}
