using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using NNPackSharp.Engines;
using NNPackSharp.Engines.Managed.Operators;
using NNPackSharp.Engines.Native;
using NNPackSharp.Validation;

namespace NNPackSharp;

/// <summary>
/// The fully connected (linear) layer with the semantics of Arraymancer's <c>linear</c> / <c>linear_backward</c>:
/// input <c>[N,Cin]</c>, weight <c>[Cout,Cin]</c> (NNPACK's and Arraymancer's layout), optional bias <c>[Cout]</c>
/// (or <c>[1,Cout]</c>), output <c>[N,Cout]</c> = <c>input x weight^T + bias</c>.
/// </summary>
/// <remarks>
/// <para>Every method validates all its arguments before it writes anything; an invalid call throws an
/// <see cref="ArgumentException"/> that names the argument and the shapes. Outputs must not overlap the inputs.</para>
/// <para>The managed engine runs the products on the library's GEMM on up to <see cref="Convolution.MaxDegreeOfParallelism"/>
/// threads; the native engine runs <c>nnp_fully_connected_output</c> / <c>_inference</c> and, for FP16 weights,
/// <c>nnpsharp_fully_connected_inference_ieee_f16f32</c>
/// (NNPACK has no bias and no backward: the bias is added afterwards, and <see cref="OperatorEngine.Native"/> refuses
/// <c>Backward</c>).</para>
/// </remarks>
public static class FullyConnected
{
    private const string Operation = "fully connected layer";

    /// <summary>Computes the layer for a batch into a new tensor.</summary>
    /// <typeparam name="T">The element type: <see cref="float"/> and <see cref="double"/> run on SIMD.</typeparam>
    /// <param name="input">The input <c>[N,Cin]</c>.</param>
    /// <param name="weight">The weight <c>[Cout,Cin]</c>.</param>
    /// <param name="bias">The bias <c>[Cout]</c> or <c>[1,Cout]</c>, or null for none.</param>
    /// <param name="engine">The engine; default <see cref="OperatorEngine.Managed"/>.</param>
    /// <returns>The output <c>[N,Cout]</c>.</returns>
    /// <exception cref="ArgumentException">An argument is invalid.</exception>
    /// <exception cref="NotSupportedException">The engine cannot compute this call (see <see cref="OperatorEngine"/>).</exception>
    public static Tensor<T> Forward<T>(Tensor<T> input, Tensor<T> weight, Tensor<T>? bias = null, OperatorEngine engine = OperatorEngine.Managed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        nint rows = input.Rank == 2 ? input.Lengths[0] : 0;
        nint columns = weight.Rank == 2 ? weight.Lengths[0] : 0;
        Tensor<T> output = Tensor.CreateFromShapeUninitialized<T>([rows, columns]);
        Forward(input.AsReadOnlyTensorSpan(), weight.AsReadOnlyTensorSpan(), bias is null ? default : bias.AsReadOnlyTensorSpan(), output.AsTensorSpan(), engine);
        return output;
    }

    /// <summary>Computes the layer for a batch into <paramref name="output"/>, allocating nothing after warm-up.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="input">The input <c>[N,Cin]</c>, dense.</param>
    /// <param name="weight">The weight <c>[Cout,Cin]</c>, dense.</param>
    /// <param name="bias">The bias <c>[Cout]</c> or <c>[1,Cout]</c>, dense; <c>default</c> for none.</param>
    /// <param name="output">Receives the output <c>[N,Cout]</c>; dense, overlapping no input.</param>
    /// <param name="engine">The engine; default <see cref="OperatorEngine.Managed"/>.</param>
    /// <exception cref="ArgumentException">An argument is invalid; nothing was written.</exception>
    /// <exception cref="NotSupportedException">The engine cannot compute this call; nothing was written.</exception>
    public static void Forward<T>(ReadOnlyTensorSpan<T> input, ReadOnlyTensorSpan<T> weight, ReadOnlyTensorSpan<T> bias, TensorSpan<T> output, OperatorEngine engine = OperatorEngine.Managed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var call = FullyConnectedCall<T, T>.Validate(input, weight, bias, output);
        if (OperatorEngineChoice.RunsNative<T>(engine, Operation))
        {
            NativeOperators.FullyConnectedForward(Unsafe.As<FullyConnectedCall<T, T>, FullyConnectedCall<float, float>>(ref call), Convolution.ThreadsPerCall); // T is float: RunsNative checked it
            return;
        }

        ManagedFullyConnected<T>.Forward(call, Convolution.ThreadsPerCall);
    }

