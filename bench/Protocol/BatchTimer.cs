using System.Diagnostics;

namespace NNPackSharp.Bench.Protocol;

/// <summary>The protocol's timing of one engine in one round, and the median over rounds (as native/bench/ab_bench.c does).</summary>
internal static class BatchTimer
{
    /// <summary>
    /// Untimed calls before each batch: long enough for the previous engine's pool threads (OpenMP, pthreadpool, .NET
    /// workers) to stop spinning and for this engine's caches and pages to be warm.
    /// </summary>
    public const double PreRollSeconds = 0.015;

    /// <summary>The timed batch: at least this long and at least <see cref="MinCalls"/> calls, so timer resolution and one odd call do not dominate.</summary>
    public const double BatchSeconds = 0.05;

    public const int MinCalls = 2;

    /// <summary>Seconds per call: the pre-roll, then the timed batch.</summary>
    public static double SecondsPerCall(BenchEngine engine)
    {
        long preRoll = Stopwatch.GetTimestamp();
        do
        {
            engine.Call();
        }
        while (Stopwatch.GetElapsedTime(preRoll).TotalSeconds < PreRollSeconds);

        int calls = 0;
        long start = Stopwatch.GetTimestamp();
        double elapsed;
        do
        {
            engine.Call();
            calls++;
            elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        while (elapsed < BatchSeconds || calls < MinCalls);

        return elapsed / calls;
    }

    public static double Median(IReadOnlyList<double> values)
    {
        double[] sorted = values.Order().ToArray();
        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : 0.5 * (sorted[middle - 1] + sorted[middle]);
    }
}
