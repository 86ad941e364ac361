using System.Numerics.Tensors;

namespace NNPackSharp.Validation;

/// <summary>
/// One activation gradient call after validation (ReLU, leaky ReLU, softmax): <see cref="GradOutput"/>, the forward
/// tensor the gradient depends on (<see cref="Forward"/>: the input for ReLU, the output for softmax) and the
/// destination, all one shape. The destination may be <see cref="GradOutput"/>'s own memory (in place), never
/// overlap anything otherwise.
/// </summary>
internal readonly ref struct ActivationBackwardCall<T>
{
    private ActivationBackwardCall(int rows, int columns, ReadOnlySpan<T> gradOutput, ReadOnlySpan<T> forward, Span<T> gradInput)
    {
        Rows = rows;
        Columns = columns;
        GradOutput = gradOutput;
        Forward = forward;
        GradInput = gradInput;
    }

    public int Rows { get; }

    public int Columns { get; }

    public ReadOnlySpan<T> GradOutput { get; }

    /// <summary>The forward pass's input (ReLU) or output (softmax).</summary>
    public ReadOnlySpan<T> Forward { get; }

    public Span<T> GradInput { get; }

    /// <summary>Validates the call; <paramref name="forwardName"/> names the forward tensor's parameter.</summary>
    /// <exception cref="ArgumentException">An argument is invalid.</exception>
    public static ActivationBackwardCall<T> Validate(ReadOnlyTensorSpan<T> gradOutput, ReadOnlyTensorSpan<T> forward, string forwardName, TensorSpan<T> gradInput, bool rowsOnly)
    {
        if (rowsOnly)
        {
            MatrixShapes.RequireMatrix(forward.Lengths, forwardName, "[N,C] (softmax runs along C)", minRows: 0);
        }
        else if (forward.Rank < 1)
        {
            throw new ArgumentException($"{forwardName} must have rank at least 1; got shape {Shapes.Format(forward.Lengths)}.", forwardName);
        }

        if (!gradOutput.Lengths.SequenceEqual(forward.Lengths))
        {
            throw new ArgumentException($"gradOutput must have {forwardName}'s shape {Shapes.Format(forward.Lengths)}; got {Shapes.Format(gradOutput.Lengths)}.", nameof(gradOutput));
        }

        if (!gradInput.Lengths.SequenceEqual(forward.Lengths))
        {
            throw new ArgumentException($"gradInput must have {forwardName}'s shape {Shapes.Format(forward.Lengths)}; got {Shapes.Format(gradInput.Lengths)}.", nameof(gradInput));
        }

        ReadOnlySpan<T> gradOutputData = Shapes.Dense(gradOutput, nameof(gradOutput));
        ReadOnlySpan<T> forwardData = Shapes.Dense(forward, forwardName);
        Span<T> gradInputData = Shapes.Dense(gradInput, nameof(gradInput));
        Aliasing.RequireDisjointOrSame(gradInputData, nameof(gradInput), gradOutputData, nameof(gradOutput));
        if (gradInputData.Overlaps(forwardData))
        {
            throw new ArgumentException($"gradInput shares memory with {forwardName}; only gradOutput's own memory may be reused (in place).", nameof(gradInput));
        }

        (int rows, int columns) = ActivationCall<T>.RowsOf(forward.Lengths);
        return new(rows, columns, gradOutputData, forwardData, gradInputData);
    }
}
