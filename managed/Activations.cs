using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using NNPackSharp.Engines;
using NNPackSharp.Engines.Managed.Operators;
using NNPackSharp.Engines.Native;
using NNPackSharp.Validation;

namespace NNPackSharp;

/// <summary>
/// ReLU, leaky ReLU and softmax, forward and backward, on dense tensors: ReLU on any shape, softmax on <c>[N,C]</c>
/// along C. <c>relu(x) = max(x, 0)</c> (NaN stays NaN; -0 and -infinity give +0), <c>leaky(x) = x &gt; 0 ? x : x * slope</c>
/// (ReLU when the slope is 0), <c>softmax(x)_c = exp(x_c - max) / sum_c' exp(x_c' - max)</c> per row.
/// </summary>
/// <remarks>
/// <para>Every method validates all its arguments before it writes anything; an invalid call throws an
/// <see cref="ArgumentException"/> that names the argument and the shapes. The forward passes may run in place
/// (output = input's memory), the backward passes with gradInput = gradOutput's memory; any other overlap is refused.</para>
/// <para>The native engine runs <c>nnp_relu_output</c>, <c>nnp_relu_input_gradient</c> and <c>nnp_softmax_output</c>,
/// float only; its ReLU takes no negative slope. Softmax's gradient is managed (NNPACK has none).</para>
/// </remarks>
public static class Activations
{
    /// <summary>ReLU into a new tensor.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="input">Any dense tensor.</param>
    /// <param name="engine">The engine; default <see cref="OperatorEngine.Managed"/>.</param>
    /// <returns><c>max(input, 0)</c>, the input's shape.</returns>
    /// <exception cref="ArgumentException">An argument is invalid.</exception>
    /// <exception cref="NotSupportedException">The engine cannot compute this call (see <see cref="OperatorEngine"/>).</exception>
    public static Tensor<T> Relu<T>(Tensor<T> input, OperatorEngine engine = OperatorEngine.Managed)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        LeakyRelu(input, T.Zero, engine);

    /// <summary>ReLU into <paramref name="output"/>, which may be <paramref name="input"/>'s memory (in place); allocates nothing.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="input">Any dense tensor.</param>
    /// <param name="output">Receives <c>max(input, 0)</c>; the input's shape, dense.</param>
    /// <param name="engine">The engine; default <see cref="OperatorEngine.Managed"/>.</param>
    /// <exception cref="ArgumentException">An argument is invalid; nothing was written.</exception>
    /// <exception cref="NotSupportedException">The engine cannot compute this call; nothing was written.</exception>
    public static void Relu<T>(ReadOnlyTensorSpan<T> input, TensorSpan<T> output, OperatorEngine engine = OperatorEngine.Managed)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        LeakyRelu(input, output, T.Zero, engine);

    /// <summary>Leaky ReLU into a new tensor.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="input">Any dense tensor.</param>
    /// <param name="negativeSlope">The factor applied where the input is not positive; finite.</param>
    /// <param name="engine">The engine; default <see cref="OperatorEngine.Managed"/>.</param>
    /// <returns><c>input &gt; 0 ? input : input * negativeSlope</c>, the input's shape.</returns>
    /// <exception cref="ArgumentException">An argument is invalid.</exception>
    /// <exception cref="NotSupportedException">The engine cannot compute this call.</exception>
    public static Tensor<T> LeakyRelu<T>(Tensor<T> input, T negativeSlope, OperatorEngine engine = OperatorEngine.Managed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(input);
        Tensor<T> output = Tensor.CreateFromShapeUninitialized<T>(input.Lengths);
        LeakyRelu(input.AsReadOnlyTensorSpan(), output.AsTensorSpan(), negativeSlope, engine);
        return output;
    }

    /// <summary>Leaky ReLU into <paramref name="output"/>, which may be <paramref name="input"/>'s memory (in place); allocates nothing.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="input">Any dense tensor.</param>
    /// <param name="output">Receives the result; the input's shape, dense.</param>
    /// <param name="negativeSlope">The factor applied where the input is not positive; finite (the native engine: at least 0).</param>
    /// <param name="engine">The engine; default <see cref="OperatorEngine.Managed"/>.</param>
    /// <exception cref="ArgumentException">An argument is invalid; nothing was written.</exception>
    /// <exception cref="NotSupportedException">The engine cannot compute this call; nothing was written.</exception>
    public static void LeakyRelu<T>(ReadOnlyTensorSpan<T> input, TensorSpan<T> output, T negativeSlope, OperatorEngine engine = OperatorEngine.Managed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var call = ActivationCall<T>.ValidateElementwise(input, output);
        if (RunsNativeRelu(negativeSlope, engine))
        {
            NativeOperators.LeakyRelu(Unsafe.As<ActivationCall<T>, ActivationCall<float>>(ref call), float.CreateTruncating(negativeSlope), Convolution.ThreadsPerCall);
            return;
        }

        ManagedActivations<T>.LeakyRelu(call, negativeSlope);
    }

