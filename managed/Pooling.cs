using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using NNPackSharp.Engines;
using NNPackSharp.Engines.Managed.Operators;
using NNPackSharp.Engines.Native;
using NNPackSharp.Geometry;
using NNPackSharp.Validation;

namespace NNPackSharp;

/// <summary>
/// 2-D max pooling on dense NCHW tensors with the semantics and defaults of Arraymancer's <c>maxpool2d</c>: output
/// <c>[N,C,Hout,Wout]</c> with <c>Hout = floor((H + 2*padH - kH) / strideH) + 1</c> (likewise W), stride (1,1) and no
/// padding by default; padding never wins a window, and neither does NaN (a window with nothing else gives -infinity).
/// </summary>
/// <remarks>
/// <para>Every method validates all its arguments before it writes anything; an invalid call throws an
/// <see cref="ArgumentException"/> (or <see cref="ArgumentOutOfRangeException"/>) that names the argument and the shapes.</para>
/// <para>The native engine runs libnnpack's <c>nnpsharp_max_pooling_output</c>: upstream's <c>nnp_max_pooling_output</c>
/// with the output size given (upstream sizes it with ceil and refuses padding as large as the window), so it computes
/// every call the managed engine does, for <see cref="float"/>.</para>
/// <para>Backward keeps no index tensor: it finds each window's arg-max again from the input. The first maximum in
/// row-major window order gets the window's whole gradient (summed where windows overlap).</para>
/// </remarks>
public static class Pooling
{
    private const string Operation = "max pooling";

    /// <summary>The shape <c>[N,C,Hout,Wout]</c> of a max pooling's output, after validating the arguments.</summary>
    /// <param name="inputLengths">The input shape <c>[N,C,H,W]</c>.</param>
    /// <param name="kernel">The window (height, width).</param>
    /// <param name="padding">Padding on both sides of each axis; default (0,0).</param>
    /// <param name="stride">The step between windows; default (1,1), as Arraymancer's <c>maxpool2d</c>.</param>
    /// <returns>The output shape.</returns>
    /// <exception cref="ArgumentException">The shape, window, padding or stride is invalid.</exception>
    public static nint[] MaxPool2DOutputShape(ReadOnlySpan<nint> inputLengths, Size2D kernel, Size2D padding = default, Size2D? stride = null) =>
        PoolingValidator.Validate(inputLengths, kernel, padding, stride ?? Size2D.One).OutputShape.ToArray();

    /// <summary>Computes a max pooling into a new tensor.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="input">The input <c>[N,C,H,W]</c>.</param>
    /// <param name="kernel">The window (height, width).</param>
    /// <param name="padding">Padding on both sides of each axis; default (0,0).</param>
    /// <param name="stride">The step between windows; default (1,1).</param>
    /// <param name="engine">The engine; default <see cref="OperatorEngine.Managed"/>.</param>
    /// <returns>The output <c>[N,C,Hout,Wout]</c>.</returns>
    /// <exception cref="ArgumentException">An argument is invalid.</exception>
    /// <exception cref="NotSupportedException">The engine cannot compute this call (see <see cref="Pooling"/>).</exception>
    public static Tensor<T> MaxPool2D<T>(Tensor<T> input, Size2D kernel, Size2D padding = default, Size2D? stride = null, OperatorEngine engine = OperatorEngine.Managed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(input);
        PoolingGeometry g = PoolingValidator.Validate(input.Lengths, kernel, padding, stride ?? Size2D.One);
        Shape4 outputShape = g.OutputShape;
        Tensor<T> output = Tensor.CreateFromShapeUninitialized<T>(outputShape);
        MaxPool2D(input.AsReadOnlyTensorSpan(), output.AsTensorSpan(), kernel, padding, g.Stride, engine);
        return output;
    }

    /// <summary>Computes a max pooling into <paramref name="output"/>, allocating nothing after warm-up.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="input">The input <c>[N,C,H,W]</c>, dense.</param>
    /// <param name="output">Receives the output <c>[N,C,Hout,Wout]</c>; dense, overlapping no input.</param>
    /// <param name="kernel">The window (height, width).</param>
    /// <param name="padding">Padding on both sides of each axis.</param>
    /// <param name="stride">The step between windows.</param>
    /// <param name="engine">The engine; default <see cref="OperatorEngine.Managed"/>.</param>
    /// <exception cref="ArgumentException">An argument is invalid; nothing was written.</exception>
    /// <exception cref="NotSupportedException">The engine cannot compute this call; nothing was written.</exception>
    public static void MaxPool2D<T>(ReadOnlyTensorSpan<T> input, TensorSpan<T> output, Size2D kernel, Size2D padding, Size2D stride, OperatorEngine engine = OperatorEngine.Managed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var call = PoolingCall<T>.Validate(input, output, kernel, padding, stride);
        if (OperatorEngineChoice.RunsNative<T>(engine, Operation))
        {
            NativeOperators.MaxPool(Unsafe.As<PoolingCall<T>, PoolingCall<float>>(ref call), Convolution.ThreadsPerCall); // T is float: RunsNative checked it
            return;
        }

        ManagedPooling<T>.Forward(call, Convolution.ThreadsPerCall);
    }

    /// <summary>Computes the input gradient of a max pooling into a new tensor (managed: libnnpack has no such function).</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="input">The forward input <c>[N,C,H,W]</c>.</param>
    /// <param name="gradOutput">The gradient with respect to the output, <c>[N,C,Hout,Wout]</c>.</param>
    /// <param name="kernel">The forward window.</param>
    /// <param name="padding">The forward padding; default (0,0).</param>
    /// <param name="stride">The forward stride; default (1,1).</param>
    /// <returns>The input gradient <c>[N,C,H,W]</c>.</returns>
    /// <exception cref="ArgumentException">An argument is invalid.</exception>
    public static Tensor<T> MaxPool2DBackward<T>(Tensor<T> input, Tensor<T> gradOutput, Size2D kernel, Size2D padding = default, Size2D? stride = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(gradOutput);
        PoolingGeometry g = PoolingValidator.Validate(input.Lengths, kernel, padding, stride ?? Size2D.One);
        Shape4 inputShape = g.InputShape;
        Tensor<T> gradInput = Tensor.CreateFromShapeUninitialized<T>(inputShape);
        MaxPool2DBackward(input.AsReadOnlyTensorSpan(), gradOutput.AsReadOnlyTensorSpan(), gradInput.AsTensorSpan(), kernel, padding, g.Stride);
        return gradInput;
    }

    /// <summary>Computes the input gradient of a max pooling into <paramref name="gradInput"/>, overwriting it; allocates nothing after warm-up.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="input">The forward input <c>[N,C,H,W]</c>, dense.</param>
    /// <param name="gradOutput">The gradient with respect to the output, <c>[N,C,Hout,Wout]</c>, dense.</param>
    /// <param name="gradInput">Receives the input gradient, the input's shape; dense, overlapping no input.</param>
    /// <param name="kernel">The forward window.</param>
    /// <param name="padding">The forward padding.</param>
    /// <param name="stride">The forward stride.</param>
    /// <exception cref="ArgumentException">An argument is invalid; nothing was written.</exception>
    public static void MaxPool2DBackward<T>(ReadOnlyTensorSpan<T> input, ReadOnlyTensorSpan<T> gradOutput, TensorSpan<T> gradInput, Size2D kernel, Size2D padding, Size2D stride)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ManagedPooling<T>.Backward(PoolingBackwardCall<T>.Validate(input, gradOutput, gradInput, kernel, padding, stride), Convolution.ThreadsPerCall);
}
