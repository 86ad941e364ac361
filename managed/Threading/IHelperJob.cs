namespace NNPackSharp.Threading;

/// <summary>A <see cref="ForkJoin"/> job as a <see cref="HelperThreads"/> helper runs it.</summary>
internal interface IHelperJob : IThreadPoolWorkItem
{
    /// <summary>Whether the helper sleeps once done with this job instead of spinning for the next one.</summary>
    bool HelpersRest { get; }
}
