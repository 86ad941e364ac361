using System.Numerics.Tensors;

namespace NNPackSharp.CnnTraining;

/// <summary>A learned tensor and its gradient, the same shape, updated by plain SGD.</summary>
internal sealed class Parameter
{
    private readonly float[] value, gradient;
    private readonly nint[] shape;

    /// <summary>Drawn from N(0, <paramref name="deviation"/>^2), or zeros when it is 0.</summary>
    public Parameter(nint[] shape, float deviation, Random random)
    {
        this.shape = shape;
        long count = shape.Aggregate(1L, (a, b) => a * b);
        value = new float[count];
        gradient = new float[count];
        for (int i = 0; i < value.Length; i++)
        {
            value[i] = deviation == 0 ? 0 : deviation * Gaussian.Next(random);
        }
    }

    public ReadOnlyTensorSpan<float> Value => new(value, shape);

    /// <summary>Where the backward pass writes this parameter's gradient (overwritten each step).</summary>
    public TensorSpan<float> Gradient => new(gradient, shape);

    /// <summary>value -= learningRate * gradient.</summary>
    public void Step(float learningRate) => TensorPrimitives.MultiplyAdd(gradient, -learningRate, value, value);
}
