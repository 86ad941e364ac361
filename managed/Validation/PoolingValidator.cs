using NNPackSharp.Geometry;

namespace NNPackSharp.Validation;

/// <summary>Turns the input shape, window, padding and stride of a max pooling into a <see cref="PoolingGeometry"/>, or throws.</summary>
internal static class PoolingValidator
{
    /// <summary>
    /// Validates a max pooling and derives its output size, <c>floor((H + 2*padH - kH) / strideH) + 1</c> (likewise W),
    /// as Arraymancer's <c>maxpool2d</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The shape, window, padding or stride is invalid; the message names the argument and the shapes.</exception>
    public static PoolingGeometry Validate(ReadOnlySpan<nint> input, Size2D kernel, Size2D padding, Size2D stride)
    {
        Shapes.RequireRank(input, 4, "input", "[N,C,H,W]");
        Shapes.RequirePositive(input, 1, "input", "[N,C,H,W]");
        Shapes.RequireAddressable("input", input[0], input[1], input[2], input[3]);
        if (kernel.Height < 1 || kernel.Width < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(kernel), kernel, $"kernel (the pooling window) must be at least 1 on both axes; got {kernel} for input {Shapes.Format(input)}.");
        }

        if (stride.Height < 1 || stride.Width < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(stride), stride, $"stride must be at least 1 on both axes; got {stride} for input {Shapes.Format(input)}.");
        }

        if (padding.Height < 0 || padding.Width < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(padding), padding, $"padding must not be negative; got {padding} for input {Shapes.Format(input)}.");
        }

        long paddedHeight = input[2] + 2L * padding.Height;
        long paddedWidth = input[3] + 2L * padding.Width;
        if (kernel.Height > paddedHeight || kernel.Width > paddedWidth)
        {
            throw new ArgumentException(
                $"kernel {kernel} is larger than the padded input {paddedHeight}x{paddedWidth} (input {Shapes.Format(input)}, padding {padding}).", nameof(kernel));
        }

        long outHeight = (paddedHeight - kernel.Height) / stride.Height + 1;
        long outWidth = (paddedWidth - kernel.Width) / stride.Width + 1;
        Shapes.RequireAddressable("output", input[0], input[1], outHeight, outWidth);
        return new PoolingGeometry((int)input[0], (int)input[1], (int)input[2], (int)input[3], kernel, padding, stride, (int)outHeight, (int)outWidth);
    }
}
