using System.Numerics.Tensors;

namespace NNPackSharp.Validation;

/// <summary>
/// The dense elements of a backward call's tensors (a convolution's or a fully connected layer's): the forward input,
/// the weight and gradOutput, and the three gradient destinations, each of which may be empty (not computed).
/// </summary>
internal readonly ref struct BackwardTensors<T>
{
    public BackwardTensors(ReadOnlySpan<T> input, ReadOnlySpan<T> weight, ReadOnlySpan<T> gradOutput, Span<T> gradInput, Span<T> gradWeight, Span<T> gradBias)
    {
        Input = input;
        Weight = weight;
        GradOutput = gradOutput;
        GradInput = gradInput;
        GradWeight = gradWeight;
        GradBias = gradBias;
    }

    public ReadOnlySpan<T> Input { get; }

    public ReadOnlySpan<T> Weight { get; }

    public ReadOnlySpan<T> GradOutput { get; }

    public Span<T> GradInput { get; }

    public Span<T> GradWeight { get; }

    public Span<T> GradBias { get; }

    /// <summary>
    /// The tensors' elements after the checks that do not depend on the layer: each tensor dense, and no destination
    /// overlapping an input or another destination. Their shapes are the caller's to have checked first.
    /// </summary>
    /// <exception cref="ArgumentException">A tensor is not dense, or a destination overlaps.</exception>
    public static BackwardTensors<T> DenseAndDisjoint(
        ReadOnlyTensorSpan<T> input, ReadOnlyTensorSpan<T> weight, ReadOnlyTensorSpan<T> gradOutput,
        TensorSpan<T> gradInput, TensorSpan<T> gradWeight, TensorSpan<T> gradBias, bool hasBias)
    {
        ReadOnlySpan<T> inputData = Shapes.Dense(input, nameof(input));
        ReadOnlySpan<T> weightData = Shapes.Dense(weight, nameof(weight));
        ReadOnlySpan<T> gradOutputData = Shapes.Dense(gradOutput, nameof(gradOutput));
        Span<T> gradInputData = Shapes.Dense(gradInput, nameof(gradInput));
        Span<T> gradWeightData = Shapes.Dense(gradWeight, nameof(gradWeight));
        Span<T> gradBiasData = hasBias ? Shapes.Dense(gradBias, nameof(gradBias)) : default;
        Aliasing.RequireDisjoint(gradInputData, nameof(gradInput), inputData, weightData, gradOutputData, gradWeightData, gradBiasData);
        Aliasing.RequireDisjoint(gradWeightData, nameof(gradWeight), inputData, weightData, gradOutputData, gradBiasData);
        Aliasing.RequireDisjoint(gradBiasData, nameof(gradBias), inputData, weightData, gradOutputData);
        return new(inputData, weightData, gradOutputData, gradInputData, gradWeightData, gradBiasData);
    }
}
