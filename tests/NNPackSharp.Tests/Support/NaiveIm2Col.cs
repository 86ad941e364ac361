using NNPackSharp.Geometry;

namespace NNPackSharp.Tests.Support;

/// <summary>The im2col matrix one element at a time, for checking the panel packers.</summary>
internal static class NaiveIm2Col
{
    /// <summary>
    /// Row <paramref name="tap"/> (channel, ky, kx), column <paramref name="column"/> (pixels of the images one after
    /// the other) of the im2col matrix of <paramref name="image"/>: 0 where the tap reads padding.
    /// </summary>
    public static float Value(in Conv2DGeometry g, float[] image, int tap, int column)
    {
        int taps = g.KernelHeight * g.KernelWidth, channel = tap / taps, ky = tap % taps / g.KernelWidth, kx = tap % g.KernelWidth;
        int n = column / g.OutputPlaneLength, pixel = column % g.OutputPlaneLength;
        int y = (pixel / g.OutputWidth * g.StrideHeight) - g.PadHeight + ky, x = (pixel % g.OutputWidth * g.StrideWidth) - g.PadWidth + kx;
        return y < 0 || y >= g.InputHeight || x < 0 || x >= g.InputWidth ? 0f
            : image[(n * g.InputImageLength) + (((channel * g.InputHeight) + y) * g.InputWidth) + x];
    }
}
