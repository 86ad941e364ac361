namespace NNPackSharp.Interop;

/// <summary>
/// The native library's thread pool: one at a time, with the thread count the calls ask for (callers clamp that to
/// the cores), reused by every call that asks for the same count. A call asking for another count replaces it, and
/// <see cref="Release"/> (from ReleaseWorkspaces) drops it; a replaced or dropped pool that a call is still running on
/// is destroyed by the last such call when it returns, so at most the pools of calls in flight hold threads.
/// Creating a pool starts threads, far too costly to do per call, hence the reuse.
/// </summary>
internal static class ThreadPools
{
    private static readonly Lock Gate = new();
    private static SharedPool? current;

    /// <summary>The shared pool for <paramref name="threads"/> threads, held until <see cref="Return"/>; null (run on the calling thread) for one.</summary>
    public static SharedPool? Rent(int threads)
    {
        if (threads <= 1)
        {
            return null;
        }

        lock (Gate)
        {
            if (current is null || current.Threads != threads)
            {
                current?.Retire();
                current = new SharedPool(threads);
            }

            current.Users++;
            return current;
        }
    }

    /// <summary>Gives back a pool from <see cref="Rent"/>; destroys it when it was retired and this was its last call.</summary>
    public static void Return(SharedPool? pool)
    {
        if (pool is null)
        {
            return;
        }

        lock (Gate)
        {
            pool.Users--;
            if (pool.Retired && pool.Users == 0)
            {
                pool.Destroy();
            }
        }
    }

    /// <summary>Drops the current pool: its threads stop now, or when the last call on it returns.</summary>
    public static void Release()
    {
        lock (Gate)
        {
            current?.Retire();
            current = null;
        }
    }

    /// <summary>The thread count of the pool calls now get, 0 when there is none (for tests).</summary>
    internal static int CurrentThreads
    {
        get
        {
            lock (Gate)
            {
                return current?.Threads ?? 0;
            }
        }
    }

    /// <summary>One native pool and the calls running on it. Mutated only under <see cref="Gate"/>.</summary>
    internal sealed class SharedPool(int threads)
    {
        /// <summary>The pthreadpool; 0 when the library could not create it (the calls then run on their own thread).</summary>
        public nint Handle { get; private set; } = NNPackNative.pthreadpool_create((nuint)threads);

        public int Threads { get; } = threads;

        public int Users { get; set; }

        public bool Retired { get; private set; }

        public void Retire()
        {
            Retired = true;
            if (Users == 0)
            {
                Destroy();
            }
        }

        public void Destroy()
        {
            NNPackNative.pthreadpool_destroy(Handle);
            Handle = 0;
        }
    }
}