    /// <summary>Computes the layer for one vector (<c>nnp_fully_connected_inference</c>), allocating nothing.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="input">The input vector, <c>Cin</c> values.</param>
    /// <param name="weight">The weight <c>[Cout,Cin]</c>, dense.</param>
    /// <param name="bias">The bias, <c>Cout</c> values; empty for none.</param>
    /// <param name="output">Receives the <c>Cout</c> outputs; overlapping no input.</param>
    /// <param name="engine">The engine; default <see cref="OperatorEngine.Managed"/>.</param>
    /// <exception cref="ArgumentException">An argument is invalid; nothing was written.</exception>
    /// <exception cref="NotSupportedException">The engine cannot compute this call; nothing was written.</exception>
    public static void Inference<T>(ReadOnlySpan<T> input, ReadOnlyTensorSpan<T> weight, ReadOnlySpan<T> bias, Span<T> output, OperatorEngine engine = OperatorEngine.Managed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var call = FullyConnectedCall<T, T>.ValidateVector(input, weight, bias, output);
        if (OperatorEngineChoice.RunsNative<T>(engine, Operation))
        {
            NativeOperators.FullyConnectedInference(Unsafe.As<FullyConnectedCall<T, T>, FullyConnectedCall<float, float>>(ref call), Convolution.ThreadsPerCall);
            return;
        }

        ManagedFullyConnected<T>.Inference(call, Convolution.ThreadsPerCall);
    }

    /// <summary>
    /// Computes the layer for one vector with FP16 weights (NNPACK's <c>nnp_fully_connected_inference_f16f32</c>, with IEEE
    /// binary16 weights): each weight is widened to float exactly, and the products and sums are float. Halves the
    /// weight's memory against float.
    /// </summary>
    /// <param name="input">The input vector, <c>Cin</c> values.</param>
    /// <param name="weight">The weight <c>[Cout,Cin]</c> in IEEE binary16, dense.</param>
    /// <param name="bias">The bias, <c>Cout</c> values; empty for none.</param>
    /// <param name="output">Receives the <c>Cout</c> outputs; overlapping no input.</param>
    /// <param name="engine">
    /// The engine; default <see cref="OperatorEngine.Managed"/>. Upstream's native function reads ARM's alternative half
    /// precision (no infinity or NaN); the native engine runs libnnpack's IEEE variant, so infinities and NaNs in the
    /// weight mean the same on both engines.
    /// </param>
    /// <exception cref="ArgumentException">An argument is invalid; nothing was written.</exception>
    /// <exception cref="NotSupportedException">The engine cannot compute this call; nothing was written.</exception>
    public static void Inference(ReadOnlySpan<float> input, ReadOnlyTensorSpan<Half> weight, ReadOnlySpan<float> bias, Span<float> output, OperatorEngine engine = OperatorEngine.Managed)
    {
        var call = FullyConnectedCall<float, Half>.ValidateVector(input, weight, bias, output);
        if (OperatorEngineChoice.RunsNative<float>(engine, Operation))
        {
            NativeOperators.FullyConnectedInference(call, Convolution.ThreadsPerCall);
            return;
        }

        ManagedHalfFullyConnected.Inference(call, Convolution.ThreadsPerCall);
    }

