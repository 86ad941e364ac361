// CI legs that live in their own scripts (build.cake's Test task calls them). A leg's script ends by writing the plain
// line "N passed, N failed, N skipped" to a file; its counts join the Test task's summary. A script that writes no such
// line counts as one failure, so a leg that dies early can never pass unnoticed.
using System.Text.RegularExpressions;

(int Passed, int Failed, int Skipped) ScriptLeg(string name, string script, string summaryFile)
{
    Information($"== {name} leg ({script})");
    var clock = System.Diagnostics.Stopwatch.StartNew();
    int exit = StartProcess("bash", new ProcessSettings { Arguments = script });
    Information($"== {name} leg: exit {exit} after {clock.Elapsed.TotalSeconds:F0} s");
    var counts = FileExists(summaryFile)
        ? Regex.Match(System.IO.File.ReadAllText(summaryFile), @"(\d+) passed, (\d+) failed, (\d+) skipped")
        : Match.Empty;
    if (!counts.Success)
    {
        Error($"{name} leg wrote no summary line to {summaryFile}");
        return (0, 1, 0);
    }

    int failed = int.Parse(counts.Groups[2].Value);
    return (int.Parse(counts.Groups[1].Value), exit != 0 && failed == 0 ? 1 : failed, int.Parse(counts.Groups[3].Value));
}