    /// <summary>The gradient of ReLU into a new tensor.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="gradOutput">The gradient with respect to the output.</param>
    /// <param name="input">The forward input, the same shape.</param>
    /// <param name="engine">The engine; default <see cref="OperatorEngine.Managed"/>.</param>
    /// <returns><c>input &gt; 0 ? gradOutput : 0</c>.</returns>
    /// <exception cref="ArgumentException">An argument is invalid.</exception>
    /// <exception cref="NotSupportedException">The engine cannot compute this call.</exception>
    public static Tensor<T> ReluBackward<T>(Tensor<T> gradOutput, Tensor<T> input, OperatorEngine engine = OperatorEngine.Managed)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        LeakyReluBackward(gradOutput, input, T.Zero, engine);

    /// <summary>The gradient of ReLU into <paramref name="gradInput"/>, which may be <paramref name="gradOutput"/>'s memory (in place); allocates nothing.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="gradOutput">The gradient with respect to the output, dense.</param>
    /// <param name="input">The forward input, the same shape, dense.</param>
    /// <param name="gradInput">Receives <c>input &gt; 0 ? gradOutput : 0</c>; the same shape, dense.</param>
    /// <param name="engine">The engine; default <see cref="OperatorEngine.Managed"/>.</param>
    /// <exception cref="ArgumentException">An argument is invalid; nothing was written.</exception>
    /// <exception cref="NotSupportedException">The engine cannot compute this call; nothing was written.</exception>
    public static void ReluBackward<T>(ReadOnlyTensorSpan<T> gradOutput, ReadOnlyTensorSpan<T> input, TensorSpan<T> gradInput, OperatorEngine engine = OperatorEngine.Managed)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        LeakyReluBackward(gradOutput, input, gradInput, T.Zero, engine);

    /// <summary>The gradient of leaky ReLU into a new tensor.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="gradOutput">The gradient with respect to the output.</param>
    /// <param name="input">The forward input, the same shape.</param>
    /// <param name="negativeSlope">The forward slope; finite.</param>
    /// <param name="engine">The engine; default <see cref="OperatorEngine.Managed"/>.</param>
    /// <returns><c>input &gt; 0 ? gradOutput : gradOutput * negativeSlope</c> (exactly 0 where the slope is 0).</returns>
    /// <exception cref="ArgumentException">An argument is invalid.</exception>
    /// <exception cref="NotSupportedException">The engine cannot compute this call.</exception>
    public static Tensor<T> LeakyReluBackward<T>(Tensor<T> gradOutput, Tensor<T> input, T negativeSlope, OperatorEngine engine = OperatorEngine.Managed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(gradOutput);
        ArgumentNullException.ThrowIfNull(input);
        Tensor<T> gradInput = Tensor.CreateFromShapeUninitialized<T>(input.Lengths);
        LeakyReluBackward(gradOutput.AsReadOnlyTensorSpan(), input.AsReadOnlyTensorSpan(), gradInput.AsTensorSpan(), negativeSlope, engine);
        return gradInput;
    }

    /// <summary>The gradient of leaky ReLU into <paramref name="gradInput"/>, which may be <paramref name="gradOutput"/>'s memory (in place); allocates nothing.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="gradOutput">The gradient with respect to the output, dense.</param>
    /// <param name="input">The forward input, the same shape, dense.</param>
    /// <param name="gradInput">Receives the input gradient; the same shape, dense.</param>
    /// <param name="negativeSlope">The forward slope; finite (the native engine: at least 0).</param>
    /// <param name="engine">The engine; default <see cref="OperatorEngine.Managed"/>.</param>
    /// <exception cref="ArgumentException">An argument is invalid; nothing was written.</exception>
    /// <exception cref="NotSupportedException">The engine cannot compute this call; nothing was written.</exception>
    public static void LeakyReluBackward<T>(ReadOnlyTensorSpan<T> gradOutput, ReadOnlyTensorSpan<T> input, TensorSpan<T> gradInput, T negativeSlope, OperatorEngine engine = OperatorEngine.Managed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var call = ActivationBackwardCall<T>.Validate(gradOutput, input, nameof(input), gradInput, rowsOnly: false);
        if (RunsNativeRelu(negativeSlope, engine))
        {
            NativeOperators.LeakyReluBackward(Unsafe.As<ActivationBackwardCall<T>, ActivationBackwardCall<float>>(ref call), float.CreateTruncating(negativeSlope), Convolution.ThreadsPerCall);
            return;
        }

        ManagedActivations<T>.LeakyReluBackward(call, negativeSlope);
    }

