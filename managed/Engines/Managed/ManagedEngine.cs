using System.Numerics;
using System.Numerics.Tensors;
using NNPackSharp.Gemm;
using NNPackSharp.Geometry;
using NNPackSharp.Memory;
using NNPackSharp.Threading;
using NNPackSharp.Validation;

namespace NNPackSharp.Engines.Managed;

/// <summary>
/// <see cref="Conv2DAlgorithm.Im2ColGemm"/>: one GEMM per image with the im2col columns packed straight from the
/// image in the forward pass where output rows are at least a tile wide (else, and for the weight gradient, through a
/// reused column buffer); backward is the two adjoint GEMMs plus col2im. The forward pass and the input gradient run
/// images in parallel when there are at least as many as threads, otherwise the GEMMs themselves are split
/// (<see cref="ForEachImage"/>); the weight gradient always splits its GEMM, so that its sum over the images has one
/// order on any number of threads. Below the interface, all pointers are to pinned, dense, validated memory.
/// </summary>
internal sealed unsafe class ManagedEngine<T> : IConv2DEngine<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <param name="gemm">The GEMM its products run on.</param>
    public ManagedEngine(GemmForWidth<T> gemm)
    {
        Gemm = gemm;
    }

    /// <summary>
    /// The engine on the widest GEMM this CPU runs. Its taller tile needs no shorter variant for few-row products: the
    /// GEMM's last rows run on a 6-row edge tile, so it pads rows no more than the 6-row variant would.
    /// </summary>
    public static ManagedEngine<T> Default { get; } = new(Gemms<T>.Best);

    /// <summary>The GEMM this engine runs on (tests pick each width).</summary>
    public GemmForWidth<T> Gemm { get; }

    /// <summary>Drops the pooled scratch and packing buffers of this element type.</summary>
    public static void ReleaseWorkspaces()
    {
        Pool<ManagedWorkspace<T>>.Clear();
        Pool<GemmWorkspace<T>>.Clear();
    }

    /// <inheritdoc />
    public void Forward(in ForwardCall<T> call, int parallelism)
    {
        fixed (T* input = call.Input, weight = call.Weight, bias = call.Bias, output = call.Output)
        {
            Forward(call.Geometry, input, MatrixRef<T>.RowMajor(weight, call.Geometry.PatchLength), bias, output, parallelism, call.Activation == Conv2DActivation.Relu);
        }
    }

    /// <inheritdoc />
    public void Backward(in BackwardCall<T> call, int parallelism)
    {
        fixed (T* input = call.Input, weight = call.Weight, gradOutput = call.GradOutput, gradInput = call.GradInput, gradWeight = call.GradWeight, gradBias = call.GradBias)
        {
            Backward(call.Geometry, input, weight, gradOutput, gradInput, gradWeight, gradBias, parallelism);
        }
    }

    /// <summary>
    /// <c>output = conv2d(input, weight) + bias</c>, then ReLU with <paramref name="relu"/>, the weight seen as the
    /// <c>Cout x K</c> matrix <paramref name="weights"/>; <paramref name="bias"/> may be null.
    /// </summary>
    private void Forward(Conv2DGeometry g, T* input, MatrixRef<T> weights, T* bias, T* output, int parallelism, bool relu)
    {
        if (ColumnKernel.Applies(g))
        {
            ManagedWorkspace<T> call = Pool<ManagedWorkspace<T>>.Rent();
            T* kernelRows = ColumnKernel.SplitRows(g, weights, call.KernelRows);
            ForEachImage(g.Batch, parallelism, new ColumnKernelStep(this, g, input, kernelRows, bias, output, relu));
            Pool<ManagedWorkspace<T>>.Return(call);
            return;
        }

        int group = IsOneProduct(g) ? g.Batch : ImagesPerProduct(g, parallelism);
        if (group > 1)
        {
            ForEachImage((g.Batch + group - 1) / group, parallelism, new ForwardGroupStep(this, g, group, input, weights, bias, output, relu));
            return;
        }

        ForEachImage(g.Batch, parallelism, new ForwardStep(this, g, input, weights, bias, output, relu));
    }

    /// <summary>The columns a forward product aims at (<see cref="ImagesPerProduct"/>).</summary>
    private const int ForwardColumns = 2048;

    /// <summary>
    /// Whether the forward pass multiplies the whole batch as one product, whatever the thread count: a batch below
    /// <see cref="ForwardColumns"/> with more output channels than columns. The GEMM then splits its rows among the
    /// threads (<see cref="ParallelGemm"/>), so each packs half the weights and all the columns, where one image group
    /// per thread had each pack all the weights, the larger operand (7x7x512 at batch 8, two threads,
    /// bench/ab-managed.py, 15 rounds: forward 1.05-1.06x, input gradient 1.02-1.05x).
    /// </summary>
    private static bool IsOneProduct(in Conv2DGeometry g)
    {
        long columns = (long)g.Batch * g.OutputPlaneLength;
        return g.Batch >= 2 && columns < ForwardColumns && g.OutputChannels > columns;
    }

    /// <summary>
    /// How many images of a small map share one product of about <paramref name="targetColumns"/> columns. Per image, a 7x7 map gives the GEMM 49 columns for
    /// the whole weight matrix (VGG's 512 x 4608: packed again for every image, about as long as the image's own
    /// multiply-adds); sharing it between images packs the weights once per group and fills whole tiles. Groups come
    /// in a multiple of the thread count, so the workers share them out evenly. Each output element is computed as the
    /// per-image product computes it (the bias added to the first depth block's sum, then the same depth blocks), so grouping never changes a result.
    /// The forward pass aims at 2048 columns: fewer, larger products pack the weights fewer times and leave less of a
    /// partial last tile (Inception's 17x17 maps: 578 columns in 19 tiles of 32 at a 512 target, 2312 in 73 at 2048).
    /// Against 512 (bench/ab-managed.py, forward, one thread, 7 rounds): Inception 7x1 and 1x7 1.03x, AlexNet conv3
    /// 1.03x, VGG conv5 1.05x (its input gradient, which runs as a forward pass, 1.05x).
    /// </summary>
    private static int ImagesPerProduct(in Conv2DGeometry g, int parallelism, int targetColumns = ForwardColumns)
    {
        long columns = (long)g.Batch * g.OutputPlaneLength;
        if (g.Batch < 2 || g.OutputPlaneLength >= targetColumns)
        {
            return 1;
        }

        long groups = Math.Max(1, columns / targetColumns);
        groups = Math.Min(g.Batch, (groups + parallelism - 1) / parallelism * parallelism);
        int images = (int)((g.Batch + groups - 1) / groups);

        // Groups of unequal size would leave a thread idle while the largest finishes (3 images on two threads: 2 and
        // 1, at most 1.5x); single images share out in whole rounds, the rest with their GEMMs split (ForEachImage).
        return parallelism > 1 && g.Batch % images != 0 ? 1 : images;
    }

    /// <summary>
    /// Overwrites <paramref name="gradInput"/>, <paramref name="gradWeight"/> and <paramref name="gradBias"/> with the
    /// gradients of the loss given <paramref name="gradOutput"/>; each that is null is skipped, with its work.
    /// </summary>
    private void Backward(Conv2DGeometry g, T* input, T* weight, T* gradOutput, T* gradInput, T* gradWeight, T* gradBias, int parallelism)
    {
        if (gradInput != null && TransposedForward.Applies(g))
        {
            InputGradientAsForward(g, weight, gradOutput, gradInput, parallelism);
        }
        else if (gradInput != null)
        {
            // Only the narrowest maps: the group's column matrix (patch x columns) is what col2im reads back, and past
            // a few MB it leaves the cache (VGG conv5, 14x14, ran 17% slower grouped; 7x7x512 1.48x faster).
            int group = g.IsPointwise || g.OutputPlaneLength > 64 ? 1 : ImagesPerProduct(g, parallelism, targetColumns: 256);
            if (group > 1)
            {
                ForEachImage((g.Batch + group - 1) / group, parallelism, new InputGradientGroupStep(this, g, group, weight, gradOutput, gradInput));
            }
            else
            {
                ForEachImage(g.Batch, parallelism, new InputGradientStep(this, g, weight, gradOutput, gradInput));
            }
        }

        if (gradWeight != null || gradBias != null)
        {
            WeightAndBiasGradients(g, input, gradOutput, gradWeight, gradBias, parallelism);
        }
    }

    /// <summary>
    /// The input gradient of a stride-1 layer as the forward pass of its transposed layer (<see cref="TransposedForward"/>),
    /// whose weight the GEMM packs straight from this layer's (<see cref="MatrixRef{T}.RotatedKernels"/>).
    /// </summary>
    private void InputGradientAsForward(Conv2DGeometry g, T* weight, T* gradOutput, T* gradInput, int parallelism) =>
        Forward(TransposedForward.Geometry(g), gradOutput, MatrixRef<T>.RotatedKernels(weight, g.InputChannels, g.KernelHeight * g.KernelWidth), bias: null, gradInput, parallelism, relu: false);

    /// <summary>
    /// Runs <paramref name="step"/> on every image: whole rounds of images in parallel (each image's GEMMs on one
    /// thread, each worker with its own workspace), then the images left over, fewer than the workers, image after
    /// image on one shared workspace with the GEMMs split; a batch smaller than the threads takes the second path. Three
    /// images in parallel on two threads kept one thread idle through the last (the odd 5x5 layer's forward and input
    /// gradient scaled 1.47-1.49x). The step is a struct, so the serial path allocates nothing.
    /// </summary>
    private static void ForEachImage<TStep>(int batch, int parallelism, TStep step)
        where TStep : struct, IImageStep
    {
        int imageWorkers = Math.Min(parallelism, batch);
        int parallelImages = imageWorkers > 1 ? batch - (batch % imageWorkers) : 0;
        if (parallelImages > 0)
        {
            ImagesInParallel(parallelImages, imageWorkers, step);
            if (parallelImages == batch)
            {
                return;
            }
        }

        ManagedWorkspace<T> shared = Pool<ManagedWorkspace<T>>.Rent();
        for (int image = parallelImages; image < batch; image++)
        {
            step.Run(image, shared, parallelism);
        }

        Pool<ManagedWorkspace<T>>.Return(shared);
    }

    private static void ImagesInParallel<TStep>(int batch, int imageWorkers, TStep step)
        where TStep : struct, IImageStep =>
        ForkJoin.For(batch, imageWorkers, new ImageTask<TStep>(step));

    /// <summary>One image of a pass on a worker, with the worker's own workspace and its GEMMs on that thread.</summary>
    private readonly struct ImageTask<TStep>(TStep step) : IParallelBody
        where TStep : struct, IImageStep
    {
        public void Run(int image)
        {
            ManagedWorkspace<T> workspace = Pool<ManagedWorkspace<T>>.Rent();
            step.Run(image, workspace, gemmParallelism: 1);
            Pool<ManagedWorkspace<T>>.Return(workspace);
        }
    }

    /// <summary>
    /// The weight gradient <c>sum over images of gradOutput_i[Cout, P] * columns_i[K, P]^T</c>, then the bias gradient
    /// (<see cref="BiasGradient"/>, the channels shared between the threads). Layers with kernels larger than 1x1 and
    /// strides up to 2 multiply tap by tap with the columns read in place (<see cref="WeightGradientGather{T}"/>); the
    /// others the im2col way (<see cref="WeightGradientIm2Col"/>). Every element is summed in an order fixed by the
    /// shape either way, so the result is bit-identical on any number of threads.
    /// </summary>
    private void WeightAndBiasGradients(Conv2DGeometry g, T* input, T* gradOutput, T* gradWeight, T* gradBias, int parallelism)
    {
        if (g.Batch == 0)
        {
            ClearIfPresent(gradWeight, g.WeightLength);
            ClearIfPresent(gradBias, g.OutputChannels);
            return;
        }

        if (gradWeight != null)
        {
            ManagedWorkspace<T> workspace = Pool<ManagedWorkspace<T>>.Rent();
            if (WeightGradientGather<T>.TryPlan(g, Gemm.TileColumns, parallelism, out WeightGradientGather<T>.Plan gather))
            {
                WeightGradientGather<T>.Run(Gemm, g, gather, input, gradOutput, gradWeight, workspace.Partials.Ensure(gather.TransposedLength), parallelism);
            }
            else
            {
                WeightGradientIm2Col(g, input, gradOutput, gradWeight, workspace, parallelism);
            }

            Pool<ManagedWorkspace<T>>.Return(workspace);
        }

        if (gradBias != null)
        {
            BiasGradient.Sum(g, gradOutput, gradBias, parallelism, helpersRest: false);
        }
    }

    /// <summary>
    /// The weight gradient the im2col way. A small gradient of large images is split along its sum into bands of output
    /// rows with their own partial gradients (<see cref="WeightGradientSegments{T}"/>); otherwise it is one GEMM whose
    /// depth runs through the images, each image's product accumulated into <paramref name="gradWeight"/> by the GEMM
    /// itself, with the threads splitting the columns (or rows) of the weight gradient.
    /// </summary>
    private void WeightGradientIm2Col(in Conv2DGeometry g, T* input, T* gradOutput, T* gradWeight, ManagedWorkspace<T> workspace, int parallelism)
    {
        int plane = g.OutputPlaneLength;
        // Where the weight gradient packs its columns from the image (never gathered into the workspace).
        bool packsFromImage = TransposedIm2ColPanelSource.Applies<T>(g, Gemm.TileColumns);
        int bands = WeightGradientSegments<T>.Count(g);
        int slabs = bands == 1 ? WeightGradientSlabs<T>.Count(g, Gemm, parallelism) : 1;
        if (bands > 1)
        {
            WeightGradientSegments<T>.Run(Gemm, g, input, gradOutput, gradWeight, workspace.Partials.Ensure(bands * g.WeightLength), bands, parallelism);
            return;
        }

        if (slabs > 1)
        {
            bool gathers = !g.IsPointwise && !packsFromImage;
            WeightGradientSlabs<T>.Run(Gemm, g, input, gradOutput, gradWeight, gathers ? workspace.Columns.Ensure(g.ColumnLength) : null, slabs, parallelism);
            return;
        }

        for (int image = 0; image < g.Batch; image++)
        {
            T* upstream = gradOutput + ((nint)image * g.OutputImageLength);
            if (packsFromImage)
            {
                TransposedIm2ColPanelSource.MultiplyInto(
                    Gemm, g, input + ((nint)image * g.InputImageLength), 0, plane, 0, g.PatchLength, upstream, gradWeight, accumulate: image > 0, parallelism, workspace.Gemm);
            }
            else
            {
                T* columns = Columns(g, input + ((nint)image * g.InputImageLength), workspace, parallelism);
                ParallelGemm.Multiply(
                    Gemm, g.OutputChannels, g.PatchLength, plane,
                    MatrixRef<T>.RowMajor(upstream, plane), MatrixRef<T>.RowMajor(columns, plane).Transposed,
                    gradWeight, g.PatchLength, accumulate: image > 0, parallelism, workspace.Gemm);
            }
        }
    }

    private void ForwardImage(in Conv2DGeometry g, int image, T* input, MatrixRef<T> weights, T* bias, T* output, ManagedWorkspace<T> workspace, int gemmParallelism)
    {
        T* source = input + ((nint)image * g.InputImageLength);
        T* destination = output + ((nint)image * g.OutputImageLength);
        int plane = g.OutputPlaneLength;

        // output[Cout, P] = weight[Cout, K] * columns[K, P] + bias (added as the GEMM stores its first depth block), the columns packed straight from the image. On maps
        // narrower than a tile a panel row is several short runs: the vector packers take them faster than the column
        // buffer (bench/ab-managed.py, forward, one thread: batch 32's 28-wide maps 1.10x, AlexNet conv2's 27-wide
        // 1.08x, a 20-wide batch-1 layer 1.19x), the element loop of the generic packer does not, so without the vector
        // packers the buffer stays there. A pointwise convolution's columns are the image itself.
        if (g.IsPointwise || (g.OutputWidth < Gemm.TileColumns && !Im2ColPanelSource<T>.PacksNarrowMapsInVectors))
        {
            MatrixRef<T> columns = MatrixRef<T>.RowMajor(Columns(g, source, workspace, gemmParallelism), plane);
            ParallelGemm.Multiply(Gemm, g.OutputChannels, plane, g.PatchLength, weights, new MatrixPanelSource<T>(columns), destination, plane, accumulate: false, gemmParallelism, workspace.Gemm, bias);
        }
        else
        {
            MultiplyImplicit(g, source, 1, weights, destination, bias, workspace, gemmParallelism);
        }
    }

    /// <summary>
    /// <c>destination[Cout, count*P] = weight[Cout, K] * columns[K, count*P] (+ bias)</c> for <paramref name="count"/> images
    /// from <paramref name="images"/>, the columns packed straight from the images, or from their stride phases where
    /// <see cref="PhaseSplit"/> applies (strided float layers: the split costs one pass over the input and turns every
    /// tap into contiguous runs).
    /// </summary>
    private void MultiplyImplicit(in Conv2DGeometry g, T* images, int count, MatrixRef<T> weights, T* destination, T* bias, ManagedWorkspace<T> workspace, int gemmParallelism)
    {
        int columns = count * g.OutputPlaneLength;
        var split = new PhaseSplit(g);
        if (typeof(T) == typeof(float) && split.Applies(Gemm.TileColumns, count))
        {
            float* phases = split.Split(g, (float*)images, count, workspace.Phases);
            ParallelGemm.Multiply(Gemm, g.OutputChannels, columns, g.PatchLength, weights, new PhasePanelSource<T>(g, split, images, phases), destination, columns, accumulate: false,
                gemmParallelism, workspace.Gemm, bias);
            return;
        }

        ParallelGemm.Multiply(Gemm, g.OutputChannels, columns, g.PatchLength, weights, new Im2ColPanelSource<T>(g, images), destination, columns, accumulate: false, gemmParallelism, workspace.Gemm, bias);
    }

    /// <summary>
    /// Images <c>[first, first + count)</c> of a small map as one product <c>weight[Cout, K] * columns[K, count*P]</c>
    /// into the workspace, then scattered to each image's output.
    /// </summary>
    private void ForwardGroup(in Conv2DGeometry g, int first, int count, T* input, MatrixRef<T> weights, T* bias, T* output, ManagedWorkspace<T> workspace, int gemmParallelism)
    {
        int plane = g.OutputPlaneLength, columns = count * plane;
        T* product = workspace.Product.Ensure(g.OutputChannels * columns);
        T* images = input + ((nint)first * g.InputImageLength);
        MultiplyImplicit(g, images, count, weights, product, bias, workspace, gemmParallelism);
        for (int image = 0; image < count; image++)
        {
            T* destination = output + ((nint)(first + image) * g.OutputImageLength);
            for (int channel = 0; channel < g.OutputChannels; channel++)
            {
                new ReadOnlySpan<T>(product + ((nint)channel * columns) + ((nint)image * plane), plane).CopyTo(new Span<T>(destination + ((nint)channel * plane), plane));
            }
        }
    }

    /// <summary>
    /// <c>columns = weight[Cout, K]^T * gradOutput_i[Cout, P]</c>, folded back onto the image by col2im. A pointwise
    /// convolution's columns are the image itself, so there the product is written straight into it.
    /// </summary>
    private void InputGradientImage(in Conv2DGeometry g, int image, T* weight, T* gradOutputs, T* gradInputs, ManagedWorkspace<T> workspace, int gemmParallelism)
    {
        int plane = g.OutputPlaneLength;
        MatrixRef<T> gradOutput = MatrixRef<T>.RowMajor(gradOutputs + ((nint)image * g.OutputImageLength), plane);
        T* imageGradient = gradInputs + ((nint)image * g.InputImageLength);
        MatrixRef<T> weightTransposed = MatrixRef<T>.RowMajor(weight, g.PatchLength).Transposed;
        if (g.IsPointwise)
        {
            ParallelGemm.Multiply(Gemm, g.PatchLength, plane, g.OutputChannels, weightTransposed, gradOutput, imageGradient, plane, accumulate: false, gemmParallelism, workspace.Gemm);
            return;
        }

        int bandRows = FoldBandRows(g);
        if (bandRows < g.OutputHeight)
        {
            // Bands of output rows whose columns stay in L2 between the product and the fold: the ResNet stem's whole
            // column matrix is 7.4 MB an image, written out to L3 or memory and read back by the fold.
            new Span<T>(imageGradient, g.InputImageLength).Clear();
            T* bandColumns = workspace.Columns.Ensure(g.PatchLength * bandRows * g.OutputWidth);
            for (int first = 0; first < g.OutputHeight; first += bandRows)
            {
                int end = Math.Min(g.OutputHeight, first + bandRows), columns = (end - first) * g.OutputWidth;
                MatrixRef<T> band = MatrixRef<T>.RowMajor(gradOutput.Data + ((nint)first * g.OutputWidth), plane);
                ParallelGemm.Multiply(Gemm, g.PatchLength, columns, g.OutputChannels, weightTransposed, band, bandColumns, columns, accumulate: false, gemmParallelism, workspace.Gemm);
                Col2Im.AddRows(g, bandColumns, columns, first, end, imageGradient, gemmParallelism);
            }

            return;
        }

        T* gradColumns = workspace.Columns.Ensure(g.ColumnLength);
        ParallelGemm.Multiply(Gemm, g.PatchLength, plane, g.OutputChannels, weightTransposed, gradOutput, gradColumns, plane, accumulate: false, gemmParallelism, workspace.Gemm);
        Col2Im.Fold(g, gradColumns, plane, imageGradient, gemmParallelism);
    }

    /// <summary>A band's columns at most, in bytes: with the GEMM's packed panels, within a 1 MiB L2.</summary>
    private const int FoldBandBytes = 512 << 10;

    /// <summary>A band's columns at least: the transposed weight is packed again for each band's product.</summary>
    private const int FoldBandColumns = 512;

    /// <summary>
    /// Output rows per band of the input gradient's product and fold (<see cref="InputGradientImage"/>): as many as
    /// fit <see cref="FoldBandBytes"/>, or all of them where that band would be narrower than <see cref="FoldBandColumns"/>
    /// (a large patch: AlexNet conv2's 1600 rows, ResNet 3x3/2's 1152) or would hold the whole plane.
    /// </summary>
    internal static int FoldBandRows(in Conv2DGeometry g)
    {
        long rows = FoldBandBytes / ((long)g.PatchLength * g.OutputWidth * sizeof(T));
        return rows * g.OutputWidth < FoldBandColumns || rows >= g.OutputHeight ? g.OutputHeight : (int)rows;
    }

    /// <summary>
    /// Images <c>[first, first + count)</c> of a small map as one product <c>weight^T[K, Cout] * gradOutput[Cout,
    /// count*P]</c> (gradOutput's images read as the columns of a 1x1 im2col), then each image's slice folded back by
    /// col2im: the weights are packed once per group, as in <see cref="ForwardGroup"/>, and every element is computed
    /// as the image's own product would.
    /// </summary>
    private void InputGradientGroup(in Conv2DGeometry g, int first, int count, T* weight, T* gradOutputs, T* gradInputs, ManagedWorkspace<T> workspace, int gemmParallelism)
    {
        int plane = g.OutputPlaneLength, columns = count * plane;
        var upstream = new Conv2DGeometry(count, g.OutputChannels, g.OutputHeight, g.OutputWidth, 1, 1, 1, 0, 0, 1, 1, g.OutputHeight, g.OutputWidth);
        T* gradColumns = workspace.Columns.Ensure(g.PatchLength * columns);
        ParallelGemm.Multiply(Gemm, g.PatchLength, columns, g.OutputChannels, MatrixRef<T>.RowMajor(weight, g.PatchLength).Transposed,
            new Im2ColPanelSource<T>(upstream, gradOutputs + ((nint)first * g.OutputImageLength)), gradColumns, columns, accumulate: false, gemmParallelism, workspace.Gemm);
        for (int image = 0; image < count; image++)
        {
            Col2Im.Fold(g, gradColumns + ((nint)image * plane), columns, gradInputs + ((nint)(first + image) * g.InputImageLength), parallelism: 1);
        }
    }

    /// <summary>The column matrix of one image: the image itself for pointwise convolutions, else im2col into the workspace.</summary>
    private static T* Columns(in Conv2DGeometry g, T* image, ManagedWorkspace<T> workspace, int parallelism)
    {
        if (g.IsPointwise)
        {
            return image;
        }

        T* columns = workspace.Columns.Ensure(g.ColumnLength);
        if (parallelism > 1 && g.InputChannels * g.KernelHeight > 1)
        {
            GatherInParallel(g, image, columns, parallelism);
        }
        else
        {
            Im2Col.Gather(g, image, columns);
        }

        return columns;
    }

    // By (channel, kernel row), so that even three channels share out evenly.
    private static void GatherInParallel(Conv2DGeometry g, T* image, T* columns, int parallelism) =>
        ForkJoin.For(g.InputChannels * g.KernelHeight, parallelism, new KernelRowGather(g, image, columns));

    private readonly struct KernelRowGather(Conv2DGeometry g, T* image, T* columns) : IParallelBody
    {
        public void Run(int row) => Im2Col.GatherKernelRow(g, row / g.KernelHeight, row % g.KernelHeight, image, columns);
    }

    private static void ClearIfPresent(T* destination, int length)
    {
        if (destination != null)
        {
            new Span<T>(destination, length).Clear();
        }
    }

    /// <summary>One unit of a pass (an image, or a group of small-map images): computes unit <c>image</c> with a workspace and a GEMM thread count.</summary>
    private interface IImageStep
    {
        void Run(int image, ManagedWorkspace<T> workspace, int gemmParallelism);
    }

    private readonly struct ForwardStep(ManagedEngine<T> engine, Conv2DGeometry g, T* input, MatrixRef<T> weights, T* bias, T* output, bool relu) : IImageStep
    {
        public void Run(int image, ManagedWorkspace<T> workspace, int gemmParallelism)
        {
            engine.ForwardImage(g, image, input, weights, bias, output, workspace, gemmParallelism);
            ApplyRelu(relu, output + ((long)image * g.OutputImageLength), g.OutputImageLength);
        }
    }

    private readonly struct ColumnKernelStep(ManagedEngine<T> engine, Conv2DGeometry g, T* input, T* kernelRows, T* bias, T* output, bool relu) : IImageStep
    {
        public void Run(int image, ManagedWorkspace<T> workspace, int gemmParallelism)
        {
            T* destination = output + ((long)image * g.OutputImageLength);
            ColumnKernel.Forward(engine.Gemm, g, input + ((long)image * g.InputImageLength), kernelRows, bias, destination, workspace.Gemm, gemmParallelism);
            ApplyRelu(relu, destination, g.OutputImageLength);
        }
    }

    private readonly struct ForwardGroupStep(ManagedEngine<T> engine, Conv2DGeometry g, int group, T* input, MatrixRef<T> weights, T* bias, T* output, bool relu) : IImageStep
    {
        public void Run(int unit, ManagedWorkspace<T> workspace, int gemmParallelism)
        {
            int images = Math.Min(group, g.Batch - (unit * group));
            engine.ForwardGroup(g, unit * group, images, input, weights, bias, output, workspace, gemmParallelism);
            ApplyRelu(relu, output + ((long)unit * group * g.OutputImageLength), images * g.OutputImageLength);
        }
    }

    /// <summary>
    /// The fused ReLU: one vectorised pass over the images a step just wrote, while they are still in cache
    /// (<c>max(x, 0)</c>, as <see cref="Activations"/>' ReLU).
    /// </summary>
    private static void ApplyRelu(bool relu, T* output, int length)
    {
        if (relu)
        {
            var span = new Span<T>(output, length);
            TensorPrimitives.Max(span, T.Zero, span);
        }
    }

    private readonly struct InputGradientGroupStep(ManagedEngine<T> engine, Conv2DGeometry g, int group, T* weight, T* gradOutput, T* gradInput) : IImageStep
    {
        public void Run(int unit, ManagedWorkspace<T> workspace, int gemmParallelism) =>
            engine.InputGradientGroup(g, unit * group, Math.Min(group, g.Batch - (unit * group)), weight, gradOutput, gradInput, workspace, gemmParallelism);
    }

    private readonly struct InputGradientStep(ManagedEngine<T> engine, Conv2DGeometry g, T* weight, T* gradOutput, T* gradInput) : IImageStep
    {
        public void Run(int image, ManagedWorkspace<T> workspace, int gemmParallelism) =>
            engine.InputGradientImage(g, image, weight, gradOutput, gradInput, workspace, gemmParallelism);
    }
}
