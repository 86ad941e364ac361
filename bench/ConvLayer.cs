namespace NNPackSharp.Bench;

/// <summary>One benchmark layer: <c>x[N,Cin,H,H] * w[Cout,Cin,k,k]</c> with a square stride and padding.</summary>
public sealed record ConvLayer(string Name, int N, int Cin, int H, int Cout, int K, int Stride, int Pad)
{
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

    public nint[] InputShape => [N, Cin, H, H];

    public nint[] WeightShape => [Cout, Cin, K, K];

    /// <summary>The output shape <c>[N,Cout,Hout,Wout]</c>, as the library computes it.</summary>
    public nint[] OutputShape => Convolution.Conv2DOutputShape(InputShape, WeightShape, new Size2D(Pad), new Size2D(Stride));

    /// <summary>Elements of the output, <c>N*Cout*Hout*Wout</c>.</summary>
    public long OutputLength => OutputShape.Aggregate(1L, (product, length) => product * length);

    /// <summary>The direct-convolution operation count, <c>2*N*Cout*Hout*Wout*Cin*kH*kW</c>: the same for forward and each gradient.</summary>
    public double Flops => 2.0 * OutputLength * Cin * K * K;

    public override string ToString() => Name;
}
