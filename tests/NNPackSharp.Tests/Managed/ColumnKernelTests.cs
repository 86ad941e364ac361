using NNPackSharp.Engines.Managed;
using NNPackSharp.Geometry;

namespace NNPackSharp.Tests.Managed;

/// <summary>
/// The forward pass of kernels one column wide as one pointwise product per kernel row (<see cref="ColumnKernel"/>):
/// layers that take it, against the double reference on every GEMM variant, one and two threads, float and double (the
/// backward pass of each too, whose transposed forward takes it where the channels make it one).
/// </summary>
[RestoresParallelism]
public class ColumnKernelTests : LayersOnEveryGemmVariant
{
    private static readonly ConvCase[] Cases =
    [
        new(8, 12, 17, 17, 20, 7, 1, 3, 0, 1, 1),    // Inception's 7x1 shape, fewer channels: rows 0-2 and 14-16 skip taps
        new(1, 5, 9, 4, 33, 3, 1, 1, 0, 1, 1),       // 3x1, batch 1, a plane of 36 (a partial column panel)
        new(3, 7, 6, 13, 9, 5, 1, 0, 0, 1, 1),       // no padding: every kernel row reaches every output row
        new(2, 4, 3, 5, 6, 6, 1, 2, 0, 1, 1),        // a kernel taller than the map: rows 5 reach no output row
        new(2, 3, 11, 1, 130, 4, 1, 1, 0, 1, 1),     // one pixel wide, more output channels than a row block
        new(1, 140, 5, 7, 3, 2, 1, 0, 0, 1, 1),      // many input channels, a 2x1 kernel
    ];

    [Test]
    public void EveryLayerTakesThePath()
    {
        foreach (ConvCase c in Cases)
        {
            Assert.That(ColumnKernel.Applies(Geometry(c)), Is.True, c.ToString());
        }
    }

    [Test]
    public void OtherLayersDoNot()
    {
        Assert.Multiple(() =>
        {
            Assert.That(ColumnKernel.Applies(Geometry(new ConvCase(1, 2, 9, 9, 3, 7, 1, 3, 1, 1, 1))), Is.False, "side padding");
            Assert.That(ColumnKernel.Applies(Geometry(new ConvCase(1, 2, 9, 9, 3, 7, 1, 3, 0, 2, 1))), Is.False, "a row stride");
            Assert.That(ColumnKernel.Applies(Geometry(new ConvCase(1, 2, 9, 9, 3, 3, 1, 2, 0, 1, 1))), Is.False, "padding past half the kernel");
            Assert.That(ColumnKernel.Applies(Geometry(new ConvCase(1, 2, 9, 9, 3, 1, 7, 0, 3, 1, 1))), Is.False, "a kernel one row high");
            Assert.That(ColumnKernel.Applies(Geometry(new ConvCase(1, 2, 9, 9, 3, 1, 1, 0, 0, 1, 1))), Is.False, "pointwise");
        });
    }

    private static Conv2DGeometry Geometry(ConvCase c) =>
        new(c.N, c.Cin, c.H, c.W, c.Cout, c.KH, c.KW, c.PadH, c.PadW, c.StrideH, c.StrideW, c.OutH, c.OutW);

    private protected override IReadOnlyList<ConvCase> Layers => Cases;
}
