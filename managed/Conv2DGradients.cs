using System.Numerics.Tensors;

namespace NNPackSharp;

/// <summary>The gradients that <see cref="Convolution.Conv2DBackward{T}(Tensor{T}, Tensor{T}, Tensor{T}?, Tensor{T}, Size2D, Size2D?, Conv2DAlgorithm)"/> returns.</summary>
/// <typeparam name="T">The element type.</typeparam>
/// <param name="GradInput">The gradient of the loss with respect to the input, <c>[N,Cin,H,W]</c>.</param>
/// <param name="GradWeight">The gradient with respect to the weight, <c>[Cout,Cin,kH,kW]</c>.</param>
/// <param name="GradBias">The gradient with respect to the bias, <c>[Cout,1,1]</c> (or the bias's own shape); null when the convolution has no bias.</param>
public sealed record Conv2DGradients<T>(Tensor<T> GradInput, Tensor<T> GradWeight, Tensor<T>? GradBias);
