using System.Numerics;
using System.Numerics.Tensors;
using NNPackSharp.Gemm;
using NNPackSharp.Geometry;
using NNPackSharp.Memory;
using NNPackSharp.Validation;

namespace NNPackSharp.Engines.Managed;

/// <summary>
/// <see cref="Conv2DAlgorithm.Im2ColGemm"/>: im2col into a reused column buffer, then one GEMM per image; backward
/// is the two adjoint GEMMs plus col2im. Images run in parallel when there are at least as many as threads;
/// otherwise the GEMMs themselves are split. Below the interface, all pointers are to pinned, dense, validated memory.
/// </summary>
internal sealed unsafe class ManagedEngine<T> : IConv2DEngine<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public ManagedEngine(GemmForWidth<T> gemm) => Gemm = gemm;

    /// <summary>The engine on the widest GEMM this CPU runs.</summary>
    public static ManagedEngine<T> Default { get; } = new(Gemms<T>.Best);

    /// <summary>The GEMM every product of this engine runs on (tests pick each width).</summary>
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
            Forward(call.Geometry, input, weight, bias, output, parallelism);
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

    /// <summary><c>output = conv2d(input, weight) + bias</c>; <paramref name="bias"/> may be null.</summary>
    private void Forward(Conv2DGeometry g, T* input, T* weight, T* bias, T* output, int parallelism)
    {
        int imageWorkers = Math.Min(parallelism, g.Batch);
        if (imageWorkers > 1)
        {
            ForwardImagesInParallel(g, input, weight, bias, output, imageWorkers);
            return;
        }

        ManagedWorkspace<T> shared = Pool<ManagedWorkspace<T>>.Rent();
        for (int image = 0; image < g.Batch; image++)
        {
            ForwardImage(g, image, input, weight, bias, output, shared, parallelism);
        }

        Pool<ManagedWorkspace<T>>.Return(shared);
    }

    // Its own method: the lambda's captures make C# allocate a closure at entry of the method that holds it, and the
    // single-threaded path must allocate nothing.
    private void ForwardImagesInParallel(Conv2DGeometry g, T* input, T* weight, T* bias, T* output, int imageWorkers) =>
        Parallel.For(0, g.Batch, new ParallelOptions { MaxDegreeOfParallelism = imageWorkers }, image =>
        {
            ManagedWorkspace<T> workspace = Pool<ManagedWorkspace<T>>.Rent();
            ForwardImage(g, image, input, weight, bias, output, workspace, gemmParallelism: 1);
            Pool<ManagedWorkspace<T>>.Return(workspace);
        });

    /// <summary>
    /// Overwrites <paramref name="gradInput"/>, <paramref name="gradWeight"/> and <paramref name="gradBias"/> with the
    /// gradients of the loss given <paramref name="gradOutput"/>; each that is null is skipped, with its work.
    /// </summary>
    /// <remarks>
    /// The weight and bias gradients are sums over the batch. Whatever the thread count, each image's contribution is
    /// computed on its own (the GEMM overwrites, never accumulates) and the contributions are added in image order,
    /// so the results are bit-identical on any number of threads.
    /// </remarks>
    private void Backward(Conv2DGeometry g, T* input, T* weight, T* gradOutput, T* gradInput, T* gradWeight, T* gradBias, int parallelism)
    {
        if (g.Batch == 0)
        {
            ClearIfPresent(gradWeight, g.WeightLength);
            ClearIfPresent(gradBias, g.OutputChannels);
            return;
        }

        int imageWorkers = Math.Min(parallelism, g.Batch);
        if (imageWorkers > 1)
        {
            BackwardImagesInParallel(g, input, weight, gradOutput, gradInput, gradWeight, gradBias, imageWorkers);
            return;
        }

        ManagedWorkspace<T> shared = Pool<ManagedWorkspace<T>>.Rent();
        T* imageWeightGradient = gradWeight != null && g.Batch > 1 ? shared.WeightGradient.Ensure(g.WeightLength) : null;
        for (int image = 0; image < g.Batch; image++)
        {
            // The first image writes straight into the destinations; the later ones are added to them in order.
            BackwardImage(g, image, input, weight, gradOutput, gradInput, image == 0 ? gradWeight : imageWeightGradient, gradBias, overwriteBias: image == 0, shared, parallelism);
            if (image > 0 && gradWeight != null)
            {
                AddInto(gradWeight, imageWeightGradient, g.WeightLength);
            }
        }

        Pool<ManagedWorkspace<T>>.Return(shared);
    }

    // Waves of images run in parallel, each image's weight and bias gradients into its worker's buffers; after each
    // wave they are added to the destinations in image order, which is the serial path's order. (Its own method so
    // the lambda's closure is allocated only on this path.)
    private void BackwardImagesInParallel(Conv2DGeometry g, T* input, T* weight, T* gradOutput, T* gradInput, T* gradWeight, T* gradBias, int imageWorkers)
    {
        var workspaces = new ManagedWorkspace<T>[imageWorkers];
        for (int worker = 0; worker < imageWorkers; worker++)
        {
            workspaces[worker] = Pool<ManagedWorkspace<T>>.Rent();
        }

        var options = new ParallelOptions { MaxDegreeOfParallelism = imageWorkers };
        for (int wave = 0; wave < g.Batch; wave += imageWorkers)
        {
            int first = wave, count = Math.Min(imageWorkers, g.Batch - wave);
            Parallel.For(0, count, options, worker =>
            {
                ManagedWorkspace<T> workspace = workspaces[worker];
                T* imageWeightGradient = gradWeight != null ? workspace.WeightGradient.Ensure(g.WeightLength) : null;
                T* imageBiasGradient = gradBias != null ? workspace.BiasGradient.Ensure(g.OutputChannels) : null;
                BackwardImage(g, first + worker, input, weight, gradOutput, gradInput, imageWeightGradient, imageBiasGradient, overwriteBias: true, workspace, gemmParallelism: 1);
            });

            for (int worker = 0; worker < count; worker++)
            {
                bool firstImage = first + worker == 0;
                MergeInto(gradWeight, workspaces[worker].WeightGradient, g.WeightLength, firstImage);
                MergeInto(gradBias, workspaces[worker].BiasGradient, g.OutputChannels, firstImage);
            }
        }

        foreach (ManagedWorkspace<T> workspace in workspaces)
        {
            Pool<ManagedWorkspace<T>>.Return(workspace);
        }
    }

    private void ForwardImage(in Conv2DGeometry g, int image, T* input, T* weight, T* bias, T* output, ManagedWorkspace<T> workspace, int gemmParallelism)
    {
        T* source = input + ((nint)image * g.InputImageLength);
        T* destination = output + ((nint)image * g.OutputImageLength);
        int plane = g.OutputPlaneLength;
        if (bias != null)
        {
            for (int channel = 0; channel < g.OutputChannels; channel++)
            {
                new Span<T>(destination + ((nint)channel * plane), plane).Fill(bias[channel]);
            }
        }

        T* columns = Columns(g, source, workspace, gemmParallelism);
        ParallelGemm.Multiply(
            Gemm, g.OutputChannels, plane, g.PatchLength,
            MatrixRef<T>.RowMajor(weight, g.PatchLength),
            MatrixRef<T>.RowMajor(columns, plane),
            destination, plane, accumulate: bias != null, gemmParallelism, workspace.Gemm);
    }

    // gradWeight receives this image's weight gradient alone (overwritten); gradBias its bias gradient, written when
    // overwriteBias, else added (the bias sums are exact per image either way, so adding them in order here is the
    // same arithmetic as merging per-image sums in order).
    private void BackwardImage(
        in Conv2DGeometry g, int image, T* input, T* weight, T* gradOutput, T* gradInput, T* gradWeight, T* gradBias,
        bool overwriteBias, ManagedWorkspace<T> workspace, int gemmParallelism)
    {
        int plane = g.OutputPlaneLength;
        T* source = input + ((nint)image * g.InputImageLength);
        T* upstream = gradOutput + ((nint)image * g.OutputImageLength);
        MatrixRef<T> gradOutputMatrix = MatrixRef<T>.RowMajor(upstream, plane);

        // gradWeight[Cout, K] = gradOutput_i[Cout, P] * columns_i[K, P]^T
        if (gradWeight != null)
        {
            T* columns = Columns(g, source, workspace, gemmParallelism);
            ParallelGemm.Multiply(
                Gemm, g.OutputChannels, g.PatchLength, plane,
                gradOutputMatrix, MatrixRef<T>.RowMajor(columns, plane).Transposed,
                gradWeight, g.PatchLength, accumulate: false, gemmParallelism, workspace.Gemm);
        }

        if (gradInput != null)
        {
            InputGradientImage(g, weight, gradOutputMatrix, gradInput + ((nint)image * g.InputImageLength), workspace, gemmParallelism);
        }

        if (gradBias != null)
        {
            BiasGradient.AddImage(g, upstream, gradBias, overwriteBias);
        }
    }

    /// <summary>
    /// <c>columns = weight[Cout, K]^T * gradOutput_i[Cout, P]</c>, folded back onto the image by col2im. A pointwise
    /// convolution's columns are the image itself, so there the product is written straight into it.
    /// </summary>
    private void InputGradientImage(in Conv2DGeometry g, T* weight, MatrixRef<T> gradOutput, T* imageGradient, ManagedWorkspace<T> workspace, int gemmParallelism)
    {
        int plane = g.OutputPlaneLength;
        MatrixRef<T> weightTransposed = MatrixRef<T>.RowMajor(weight, g.PatchLength).Transposed;
        if (g.IsPointwise)
        {
            ParallelGemm.Multiply(Gemm, g.PatchLength, plane, g.OutputChannels, weightTransposed, gradOutput, imageGradient, plane, accumulate: false, gemmParallelism, workspace.Gemm);
            return;
        }

        T* gradColumns = workspace.Columns.Ensure(g.ColumnLength);
        ParallelGemm.Multiply(Gemm, g.PatchLength, plane, g.OutputChannels, weightTransposed, gradOutput, gradColumns, plane, accumulate: false, gemmParallelism, workspace.Gemm);
        new Span<T>(imageGradient, g.InputImageLength).Clear();
        Col2Im.ScatterAdd(g, gradColumns, imageGradient);
    }

    /// <summary>The column matrix of one image: the image itself for pointwise convolutions, else im2col into the workspace.</summary>
    private static T* Columns(in Conv2DGeometry g, T* image, ManagedWorkspace<T> workspace, int parallelism)
    {
        if (g.IsPointwise)
        {
            return image;
        }

        T* columns = workspace.Columns.Ensure(g.ColumnLength);
        if (parallelism > 1 && g.InputChannels > 1)
        {
            GatherInParallel(g, image, columns, parallelism);
        }
        else
        {
            Im2Col.Gather(g, image, columns);
        }

        return columns;
    }

    // Its own method so the lambda's closure is allocated only when channels really run in parallel.
    private static void GatherInParallel(Conv2DGeometry g, T* image, T* columns, int parallelism) =>
        Parallel.For(0, g.InputChannels, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, channel => Im2Col.GatherChannel(g, channel, image, columns));

    private static void AddInto(T* destination, T* source, int length)
    {
        Span<T> target = new(destination, length);
        TensorPrimitives.Add(target, new ReadOnlySpan<T>(source, length), target);
    }

    // The first image's sums are copied, the later ones added: the serial path's arithmetic exactly.
    private static void MergeInto(T* destination, PinnedBuffer<T> imageSums, int length, bool firstImage)
    {
        if (destination == null)
        {
            return;
        }

        T* source = imageSums.Ensure(length);
        if (firstImage)
        {
            new ReadOnlySpan<T>(source, length).CopyTo(new Span<T>(destination, length));
        }
        else
        {
            AddInto(destination, source, length);
        }
    }

    private static void ClearIfPresent(T* destination, int length)
    {
        if (destination != null)
        {
            new Span<T>(destination, length).Clear();
        }
    }
}
