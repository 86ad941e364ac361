using System.Globalization;

namespace NNPackSharp.Bench.Protocol;

/// <summary>
/// Thread scaling from the convolution rows: each engine's one-thread time over its time on more threads, beside the
/// host's FMA chains' scaling in the same rows (<see cref="HostFmaControl"/>), so that what the host took away can be
/// told from what an engine's code loses.
/// </summary>
internal static class ScalingTable
{
    /// <summary>The target: 2 threads at least this much faster than 1, on rows above <see cref="MinimumMilliseconds"/>.</summary>
    public const double Target = 1.85;

    /// <summary>Rows whose one-thread call is shorter than this are not counted (the issues' scope).</summary>
    public const double MinimumMilliseconds = 1.0;

    public static void Write(ReportWriter report, IReadOnlyList<ProtocolRow> rows, IReadOnlyList<string> engines)
    {
        var pairs = rows.Where(r => r.Threads > 1)
            .Select(r => (one: rows.FirstOrDefault(o => o.Threads == 1 && o.Layer == r.Layer && o.Pass == r.Pass), many: r))
            .Where(p => p.one is not null)
            .ToList();
        if (pairs.Count == 0)
        {
            return;
        }

        report.Line();
        report.Line("## Thread scaling");
        report.Line();
        report.Line($"- scaling = the median over the rounds of each round's seconds per call on 1 thread / on n threads (the rows above, timed in "
            + $"the same rounds); \"-\" where an engine did not run "
            + $"or its 1-thread call took under {MinimumMilliseconds:F0} ms. {HostFmaControl.EngineName} = the FMA chains' scaling in the "
            + $"same two rows: what the host gave (2.00x on two free cores).");
        report.Line();
        report.Line($"| layer | pass | threads | {HostFmaControl.EngineName} | {string.Join(" | ", engines)} |");
        report.Line("|---|---|---:|---:|" + string.Concat(engines.Select(_ => "---:|")));
        foreach ((ProtocolRow? one, ProtocolRow many) in pairs)
        {
            var cells = new List<string> { many.Layer.Name, ProtocolOptions.PassName(many.Pass), Int(many.Threads), Cell(HostScaling(one!, many)) };
            cells.AddRange(engines.Select(e => Cell(CountedScaling(one!, many, e))));
            report.Line("| " + string.Join(" | ", cells) + " |");
        }

        report.Line();
        foreach (string engine in engines)
        {
            var counted = pairs.Select(p => (host: HostScaling(p.one!, p.many), ours: CountedScaling(p.one!, p.many, engine)))
                .Where(p => p.ours is not null).ToList();
            if (counted.Count == 0)
            {
                continue;
            }

            var freeHost = counted.Where(p => p.host >= Target).ToList();
            report.Line($"- {engine}: {counted.Count(p => p.ours >= Target)} of {counted.Count} rows reach {Target:F2}x; "
                + $"of the {freeHost.Count} rows where the host's chains reached {Target:F2}x, {freeHost.Count(p => p.ours >= Target)}.");
        }
    }

    /// <summary>An engine's scaling where its one-thread call is long enough to count.</summary>
    private static double? CountedScaling(ProtocolRow one, ProtocolRow many, string engine) =>
        one.For(engine)?.MedianSeconds is double s && s * 1e3 >= MinimumMilliseconds ? Scaling(one, many, engine) : null;

    /// <summary>The control's scaling: its call runs the same chains on every thread, so n threads do n times the work.</summary>
    private static double? HostScaling(ProtocolRow one, ProtocolRow many) => many.Threads * Scaling(one, many, HostFmaControl.EngineName);

    /// <summary>
    /// The median over the rounds of each round's one-thread time over its n-thread time: the two rows come from the
    /// same rounds (<see cref="InterleavedRounds"/>), so each round pairs two batches a second or so apart.
    /// </summary>
    private static double? Scaling(ProtocolRow one, ProtocolRow many, string engine) =>
        one.For(engine) is { MedianSeconds: not null } a && many.For(engine) is { MedianSeconds: not null } b
            ? BatchTimer.Median(a.RoundSeconds.Zip(b.RoundSeconds, (x, y) => x / y).ToArray())
            : null;

    private static string Cell(double? scaling) => scaling is double s ? ReportWriter.F(s, "F2") + "x" : "-";

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);
}
