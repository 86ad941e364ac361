using NNPackSharp.Engines.Managed;
using NNPackSharp.Geometry;

namespace NNPackSharp.Tests.Managed;

/// <summary>
/// The input gradient in bands of output rows (<see cref="ManagedEngine{T}.FoldBandRows"/>: a few input channels on a
/// large map, as the ResNet stem): each band's product folded onto the cleared image before the next, against the
/// double reference on every GEMM variant, one and two threads, float and double. The random shapes elsewhere are too
/// small to be cut into bands.
/// </summary>
[RestoresParallelism]
public class BandedFoldTests : LayersOnEveryGemmVariant
{
    private static readonly ConvCase[] Cases =
    [
        new(2, 2, 131, 127, 5, 3, 5, 1, 2, 1, 1),   // stride 1, two channels: 4 bands of float, 8 of double, the last shorter
        new(1, 3, 150, 150, 4, 7, 7, 3, 3, 2, 2),   // the stem's kernel and stride on a smaller map (float: 7 bands)
        new(2, 1, 301, 97, 3, 4, 3, 2, 1, 2, 1),    // stride 2 down, 1 across, an even kernel height
    ];

    [Test]
    public void FloatLayersAreCutIntoBands()
    {
        foreach (ConvCase c in Cases)
        {
            var g = new Conv2DGeometry(c.N, c.Cin, c.H, c.W, c.Cout, c.KH, c.KW, c.PadH, c.PadW, c.StrideH, c.StrideW, c.OutH, c.OutW);
            Assert.That(TransposedForward.Applies(g), Is.False, c.ToString());
            Assert.That(ManagedEngine<float>.FoldBandRows(g), Is.LessThan(g.OutputHeight), c.ToString());
        }
    }

    [Test]
    public void BitIdenticalOnAnyThreadCount()
    {
        // Batch 2: images in parallel, each band's product on one thread; batch 1: one image, the products split.
        foreach (ConvCase c in Cases.Take(2))
        {
            var random = new Random(c.N);
            double[] w = ConvCase.RandomValues(random, c.WeightLength), dy = ConvCase.RandomValues(random, c.OutputLength), x = new double[c.InputLength];
            Convolution.MaxDegreeOfParallelism = 1;
            double[] one = ConvRunner<float>.Backward(c, x, w, dy, withBias: false, ManagedEngine<float>.Default).Input;
            foreach (int threads in new[] { 2, 3 })
            {
                Convolution.MaxDegreeOfParallelism = threads;
                Bits.AssertIdentical(ConvRunner<float>.Backward(c, x, w, dy, withBias: false, ManagedEngine<float>.Default).Input, one, $"{c}, {threads} threads");
            }
        }
    }

    private protected override IReadOnlyList<ConvCase> Layers => Cases;
}
