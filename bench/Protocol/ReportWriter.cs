using System.Globalization;

namespace NNPackSharp.Bench.Protocol;

/// <summary>
/// The protocol's report as markdown, written line by line to stdout and (with <c>--out</c>) to a file, flushed
/// as each row completes so an interrupted run keeps what it measured.
/// </summary>
internal sealed class ReportWriter : IDisposable
{
    private readonly StreamWriter? file;
    private readonly IReadOnlyList<string> engines;
    private readonly string ours, native;

    /// <param name="outPath">The markdown file, or null for stdout only.</param>
    /// <param name="engines">The engine columns, in order; the first is the baseline of the ratios.</param>
    /// <param name="ours">The managed engine's name (denominator of the NNPackAuto ratio).</param>
    /// <param name="native">NNPackAuto's name.</param>
    public ReportWriter(string? outPath, IReadOnlyList<string> engines, string ours, string native)
    {
        if (outPath is not null && Path.GetDirectoryName(Path.GetFullPath(outPath)) is { } folder)
        {
            Directory.CreateDirectory(folder); // artifacts/ does not exist in a fresh clone
        }

        file = outPath is null ? null : new StreamWriter(outPath, append: false) { AutoFlush = true };
        this.engines = engines;
        this.ours = ours;
        this.native = native;
    }

    public void Line(string text = "")
    {
        Console.WriteLine(text);
        file?.WriteLine(text);
    }

    /// <summary>A warning set apart in bold, so it is not missed in a long header.</summary>
    public void Loud(string text) => Line($"> **{text}**");

    public void TableHeader()
    {
        string baseline = engines[0];
        var columns = new List<string> { "layer", "pass", "threads" };
        foreach (string engine in engines)
        {
            columns.Add($"{engine} GFLOP/s");
            columns.Add("% peak");
        }

        columns.Add($"{baseline}/{ours}");
        columns.Add($"{baseline}/{native}");
        columns.Add($"{native}/{ours}");
        columns.Add("spread");
        columns.Add(HostFmaControl.EngineName);
        Line();
        Line("| " + string.Join(" | ", columns) + " |");
        Line("|---|---|---:|" + string.Concat(Enumerable.Repeat("---:|", columns.Count - 3)));
    }

    /// <param name="row">The medians of one layer, pass and thread count.</param>
    /// <param name="peakPerCore">The FMA peak of one core in GFLOP/s; times the thread count, the "% peak" denominator.</param>
    public void Row(ProtocolRow row, double peakPerCore)
    {
        double flops = row.Layer.Flops, limit = peakPerCore * row.Threads;
        var cells = new List<string> { row.Layer.Name, ProtocolOptions.PassName(row.Pass), row.Threads.ToString(CultureInfo.InvariantCulture) };
        foreach (string engine in engines)
        {
            double? seconds = row.For(engine)?.MedianSeconds;
            cells.Add(seconds is double s ? F(flops / s / 1e9, "F1") : "-");
            cells.Add(seconds is double t && limit > 0 ? F(100 * flops / t / 1e9 / limit, "F0") + "%" : "-");
        }

        cells.Add(Ratio(row.For(engines[0]), row.For(ours)));
        cells.Add(Ratio(row.For(engines[0]), row.For(native)));
        cells.Add(Ratio(row.For(ours), row.For(native)));
        cells.Add(Spread(row.Results.Where(r => engines.Contains(r.Engine))));
        cells.Add(row.For(HostFmaControl.EngineName)?.MedianSeconds is double host && limit > 0
            ? F(100 * HostFmaControl.FlopsPerThread * row.Threads / host / 1e9 / limit, "F0") + "%"
            : "-");
        Line("| " + string.Join(" | ", cells) + " |");
    }

    public void Dispose() => file?.Dispose();

    /// <summary>Time of <paramref name="slower"/> over time of <paramref name="faster"/>: above 1, the second is faster; "-" where either did not run.</summary>
    internal static string Ratio(EngineResult? slower, EngineResult? faster) =>
        slower?.MedianSeconds is double a && faster?.MedianSeconds is double b ? F(a / b, "F2") + "x" : "-";

    /// <summary>The largest round-to-round spread among the engines that ran, in percent.</summary>
    internal static string Spread(IEnumerable<EngineResult> results) =>
        F(100 * results.Where(r => r.MedianSeconds is not null).Select(r => r.Spread).DefaultIfEmpty(0).Max(), "F0") + "%";

    internal static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
