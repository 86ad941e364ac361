using System.Numerics.Tensors;

namespace NNPackSharp.Validation;

/// <summary>
/// One fully connected backward call after validation: the sizes and the dense elements of its tensors. Each
/// destination may be empty (skipped); none overlaps an input or another destination.
/// </summary>
internal readonly ref struct FullyConnectedBackwardCall<T>
{
    private readonly BackwardTensors<T> tensors;

    private FullyConnectedBackwardCall(int batch, int inputChannels, int outputChannels, BackwardTensors<T> tensors)
    {
        Batch = batch;
        InputChannels = inputChannels;
        OutputChannels = outputChannels;
        this.tensors = tensors;
    }

    public int Batch { get; }

    public int InputChannels { get; }

    public int OutputChannels { get; }

    /// <summary>The forward input <c>[N,Cin]</c>.</summary>
    public ReadOnlySpan<T> Input => tensors.Input;

    /// <summary>The weight <c>[Cout,Cin]</c>.</summary>
    public ReadOnlySpan<T> Weight => tensors.Weight;

    /// <summary>The gradient with respect to the output, <c>[N,Cout]</c>.</summary>
    public ReadOnlySpan<T> GradOutput => tensors.GradOutput;

    /// <summary>Receives <c>gradOutput x weight</c>, <c>[N,Cin]</c>; empty to skip.</summary>
    public Span<T> GradInput => tensors.GradInput;

    /// <summary>Receives <c>gradOutput^T x input</c>, <c>[Cout,Cin]</c>; empty to skip.</summary>
    public Span<T> GradWeight => tensors.GradWeight;

    /// <summary>Receives the column sums of <c>gradOutput</c>, <c>[Cout]</c>; empty to skip.</summary>
    public Span<T> GradBias => tensors.GradBias;

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

        return new(batch, inputChannels, outputChannels, BackwardTensors<T>.DenseAndDisjoint(input, weight, gradOutput, gradInput, gradWeight, gradBias, hasBias));
    }
}