    /// <summary>Softmax along C of <c>[N,C]</c> into a new tensor.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="input">The scores <c>[N,C]</c>.</param>
    /// <param name="engine">The engine; default <see cref="OperatorEngine.Managed"/>.</param>
    /// <returns>The probabilities <c>[N,C]</c>, each row summing to 1.</returns>
    /// <exception cref="ArgumentException">An argument is invalid.</exception>
    /// <exception cref="NotSupportedException">The engine cannot compute this call.</exception>
    public static Tensor<T> Softmax<T>(Tensor<T> input, OperatorEngine engine = OperatorEngine.Managed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(input);
        Tensor<T> output = Tensor.CreateFromShapeUninitialized<T>(input.Lengths);
        Softmax(input.AsReadOnlyTensorSpan(), output.AsTensorSpan(), engine);
        return output;
    }

    /// <summary>Softmax along C of <c>[N,C]</c> into <paramref name="output"/>, which may be <paramref name="input"/>'s memory (in place); allocates nothing.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="input">The scores <c>[N,C]</c>, dense.</param>
    /// <param name="output">Receives the probabilities; the input's shape, dense.</param>
    /// <param name="engine">The engine; default <see cref="OperatorEngine.Managed"/>.</param>
    /// <exception cref="ArgumentException">An argument is invalid; nothing was written.</exception>
    /// <exception cref="NotSupportedException">The engine cannot compute this call; nothing was written.</exception>
    public static void Softmax<T>(ReadOnlyTensorSpan<T> input, TensorSpan<T> output, OperatorEngine engine = OperatorEngine.Managed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var call = ActivationCall<T>.ValidateRows(input, output);
        if (OperatorEngineChoice.RunsNative<T>(engine, "softmax"))
        {
            NativeOperators.Softmax(Unsafe.As<ActivationCall<T>, ActivationCall<float>>(ref call), Convolution.ThreadsPerCall);
            return;
        }

        ManagedActivations<T>.Softmax(call);
    }

    /// <summary>The gradient of softmax into a new tensor, from the softmax's output (managed: libnnpack has no such function).</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="output">The forward output (the probabilities) <c>[N,C]</c>.</param>
    /// <param name="gradOutput">The gradient with respect to the output, <c>[N,C]</c>.</param>
    /// <returns><c>output * (gradOutput - sum_c(gradOutput * output))</c> per row.</returns>
    /// <exception cref="ArgumentException">An argument is invalid.</exception>
    public static Tensor<T> SoftmaxBackward<T>(Tensor<T> output, Tensor<T> gradOutput)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(gradOutput);
        Tensor<T> gradInput = Tensor.CreateFromShapeUninitialized<T>(output.Lengths);
        SoftmaxBackward(output.AsReadOnlyTensorSpan(), gradOutput.AsReadOnlyTensorSpan(), gradInput.AsTensorSpan());
        return gradInput;
    }

    /// <summary>The gradient of softmax into <paramref name="gradInput"/>, which may be <paramref name="gradOutput"/>'s memory (in place); allocates nothing.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="output">The forward output (the probabilities) <c>[N,C]</c>, dense.</param>
    /// <param name="gradOutput">The gradient with respect to the output, <c>[N,C]</c>, dense.</param>
    /// <param name="gradInput">Receives the input gradient <c>[N,C]</c>, dense.</param>
    /// <exception cref="ArgumentException">An argument is invalid; nothing was written.</exception>
    public static void SoftmaxBackward<T>(ReadOnlyTensorSpan<T> output, ReadOnlyTensorSpan<T> gradOutput, TensorSpan<T> gradInput)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ManagedActivations<T>.SoftmaxBackward(ActivationBackwardCall<T>.Validate(gradOutput, output, nameof(output), gradInput, rowsOnly: true));

    // After validation; the slope is checked here (before anything is written), then the engine.
    private static bool RunsNativeRelu<T>(T negativeSlope, OperatorEngine engine)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!T.IsFinite(negativeSlope))
        {
            throw new ArgumentOutOfRangeException(nameof(negativeSlope), negativeSlope, "negativeSlope must be finite.");
        }

        string? refusal = engine == OperatorEngine.Managed || negativeSlope >= T.Zero ? null : "libnnpack's ReLU takes a negative slope of at least 0 (upstream NNPACK's rule).";
        return OperatorEngineChoice.RunsNative<T>(engine, "ReLU", refusal);
    }
}
