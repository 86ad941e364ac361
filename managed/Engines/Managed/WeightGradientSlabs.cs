using System.Numerics;
using NNPackSharp.Gemm;
using NNPackSharp.Geometry;
using NNPackSharp.Memory;
using NNPackSharp.Threading;

namespace NNPackSharp.Engines.Managed;

/// <summary>
/// The weight gradient on several threads with one fork per call: each thread owns a slab of the gradient's columns
/// (kernel taps, whole ukernel tiles) and runs every image for it, gathering only its own taps' rows of the shared
/// column buffer and multiplying <c>gradOutput_i[Cout, P] * columns_i[taps of the slab, P]^T</c> into its columns,
/// image after image. Each element is summed over the same depth blocks in the same order as the one-thread GEMM, so
/// the result is bit-identical on any thread count; there is no barrier per image (one fork for the im2col and one
/// for the GEMM of every image before, each waiting for its slowest thread).
/// </summary>
internal static unsafe class WeightGradientSlabs<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>
    /// How many slabs the taps split into on <paramref name="parallelism"/> threads; 1 where the work is too small for
    /// a fork (as <see cref="ParallelGemm"/> decides), or where the GEMM would rather split its rows (few taps against
    /// many output channels: each slab packs all of gradOutput), which the per-image path does.
    /// </summary>
    public static int Count(in Conv2DGeometry g, GemmForWidth<T> gemm, int parallelism)
    {
        long taps = g.PatchLength, nr = gemm.TileColumns;
        long work = (long)g.OutputChannels * taps * g.OutputPlaneLength * g.Batch;
        bool splitColumns = ParallelGemm.SplitsColumns(g.OutputChannels, g.PatchLength, gemm.TileColumns, parallelism);
        return parallelism <= 1 || work < ParallelGemm.SerialWorkLimit || !splitColumns ? 1 : (int)Math.Min(parallelism, (taps + nr - 1) / nr);
    }

    /// <summary>
    /// <c>gradWeight = sum over images of gradOutput_i * columns_i^T</c> in <paramref name="slabs"/> slabs of taps;
    /// <paramref name="columns"/> holds one image's column matrix (null for a pointwise convolution, whose columns are
    /// the image, and where <see cref="TransposedIm2ColPanelSource"/> packs them from the image).
    /// </summary>
    public static void Run(GemmForWidth<T> gemm, in Conv2DGeometry g, T* input, T* gradOutput, T* gradWeight, T* columns, int slabs, int parallelism)
    {
        ForkJoin.For(slabs, parallelism, new Slab(gemm, g, input, gradOutput, gradWeight, columns, slabs));
    }

    private readonly struct Slab(GemmForWidth<T> gemm, Conv2DGeometry g, T* input, T* gradOutput, T* gradWeight, T* columns, int slabs) : IParallelBody
    {
        public void Run(int slab)
        {
            int first = ParallelGemm.SlabStart(slab, slabs, g.PatchLength, gemm.TileColumns);
            int taps = ParallelGemm.SlabStart(slab + 1, slabs, g.PatchLength, gemm.TileColumns) - first, plane = g.OutputPlaneLength;
            if (taps <= 0)
            {
                return;
            }

            int kernelTaps = g.KernelHeight * g.KernelWidth;
            GemmWorkspace<T> workspace = Pool<GemmWorkspace<T>>.Rent();
            for (int image = 0; image < g.Batch; image++)
            {
                T* source = input + ((nint)image * g.InputImageLength);
                T* upstream = gradOutput + ((nint)image * g.OutputImageLength);
                if (TransposedIm2ColPanelSource.Applies<T>(g, gemm.TileColumns))
                {
                    // The slab's columns packed straight from the image, never written out.
                    TransposedIm2ColPanelSource.MultiplyInto(gemm, g, source, 0, plane, first, taps, upstream, gradWeight, accumulate: image > 0, parallelism: 1, workspace);
                    continue;
                }

                T* rows = g.IsPointwise ? source : columns;
                if (!g.IsPointwise)
                {
                    for (int tap = first; tap < first + taps; tap++)
                    {
                        Im2Col.GatherTap(g, tap / kernelTaps, tap % kernelTaps / g.KernelWidth, tap % g.KernelWidth, source, columns);
                    }
                }

                gemm.Multiply(
                    g.OutputChannels, taps, plane, MatrixRef<T>.RowMajor(upstream, plane),
                    MatrixRef<T>.RowMajor(rows + ((nint)first * plane), plane).Transposed, gradWeight + first, g.PatchLength, accumulate: image > 0, workspace);
            }

            Pool<GemmWorkspace<T>>.Return(workspace);
        }
    }
}
