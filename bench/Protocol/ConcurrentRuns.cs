namespace NNPackSharp.Bench.Protocol;

/// <summary>
/// The harness of the host controls (<see cref="FmaPeak"/>, <see cref="MemoryBandwidth"/>): a body run on several
/// threads at once, released together by a barrier so none starts while another's thread is still being created.
/// </summary>
internal static class ConcurrentRuns
{
    /// <summary>
    /// Best of five runs of <paramref name="work"/> on <paramref name="threads"/> threads at once (each given its
    /// index, each returning the units it did): the units of all threads over the slowest thread's time, in billions
    /// per second.
    /// </summary>
    public static double Best(int threads, Func<int, double> work, Func<long> clock)
    {
        double best = 0;
        for (int repeat = 0; repeat < 5; repeat++)
        {
            var seconds = new double[threads];
            var units = new double[threads];
            using var start = new Barrier(threads);
            var workers = new Thread[threads];
            for (int t = 0; t < threads; t++)
            {
                int index = t;
                workers[t] = new Thread(() =>
                {
                    start.SignalAndWait();
                    long begin = clock();
                    units[index] = work(index);
                    seconds[index] = (clock() - begin) * 1e-9;
                });
                workers[t].Start();
            }

            foreach (Thread worker in workers)
            {
                worker.Join();
            }

            best = Math.Max(best, units.Sum() / seconds.Max() / 1e9);
        }

        return best;
    }
}
