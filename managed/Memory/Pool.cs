namespace NNPackSharp.Memory;

/// <summary>
/// The process-wide pool of one kind of scratch object: a task rents one and returns it when done, so warm calls
/// reuse memory instead of allocating (and first-touching) it again. Thread-safe and allocation-free: free items sit in
/// a fixed array of slots taken and filled with atomic exchanges. (A ConcurrentBag allocated per call here: an item
/// given back on one thread and taken on another made its per-thread lists steal and grow.) An item returned while
/// every slot is full is disposed, if it owns native memory, and left to the GC.
/// </summary>
/// <typeparam name="TItem">The pooled type; created with its parameterless constructor when the pool is empty.</typeparam>
internal static class Pool<TItem>
    where TItem : class, new()
{
    private static readonly TItem?[] Slots = new TItem?[Math.Max(16, 4 * Environment.ProcessorCount)];

    // The item this thread gave back last: taken first, so a worker keeps packing into buffers its own core's caches
    // hold (an item that moved between cores made every fork of the 2-thread weight gradient refetch them).
    [ThreadStatic]
    private static TItem? local;

    /// <summary>A pooled item, or a new one when none is free.</summary>
    public static TItem Rent()
    {
        if (local is { } mine)
        {
            local = null;
            return mine;
        }

        for (int i = 0; i < Slots.Length; i++)
        {
            if (Volatile.Read(ref Slots[i]) is not null && Interlocked.Exchange(ref Slots[i], null) is { } item)
            {
                return item;
            }
        }

        return new TItem();
    }

    /// <summary>Gives <paramref name="item"/> back for the next <see cref="Rent"/>.</summary>
    public static void Return(TItem item)
    {
        if (local is null)
        {
            local = item;
            return;
        }

        for (int i = 0; i < Slots.Length; i++)
        {
            if (Volatile.Read(ref Slots[i]) is null && Interlocked.CompareExchange(ref Slots[i], item, null) is null)
            {
                return;
            }
        }

        (item as IDisposable)?.Dispose();
    }

    /// <summary>
    /// Drops every free item so the GC can reclaim it, disposing those that own native memory: the shared ones and the
    /// calling thread's (another thread's last item stays with it until that thread takes it again or ends).
    /// </summary>
    public static void Clear()
    {
        (local as IDisposable)?.Dispose();
        local = null;
        for (int i = 0; i < Slots.Length; i++)
        {
            (Interlocked.Exchange(ref Slots[i], null) as IDisposable)?.Dispose();
        }
    }
}
