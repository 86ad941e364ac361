using System.Numerics.Tensors;

namespace NNPackSharp.Tests.EdgeCases;

/// <summary>
/// Valid calls whose padding and stride reach int.MaxValue (issue 11, defects 1 to 3): every pass of both engines
/// against the 64-bit-index double reference, on 1 and 2 threads, with each gradient also skipped in turn. Before the
/// fix these killed the process (out-of-bounds reads and writes), threw after writing part of the output, or returned
/// wrong numbers silently.
/// </summary>
[RestoresParallelism(NeedsNativeLibrary = true)]
public class HugeStrideAndPaddingTests
{
    private const int Max = int.MaxValue;

    /// <summary>The problems: issue 11's reproductions first, then near-overflow neighbours.</summary>
    internal static readonly (string Why, ConvCase Case)[] Problems =
    [
        ("im2col gather read out of bounds", new ConvCase(1, 1, 1, 1, 1, 1, 1, Max, Max, Max, Max)),
        ("col2im scatter wrote out of bounds", new ConvCase(2, 2, 5, 6, 3, 3, 3, 2, 2, Max, Max)),
        ("silently wrong output and gradients", new ConvCase(1, 2, 5, 5, 3, 3, 3, Max, Max, Max, Max)),
        ("NNPackAuto wild write", new ConvCase(1, 2, 5, 5, 3, 3, 3, 1 << 30, 1 << 30, 1 << 30, 1 << 30)),
        ("NNPackAuto out of memory, one output", new ConvCase(1, 1, 1, 1, 1, 1, 1, 23171, 23171, 50000, 50000)),
        ("NNPackAuto out of memory, one axis", new ConvCase(1, 2, 5, 5, 3, 3, 3, 1_000_000_000, 0, 1_000_000_000, 1)),
        ("memory grew with padding", new ConvCase(1, 8, 3, 3, 2, 2, 2, 1500, 1500, 1500, 1500)),
        ("padding int.MaxValue-1", new ConvCase(3, 3, 4, 3, 2, 2, 2, Max - 1, Max - 1, Max, Max)),
        ("stride int.MaxValue-1, windows straddle the edge", new ConvCase(2, 1, 3, 3, 2, 3, 3, Max, Max, Max - 1, Max - 1)),
        ("no padding, stride int.MaxValue", new ConvCase(2, 2, 7, 5, 3, 3, 2, 0, 0, Max, Max)),
        ("padding and stride int.MaxValue on the width only", new ConvCase(1, 2, 4, 3, 2, 2, 2, 0, Max, 1, Max)),
        ("kernel larger than the input, stride int.MaxValue", new ConvCase(1, 1, 3, 3, 1, 5, 5, 1, 1, Max, Max)),
        ("a 21x21 output that is mostly padding", new ConvCase(2, 1, 2, 2, 2, 1, 1, 1_000_000, 1_000_000, 100_000, 100_000)),
    ];

    private static readonly Conv2DAlgorithm[] Engines = [Conv2DAlgorithm.Im2ColGemm, Conv2DAlgorithm.NNPackAuto];

    private static IEnumerable<TestCaseData> Calls() =>
        from problem in Problems
        from algorithm in Engines
        from threads in new[] { 1, 2 }
        select new TestCaseData(problem.Case, algorithm, threads).SetArgDisplayNames($"{problem.Why}: {problem.Case} {algorithm} {threads} thread(s)");

    [TestCaseSource(nameof(Calls))]
    public void ForwardMatchesReference(object problem, Conv2DAlgorithm algorithm, int threads)
    {
        var c = (ConvCase)problem;
        Convolution.MaxDegreeOfParallelism = threads;
        var data = new Data(c);
        var (expected, magnitude) = ReferenceConvolution.Forward(c, data.Input, data.Weight, data.Bias);
        Tolerance.AssertClose<float>(ConvRunner<float>.Forward(c, data.Input, data.Weight, data.Bias, algorithm: algorithm), expected, magnitude, c.Depth + 1, $"{c} {algorithm} forward");
    }

    [TestCaseSource(nameof(Calls))]
    public void BackwardMatchesReferenceWithEachGradientSkippedInTurn(object problem, Conv2DAlgorithm algorithm, int threads)
    {
        var c = (ConvCase)problem;
        Convolution.MaxDegreeOfParallelism = threads;
        var data = new Data(c);
        var reference = ReferenceConvolution.Backward(c, data.Input, data.Weight, data.GradOutput);
        foreach (var (input, weight) in new[] { (true, true), (true, false), (false, true) })
        {
            Tensor<float>? dx = input ? ConvRunner<float>.Sentinel(c.InputShape) : null;
            Tensor<float>? dw = weight ? ConvRunner<float>.Sentinel(c.WeightShape) : null;
            Tensor<float> db = ConvRunner<float>.Sentinel([c.Cout]);
            ConvRunner<float>.BackwardInto(c, data.Input, data.Weight, data.GradOutput, dx, dw, db, algorithm: algorithm);
            string label = $"{c} {algorithm} backward (gradInput {input}, gradWeight {weight})";
            int terms = c.N * c.OutH * c.OutW;
            if (dx is not null)
            {
                Tolerance.AssertClose<float>(ConvCase.ToDoubles(dx), reference.Input, reference.InputMagnitude, c.Cout * c.KH * c.KW, label + " gradInput");
            }

            if (dw is not null)
            {
                Tolerance.AssertClose<float>(ConvCase.ToDoubles(dw), reference.Weight, reference.WeightMagnitude, terms, label + " gradWeight");
            }

            Tolerance.AssertClose<float>(ConvCase.ToDoubles(db), reference.Bias, reference.BiasMagnitude, terms, label + " gradBias");
        }
    }

    [Test]
    public void ManagedDoubleMatchesReference()
    {
        foreach (var (_, c) in Problems)
        {
            ConvRunner<double>.CheckAgainstReference(c, seed: c.H + c.W);
        }
    }

    /// <summary>Random data for one problem, the same for every engine and thread count.</summary>
    private sealed class Data(ConvCase c)
    {
        public double[] Input { get; } = ConvCase.RandomValues(new Random(c.N + (7 * c.Cin) + (31 * c.H)), c.InputLength);

        public double[] Weight { get; } = ConvCase.RandomValues(new Random(c.Cout + (3 * c.KH)), c.WeightLength);

        public double[] Bias { get; } = ConvCase.RandomValues(new Random(c.Cout), c.Cout);

        public double[] GradOutput { get; } = ConvCase.RandomValues(new Random(c.OutH + c.OutW), c.OutputLength);
    }
}
