namespace NNPackSharp.Bench.Protocol;

/// <summary>
/// One engine under the protocol: prepared once per (pass, thread count), then called many times. Everything a call
/// needs (graph, workspace, thread pool) is built in <see cref="Prepare"/>, outside the timed region.
/// </summary>
internal abstract class BenchEngine : IDisposable
{
    /// <summary>The column name in the report.</summary>
    public abstract string Name { get; }

    /// <summary>
    /// True for our engines: their timed call must allocate nothing (the allocation-free overloads, preallocated
    /// destinations); the runner measures it and reports any bytes it finds.
    /// </summary>
    public virtual bool PromisesNoAllocation => false;

    /// <summary>
    /// Seconds the engine's pool threads may go on spinning after its last call, longer than the next engine's
    /// pre-roll: the runner sleeps this long after the engine's timed batch, so the next engine's batch does not share
    /// the cores with them.
    /// </summary>
    public virtual double QuietSeconds => 0;

    /// <summary>
    /// Sets the engine's own thread count before its warm-up and each of its batches, where it keeps one outside the
    /// call (torch's is global); ours read the Convolution.MaxDegreeOfParallelism the runner sets beside it.
    /// </summary>
    public virtual void UseThreads(int threads)
    {
    }

    /// <summary>Gets ready to run <paramref name="pass"/> on <paramref name="threads"/> threads; returns why it cannot, or null when it can.</summary>
    public abstract string? Prepare(Pass pass, int threads);

    /// <summary>One call of the prepared pass.</summary>
    public abstract void Call();

    public virtual void Dispose()
    {
    }
}
