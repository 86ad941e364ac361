using System.Diagnostics;
using System.Runtime.InteropServices;

namespace NNPackSharp.Bench;

/// <summary>
/// The clocks the tuning modes time with, in nanoseconds. The calling thread's CPU time (Linux
/// <c>CLOCK_THREAD_CPUTIME_ID</c>): on a shared machine other processes take the core away from a timed loop, which
/// the wall clock counts and this clock does not; for single-thread tuning only, protocol figures stay on the wall
/// clock.
/// </summary>
internal static partial class ThreadClock
{
    private const int ClockThreadCpuTime = 3;

    /// <summary>The thread's CPU time when <paramref name="threadCpuTime"/>, else the wall clock.</summary>
    public static Func<long> Select(bool threadCpuTime) => threadCpuTime ? Nanoseconds : WallNanoseconds;

    /// <summary>Nanoseconds of CPU this thread has used, or 0 where the clock is unavailable.</summary>
    public static long Nanoseconds() =>
        clock_gettime(ClockThreadCpuTime, out TimeSpec time) == 0 ? (time.Seconds * 1_000_000_000L) + time.Nanoseconds : 0;

    /// <summary>The wall clock (<see cref="Stopwatch"/>) in nanoseconds.</summary>
    public static long WallNanoseconds() => (long)(Stopwatch.GetTimestamp() * (1e9 / Stopwatch.Frequency));

    [LibraryImport("libc")]
    private static partial int clock_gettime(int clock, out TimeSpec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
