namespace NNPackSharp.Geometry;

/// <summary>
/// The sizes of one 2-D max pooling, built only by <c>Validation.PoolingValidator</c>: every tensor's element count
/// fits an <see cref="int"/>; padding and stride may each be up to <see cref="int.MaxValue"/>, so window positions are
/// computed in 64 bits (<see cref="WindowRows"/>, <see cref="WindowColumns"/>).
/// </summary>
internal readonly record struct PoolingGeometry(
    int Batch, int Channels, int InputHeight, int InputWidth,
    Size2D Kernel, Size2D Padding, Size2D Stride, int OutputHeight, int OutputWidth)
{
    /// <summary>Planes (image, channel) the pooling runs over, <c>N*C</c>.</summary>
    public int Planes => Batch * Channels;

    /// <summary>Elements in one input plane, <c>H*W</c>.</summary>
    public int InputPlaneLength => InputHeight * InputWidth;

    /// <summary>Elements in one output plane, <c>Hout*Wout</c>.</summary>
    public int OutputPlaneLength => OutputHeight * OutputWidth;

    /// <summary>The input shape <c>[N,C,H,W]</c>.</summary>
    public Shape4 InputShape => new(Batch, Channels, InputHeight, InputWidth);

    /// <summary>The output shape <c>[N,C,Hout,Wout]</c>.</summary>
    public Shape4 OutputShape => new(Batch, Channels, OutputHeight, OutputWidth);

    /// <summary>The input rows <c>[first, last)</c> that output row <paramref name="row"/>'s window covers (padding excluded; may be empty).</summary>
    public (int First, int Last) WindowRows(int row) => Covered(row, Stride.Height, Padding.Height, Kernel.Height, InputHeight);

    /// <summary>The input columns <c>[first, last)</c> that output column <paramref name="column"/>'s window covers.</summary>
    public (int First, int Last) WindowColumns(int column) => Covered(column, Stride.Width, Padding.Width, Kernel.Width, InputWidth);

    private static (int First, int Last) Covered(int index, int stride, int padding, int window, int extent)
    {
        long start = ((long)index * stride) - padding;
        long first = Math.Clamp(start, 0, extent);
        long last = Math.Clamp(start + window, 0, extent);
        return ((int)first, (int)Math.Max(first, last));
    }
}
