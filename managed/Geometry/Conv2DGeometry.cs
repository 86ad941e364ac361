namespace NNPackSharp.Geometry;

/// <summary>
/// The sizes of one convolution, the words every layer speaks. Built only by validation
/// (<c>Validation.GeometryValidator</c>), so every count the engines index with fits in an <see cref="int"/>: shapes
/// whose tensors or im2col buffer would not are refused there.
/// </summary>
internal readonly record struct Conv2DGeometry(
    int Batch, int InputChannels, int InputHeight, int InputWidth,
    int OutputChannels, int KernelHeight, int KernelWidth,
    int PadHeight, int PadWidth, int StrideHeight, int StrideWidth,
    int OutputHeight, int OutputWidth)
{
    /// <summary>Elements in one input image, <c>Cin*H*W</c>.</summary>
    public int InputImageLength => InputChannels * InputHeight * InputWidth;

    /// <summary>Elements in one output plane, <c>Hout*Wout</c>: the GEMM's N.</summary>
    public int OutputPlaneLength => OutputHeight * OutputWidth;

    /// <summary>Elements in one output image, <c>Cout*Hout*Wout</c>.</summary>
    public int OutputImageLength => OutputChannels * OutputPlaneLength;

    /// <summary>Rows of the im2col matrix, <c>Cin*kH*kW</c>: the GEMM's K.</summary>
    public int PatchLength => InputChannels * KernelHeight * KernelWidth;

    /// <summary>Elements of the weight, <c>Cout*Cin*kH*kW</c>.</summary>
    public int WeightLength => OutputChannels * PatchLength;

    /// <summary>Elements of the im2col buffer of one image.</summary>
    public int ColumnLength => PatchLength * OutputPlaneLength;

    /// <summary>True when im2col is the identity (1x1 kernel, stride 1, no padding), so the input is the column matrix.</summary>
    public bool IsPointwise => KernelHeight == 1 && KernelWidth == 1 && StrideHeight == 1 && StrideWidth == 1 && PadHeight == 0 && PadWidth == 0;

    /// <summary>The output shape <c>[N,Cout,Hout,Wout]</c>.</summary>
    public Shape4 OutputShape => new(Batch, OutputChannels, OutputHeight, OutputWidth);

    /// <summary>The input shape <c>[N,Cin,H,W]</c>.</summary>
    public Shape4 InputShape => new(Batch, InputChannels, InputHeight, InputWidth);

    /// <summary>The weight shape <c>[Cout,Cin,kH,kW]</c>.</summary>
    public Shape4 WeightShape => new(OutputChannels, InputChannels, KernelHeight, KernelWidth);

    /// <summary>The padding as given, (height, width).</summary>
    public Size2D Padding => new(PadHeight, PadWidth);

    /// <summary>The stride as given, (height, width).</summary>
    public Size2D Stride => new(StrideHeight, StrideWidth);
}
