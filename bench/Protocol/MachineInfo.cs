using System.Diagnostics;
using System.Runtime.InteropServices;

namespace NNPackSharp.Bench.Protocol;

/// <summary>What the report's header says about where and how it ran: CPU, cores, commit, command, allocator.</summary>
internal static class MachineInfo
{
    /// <summary>The CPU model as <c>lscpu</c> names it, else <c>/proc/cpuinfo</c>'s first "model name".</summary>
    public static string CpuModel()
    {
        string? model = Field(RunOrNull("lscpu", []), "Model name:")
            ?? Field(File.Exists("/proc/cpuinfo") ? File.ReadAllText("/proc/cpuinfo") : null, "model name");
        return model ?? RuntimeInformation.ProcessArchitecture.ToString();
    }

    /// <summary>The short commit of the checkout this assembly was built in, with "-dirty" when tracked files differ from it.</summary>
    public static string GitCommit()
    {
        string folder = AppContext.BaseDirectory;
        string? commit = RunOrNull("git", ["-C", folder, "rev-parse", "--short", "HEAD"])?.Trim();
        if (string.IsNullOrEmpty(commit))
        {
            return "unknown (git unavailable or not a checkout)";
        }

        string? changes = RunOrNull("git", ["-C", folder, "status", "--porcelain", "--untracked-files=no"]);
        return string.IsNullOrWhiteSpace(changes) ? commit : commit + "-dirty";
    }

    /// <summary>
    /// The process as started: <c>dotnet</c> with the assembly and its arguments, or the apphost (which
    /// <c>dotnet run</c> starts) with its arguments. The first command-line argument is the assembly either way.
    /// </summary>
    public static string Command()
    {
        string host = Environment.ProcessPath ?? "?";
        string[] args = Environment.GetCommandLineArgs();
        bool viaDotnet = Path.GetFileNameWithoutExtension(host) == "dotnet";
        return string.Join(" ", new[] { host }.Concat(viaDotnet ? args : args.Skip(1)).Select(Quote));
    }

    /// <summary>
    /// Whether jemalloc serves this process's mallocs: <c>LD_PRELOAD</c> must name it and <c>/proc/self/maps</c> must
    /// show it mapped (a preload of a missing file is silently ignored by the loader, with a warning on stderr only).
    /// </summary>
    public static (bool Loaded, string Description) Jemalloc()
    {
        string preload = Environment.GetEnvironmentVariable("LD_PRELOAD") ?? "";
        bool named = preload.Contains("jemalloc", StringComparison.Ordinal);
        bool mapped = File.Exists("/proc/self/maps") && File.ReadLines("/proc/self/maps").Any(line => line.Contains("libjemalloc", StringComparison.Ordinal));
        string conf = Environment.GetEnvironmentVariable("MALLOC_CONF") ?? "(unset)";
        return (named, mapped) switch
        {
            (true, true) => (true, $"preloaded and mapped (LD_PRELOAD={preload}, MALLOC_CONF={conf})"),
            (true, false) => (false, $"LD_PRELOAD={preload} names jemalloc but it is NOT mapped in this process"),
            (false, true) => (true, $"mapped without LD_PRELOAD (linked in), MALLOC_CONF={conf}"),
            _ => (false, "NOT preloaded: glibc malloc"),
        };
    }

    private static string? Field(string? text, string key) =>
        text?.Split('\n').Where(line => line.TrimStart().StartsWith(key, StringComparison.Ordinal))
            .Select(line => line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim())
            .FirstOrDefault();

    private static string? RunOrNull(string tool, string[] arguments)
    {
        try
        {
            var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (string argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            // The child must not inherit the preload: it is a small tool, and its allocator is not what is reported.
            start.Environment.Remove("LD_PRELOAD");
            using Process process = Process.Start(start)!;
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    private static string Quote(string argument) => argument.Length > 0 && !argument.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'') ? argument : $"'{argument}'";
}
