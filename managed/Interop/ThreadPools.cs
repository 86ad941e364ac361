using System.Collections.Concurrent;

namespace NNPackSharp.Interop;

/// <summary>
/// The native library's thread pools, one per thread count, created on first use and kept for the life of the
/// process: creating a pool starts threads, far too costly to do per call.
/// </summary>
internal static class ThreadPools
{
    private static readonly ConcurrentDictionary<int, nint> Pools = new();

    /// <summary>The shared pool for <paramref name="threads"/> threads; 0 (run on the calling thread) for one.</summary>
    public static nint For(int threads) =>
        threads <= 1 ? 0 : Pools.GetOrAdd(threads, static count => NNPackNative.pthreadpool_create((nuint)count));
}
