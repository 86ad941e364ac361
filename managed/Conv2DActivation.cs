namespace NNPackSharp;

/// <summary>The activation a convolution's forward pass applies to its output (<see cref="Conv2DOptions.Activation"/>).</summary>
public enum Conv2DActivation
{
    /// <summary>None: the output is the convolution plus the bias.</summary>
    Identity = 0,

    /// <summary>
    /// ReLU fused into the pass: <c>max(x, 0)</c> of each output element (NaN stays NaN), as
    /// <see cref="Activations.Relu{T}(System.Numerics.Tensors.Tensor{T}, OperatorEngine)"/> computes it.
    /// </summary>
    Relu = 1,
}
