using System.Collections.Concurrent;

namespace NNPackSharp.Tests.EdgeCases;

/// <summary>
/// Many threads calling both engines at once, while another keeps changing
/// <see cref="Convolution.MaxDegreeOfParallelism"/> and calling <see cref="Convolution.ReleaseWorkspaces"/>: every
/// result is bit-identical to the same call made alone on one thread (issue 11's concurrency test).
/// </summary>
[RestoresParallelism(NeedsNativeLibrary = true)]
public class ConcurrencyTests
{
    private const int Callers = 8;
    private const int CallsPerCaller = 40;

    private static readonly ConvCase[] Problems =
    [
        new(2, 3, 9, 11, 5, 2, 5, 0, 2, 3, 2),
        new(3, 16, 16, 16, 16, 3, 3, 1, 1, 1, 1),
        new(1, 32, 24, 24, 32, 3, 3, 1, 1, 1, 1),       // over 4 M multiply-adds: the native pool runs it
        new(1, 1, 1, 1, 1, 1, 1, int.MaxValue, int.MaxValue, int.MaxValue, int.MaxValue),
        new(2, 2, 5, 6, 3, 3, 3, 2, 2, int.MaxValue, int.MaxValue),
    ];

    private static readonly Conv2DAlgorithm[] Engines = [Conv2DAlgorithm.Im2ColGemm, Conv2DAlgorithm.NNPackAuto];

    [Test]
    public void ConcurrentCallsMatchSerialOnesBitForBit()
    {
        var calls = (from problem in Problems from algorithm in Engines select new Call(problem, algorithm)).ToArray();
        Convolution.MaxDegreeOfParallelism = 1;
        Result[] serial = calls.Select(call => call.Run()).ToArray();

        var failures = new ConcurrentQueue<string>();
        int finished = 0, disturbances = 0;
        var disturber = new Thread(() =>
        {
            int[] settings = [2, 1, int.MaxValue, 3, 64];
            for (int i = 0; Volatile.Read(ref finished) < Callers; i++)
            {
                Convolution.MaxDegreeOfParallelism = settings[i % settings.Length];
                if (i % 3 == 0)
                {
                    Convolution.ReleaseWorkspaces();
                }

                disturbances++;
                Thread.Sleep(1);
            }
        });
        var callers = Enumerable.Range(0, Callers).Select(caller => new Thread(() =>
        {
            try
            {
                for (int i = 0; i < CallsPerCaller; i++)
                {
                    int index = ((i * 7) + (caller * 3)) % calls.Length;
                    string? difference = calls[index].Run().Difference(serial[index], calls[index].ToString());
                    if (difference is not null)
                    {
                        failures.Enqueue(difference);
                    }
                }
            }
            catch (Exception e)
            {
                failures.Enqueue($"caller {caller}: {e}");
            }
            finally
            {
                Interlocked.Increment(ref finished);
            }
        })).ToArray();

        disturber.Start();
        foreach (Thread thread in callers)
        {
            thread.Start();
        }

        foreach (Thread thread in callers)
        {
            thread.Join();
        }

        disturber.Join();
        TestContext.Out.WriteLine($"{Callers * CallsPerCaller} calls on {Callers} threads, {disturbances} changes of MaxDegreeOfParallelism meanwhile");
        Assert.That(failures, Is.Empty);
    }

    /// <summary>One call: a problem on an engine, forward and backward on fixed random data.</summary>
    private sealed class Call(ConvCase c, Conv2DAlgorithm algorithm)
    {
        private readonly double[] x = ConvCase.RandomValues(new Random(c.H), c.InputLength);
        private readonly double[] w = ConvCase.RandomValues(new Random(c.Cout), c.WeightLength);
        private readonly double[] b = ConvCase.RandomValues(new Random(c.Cin), c.Cout);
        private readonly double[] dy = ConvCase.RandomValues(new Random(c.N), c.OutputLength);

        public Result Run()
        {
            double[] y = ConvRunner<float>.Forward(c, x, w, b, algorithm: algorithm);
            var (dx, dw, db) = ConvRunner<float>.Backward(c, x, w, dy, withBias: true, algorithm: algorithm);
            return new Result([y, dx, dw, db!]);
        }

        public override string ToString() => $"{c} {algorithm}";
    }

    /// <summary>Output, gradInput, gradWeight and gradBias of one call.</summary>
    private sealed record Result(double[][] Parts)
    {
        private static readonly string[] Names = ["output", "gradInput", "gradWeight", "gradBias"];

        public string? Difference(Result expected, string call) =>
            Parts.Select((part, i) => Bits.Difference(part, expected.Parts[i], $"{call} {Names[i]}")).FirstOrDefault(d => d is not null);
    }
}
