namespace NNPackSharp.Bench;

/// <summary>
/// One benchmark layer: <c>x[N,Cin,H,H] * w[Cout,Cin,kH,kW]</c> with a square stride and a padding per axis.
/// The square constructor (<c>k</c>, <c>pad</c>) is what the public layers were written with; the full one allows
/// 1x7 / 7x1 kernels and their asymmetric padding.
/// </summary>
public sealed record ConvLayer(string Name, int N, int Cin, int H, int Cout, int KernelH, int KernelW, int Stride, int PadH, int PadW)
{
    /// <summary>A square kernel <paramref name="k"/> x <paramref name="k"/> with the same padding on both axes.</summary>
    public ConvLayer(string name, int n, int cin, int h, int cout, int k, int stride, int pad)
        : this(name, n, cin, h, cout, k, k, stride, pad, pad)
    {
    }

    /// <summary>The layers of the benchmark: classic CNN shapes from small to large, plus one tiny layer.</summary>
    public static IReadOnlyList<ConvLayer> All { get; } =
    [
        new("AlexNet conv2", 8, 64, 27, 192, 5, 1, 2),
        new("AlexNet conv3", 8, 192, 13, 384, 3, 1, 1),
        new("VGG conv3.2", 4, 256, 56, 256, 3, 1, 1),
        new("VGG conv5", 8, 512, 14, 512, 3, 1, 1),
        new("ResNet stem", 4, 3, 224, 64, 7, 2, 3),
        new("ResNet 3x3/2", 8, 128, 56, 128, 3, 2, 1),
        new("ResNet 1x1", 8, 256, 56, 64, 1, 1, 0),
        new("small", 1, 3, 32, 16, 3, 1, 0),
    ];

    /// <summary>
    /// Shapes beyond the public eight that check whether a result generalises: batch 1 on a large map, tiny maps with
    /// many channels, non-square kernels (Inception's 17x17 blocks), a strided 1x1 projection, sizes that fit no
    /// vector or tile width, and a large batch. Run by the protocol mode, not by BenchmarkDotNet.
    /// </summary>
    public static IReadOnlyList<ConvLayer> Extra { get; } =
    [
        new("batch 1 112x112", 1, 64, 112, 64, 3, 1, 1),
        new("batch 1 128ch 112x112", 1, 128, 112, 128, 3, 1, 1),
        new("7x7 maps 512ch", 8, 512, 7, 512, 3, 1, 1),
        new("7x7 maps 512ch N16", 16, 512, 7, 512, 3, 1, 1),
        new("Inception 1x7", 8, 128, 17, 128, 1, 7, 1, 0, 3),
        new("Inception 7x1", 8, 128, 17, 128, 7, 1, 1, 3, 0),
        new("1x1/2 projection", 8, 256, 56, 512, 1, 2, 0),
        new("odd 17->33 5x5", 3, 17, 31, 33, 5, 1, 2),
        new("batch 32 3x3", 32, 64, 28, 64, 3, 1, 1),
    ];

    public nint[] InputShape => [N, Cin, H, H];

    public nint[] WeightShape => [Cout, Cin, KernelH, KernelW];

    /// <summary>(PadH, PadW), zeros on both sides of each axis.</summary>
    public Size2D Padding => new(PadH, PadW);

    /// <summary>The stride as the library takes it (the same on both axes).</summary>
    public Size2D StrideSize => new(Stride);

    /// <summary>The output shape <c>[N,Cout,Hout,Wout]</c>, as the library computes it.</summary>
    public nint[] OutputShape => Convolution.Conv2DOutputShape(InputShape, WeightShape, Padding, StrideSize);

    /// <summary>Elements of the output, <c>N*Cout*Hout*Wout</c>.</summary>
    public long OutputLength => OutputShape.Aggregate(1L, (product, length) => product * length);

    /// <summary>The direct-convolution operation count, <c>2*N*Cout*Hout*Wout*Cin*kH*kW</c>: the same for forward and each gradient.</summary>
    public double Flops => 2.0 * OutputLength * Cin * KernelH * KernelW;

    /// <summary>The shape in one line: <c>N,Cin,H,Cout,kHxkW,stride,padH[xpadW]</c>.</summary>
    public string Shape =>
        $"{N},{Cin},{H},{Cout},{KernelH}x{KernelW},{Stride},{(PadH == PadW ? PadH.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{PadH}x{PadW}")}";

    public override string ToString() => Name;
}
