using System.Diagnostics;
using System.Runtime.InteropServices;

namespace NNPackSharp.Bench.Protocol;

/// <summary>
/// The protocol's measurement of one configuration (a layer or an operation, and a pass): one set of engines per
/// thread count, every engine of every set timed in the same rounds, the order rotating. The one- and two-thread
/// figures of an engine thus come from the same seconds of the host, not from two blocks minutes apart: on this kind
/// of VM the second core comes and goes for seconds at a time (<see cref="HostFmaControl"/>), so a scaling read off
/// separate blocks measured the host's drift as much as the code.
/// </summary>
internal static class InterleavedRounds
{
    /// <summary>Untimed calls per engine before a configuration's first round: lets the JIT tier our engines up.</summary>
    public const double WarmUpSeconds = 0.25;

    /// <summary>
    /// Every engine of <paramref name="engineSets"/>[i] that prepares for <paramref name="pass"/> on
    /// <paramref name="threadCounts"/>[i] threads, all interleaved over the rounds (order rotating, a pre-roll before
    /// each timed batch); the results per set in its engines' order. An engine that cannot run, or throws while warming
    /// up, is a skipped result and a note naming <paramref name="what"/>.
    /// </summary>
    public static EngineResult[][] Measure(
        IReadOnlyList<BenchEngine[]> engineSets, IReadOnlyList<int> threadCounts, string what, Pass pass, int rounds, List<string> notes)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var results = engineSets.Select(set => new EngineResult[set.Length]).ToArray();
        var live = new List<(int Set, int Index)>();
        for (int set = 0; set < engineSets.Count; set++)
        {
            int threads = threadCounts[set];
            string where = $"{what}, {threads} thread(s)";
            for (int index = 0; index < engineSets[set].Length; index++)
            {
                BenchEngine engine = engineSets[set][index];
                string? skipped = Start(engine, pass, threads, where, notes);
                if (skipped is not null)
                {
                    results[set][index] = EngineResult.Skip(engine.Name, skipped);
                }
                else
                {
                    live.Add((set, index));
                }
            }
        }

        var seconds = live.Select(_ => new List<double>(rounds)).ToArray();
        for (int round = 0; round < rounds; round++)
        {
            for (int slot = 0; slot < live.Count; slot++)
            {
                // Rotate which engine goes first, and run every other round backwards: a rotation alone keeps the cyclic
                // order, so each engine always followed the same one (NNPackAuto the managed engine, whose 2-thread rows
                // it then ran in the state that engine left). AlexNet conv3 and a batch-1 128-channel layer, 9 rounds:
                // NNPackAuto's 2-thread scaling 1.67-2.11x with the cyclic order, 1.88-2.23x with this one (one
                // run each; aside a row whose control ran 1.71x).
                int e = round % 2 == 0 ? (round + slot) % live.Count : (round + live.Count - slot) % live.Count;
                (int set, int index) = live[e];
                BenchEngine engine = engineSets[set][index];
                UseThreads(engine, threadCounts[set]);
                seconds[e].Add(BatchTimer.SecondsPerCall(engine));
                if (engine.QuietSeconds > 0)
                {
                    Thread.Sleep(TimeSpan.FromSeconds(engine.QuietSeconds));
                }
            }
        }

        for (int e = 0; e < live.Count; e++)
        {
            (int set, int index) = live[e];
            results[set][index] = EngineResult.FromRounds(engineSets[set][index].Name, seconds[e]);
        }

        return results;
    }

    /// <summary>Prepares and warms one engine; returns why it is skipped, or null when it runs.</summary>
    private static string? Start(BenchEngine engine, Pass pass, int threads, string where, List<string> notes)
    {
        string? skipped;
        try
        {
            UseThreads(engine, threads);
            skipped = engine.Prepare(pass, threads);
            if (skipped is null)
            {
                WarmUp(engine);
            }
        }
        catch (Exception e) when (e is NNPackException or InvalidOperationException or ArgumentException or NotSupportedException or ExternalException)
        {
            skipped = $"failed: {e.GetType().Name}: {e.Message}";
            notes.Add($"{where}: {engine.Name} {skipped}");
        }

        if (skipped is null && engine.PromisesNoAllocation && AllocatedPerCall(engine) is long bytes and > 0)
        {
            notes.Add($"{where}: {engine.Name} allocated {bytes} managed bytes in one timed call (expected 0).");
        }

        return skipped;
    }

    /// <summary>The thread count for the engine's next calls: ours read Convolution.MaxDegreeOfParallelism, torch its own setting.</summary>
    private static void UseThreads(BenchEngine engine, int threads)
    {
        Convolution.MaxDegreeOfParallelism = threads;
        engine.UseThreads(threads);
    }

    private static void WarmUp(BenchEngine engine)
    {
        long start = Stopwatch.GetTimestamp();
        int calls = 0;
        while (calls < 2 || Stopwatch.GetElapsedTime(start).TotalSeconds < WarmUpSeconds)
        {
            engine.Call();
            calls++;
        }
    }

    /// <summary>Managed bytes allocated by one call on any thread (the smaller of two, after warm-up).</summary>
    private static long AllocatedPerCall(BenchEngine engine)
    {
        long least = long.MaxValue;
        for (int i = 0; i < 2; i++)
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            engine.Call();
            least = Math.Min(least, GC.GetTotalAllocatedBytes(precise: true) - before);
        }

        return least;
    }
}
