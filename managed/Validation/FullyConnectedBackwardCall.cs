using System.Numerics.Tensors;

namespace NNPackSharp.Validation;

/// <summary>
/// One fully connected backward call after validation: the sizes and the dense elements of its tensors. Each
/// destination may be empty (skipped); none overlaps an input or another destination.
/// </summary>
internal readonly ref struct FullyConnectedBackwardCall<T>
{
    private FullyConnectedBackwardCall(
        int batch, int inputChannels, int outputChannels, ReadOnlySpan<T> input, ReadOnlySpan<T> weight, ReadOnlySpan<T> gradOutput,
        Span<T> gradInput, Span<T> gradWeight, Span<T> gradBias)
    {
        Batch = batch;
        InputChannels = inputChannels;
        OutputChannels = outputChannels;
        Input = input;
        Weight = weight;
        GradOutput = gradOutput;
        GradInput = gradInput;
        GradWeight = gradWeight;
        GradBias = gradBias;
    }

    public int Batch { get; }

    public int InputChannels { get; }

    public int OutputChannels { get; }

    /// <summary>The forward input <c>[N,Cin]</c>.</summary>
    public ReadOnlySpan<T> Input { get; }

    /// <summary>The weight <c>[Cout,Cin]</c>.</summary>
    public ReadOnlySpan<T> Weight { get; }

    /// <summary>The gradient with respect to the output, <c>[N,Cout]</c>.</summary>
    public ReadOnlySpan<T> GradOutput { get; }

    /// <summary>Receives <c>gradOutput x weight</c>, <c>[N,Cin]</c>; empty to skip.</summary>
    public Span<T> GradInput { get; }

    /// <summary>Receives <c>gradOutput^T x input</c>, <c>[Cout,Cin]</c>; empty to skip.</summary>
    public Span<T> GradWeight { get; }

    /// <summary>Receives the column sums of <c>gradOutput</c>, <c>[Cout]</c>; empty to skip.</summary>
    public Span<T> GradBias { get; }

    /// <summary>Validates the call: every check, before anything is written.</summary>
    /// <exception cref="ArgumentException">An argument is invalid.</exception>
    public static FullyConnectedBackwardCall<T> Validate(
        ReadOnlyTensorSpan<T> input, ReadOnlyTensorSpan<T> weight, ReadOnlyTensorSpan<T> gradOutput,
        TensorSpan<T> gradInput, TensorSpan<T> gradWeight, TensorSpan<T> gradBias)
    {
        (int batch, int inputChannels, int outputChannels) = MatrixShapes.RequireLayer(input.Lengths, weight.Lengths);

        MatrixShapes.RequireShape(gradOutput.Lengths, batch, outputChannels, nameof(gradOutput), "the forward output's [N,Cout]", input.Lengths, weight.Lengths);
        if (!Shapes.IsAbsent<T>(gradInput))
        {
            MatrixShapes.RequireShape(gradInput.Lengths, batch, inputChannels, nameof(gradInput), "the input's shape", input.Lengths, weight.Lengths);
        }

        if (!Shapes.IsAbsent<T>(gradWeight))
        {
            MatrixShapes.RequireShape(gradWeight.Lengths, outputChannels, inputChannels, nameof(gradWeight), "the weight's shape", input.Lengths, weight.Lengths);
        }

        bool hasBias = !Shapes.IsAbsent<T>(gradBias);
        if (hasBias)
        {
            MatrixShapes.RequireBias(gradBias.Lengths, outputChannels, nameof(gradBias));
        }

        ReadOnlySpan<T> inputData = Shapes.Dense(input, nameof(input));
        ReadOnlySpan<T> weightData = Shapes.Dense(weight, nameof(weight));
        ReadOnlySpan<T> gradOutputData = Shapes.Dense(gradOutput, nameof(gradOutput));
        Span<T> gradInputData = Shapes.Dense(gradInput, nameof(gradInput));
        Span<T> gradWeightData = Shapes.Dense(gradWeight, nameof(gradWeight));
        Span<T> gradBiasData = hasBias ? Shapes.Dense(gradBias, nameof(gradBias)) : default;
        Aliasing.RequireDisjoint(gradInputData, nameof(gradInput), inputData, weightData, gradOutputData, gradWeightData, gradBiasData);
        Aliasing.RequireDisjoint(gradWeightData, nameof(gradWeight), inputData, weightData, gradOutputData, gradBiasData);
        Aliasing.RequireDisjoint(gradBiasData, nameof(gradBias), inputData, weightData, gradOutputData);
        return new(batch, inputChannels, outputChannels, inputData, weightData, gradOutputData, gradInputData, gradWeightData, gradBiasData);
    }
}
