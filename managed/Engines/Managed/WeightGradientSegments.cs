using System.Numerics;
using System.Numerics.Tensors;
using NNPackSharp.Gemm;
using NNPackSharp.Geometry;
using NNPackSharp.Memory;
using NNPackSharp.Threading;

namespace NNPackSharp.Engines.Managed;

/// <summary>
/// The weight gradient of a layer whose gradient is small (few output channels or taps, such as the ResNet stem's
/// 64 x 147) split along its reduction: the output rows of all images, in a fixed number of bands, each band's
/// product <c>gradOutput_band * columns_band^T</c> summed into its own partial gradient, then the partials added in
/// band order. The split depends on the shape alone, so the result is bit-identical on any number of threads. Splitting
/// the gradient's columns instead (<see cref="WeightGradientSlabs{T}"/>) gives each thread a few tiles of taps and
/// makes it pack all of gradOutput again: the stem's two slabs of 3 and 2 tiles ran 1.2x faster than one thread.
/// </summary>
internal static unsafe class WeightGradientSegments<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Bands per call at most: enough to share among a few threads, few enough that the partials stay small.</summary>
    private const int MaximumBands = 8;

    /// <summary>Output pixels per band at least, so that each band's GEMM has a long depth.</summary>
    private const int MinimumBandPixels = 2048;

    /// <summary>The partial gradients' total size at most, in elements (4 MiB of floats).</summary>
    private const long PartialBudget = 1 << 20;

    /// <summary>Pixels of a band's piece from which its product runs as dot products (see <see cref="UsesDotProducts"/>).</summary>
    private const int MinimumDotPixels = 2048;

    /// <summary>The largest weight gradient whose pieces run as dot products.</summary>
    private const int MaximumDotWeights = 1 << 16;

    /// <summary>
    /// Whether a piece's product runs as dot products (<see cref="GemmForWidth{T}.MultiplyDot"/>), which need neither
    /// operand transposed into panels: with 32 vector registers (its 24 accumulators), a long sum (each dot product's
    /// lanes are added once at its end) and a small gradient (every tile reads its rows of both operands again).
    /// bench/ab-managed.py, one thread, against the packed GEMM: the stem (64 x 147, 6272 pixels a piece) 1.16x,
    /// ResNet 1x1 (64 x 256, 3136) 1.09x, batch-1 112x112 (64 x 576, 2090) 1.04x; below the bounds batch 32 (784
    /// pixels) 0.91x, the 1x1/2 projection (392) 0.73x, batch-1 128 channels (128 x 1152) 0.96x.
    /// </summary>
    private static bool UsesDotProducts(in Conv2DGeometry g, int pixels) =>
        Gemms<T>.Has32VectorRegisters && pixels >= MinimumDotPixels && g.WeightLength <= MaximumDotWeights;

    /// <summary>How many bands <paramref name="g"/>'s weight gradient splits into (1: not split; use the other paths).</summary>
    public static int Count(in Conv2DGeometry g)
    {
        long rows = (long)g.Batch * g.OutputHeight;
        long pixels = rows * g.OutputWidth;
        long bands = Math.Min(MaximumBands, Math.Min(rows, pixels / MinimumBandPixels));

        // An even count shares out evenly between two or four threads: ResNet 3x3/2's three bands kept one of two
        // threads idle for a third of the call (rounded up, as the bands' pixels are a soft floor; down where the rows
        // run out).
        if (bands > 1 && bands % 2 == 1)
        {
            bands += bands < rows ? 1 : -1;
        }

        return bands < 2 || bands * g.WeightLength > PartialBudget ? 1 : (int)bands;
    }

    /// <summary>
    /// <c>gradWeight = sum over images of gradOutput_i * columns_i^T</c> in <paramref name="bands"/> bands of output
    /// rows on up to <paramref name="parallelism"/> threads; <paramref name="partials"/> holds
    /// <c>bands * g.WeightLength</c> elements.
    /// </summary>
    public static void Run(GemmForWidth<T> gemm, in Conv2DGeometry g, T* input, T* gradOutput, T* gradWeight, T* partials, int bands, int parallelism)
    {
        ForkJoin.For(bands, parallelism, new Band(gemm, g, input, gradOutput, partials, bands));
        var sum = new Span<T>(gradWeight, g.WeightLength);
        new ReadOnlySpan<T>(partials, g.WeightLength).CopyTo(sum);
        for (int band = 1; band < bands; band++)
        {
            TensorPrimitives.Add(sum, new ReadOnlySpan<T>(partials + ((nint)band * g.WeightLength), g.WeightLength), sum);
        }
    }

    /// <summary>One band of output rows (they may run across images), into its partial gradient.</summary>
    private readonly struct Band(GemmForWidth<T> gemm, Conv2DGeometry g, T* input, T* gradOutput, T* partials, int bands) : IParallelBody
    {
        public void Run(int band)
        {
            long rows = (long)g.Batch * g.OutputHeight;
            long first = band * rows / bands, end = (band + 1) * rows / bands;
            T* partial = partials + ((nint)band * g.WeightLength);
            ManagedWorkspace<T> workspace = Pool<ManagedWorkspace<T>>.Rent();
            bool accumulate = false;
            for (long row = first; row < end;)
            {
                int image = (int)(row / g.OutputHeight), firstRow = (int)(row % g.OutputHeight);
                int endRow = (int)Math.Min(g.OutputHeight, firstRow + (end - row));
                Piece(image, firstRow, endRow, partial, accumulate, workspace);
                accumulate = true;
                row += endRow - firstRow;
            }

            Pool<ManagedWorkspace<T>>.Return(workspace);
        }

        /// <summary>Output rows <c>[firstRow, endRow)</c> of one image: <c>partial (+)= gradOutput_rows * columns_rows^T</c>.</summary>
        private void Piece(int image, int firstRow, int endRow, T* partial, bool accumulate, ManagedWorkspace<T> workspace)
        {
            int plane = g.OutputPlaneLength, pixels = (endRow - firstRow) * g.OutputWidth;
            nint offset = (nint)firstRow * g.OutputWidth;
            T* source = input + ((nint)image * g.InputImageLength);
            T* upstream = gradOutput + ((nint)image * g.OutputImageLength) + offset;
            if (TransposedIm2ColPanelSource.Applies<T>(g, gemm.TileColumns) && !UsesDotProducts(g, pixels))
            {
                // The columns packed into panels straight from the image, never written out.
                TransposedIm2ColPanelSource.MultiplyInto(gemm, g, source, firstRow, pixels, 0, g.PatchLength, upstream, partial, accumulate, parallelism: 1, workspace.Gemm);
                return;
            }

            T* columns = source + offset;
            nint columnStride = plane;
            if (!g.IsPointwise)
            {
                columns = workspace.Columns.Ensure(g.PatchLength * pixels);
                columnStride = pixels;
                Im2Col.GatherRows(g, source, columns, firstRow, endRow);
            }

            if (UsesDotProducts(g, pixels))
            {
                gemm.MultiplyDot(g.OutputChannels, g.PatchLength, pixels, upstream, plane, columns, columnStride, partial, g.PatchLength, accumulate);
                return;
            }

            gemm.Multiply(
                g.OutputChannels, g.PatchLength, pixels, MatrixRef<T>.RowMajor(upstream, plane),
                MatrixRef<T>.RowMajor(columns, columnStride).Transposed, partial, g.PatchLength, accumulate, workspace.Gemm);
        }
    }
}
