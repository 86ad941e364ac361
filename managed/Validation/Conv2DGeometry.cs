namespace NNPackSharp.Validation;

/// <summary>
/// The validated sizes of one convolution. Every count the engines index with fits in an <see cref="int"/>:
/// <see cref="Create"/> refuses shapes whose tensors or im2col buffer would not.
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

    /// <summary>Floating-point operations of the direct convolution, <c>2*N*Cout*Hout*Wout*Cin*kH*kW</c>.</summary>
    public double DirectFlops => 2.0 * Batch * OutputChannels * OutputPlaneLength * (double)PatchLength;

    /// <summary>The output shape <c>[N,Cout,Hout,Wout]</c>.</summary>
    public nint[] OutputLengths => [Batch, OutputChannels, OutputHeight, OutputWidth];

    /// <summary>The input shape <c>[N,Cin,H,W]</c>.</summary>
    public nint[] InputLengths => [Batch, InputChannels, InputHeight, InputWidth];

    /// <summary>The weight shape <c>[Cout,Cin,kH,kW]</c>.</summary>
    public nint[] WeightLengths => [OutputChannels, InputChannels, KernelHeight, KernelWidth];

    /// <summary>Validates the shapes of a convolution and derives its output size.</summary>
    /// <exception cref="ArgumentException">A shape, padding or stride is invalid; the message names the argument and the shapes.</exception>
    public static Conv2DGeometry Create(ReadOnlySpan<nint> input, ReadOnlySpan<nint> weight, Size2D padding, Size2D stride)
    {
        Shapes.RequireRank(input, 4, "input", "[N,Cin,H,W]");
        Shapes.RequireRank(weight, 4, "weight", "[Cout,Cin,kH,kW]");
        Shapes.RequirePositive(input, 1, "input", "[N,Cin,H,W]");
        Shapes.RequirePositive(weight, 0, "weight", "[Cout,Cin,kH,kW]");
        if (input[1] != weight[1])
        {
            throw new ArgumentException(
                $"weight has {weight[1]} input channels but input has {input[1]}: weight {Shapes.Format(weight)} must be [Cout,{input[1]},kH,kW] for input {Shapes.Format(input)}.",
                nameof(weight));
        }

        if (stride.Height < 1 || stride.Width < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(stride), stride, $"stride must be at least 1 on both axes; got {stride}.");
        }

        if (padding.Height < 0 || padding.Width < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(padding), padding, $"padding must not be negative; got {padding}.");
        }

        long paddedHeight = input[2] + 2L * padding.Height;
        long paddedWidth = input[3] + 2L * padding.Width;
        if (weight[2] > paddedHeight || weight[3] > paddedWidth)
        {
            throw new ArgumentException(
                $"kernel {weight[2]}x{weight[3]} of weight {Shapes.Format(weight)} is larger than the padded input {paddedHeight}x{paddedWidth} (input {Shapes.Format(input)}, padding {padding}).",
                nameof(weight));
        }

        long outHeight = (paddedHeight - weight[2]) / stride.Height + 1;
        long outWidth = (paddedWidth - weight[3]) / stride.Width + 1;
        Shapes.RequireAddressable("input", input[0], input[1], input[2], input[3]);
        Shapes.RequireAddressable("weight", weight[0], weight[1], weight[2], weight[3]);
        Shapes.RequireAddressable("output", input[0], weight[0], outHeight, outWidth);
        Shapes.RequireAddressable("the im2col buffer of one image", weight[1], weight[2], weight[3], outHeight, outWidth);

        return new Conv2DGeometry(
            (int)input[0], (int)input[1], (int)input[2], (int)input[3],
            (int)weight[0], (int)weight[2], (int)weight[3],
            padding.Height, padding.Width, stride.Height, stride.Width,
            (int)outHeight, (int)outWidth);
    }
}
