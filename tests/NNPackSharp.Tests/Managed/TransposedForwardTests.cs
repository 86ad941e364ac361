using NNPackSharp.Engines.Managed;
using NNPackSharp.Geometry;

namespace NNPackSharp.Tests.Managed;

/// <summary>
/// The input gradient computed as the forward pass of the transposed layer (<see cref="TransposedForward"/>): layers
/// with no more output pixels than input channels, at least 64 channels or a large column matrix, so the engine takes that path, against the double reference on
/// every GEMM variant, one and two threads, float and double. The random shapes elsewhere rarely have that many
/// channels.
/// </summary>
[RestoresParallelism]
public class TransposedForwardTests : LayersOnEveryGemmVariant
{
    private static readonly ConvCase[] Cases =
    [
        new(2, 20, 4, 5, 3, 3, 3, 1, 1, 1, 1),     // 4x5 map, 20 channels: grouped images, column buffer
        new(1, 16, 3, 3, 5, 2, 3, 0, 2, 1, 1),     // non-square kernel, padding 0 and k-1
        new(3, 24, 2, 7, 4, 1, 5, 0, 4, 1, 1),     // 1x5 kernel, padding k-1 on one axis only
        new(5, 33, 5, 5, 17, 5, 5, 2, 2, 1, 1),    // 5x5, odd channel counts
        new(2, 8, 2, 2, 3, 2, 2, 0, 0, 1, 1),      // kernel = input: one output pixel
        new(4, 40, 6, 6, 70, 3, 3, 1, 1, 1, 1),    // more output channels than a tile's depth block
        new(1, 40, 1, 33, 6, 1, 3, 0, 1, 1, 1),    // rows wider than a tile: the implicit im2col panels
        new(2, 110, 2, 34, 5, 2, 3, 1, 2, 1, 1),   // wide rows, two images
        new(1, 32, 86, 86, 4, 3, 3, 1, 1, 1, 1),   // more pixels than channels, but a column matrix past 2^21 elements
        new(2, 128, 9, 19, 6, 5, 1, 2, 0, 1, 1),   // more pixels than channels, but 128 of them (Inception's 7x1)
        new(1, 64, 13, 11, 10, 5, 5, 2, 2, 1, 1),  // more pixels than channels, but 64 of them (AlexNet conv2's 5x5)
    ];

    [Test]
    public void EveryLayerTakesThePath()
    {
        foreach (ConvCase c in Cases)
        {
            var g = new Conv2DGeometry(c.N, c.Cin, c.H, c.W, c.Cout, c.KH, c.KW, c.PadH, c.PadW, c.StrideH, c.StrideW, c.OutH, c.OutW);
            Assert.That(TransposedForward.Applies(g), Is.True, c.ToString());
        }
    }

    [Test]
    public void FewChannelsKeepCol2ImOnLargeMaps()
    {
        // 3 channels, 300x300: a column matrix of 2.4M elements, but 3 rows of the transposed product.
        var g = new Conv2DGeometry(1, 3, 300, 300, 16, 3, 3, 1, 1, 1, 1, 300, 300);
        Assert.That(TransposedForward.Applies(g), Is.False);
    }

    [Test]
    public void FewerThanSixtyFourChannelsKeepCol2ImOnMapsOfMorePixels()
    {
        // 32 -> 64 channels on 28x28 maps: 784 pixels, a column matrix below 2^21 elements (ran 0.92x the transposed way).
        var g = new Conv2DGeometry(8, 32, 28, 28, 64, 3, 3, 1, 1, 1, 1, 28, 28);
        Assert.That(TransposedForward.Applies(g), Is.False);
    }

    private protected override IReadOnlyList<ConvCase> Layers => Cases;
}
