using NNPackSharp.Gemm;
using NNPackSharp.Geometry;
using NNPackSharp.Memory;

namespace NNPackSharp.Engines.Managed;

/// <summary>
/// The forward pass of a kernel one column wide (<c>kh x 1</c>: Inception's 7x1) at stride 1 with no padding at the
/// sides, as <c>kh</c> pointwise products per image: <c>output[:, y, :] += weight[:, :, ky] * input[:, y + ky - pad, :]</c>,
/// each over just the output rows whose input row lies inside the image. A row shift keeps the image's rows
/// contiguous, so each product reads its B in place as a pointwise layer's image, and no padding tap is multiplied
/// (im2col multiplied zeros for 12 of the 119 taps of a 17-row map with 3 rows of padding). The native library's
/// column-kernel.c does the same. The transposed forward (<see cref="TransposedForward"/>) of such a layer is one too.
/// bench/ab-managed.py against im2col, Inception 7x1 (128 -> 128 channels, 17x17, batch 8), 9-15 rounds: forward
/// 1.12-1.13x on one and two threads, input gradient 1.14x / 1.05x.
/// </summary>
internal static unsafe class ColumnKernel
{
    /// <summary>
    /// Whether <paramref name="g"/> is such a layer, with kernel row <c>pad</c> reaching every output row (the padding
    /// at most half the kernel), so its product writes the whole output before the others add to it.
    /// </summary>
    public static bool Applies(in Conv2DGeometry g) =>
        g.KernelWidth == 1 && g.KernelHeight > 1 && g.StrideHeight == 1 && g.StrideWidth == 1 && g.PadWidth == 0 &&
        g.PadHeight < g.KernelHeight && g.OutputHeight <= g.InputHeight;

    /// <summary>
    /// The weights split by kernel row into <paramref name="buffer"/>, <c>[kH][Cout][Cin]</c>, once per call: each
    /// product's A is then a row-major matrix, which the GEMM packs with its vector transposes (read in place, a row's
    /// matrix strides by <c>kH</c> along its columns and packed element by element: Inception 7x1's forward ran 0.88x the
    /// im2col way).
    /// </summary>
    public static T* SplitRows<T>(in Conv2DGeometry g, MatrixRef<T> weights, PinnedBuffer<T> buffer)
        where T : unmanaged
    {
        T* rows = buffer.Ensure(g.WeightLength);
        int matrix = g.OutputChannels * g.InputChannels;
        for (int ky = 0; ky < g.KernelHeight; ky++)
        {
            MatrixRef<T> row = RowMatrix(weights, g.KernelHeight, ky);
            for (int o = 0; o < g.OutputChannels; o++)
            {
                T* target = rows + (ky * matrix) + (o * g.InputChannels);
                for (int c = 0; c < g.InputChannels; c++)
                {
                    target[c] = *row.At(o, c);
                }
            }
        }

        return rows;
    }

    /// <summary>
    /// One image: <paramref name="image"/> (<c>[Cin, H, W]</c>) into <paramref name="destination"/> (<c>[Cout, Hout, W]</c>)
    /// with the bias (may be null), kernel row <c>pad</c> first, then the others in order, each element summed in an
    /// order fixed by the shape. <paramref name="kernelRows"/>: from <see cref="SplitRows{T}"/>.
    /// </summary>
    public static void Forward<T>(GemmForWidth<T> gemm, in Conv2DGeometry g, T* image, T* kernelRows, T* bias, T* destination, GemmWorkspace<T> workspace, int parallelism)
        where T : unmanaged
    {
        AddRow(gemm, g, g.PadHeight, image, kernelRows, bias, destination, workspace, parallelism);
        for (int ky = 0; ky < g.KernelHeight; ky++)
        {
            if (ky != g.PadHeight)
            {
                AddRow(gemm, g, ky, image, kernelRows, bias, destination, workspace, parallelism);
            }
        }
    }

    /// <summary>
    /// Kernel row <paramref name="ky"/>'s product over the output rows it reaches: written with the bias for row
    /// <c>pad</c>, added for the others.
    /// </summary>
    private static void AddRow<T>(GemmForWidth<T> gemm, in Conv2DGeometry g, int ky, T* image, T* kernelRows, T* bias, T* destination, GemmWorkspace<T> workspace, int parallelism)
        where T : unmanaged
    {
        // Output row y reads input row y + ky - pad: inside for y in [pad - ky, H + pad - ky).
        int width = g.OutputWidth;
        int y0 = Math.Max(0, g.PadHeight - ky), y1 = Math.Min(g.OutputHeight, g.InputHeight + g.PadHeight - ky);
        if (y0 >= y1)
        {
            return;
        }

        bool first = ky == g.PadHeight;
        int q0 = y0 * width;
        var pixels = new MatrixRef<T>(image + q0 + ((nint)(ky - g.PadHeight) * width), (nint)g.InputHeight * g.InputWidth, 1);
        ParallelGemm.Multiply(
            gemm, g.OutputChannels, (y1 - y0) * width, g.InputChannels, MatrixRef<T>.RowMajor(kernelRows + ((nint)ky * g.OutputChannels * g.InputChannels), g.InputChannels),
            new MatrixPanelSource<T>(pixels),
            destination + q0, g.OutputPlaneLength, accumulate: !first, parallelism, workspace, first ? bias : null);
    }

    /// <summary>
    /// Kernel row <paramref name="ky"/> of the weights as a <c>Cout x Cin</c> matrix: every <paramref name="kernelHeight"/>-th
    /// column of a row-major weight matrix from column <paramref name="ky"/>, or of a rotated view
    /// (<see cref="MatrixRef{T}.RotatedKernels"/>) from tap <c>kh - 1 - ky</c>.
    /// </summary>
    private static MatrixRef<T> RowMatrix<T>(MatrixRef<T> weights, int kernelHeight, int ky)
        where T : unmanaged =>
        weights.KernelTaps != 0
            ? new MatrixRef<T>(weights.Data + (kernelHeight - 1 - ky), weights.RowStride, weights.ColumnStride)
            : new MatrixRef<T>(weights.Data + (ky * weights.ColumnStride), weights.RowStride, weights.ColumnStride * kernelHeight);
}
