using System.Runtime.ExceptionServices;

namespace NNPackSharp.Threading;

/// <summary>
/// An allocation-free parallel loop. <c>Parallel.For</c> allocates its loop state, options and the caller's closure on
/// every call (about 1 KB: 28 KB per 2-thread weight gradient of a 32-image batch, which forks once or twice per
/// image); here the body is a struct copied into a pooled job, the calling thread runs tasks too, and up to
/// <c>parallelism - 1</c> helpers run it with the caller: the engine's own spinning threads (<see cref="HelperThreads"/>),
/// or, where those are busy with another caller's fork, the .NET thread pool, the reused job queued as a work item.
/// </summary>
/// <remarks>
/// The caller waits for the tasks, not for the helpers: a helper the thread pool starts late (or never, while the pool
/// is busy) only finds no task left, so a call never waits on the pool's thread injection. The job goes back to the
/// pool when the last of the caller and its helpers lets go of it, so a late helper never touches a job reused by a
/// later call.
/// </remarks>
internal static class ForkJoin
{
    private const int MaxStackHelpers = 64;

    /// <summary>Runs <c>body.Run(task)</c> for every task in <c>[0, tasks)</c> on up to <paramref name="parallelism"/> threads; returns when all have run.</summary>
    /// <param name="tasks">The task count.</param>
    /// <param name="parallelism">The most threads, the caller's included.</param>
    /// <param name="body">The work of one task.</param>
    /// <param name="helpersRest">
    /// Whether the helpers sleep as soon as they are done, rather than spin for the next fork: for a lone fork before
    /// work on other threads (the native engine's bias gradient, then libnnpack's own pool), where a spinning helper
    /// only takes a core from those threads.
    /// </param>
    /// <exception cref="Exception">The first exception a task threw, rethrown on the caller once every task has run.</exception>
    public static void For<TBody>(int tasks, int parallelism, TBody body, bool helpersRest = false)
        where TBody : struct, IParallelBody
    {
        int helpers = Math.Min(parallelism, tasks) - 1;
        if (helpers <= 0)
        {
            for (int task = 0; task < tasks; task++)
            {
                body.Run(task);
            }

            return;
        }

        Span<int> claimed = helpers <= MaxStackHelpers ? stackalloc int[helpers] : new int[helpers];
        int own = HelperThreads.Claim(helpers, claimed);
        Job<TBody> job = Memory.Pool<Job<TBody>>.Rent();
        job.Start(body, tasks, holders: helpers + 1, helpersRest);
        for (int i = 0; i < own; i++)
        {
            HelperThreads.Assign(claimed[i], job);
        }

        // Helpers busy with another caller's fork: the .NET thread pool stands in (the caller never waits for it).
        for (int i = own; i < helpers; i++)
        {
            ThreadPool.UnsafeQueueUserWorkItem(job, preferLocal: false);
        }

        job.RunTasks();
        ExceptionDispatchInfo? failure = job.WaitForTasks();
        job.Release();
        failure?.Throw();
    }

    /// <summary>One loop's shared state; reused, so its wait handle is made once.</summary>
    private sealed class Job<TBody> : IHelperJob
        where TBody : struct, IParallelBody
    {
        private readonly ManualResetEventSlim tasksDone = new(false, spinCount: 1000);
        private TBody body;
        private int tasks;
        private int next;
        private int completed;
        private int holders;
        private ExceptionDispatchInfo? failure;

        public bool HelpersRest { get; private set; }

        public void Start(TBody body, int tasks, int holders, bool helpersRest)
        {
            HelpersRest = helpersRest;
            this.body = body;
            this.tasks = tasks;
            next = 0;
            completed = 0;
            this.holders = holders;
            failure = null;
            tasksDone.Reset();
        }

        /// <summary>A helper's turn: take tasks until none is left, then let go.</summary>
        public void Execute()
        {
            RunTasks();
            Release();
        }

        public void RunTasks()
        {
            int task;
            while ((task = Interlocked.Increment(ref next) - 1) < tasks)
            {
                try
                {
                    body.Run(task);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref failure, ExceptionDispatchInfo.Capture(e), null);
                }

                if (Interlocked.Increment(ref completed) == tasks)
                {
                    tasksDone.Set();
                }
            }
        }

        /// <summary>Waits until every task has run; returns the first failure, if any.</summary>
        public ExceptionDispatchInfo? WaitForTasks()
        {
            tasksDone.Wait();
            return failure;
        }

        /// <summary>The caller or a helper is done with the job; the last one gives it back to the pool.</summary>
        public void Release()
        {
            if (Interlocked.Decrement(ref holders) == 0)
            {
                Memory.Pool<Job<TBody>>.Return(this);
            }
        }
    }
}
