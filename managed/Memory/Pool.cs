using System.Collections.Concurrent;

namespace NNPackSharp.Memory;

/// <summary>
/// The process-wide pool of one kind of scratch object: a task rents one and returns it when done, so warm calls
/// reuse memory instead of allocating (and first-touching) it again. Thread-safe.
/// </summary>
/// <typeparam name="TItem">The pooled type; created with its parameterless constructor when the pool is empty.</typeparam>
internal static class Pool<TItem>
    where TItem : class, new()
{
    private static readonly ConcurrentBag<TItem> Items = [];

    /// <summary>A pooled item, or a new one when none is free.</summary>
    public static TItem Rent() => Items.TryTake(out TItem? item) ? item : new TItem();

    /// <summary>Gives <paramref name="item"/> back for the next <see cref="Rent"/>.</summary>
    public static void Return(TItem item) => Items.Add(item);

    /// <summary>Drops every free item so the GC can reclaim it, disposing those that own native memory.</summary>
    public static void Clear()
    {
        while (Items.TryTake(out TItem? item))
        {
            (item as IDisposable)?.Dispose();
        }
    }
}