    /// <summary>Computes the gradients of the layer into new tensors.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="input">The forward input <c>[N,Cin]</c>.</param>
    /// <param name="weight">The weight <c>[Cout,Cin]</c>.</param>
    /// <param name="bias">The bias, or null when the layer has none (then no bias gradient is computed).</param>
    /// <param name="gradOutput">The gradient of the loss with respect to the output, <c>[N,Cout]</c>.</param>
    /// <param name="engine">The engine; default <see cref="OperatorEngine.Managed"/>. libnnpack has no backward function: <see cref="OperatorEngine.Native"/> throws, <see cref="OperatorEngine.Fastest"/> runs managed.</param>
    /// <returns>The input, weight and (with a bias) bias gradients; the bias gradient has the bias's shape.</returns>
    /// <exception cref="ArgumentException">An argument is invalid.</exception>
    /// <exception cref="NotSupportedException">The engine cannot compute this call.</exception>
    public static FullyConnectedGradients<T> Backward<T>(Tensor<T> input, Tensor<T> weight, Tensor<T>? bias, Tensor<T> gradOutput, OperatorEngine engine = OperatorEngine.Managed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentNullException.ThrowIfNull(gradOutput);
        Tensor<T> gradInput = Tensor.CreateFromShapeUninitialized<T>(input.Lengths);
        Tensor<T> gradWeight = Tensor.CreateFromShapeUninitialized<T>(weight.Lengths);
        Tensor<T>? gradBias = bias is null ? null : Tensor.CreateFromShapeUninitialized<T>(bias.Lengths);
        if (bias is not null && weight.Rank == 2)
        {
            MatrixShapes.RequireBias(bias.Lengths, (int)Math.Min(weight.Lengths[0], int.MaxValue), nameof(bias));
        }

        Backward(input.AsReadOnlyTensorSpan(), weight.AsReadOnlyTensorSpan(), gradOutput.AsReadOnlyTensorSpan(), gradInput.AsTensorSpan(), gradWeight.AsTensorSpan(),
            gradBias is null ? default : gradBias.AsTensorSpan(), engine);
        return new FullyConnectedGradients<T>(gradInput, gradWeight, gradBias);
    }

    /// <summary>Computes the gradients of the layer into caller-provided tensors, overwriting them; allocates nothing after warm-up.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="input">The forward input <c>[N,Cin]</c>, dense.</param>
    /// <param name="weight">The weight <c>[Cout,Cin]</c>, dense.</param>
    /// <param name="gradOutput">The gradient with respect to the output, <c>[N,Cout]</c>, dense.</param>
    /// <param name="gradInput">Receives <c>gradOutput x weight</c>, <c>[N,Cin]</c>; <c>default</c> to skip it.</param>
    /// <param name="gradWeight">Receives <c>gradOutput^T x input</c>, <c>[Cout,Cin]</c>; <c>default</c> to skip it.</param>
    /// <param name="gradBias">Receives the sum of <paramref name="gradOutput"/> over N, <c>[Cout]</c> or <c>[1,Cout]</c>; <c>default</c> when the layer has no bias.</param>
    /// <param name="engine">The engine; default <see cref="OperatorEngine.Managed"/> (see the other overload).</param>
    /// <exception cref="ArgumentException">An argument is invalid; nothing was written.</exception>
    /// <exception cref="NotSupportedException">The engine cannot compute this call; nothing was written.</exception>
    public static void Backward<T>(
        ReadOnlyTensorSpan<T> input, ReadOnlyTensorSpan<T> weight, ReadOnlyTensorSpan<T> gradOutput,
        TensorSpan<T> gradInput, TensorSpan<T> gradWeight, TensorSpan<T> gradBias = default, OperatorEngine engine = OperatorEngine.Managed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var call = FullyConnectedBackwardCall<T>.Validate(input, weight, gradOutput, gradInput, gradWeight, gradBias);
        OperatorEngineChoice.RunsNative<T>(engine, Operation, "libnnpack has no fully connected backward function.");
        ManagedFullyConnected<T>.Backward(call, Convolution.ThreadsPerCall);
    }
}
