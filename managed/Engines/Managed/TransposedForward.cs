using NNPackSharp.Geometry;

namespace NNPackSharp.Engines.Managed;

/// <summary>
/// The input gradient of a stride-1 convolution as a forward convolution: <c>gradInput = conv2d(gradOutput, W')</c>
/// with <c>W'[ci, co, ky, kx] = W[co, ci, kH-1-ky, kW-1-kx]</c> (channels swapped, kernel rotated) and padding
/// <c>k-1-pad</c> per axis. It runs on the forward pass's implicit im2col, so the input gradient needs neither the column
/// matrix nor col2im, whose scattered adds cost most where maps are small (7x7 to 14x14 maps with hundreds of channels).
/// <c>W'</c> is never written out: the GEMM packs it from <c>W</c> (<see cref="Gemm.MatrixRef{T}.RotatedKernels"/>).
/// </summary>
internal static class TransposedForward
{
    /// <summary>A column matrix larger than this (in elements: 8 MiB of floats) leaves the caches between its GEMM and col2im.</summary>
    private const int StreamedColumns = 2 << 20;

    /// <summary>
    /// The input channels below which a large column matrix still runs col2im: they are the transposed product's rows,
    /// and a few rows leave most of each 12-row ukernel tile idle (3 channels ran 0.19x).
    /// </summary>
    private const int MinimumStreamedChannels = 32;

    /// <summary>
    /// The input channels from which it pays whatever the map: the transposed product's 12-row tiles are then nearly
    /// full, and the col2im path's GEMM has a depth of only the output channels for every element it writes out.
    /// </summary>
    private const int MinimumChannels = 64;

    /// <summary>
    /// Whether <paramref name="g"/>'s input gradient runs this way: where it can (stride 1, padding below the kernel on
    /// both axes, not pointwise, whose input gradient is already one GEMM, and the transposed layer's im2col within an
    /// int as the forward pass indexes it: validation checked the original layer's, which can be smaller) and where it
    /// pays: maps of no more pixels than the layer has input channels, at least <see cref="MinimumChannels"/> input
    /// channels, or a large column matrix with enough channels (below). The col2im path packs the transposed weight for
    /// each image, which costs per FLOP about 1/pixels; this one packs the image's taps, about 1/input channels. Measured
    /// (bench/ab-managed.py, one thread, 7 rounds, against col2im): VGG conv5 (196 pixels, 512 channels) 1.22x, AlexNet
    /// conv3 (169, 192) 1.40x, 7x7x512 1.18x and 1.28x (N16), Inception 7x1 and 1x7 (289, 128) 1.13x and 0.94x, and
    /// where pixels outnumber channels 0.19x (small: 3 channels) to 0.98x (VGG conv3.2). It also pays where the column
    /// matrix is past <see cref="StreamedColumns"/>: the col2im path's GEMM then writes it to memory and col2im reads it
    /// back (one and two threads: batch-1 112x112 with 64 channels 1.19x and 1.09x, with 128 channels 1.08x and 1.14x,
    /// VGG conv3.2 1.00x and 1.03x). With 128 channels or more, on maps of more pixels (one thread, 7 rounds, at
    /// 96e351c): Inception 1x7 and 7x1 1.04x and 1.08x, VGG conv3.2 1.00x. From 64 channels since the phase packer
    /// (one thread, 9-15 rounds; two threads, 9): AlexNet conv2 1.11-1.12x and 1.05x (0.93x before that packer), batch
    /// 32's 28x28 maps 1.09x and 1.12x, 64 -> 32 channels on 28x28 1.31x, batch-1 56x56 with 64 channels 1.12x, 96
    /// channels 5x5 on 35x35 1.03x. Below 64 it went both ways (32 -> 64 on 28x28 0.92x, 32 -> 32 on 56x56 1.12x, 48
    /// -> 96 5x5 1.10x), so those keep col2im.
    /// </summary>
    public static bool Applies(in Conv2DGeometry g) =>
        g.StrideHeight == 1 && g.StrideWidth == 1 && !g.IsPointwise && (g.OutputPlaneLength <= g.InputChannels || g.InputChannels >= MinimumChannels
            || (g.ColumnLength > StreamedColumns && g.InputChannels >= MinimumStreamedChannels))
        && g.PadHeight < g.KernelHeight && g.PadWidth < g.KernelWidth
        && (long)g.OutputChannels * g.KernelHeight * g.KernelWidth * g.InputHeight * g.InputWidth <= int.MaxValue;

    /// <summary>The forward convolution whose output is <paramref name="g"/>'s input gradient.</summary>
    public static Conv2DGeometry Geometry(in Conv2DGeometry g) => new(
        g.Batch, g.OutputChannels, g.OutputHeight, g.OutputWidth,
        g.InputChannels, g.KernelHeight, g.KernelWidth,
        g.KernelHeight - 1 - g.PadHeight, g.KernelWidth - 1 - g.PadWidth, 1, 1,
        g.InputHeight, g.InputWidth);
}
