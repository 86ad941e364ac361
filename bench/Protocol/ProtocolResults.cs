namespace NNPackSharp.Bench.Protocol;

/// <summary>
/// One engine in one row: the median seconds per call over the rounds, or why it did not run; <see cref="RoundSeconds"/>
/// keeps each round's figure (rows of one configuration share their rounds, see <see cref="InterleavedRounds"/>).
/// </summary>
internal sealed record EngineResult(string Engine, double? MedianSeconds, double Spread, string? Skipped, IReadOnlyList<double> RoundSeconds)
{
    public static EngineResult Skip(string engine, string reason) => new(engine, null, 0, reason, []);

    /// <summary>From the per-round seconds: the median, and (max - min) / median as the round-to-round spread.</summary>
    public static EngineResult FromRounds(string engine, IReadOnlyList<double> seconds)
    {
        double median = BatchTimer.Median(seconds);
        return new EngineResult(engine, median, (seconds.Max() - seconds.Min()) / median, null, seconds.ToArray());
    }
}

/// <summary>One table row: a layer, a pass and a thread count, with every engine's result in the engines' order.</summary>
internal sealed record ProtocolRow(ConvLayer Layer, Pass Pass, int Threads, IReadOnlyList<EngineResult> Results)
{
    public EngineResult? For(string engine) => Results.FirstOrDefault(r => r.Engine == engine);
}
