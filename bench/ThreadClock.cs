using System.Runtime.InteropServices;

namespace NNPackSharp.Bench;

/// <summary>
/// The calling thread's CPU time (Linux <c>CLOCK_THREAD_CPUTIME_ID</c>): on a shared machine other processes take the
/// core away from a timed loop, which the wall clock counts and this clock does not. For single-thread tuning only;
/// protocol figures stay on the wall clock.
/// </summary>
internal static partial class ThreadClock
{
    private const int ClockThreadCpuTime = 3;

    /// <summary>Nanoseconds of CPU this thread has used, or 0 where the clock is unavailable.</summary>
    public static long Nanoseconds() =>
        clock_gettime(ClockThreadCpuTime, out TimeSpec time) == 0 ? (time.Seconds * 1_000_000_000L) + time.Nanoseconds : 0;

    [LibraryImport("libc")]
    private static partial int clock_gettime(int clock, out TimeSpec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
