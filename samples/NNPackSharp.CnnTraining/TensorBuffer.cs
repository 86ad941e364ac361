using System.Numerics.Tensors;

namespace NNPackSharp.CnnTraining;

/// <summary>A dense tensor's storage, allocated once and viewed with its shape (or, for the linear layer, flattened).</summary>
internal sealed class TensorBuffer(nint[] shape)
{
    private readonly float[] values = new float[shape.Aggregate(1L, (a, b) => a * b)];

    public nint[] Shape => shape;

    public Span<float> Values => values;

    public TensorSpan<float> Span => new(values, shape);

    public ReadOnlyTensorSpan<float> ReadOnly => new(values, shape);

    /// <summary>The same storage as <c>[N, everything else]</c>: the linear layer's view of a batch of feature maps.</summary>
    public TensorSpan<float> Matrix => new(values, [shape[0], values.Length / shape[0]]);
}
