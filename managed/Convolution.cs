using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NNPackSharp.Engines;
using NNPackSharp.Engines.Managed;
using NNPackSharp.Engines.Native;
using NNPackSharp.Geometry;
using NNPackSharp.Validation;

namespace NNPackSharp;

/// <summary>
/// 2-D convolution on dense NCHW tensors, forward and backward, with the semantics of Arraymancer's
/// <c>conv2d</c> / <c>conv2d_backward</c>: cross-correlation (no kernel flip), symmetric zero padding and a stride
/// per axis, output <c>[N,Cout,Hout,Wout]</c> with <c>Hout = (H + 2*padH - kH) / strideH + 1</c> (floor), likewise W.
/// </summary>
/// <remarks>
/// <para>Every method validates all its arguments before it writes anything; an invalid call throws an
/// <see cref="ArgumentException"/> (or <see cref="ArgumentOutOfRangeException"/>) that names the argument and the shapes.</para>
/// <para>Backward overwrites the gradients it is given (it does not accumulate into them), like Arraymancer.</para>
/// <para>The methods are thread-safe: concurrent calls use separate pooled workspaces.</para>
/// </remarks>
public static class Convolution
{
    private static int maxDegreeOfParallelism = Environment.ProcessorCount;

    /// <summary>
    /// The most threads one call uses. Defaults to <see cref="Environment.ProcessorCount"/>; 1 runs every call on
    /// the calling thread. Any value from 1 to <see cref="int.MaxValue"/> is accepted; a call never uses more threads
    /// than <see cref="Environment.ProcessorCount"/>, nor more than it has work for.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public static int MaxDegreeOfParallelism
    {
        get => Volatile.Read(ref maxDegreeOfParallelism);
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            Volatile.Write(ref maxDegreeOfParallelism, value);
        }
    }

    /// <summary>The shape <c>[N,Cout,Hout,Wout]</c> of the output of a convolution, after validating the shapes.</summary>
    /// <param name="inputLengths">The input shape <c>[N,Cin,H,W]</c>.</param>
    /// <param name="weightLengths">The weight shape <c>[Cout,Cin,kH,kW]</c>.</param>
    /// <param name="padding">Zero padding added on both sides of each axis; default (0,0).</param>
    /// <param name="stride">The step between windows; default (1,1).</param>
    /// <returns>The output shape.</returns>
    /// <exception cref="ArgumentException">The shapes, padding or stride are invalid.</exception>
    public static nint[] Conv2DOutputShape(ReadOnlySpan<nint> inputLengths, ReadOnlySpan<nint> weightLengths, Size2D padding = default, Size2D? stride = null) =>
        GeometryValidator.Validate(inputLengths, weightLengths, padding, stride ?? Size2D.One).OutputShape.ToArray();

    /// <summary>Computes a convolution into a new tensor.</summary>
    /// <typeparam name="T">The element type: <see cref="float"/> and <see cref="double"/> run on SIMD; other IEEE types (such as <see cref="Half"/>) on the scalar GEMM.</typeparam>
    /// <param name="input">The input <c>[N,Cin,H,W]</c>.</param>
    /// <param name="weight">The weight <c>[Cout,Cin,kH,kW]</c>.</param>
    /// <param name="bias">The bias <c>[Cout,1,1]</c> or <c>[Cout]</c>, or null for none.</param>
    /// <param name="padding">Zero padding added on both sides of each axis; default (0,0).</param>
    /// <param name="stride">The step between windows; default (1,1).</param>
    /// <param name="algorithm">The engine; default <see cref="Conv2DAlgorithm.Im2ColGemm"/>.</param>
    /// <returns>The output <c>[N,Cout,Hout,Wout]</c>.</returns>
    /// <exception cref="ArgumentException">An argument is invalid; see <see cref="Convolution"/>.</exception>
    /// <exception cref="NotSupportedException"><paramref name="algorithm"/> is not available in this build.</exception>
    public static Tensor<T> Conv2D<T>(Tensor<T> input, Tensor<T> weight, Tensor<T>? bias = null, Size2D padding = default, Size2D? stride = null, Conv2DAlgorithm algorithm = Conv2DAlgorithm.Im2ColGemm)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        Conv2DGeometry g = GeometryValidator.Validate(input.Lengths, weight.Lengths, padding, stride ?? Size2D.One);
        Shape4 outputShape = g.OutputShape;
        Tensor<T> output = Tensor.CreateFromShapeUninitialized<T>(outputShape);
        Run(ForwardCall<T>.WithNewOutput(g, input, weight, bias is null ? default : bias.AsReadOnlyTensorSpan(), output), algorithm);
        return output;
    }

    /// <summary>Computes a convolution into <paramref name="output"/>, allocating nothing after warm-up.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="input">The input <c>[N,Cin,H,W]</c>, dense.</param>
    /// <param name="weight">The weight <c>[Cout,Cin,kH,kW]</c>, dense.</param>
    /// <param name="bias">The bias <c>[Cout,1,1]</c> or <c>[Cout]</c>, dense; <c>default</c> for none.</param>
    /// <param name="output">Receives the output <c>[N,Cout,Hout,Wout]</c>; dense, overlapping no input.</param>
    /// <param name="padding">Zero padding added on both sides of each axis; default (0,0).</param>
    /// <param name="stride">The step between windows; default (1,1).</param>
    /// <param name="algorithm">The engine; default <see cref="Conv2DAlgorithm.Im2ColGemm"/>.</param>
    /// <exception cref="ArgumentException">An argument is invalid; nothing was written.</exception>
    /// <exception cref="NotSupportedException"><paramref name="algorithm"/> is not available in this build; nothing was written.</exception>
    public static void Conv2D<T>(
        ReadOnlyTensorSpan<T> input, ReadOnlyTensorSpan<T> weight, ReadOnlyTensorSpan<T> bias, TensorSpan<T> output,
        Size2D padding = default, Size2D? stride = null, Conv2DAlgorithm algorithm = Conv2DAlgorithm.Im2ColGemm)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Run(ForwardCall<T>.Validate(input, weight, bias, output, padding, stride ?? Size2D.One), algorithm);

    /// <summary>
    /// Computes a convolution into <paramref name="output"/> with per-call <paramref name="options"/>: the engine, the
    /// native engine's algorithm (pinned, e.g. an exact one where Winograd's rounding or its spreading of NaN and huge
    /// values matters), and the threads. Allocates nothing after warm-up.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="input">The input <c>[N,Cin,H,W]</c>, dense.</param>
    /// <param name="weight">The weight <c>[Cout,Cin,kH,kW]</c>, dense.</param>
    /// <param name="bias">The bias <c>[Cout,1,1]</c> or <c>[Cout]</c>, dense; <c>default</c> for none.</param>
    /// <param name="output">Receives the output <c>[N,Cout,Hout,Wout]</c>; dense, overlapping no input.</param>
    /// <param name="padding">Zero padding added on both sides of each axis.</param>
    /// <param name="stride">The step between windows.</param>
    /// <param name="options">The engine, native algorithm and threads; <c>default</c> is the managed engine.</param>
    /// <exception cref="ArgumentException">An argument or option is invalid; nothing was written.</exception>
    /// <exception cref="NotSupportedException">The engine is not available, or the pinned native algorithm cannot compute this shape; nothing was written.</exception>
    public static void Conv2D<T>(
        ReadOnlyTensorSpan<T> input, ReadOnlyTensorSpan<T> weight, ReadOnlyTensorSpan<T> bias, TensorSpan<T> output,
        Size2D padding, Size2D stride, Conv2DOptions options)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var call = ForwardCall<T>.Validate(input, weight, bias, output, padding, stride, options.Activation);
        if (PinnedNativeEngine<T>(options, out int threads) is { } native)
        {
            native.Forward(Unsafe.As<ForwardCall<T>, ForwardCall<float>>(ref call), threads, options.NativeAlgorithm); // T is float: PinnedNativeEngine checked it
            return;
        }

        EngineFor<T>(options.Algorithm).Forward(call, threads);
    }

    /// <summary>Computes the gradients of a convolution into new tensors.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="input">The forward input <c>[N,Cin,H,W]</c>.</param>
    /// <param name="weight">The weight <c>[Cout,Cin,kH,kW]</c>.</param>
    /// <param name="bias">The bias, or null when the convolution has none (then no bias gradient is computed).</param>
    /// <param name="gradOutput">The gradient of the loss with respect to the output, <c>[N,Cout,Hout,Wout]</c>.</param>
    /// <param name="padding">The forward padding.</param>
    /// <param name="stride">The forward stride; default (1,1).</param>
    /// <param name="algorithm">The engine; default <see cref="Conv2DAlgorithm.Im2ColGemm"/>.</param>
    /// <returns>The input, weight and (with a bias) bias gradients; the bias gradient has the bias's shape.</returns>
    /// <exception cref="ArgumentException">An argument is invalid.</exception>
    /// <exception cref="NotSupportedException"><paramref name="algorithm"/> is not available in this build.</exception>
    public static Conv2DGradients<T> Conv2DBackward<T>(
        Tensor<T> input, Tensor<T> weight, Tensor<T>? bias, Tensor<T> gradOutput,
        Size2D padding = default, Size2D? stride = null, Conv2DAlgorithm algorithm = Conv2DAlgorithm.Im2ColGemm)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentNullException.ThrowIfNull(gradOutput);
        Conv2DGeometry g = GeometryValidator.Validate(input.Lengths, weight.Lengths, padding, stride ?? Size2D.One);
        if (bias is not null)
        {
            Shapes.RequireBiasShape(bias.Lengths, g.OutputChannels, nameof(bias));
        }

        Shape4 inputShape = g.InputShape, weightShape = g.WeightShape;
        Tensor<T> gradInput = Tensor.CreateFromShapeUninitialized<T>(inputShape);
        Tensor<T> gradWeight = Tensor.CreateFromShapeUninitialized<T>(weightShape);
        Tensor<T>? gradBias = bias is null ? null : Tensor.CreateFromShapeUninitialized<T>(bias.Lengths);
        Run(BackwardCall<T>.WithNewGradients(g, input, weight, gradOutput, gradInput, gradWeight, gradBias is null ? default : gradBias.AsTensorSpan()), algorithm);
        return new Conv2DGradients<T>(gradInput, gradWeight, gradBias);
    }

    /// <summary>Computes the gradients of a convolution into caller-provided tensors, overwriting them; allocates nothing after warm-up.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="input">The forward input <c>[N,Cin,H,W]</c>, dense.</param>
    /// <param name="weight">The weight <c>[Cout,Cin,kH,kW]</c>, dense.</param>
    /// <param name="gradOutput">The gradient with respect to the output, <c>[N,Cout,Hout,Wout]</c>, dense.</param>
    /// <param name="gradInput">Receives the input gradient, the input's shape; <c>default</c> to skip it (a network's first layer needs none).</param>
    /// <param name="gradWeight">Receives the weight gradient, the weight's shape; <c>default</c> to skip it (frozen weights).</param>
    /// <param name="gradBias">Receives the bias gradient (<c>[Cout,1,1]</c> or <c>[Cout]</c>: the sum of <paramref name="gradOutput"/> over N, H and W); <c>default</c> when the convolution has no bias.</param>
    /// <param name="padding">The forward padding.</param>
    /// <param name="stride">The forward stride; default (1,1).</param>
    /// <param name="algorithm">The engine; default <see cref="Conv2DAlgorithm.Im2ColGemm"/>.</param>
    /// <exception cref="ArgumentException">An argument is invalid; nothing was written.</exception>
    /// <exception cref="NotSupportedException"><paramref name="algorithm"/> is not available in this build; nothing was written.</exception>
    public static void Conv2DBackward<T>(
        ReadOnlyTensorSpan<T> input, ReadOnlyTensorSpan<T> weight, ReadOnlyTensorSpan<T> gradOutput,
        TensorSpan<T> gradInput, TensorSpan<T> gradWeight, TensorSpan<T> gradBias,
        Size2D padding = default, Size2D? stride = null, Conv2DAlgorithm algorithm = Conv2DAlgorithm.Im2ColGemm)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Run(BackwardCall<T>.Validate(input, weight, gradOutput, gradInput, gradWeight, gradBias, padding, stride ?? Size2D.One), algorithm);

    /// <summary>
    /// Computes the gradients of a convolution into caller-provided tensors with per-call <paramref name="options"/> (see
    /// the forward overload with options), overwriting them; allocates nothing after warm-up.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="input">The forward input <c>[N,Cin,H,W]</c>, dense.</param>
    /// <param name="weight">The weight <c>[Cout,Cin,kH,kW]</c>, dense.</param>
    /// <param name="gradOutput">The gradient with respect to the output, <c>[N,Cout,Hout,Wout]</c>, dense.</param>
    /// <param name="gradInput">Receives the input gradient; <c>default</c> to skip it.</param>
    /// <param name="gradWeight">Receives the weight gradient; <c>default</c> to skip it.</param>
    /// <param name="gradBias">Receives the bias gradient; <c>default</c> when the convolution has no bias.</param>
    /// <param name="padding">The forward padding.</param>
    /// <param name="stride">The forward stride.</param>
    /// <param name="options">The engine, native algorithm and threads; <c>default</c> is the managed engine.</param>
    /// <exception cref="ArgumentException">An argument or option is invalid; nothing was written.</exception>
    /// <exception cref="NotSupportedException">The engine is not available, or the pinned native algorithm cannot compute a requested gradient; nothing was written.</exception>
    public static void Conv2DBackward<T>(
        ReadOnlyTensorSpan<T> input, ReadOnlyTensorSpan<T> weight, ReadOnlyTensorSpan<T> gradOutput,
        TensorSpan<T> gradInput, TensorSpan<T> gradWeight, TensorSpan<T> gradBias,
        Size2D padding, Size2D stride, Conv2DOptions options)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var call = BackwardCall<T>.Validate(input, weight, gradOutput, gradInput, gradWeight, gradBias, padding, stride);
        if (options.Activation != Conv2DActivation.Identity)
        {
            throw new ArgumentException(
                $"Conv2DOptions.Activation {options.Activation} applies to the forward pass only; the backward pass needs Identity (take the activation's gradient first, e.g. Activations.ReluBackward).",
                nameof(options));
        }

        if (PinnedNativeEngine<T>(options, out int threads) is { } native)
        {
            native.Backward(Unsafe.As<BackwardCall<T>, BackwardCall<float>>(ref call), threads, options.NativeAlgorithm); // T is float: PinnedNativeEngine checked it
            return;
        }

        EngineFor<T>(options.Algorithm).Backward(call, threads);
    }

    /// <summary>
    /// Checks <paramref name="options"/> (after the tensors were validated) and returns the native engine when the
    /// call pins a native algorithm, else null; <paramref name="threads"/> is the call's thread count.
    /// </summary>
    private static NNPackEngine? PinnedNativeEngine<T>(in Conv2DOptions options, out int threads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (options.MaxDegreeOfParallelism < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxDegreeOfParallelism, "Conv2DOptions.MaxDegreeOfParallelism must be at least 1, or 0 for Convolution.MaxDegreeOfParallelism.");
        }

        if (!Enum.IsDefined(options.NativeAlgorithm))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.NativeAlgorithm, $"unknown NNPackConvolutionAlgorithm value {(int)options.NativeAlgorithm}.");
        }

        threads = options.MaxDegreeOfParallelism == 0 ? ThreadsPerCall : Math.Min(options.MaxDegreeOfParallelism, Environment.ProcessorCount);
        Conv2DAlgorithm engine = ResolveAlgorithm<T>(options.Algorithm);
        if (options.NativeAlgorithm == NNPackConvolutionAlgorithm.Auto)
        {
            return null;
        }

        if (engine != Conv2DAlgorithm.NNPackAuto)
        {
            throw new ArgumentException(
                $"Conv2DOptions.NativeAlgorithm {options.NativeAlgorithm} pins the native engine's algorithm, but Conv2DOptions.Algorithm {options.Algorithm} runs {engine} here; use Conv2DAlgorithm.NNPackAuto.",
                nameof(options));
        }

        return NNPackEngine.Instance;
    }

    /// <summary>
    /// Frees the pooled workspaces (im2col and packing buffers, native workspaces) kept for reuse between calls, and
    /// stops the native library's worker threads (a pool still in use by a call stops when that call returns).
    /// </summary>
    public static void ReleaseWorkspaces()
    {
        ManagedEngine<float>.ReleaseWorkspaces();
        ManagedEngine<double>.ReleaseWorkspaces();
        ManagedEngine<Half>.ReleaseWorkspaces();
        NNPackEngine.ReleaseWorkspaces();
    }

    // More threads than cores only take turns on them (and each native pool thread is a real thread).
    internal static int ThreadsPerCall => Math.Min(MaxDegreeOfParallelism, Environment.ProcessorCount);

    // The engine is picked after validation, so an invalid call reports its argument before any engine's refusal.
    private static void Run<T>(in ForwardCall<T> call, Conv2DAlgorithm algorithm)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        EngineFor<T>(algorithm).Forward(call, ThreadsPerCall);

    private static void Run<T>(in BackwardCall<T> call, Conv2DAlgorithm algorithm)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        EngineFor<T>(algorithm).Backward(call, ThreadsPerCall);

    /// <summary>
    /// The engine a call with <paramref name="algorithm"/> runs for <typeparamref name="T"/> in this process:
    /// <see cref="Conv2DAlgorithm.Fastest"/> resolves to <see cref="Conv2DAlgorithm.NNPackAuto"/> or
    /// <see cref="Conv2DAlgorithm.Im2ColGemm"/> (then <see cref="NNPackNativeLibrary.Diagnostics"/> says why the native
    /// engine is not available); the others resolve to themselves.
    /// </summary>
    /// <typeparam name="T">The element type of the call.</typeparam>
    /// <param name="algorithm">The algorithm a call would be given.</param>
    /// <returns><see cref="Conv2DAlgorithm.Im2ColGemm"/> or <see cref="Conv2DAlgorithm.NNPackAuto"/>.</returns>
    /// <exception cref="NNPackUnavailableException"><see cref="Conv2DAlgorithm.NNPackAuto"/> where the native library is not available.</exception>
    /// <exception cref="NotSupportedException"><see cref="Conv2DAlgorithm.NNPackAuto"/> with an element type other than <see cref="float"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="algorithm"/> is not a <see cref="Conv2DAlgorithm"/> value.</exception>
    public static Conv2DAlgorithm ResolveAlgorithm<T>(Conv2DAlgorithm algorithm)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (algorithm)
        {
            case Conv2DAlgorithm.Im2ColGemm:
                return Conv2DAlgorithm.Im2ColGemm;
            case Conv2DAlgorithm.Fastest:
                return typeof(T) == typeof(float) && NativeIsMeasuredFaster && NNPackNativeLibrary.IsAvailable ? Conv2DAlgorithm.NNPackAuto : Conv2DAlgorithm.Im2ColGemm;
            case Conv2DAlgorithm.NNPackAuto:
                if (typeof(T) != typeof(float))
                {
                    throw new NotSupportedException($"Conv2DAlgorithm.NNPackAuto computes float32 only; element type {typeof(T).Name} needs Conv2DAlgorithm.Im2ColGemm (or Fastest).");
                }

                return NNPackNativeLibrary.IsAvailable ? Conv2DAlgorithm.NNPackAuto : throw new NNPackUnavailableException(NNPackNativeLibrary.Diagnostics);
            default:
                throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, $"unknown Conv2DAlgorithm value {(int)algorithm}.");
        }
    }

    /// <summary>
    /// The register width, in bits, the managed engine (<see cref="Conv2DAlgorithm.Im2ColGemm"/>) computes
    /// <typeparamref name="T"/> with on this CPU: 512, 256 or 128 with SIMD, or the element's own size (32 for
    /// <see cref="float"/>) where it runs its scalar kernel.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <returns>The width in bits.</returns>
    public static int ManagedVectorBits<T>()
        where T : unmanaged, IFloatingPointIeee754<T> => ManagedVectorWidth.Bits<T>();

    /// <summary>The engine that runs <paramref name="algorithm"/> for <typeparamref name="T"/>; throws where none can.</summary>
    private static IConv2DEngine<T> EngineFor<T>(Conv2DAlgorithm algorithm)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ResolveAlgorithm<T>(algorithm) == Conv2DAlgorithm.NNPackAuto ? NativeEngine<T>() : ManagedEngine<T>.Default;

    // Fastest picks the native engine only where it was measured faster: on x86-64 (the README's protocol runs). ARM64
    // has been tested only under qemu, which measures nothing about speed, so there it stays on the managed engine.
    private static bool NativeIsMeasuredFaster => RuntimeInformation.ProcessArchitecture == Architecture.X64;

    // Only called with T = float, the one type the native engine computes.
    private static IConv2DEngine<T> NativeEngine<T>()
        where T : unmanaged, IFloatingPointIeee754<T> =>
        (IConv2DEngine<T>)(object)NNPackEngine.Instance;
}
