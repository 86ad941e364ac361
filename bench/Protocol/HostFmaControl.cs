namespace NNPackSharp.Bench.Protocol;

/// <summary>
/// The control in every convolution row: the FMA chains of <see cref="FmaPeak"/> on the row's thread count, timed in
/// the same interleaved rounds as the engines. It shows what the host gave while the row ran. On this kind of VM the
/// second core comes and goes for seconds at a time (two vCPUs put on one physical core's two hardware threads give
/// each half its FMA rate, and the guest's steal counter does not move), so a row's 2-thread figures can only be read
/// beside the host's own 2-thread rate in the same rounds: an engine that scales 1.5x in a row where the chains did
/// too lost nothing to its own code.
/// </summary>
internal sealed class HostFmaControl : BenchEngine
{
    public const string EngineName = "host FMA";

    /// <summary>Chain iterations per thread and call: about 3 ms on one of this VM's cores (115 GFLOP/s).</summary>
    private const long IterationsPerCall = 400_000;

    private readonly List<Thread> helpers = [];
    private Barrier? start, done;
    private volatile bool stopping;

    public override string Name => EngineName;

    /// <summary>FLOP per call and thread (0 without an FMA unit, where the control does not run).</summary>
    public static double FlopsPerThread { get; } = FmaPeak.HasZmm || FmaPeak.HasYmm ? FmaPeak.RunWidest(IterationsPerCall) : 0;

    public override string? Prepare(Pass pass, int threads)
    {
        StopHelpers();
        if (FlopsPerThread == 0)
        {
            return "no FMA unit";
        }

        // The caller runs one chain set and threads - 1 helpers the others, all released by one barrier and joined by
        // another, so a call costs no thread start.
        start = new Barrier(threads);
        done = new Barrier(threads);
        stopping = false;
        for (int i = 1; i < threads; i++)
        {
            var helper = new Thread(HelperLoop) { IsBackground = true, Name = "host FMA control" };
            helpers.Add(helper);
            helper.Start();
        }

        return null;
    }

    public override void Call()
    {
        start!.SignalAndWait();
        FmaPeak.RunWidest(IterationsPerCall);
        done!.SignalAndWait();
    }

    public override void Dispose() => StopHelpers();

    private void HelperLoop()
    {
        while (true)
        {
            start!.SignalAndWait();
            if (stopping)
            {
                return;
            }

            FmaPeak.RunWidest(IterationsPerCall);
            done!.SignalAndWait();
        }
    }

    private void StopHelpers()
    {
        if (helpers.Count > 0)
        {
            stopping = true;
            start!.SignalAndWait();
            foreach (Thread helper in helpers)
            {
                helper.Join();
            }

            helpers.Clear();
        }

        start?.Dispose();
        done?.Dispose();
        start = done = null;
    }
}
