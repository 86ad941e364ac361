namespace NNPackSharp.Interop;

/// <summary>
/// A pool from <see cref="ThreadPools.Rent"/> held for one call's scope (<c>using var lease = new ThreadPoolLease(threads)</c>):
/// the operators' calls make one native call each, so a scope says it with less ceremony than try/finally.
/// </summary>
internal readonly ref struct ThreadPoolLease
{
    private readonly ThreadPools.SharedPool? pool;

    /// <summary>Rents the shared pool for <paramref name="threads"/> threads (none for one).</summary>
    public ThreadPoolLease(int threads) => pool = ThreadPools.Rent(threads);

    /// <summary>The pthreadpool to pass, 0 for the calling thread.</summary>
    public nint Handle => pool?.Handle ?? 0;

    /// <summary>Gives the pool back.</summary>
    public void Dispose() => ThreadPools.Return(pool);
}
