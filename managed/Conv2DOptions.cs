namespace NNPackSharp;

/// <summary>
/// Per-call choices for <see cref="Convolution.Conv2D{T}(System.Numerics.Tensors.ReadOnlyTensorSpan{T}, System.Numerics.Tensors.ReadOnlyTensorSpan{T}, System.Numerics.Tensors.ReadOnlyTensorSpan{T}, System.Numerics.Tensors.TensorSpan{T}, Size2D, Size2D, Conv2DOptions)"/>
/// and <see cref="Convolution.Conv2DBackward{T}(System.Numerics.Tensors.ReadOnlyTensorSpan{T}, System.Numerics.Tensors.ReadOnlyTensorSpan{T}, System.Numerics.Tensors.ReadOnlyTensorSpan{T}, System.Numerics.Tensors.TensorSpan{T}, System.Numerics.Tensors.TensorSpan{T}, System.Numerics.Tensors.TensorSpan{T}, Size2D, Size2D, Conv2DOptions)"/>.
/// <c>default</c> means what the overloads without options do: the managed engine, the process-wide
/// <see cref="Convolution.MaxDegreeOfParallelism"/>.
/// </summary>
/// <param name="Algorithm">The engine (<see cref="Conv2DAlgorithm"/>).</param>
/// <param name="NativeAlgorithm">
/// The native engine's algorithm; anything but <see cref="NNPackConvolutionAlgorithm.Auto"/> needs an
/// <paramref name="Algorithm"/> that runs the native engine (<see cref="Conv2DAlgorithm.NNPackAuto"/>, or
/// <see cref="Conv2DAlgorithm.Fastest"/> where it resolves to it).
/// </param>
/// <param name="MaxDegreeOfParallelism">Threads this call may use, at least 1; 0 for <see cref="Convolution.MaxDegreeOfParallelism"/>. Capped at the processor count.</param>
public readonly record struct Conv2DOptions(
    Conv2DAlgorithm Algorithm = Conv2DAlgorithm.Im2ColGemm,
    NNPackConvolutionAlgorithm NativeAlgorithm = NNPackConvolutionAlgorithm.Auto,
    int MaxDegreeOfParallelism = 0)
{
    /// <summary>
    /// The activation the forward pass applies to its output (<see cref="Conv2DActivation.Relu"/>: fused ReLU; the native
    /// engine passes it as NNPACK's activation argument). Default <see cref="Conv2DActivation.Identity"/>. The
    /// backward pass takes only <see cref="Conv2DActivation.Identity"/>: compute the activation's gradient first (for
    /// ReLU, <see cref="Activations.ReluBackward{T}(System.Numerics.Tensors.Tensor{T}, System.Numerics.Tensors.Tensor{T}, OperatorEngine)"/>
    /// on the layer's output).
    /// </summary>
    public Conv2DActivation Activation { get; init; }
}
