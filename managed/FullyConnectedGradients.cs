using System.Numerics.Tensors;

namespace NNPackSharp;

/// <summary>The gradients that <see cref="FullyConnected.Backward{T}(Tensor{T}, Tensor{T}, Tensor{T}?, Tensor{T}, OperatorEngine)"/> returns.</summary>
/// <typeparam name="T">The element type.</typeparam>
/// <param name="GradInput">The gradient of the loss with respect to the input, <c>[N,Cin]</c>.</param>
/// <param name="GradWeight">The gradient with respect to the weight, <c>[Cout,Cin]</c>.</param>
/// <param name="GradBias">The gradient with respect to the bias (the bias's shape); null when the layer has no bias.</param>
public sealed record FullyConnectedGradients<T>(Tensor<T> GradInput, Tensor<T> GradWeight, Tensor<T>? GradBias);
