using NNPackSharp.Geometry;

namespace NNPackSharp.Validation;

/// <summary>Turns the shapes, padding and stride of a call into a <see cref="Conv2DGeometry"/>, or throws.</summary>
internal static class GeometryValidator
{
    /// <summary>Validates the shapes of a convolution and derives its output size.</summary>
    /// <exception cref="ArgumentException">A shape, padding or stride is invalid; the message names the argument and the shapes.</exception>
    public static Conv2DGeometry Validate(ReadOnlySpan<nint> input, ReadOnlySpan<nint> weight, Size2D padding, Size2D stride)
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

        // Before any arithmetic on them: Conv2DOutputShape takes raw lengths, which may be near nint.MaxValue.
        Shapes.RequireAddressable("input", input[0], input[1], input[2], input[3]);
        Shapes.RequireAddressable("weight", weight[0], weight[1], weight[2], weight[3]);
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
        Shapes.RequireAddressable("output", input[0], weight[0], outHeight, outWidth);
        Shapes.RequireAddressable("the im2col buffer of one image", weight[1], weight[2], weight[3], outHeight, outWidth);

        return new Conv2DGeometry(
            (int)input[0], (int)input[1], (int)input[2], (int)input[3],
            (int)weight[0], (int)weight[2], (int)weight[3],
            padding.Height, padding.Width, stride.Height, stride.Width,
            (int)outHeight, (int)outWidth);
    }
}
