using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NNPackSharp.Engines.Native;
using NNPackSharp.Geometry;
using NNPackSharp.Validation;

namespace NNPackSharp;

/// <summary>
/// One convolution layer prepared for many forward calls (inference loops): its weights are copied and, on the native
/// engine, transformed once (Winograd's kernel transform or implicit GEMM's packed kernel, kept by libnnpack's
/// inference precompute in native memory this object owns) and reused by every single-image call; a batch of several
/// images runs as one batched call, which is faster than reusing the kernel image by image. The managed engine
/// has no weight transform worth keeping, so there it runs the ordinary call on the copied weights. Dispose it to free
/// the native memory. Not for concurrent use by several threads at once.
/// </summary>
/// <typeparam name="T">The element type; the stored transform needs <see cref="float"/> and the native engine.</typeparam>
public sealed class PreparedConvolution<T> : IDisposable
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[] weight;
    private readonly nint[] weightShape;
    private readonly Size2D padding, stride;
    private readonly Conv2DOptions options;
    private readonly int inputHeight, inputWidth;
    private readonly StoredKernelForward? stored;
    private bool disposed;

    /// <summary>Prepares the layer for inputs of <paramref name="inputHeight"/> x <paramref name="inputWidth"/>.</summary>
    /// <param name="weight">The weight <c>[Cout,Cin,kH,kW]</c>; copied, so later changes to it do not reach this layer.</param>
    /// <param name="inputHeight">The height of the inputs the layer will see (the native algorithm is chosen for it).</param>
    /// <param name="inputWidth">The width of the inputs the layer will see.</param>
    /// <param name="padding">Zero padding added on both sides of each axis.</param>
    /// <param name="stride">The step between windows.</param>
    /// <param name="options">The engine, native algorithm and threads, as for <see cref="Convolution"/>'s overloads with options.</param>
    /// <exception cref="ArgumentException">An argument or option is invalid.</exception>
    /// <exception cref="NotSupportedException">The engine is not available, or the pinned native algorithm cannot compute this layer.</exception>
    public PreparedConvolution(ReadOnlyTensorSpan<T> weight, int inputHeight, int inputWidth, Size2D padding, Size2D stride, Conv2DOptions options = default)
    {
        if (weight.Rank != 4)
        {
            throw new ArgumentException($"weight must be [Cout,Cin,kH,kW]; it has rank {weight.Rank}.", nameof(weight));
        }

        Conv2DGeometry g = GeometryValidator.Validate([1, weight.Lengths[1], inputHeight, inputWidth], weight.Lengths, padding, stride);
        this.weight = new T[g.WeightLength];
        weight.FlattenTo(this.weight);
        weightShape = weight.Lengths.ToArray();
        (this.padding, this.stride, this.options, this.inputHeight, this.inputWidth) = (padding, stride, options, inputHeight, inputWidth);

        // Checks the options as a call does, on a one-image probe that writes into a scratch output.
        T[] probe = new T[g.OutputImageLength];
        Convolution.Conv2D<T>(new ReadOnlyTensorSpan<T>(new T[g.InputImageLength], [1, g.InputChannels, inputHeight, inputWidth], []), Weight,
            default, new TensorSpan<T>(probe, [1, g.OutputChannels, g.OutputHeight, g.OutputWidth], []), padding, stride, options);
        if (typeof(T) == typeof(float) && Convolution.ResolveAlgorithm<T>(options.Algorithm) == Conv2DAlgorithm.NNPackAuto)
        {
            stored = StoredKernelForward.TryCreate(g, MemoryMarshal.Cast<T, float>(this.weight), options.NativeAlgorithm, Threads);
        }
    }

    /// <summary>True when single-image calls reuse a kernel transformed once by the native engine (false: every call runs in full).</summary>
    public bool ReusesTransformedKernel => stored is not null;

    private ReadOnlyTensorSpan<T> Weight => new(weight, weightShape, []);

    private int Threads => options.MaxDegreeOfParallelism == 0 ? Math.Min(Convolution.MaxDegreeOfParallelism, Environment.ProcessorCount)
        : Math.Min(options.MaxDegreeOfParallelism, Environment.ProcessorCount);

    /// <summary>Computes the layer into <paramref name="output"/>; allocates nothing after warm-up.</summary>
    /// <param name="input">The input <c>[N,Cin,H,W]</c>, dense, of the height and width the layer was prepared for.</param>
    /// <param name="bias">The bias <c>[Cout,1,1]</c> or <c>[Cout]</c>, dense; <c>default</c> for none.</param>
    /// <param name="output">Receives the output <c>[N,Cout,Hout,Wout]</c>; dense, overlapping no input.</param>
    /// <exception cref="ArgumentException">An argument is invalid; nothing was written.</exception>
    /// <exception cref="ObjectDisposedException">The layer was disposed.</exception>
    public void Forward(ReadOnlyTensorSpan<T> input, ReadOnlyTensorSpan<T> bias, TensorSpan<T> output)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        var call = ForwardCall<T>.Validate(input, Weight, bias, output, padding, stride, options.Activation);
        if (call.Geometry.InputHeight != inputHeight || call.Geometry.InputWidth != inputWidth)
        {
            throw new ArgumentException(
                $"input {call.Geometry.InputShape} has another size than the {inputHeight}x{inputWidth} this layer was prepared for.", nameof(input));
        }

        // The stored kernel serves one image at a time; a batch runs faster as one batched call (Winograd transforms
        // images together, implicit GEMM shares column chunks across small maps), which transforms the kernel again:
        // in the protocol run at 0f0898a per-image reuse ran VGG conv5 (batch 8) at 0.58-0.68x of the batched call and
        // batch-32 28x28 at 0.55-0.62x (1 and 2 threads), batch-1 layers at 0.88-1.17x.
        if (stored is not null && call.Geometry.Batch == 1)
        {
            stored.Forward(Unsafe.As<ForwardCall<T>, ForwardCall<float>>(ref call), Threads);
            return;
        }

        Convolution.Conv2D<T>(input, Weight, bias, output, padding, stride, options);
    }

    /// <summary>Frees the stored kernel's native memory.</summary>
    public void Dispose()
    {
        if (!disposed)
        {
            stored?.Dispose();
            disposed = true;
        }
    }
}
