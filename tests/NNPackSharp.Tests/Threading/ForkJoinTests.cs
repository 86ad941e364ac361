using System.Collections.Concurrent;
using NNPackSharp.Threading;

namespace NNPackSharp.Tests.Threading;

/// <summary>
/// <see cref="ForkJoin"/> on the engine's own helper threads (<see cref="HelperThreads"/>): every task runs exactly
/// once, back to back and from several callers at once (helpers busy with one caller's fork are skipped for the .NET
/// thread pool), with more threads asked for than the machine has, with helpers told to rest after some forks (they
/// sleep at once and must be woken by the next), and a task's exception reaches its caller after every other task has run.
/// </summary>
public class ForkJoinTests
{
    [Test]
    public void RunsEveryTaskOnceFromConcurrentCallers()
    {
        const int Callers = 4, Forks = 300;
        var failures = new ConcurrentQueue<string>();
        var threads = Enumerable.Range(0, Callers).Select(caller => new Thread(() =>
        {
            var random = new Random(caller);
            for (int fork = 0; fork < Forks; fork++)
            {
                int tasks = random.Next(1, 40), parallelism = random.Next(1, 6);
                int[] runs = new int[tasks];
                ForkJoin.For(tasks, parallelism, new Count(runs), helpersRest: random.Next(3) == 0);
                if (runs.Any(r => r != 1))
                {
                    failures.Enqueue($"caller {caller}, fork {fork} ({tasks} tasks on {parallelism} threads): runs {string.Join(",", runs)}");
                }
            }
        })).ToArray();
        foreach (Thread thread in threads)
        {
            thread.Start();
        }

        foreach (Thread thread in threads)
        {
            thread.Join();
        }

        Assert.That(failures, Is.Empty);
    }

    [Test]
    public void RethrowsATaskFailureAfterEveryTaskHasRun()
    {
        int[] runs = new int[50];
        var thrown = Assert.Throws<InvalidOperationException>(() => ForkJoin.For(runs.Length, 3, new FailAt(runs, 17)));
        Assert.Multiple(() =>
        {
            Assert.That(thrown!.Message, Does.Contain("task 17"));
            Assert.That(runs, Is.All.EqualTo(1), "every task ran once");
        });
    }

    private readonly struct Count(int[] runs) : IParallelBody
    {
        public void Run(int task) => Interlocked.Increment(ref runs[task]);
    }

    private readonly struct FailAt(int[] runs, int failing) : IParallelBody
    {
        public void Run(int task)
        {
            Interlocked.Increment(ref runs[task]);
            if (task == failing)
            {
                throw new InvalidOperationException($"task {task} failed");
            }
        }
    }
}
