using System.Diagnostics;

namespace NNPackSharp.Threading;

/// <summary>
/// The managed engine's own helper threads for <see cref="ForkJoin"/>: background threads, made on first need, that
/// spin for <see cref="SpinMicroseconds"/> after each job before they sleep (at once after a job that asks them to
/// rest: <see cref="IHelperJob.HelpersRest"/>). Helpers from the .NET thread pool slept
/// between forks and woke, often on the caller's core, after the caller had done much of the work alone: a 2-thread
/// weight gradient of AlexNet conv2 took 21-49 ms per call against 37 ms on one thread. A helper that spins is still on
/// its own core when the next fork of the call, or the next call, comes.
/// </summary>
internal static class HelperThreads
{
    /// <summary>How long an idle helper spins before it sleeps: the gap between a call's forks, and between calls in a loop.</summary>
    public const int SpinMicroseconds = 200;

    /// <summary>How long a claim waits for a helper that is just letting go of its last job (the caller's previous fork).</summary>
    private const int ClaimSpins = 200;

    private static readonly object Growing = new();
    private static volatile Helper[] helpers = [];

    /// <summary>
    /// Reserves up to <paramref name="wanted"/> idle helpers, writing their indices to <paramref name="claimed"/>, and
    /// returns how many; each must then get a job from <see cref="Assign"/>. Helpers busy with another caller's job
    /// are skipped: that caller's fork runs on fewer threads rather than waiting.
    /// </summary>
    public static int Claim(int wanted, Span<int> claimed)
    {
        Helper[] all = EnsureCount(wanted);
        int count = 0;
        for (int i = 0; i < all.Length && count < wanted; i++)
        {
            if (all[i].TryClaim())
            {
                claimed[count++] = i;
            }
        }

        return count;
    }

    /// <summary>Hands <paramref name="job"/> to helper <paramref name="index"/>, reserved by <see cref="Claim"/>; it runs <c>job.Execute()</c> once.</summary>
    public static void Assign(int index, IThreadPoolWorkItem job) => helpers[index].Assign(job);

    private static Helper[] EnsureCount(int count)
    {
        Helper[] all = helpers;
        if (all.Length >= count)
        {
            return all;
        }

        lock (Growing)
        {
            all = helpers;
            if (all.Length < count)
            {
                var grown = new Helper[count];
                all.CopyTo(grown, 0);
                for (int i = all.Length; i < count; i++)
                {
                    grown[i] = new Helper(i);
                }

                helpers = all = grown;
            }
        }

        return all;
    }

    private sealed class Helper
    {
        private const int Idle = 0, Claimed = 1;
        private static readonly long SpinTicks = Stopwatch.Frequency * SpinMicroseconds / 1_000_000;

        private readonly SemaphoreSlim wake = new(0);
        private int state;
        private IThreadPoolWorkItem? work;
        private volatile bool sleeping;

        public Helper(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"NNPackSharp helper {index}" };
            thread.UnsafeStart();
        }

        public bool TryClaim()
        {
            for (int spin = 0; spin < ClaimSpins; spin++)
            {
                if (Interlocked.CompareExchange(ref state, Claimed, Idle) == Idle)
                {
                    return true;
                }

                Thread.SpinWait(8);
            }

            return false;
        }

        public void Assign(IThreadPoolWorkItem job)
        {
            Volatile.Write(ref work, job);
            Interlocked.MemoryBarrier();
            if (sleeping)
            {
                wake.Release();
            }
        }

        private void Loop()
        {
            bool spin = true;
            while (true)
            {
                IThreadPoolWorkItem job = Next(spin);

                // Read before the job runs: its last holder hands it back to the pool for reuse.
                spin = job is not IHelperJob { HelpersRest: true };
                job.Execute();
                Volatile.Write(ref state, Idle);
            }
        }

        /// <summary>
        /// Spins for the next job (where <paramref name="spin"/>), then sleeps until <see cref="Assign"/> wakes it (a
        /// spare wake only loops again).
        /// </summary>
        private IThreadPoolWorkItem Next(bool spin)
        {
            long start = Stopwatch.GetTimestamp();
            long spinTicks = spin ? SpinTicks : 0;
            for (int round = 0; ; round++)
            {
                IThreadPoolWorkItem? job = Volatile.Read(ref work);
                if (job != null)
                {
                    work = null;
                    return job;
                }

                if ((round & 63) != 63 || Stopwatch.GetTimestamp() - start < spinTicks)
                {
                    Thread.SpinWait(4);
                    continue;
                }

                sleeping = true;
                Interlocked.MemoryBarrier();
                if (Volatile.Read(ref work) == null)
                {
                    wake.Wait();
                }

                sleeping = false;
                start = Stopwatch.GetTimestamp();
            }
        }
    }
}
