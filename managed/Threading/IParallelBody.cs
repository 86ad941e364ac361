namespace NNPackSharp.Threading;

/// <summary>The work of a <see cref="ForkJoin.For{TBody}"/> loop: a struct, so a call carries its state without a closure.</summary>
internal interface IParallelBody
{
    /// <summary>Runs task <paramref name="task"/> (each index in <c>[0, tasks)</c> exactly once, on any thread).</summary>
    void Run(int task);
}
