namespace NNPackSharp.Bench.Protocol;

/// <summary>
/// One engine in one row: each round's seconds per call (rows of one configuration share their rounds, see
/// <see cref="InterleavedRounds"/>), or why it did not run. The median and the spread are read off those rounds.
/// </summary>
internal sealed record EngineResult(string Engine, string? Skipped, IReadOnlyList<double> RoundSeconds)
{
    public static EngineResult Skip(string engine, string reason) => new(engine, reason, []);

    public static EngineResult FromRounds(string engine, IReadOnlyList<double> seconds) => new(engine, null, seconds.ToArray());

    /// <summary>The median over the rounds; null where the engine did not run.</summary>
    public double? MedianSeconds => RoundSeconds.Count > 0 ? BatchTimer.Median(RoundSeconds) : null;

    /// <summary>(max - min) / median over the rounds: the round-to-round spread (0 where the engine did not run).</summary>
    public double Spread => MedianSeconds is double median ? (RoundSeconds.Max() - RoundSeconds.Min()) / median : 0;
}

/// <summary>One table row: a layer, a pass and a thread count, with every engine's result in the engines' order.</summary>
internal sealed record ProtocolRow(ConvLayer Layer, Pass Pass, int Threads, IReadOnlyList<EngineResult> Results)
{
    public EngineResult? For(string engine) => Results.FirstOrDefault(r => r.Engine == engine);
}
