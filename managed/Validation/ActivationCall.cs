using System.Numerics.Tensors;

namespace NNPackSharp.Validation;

/// <summary>
/// One element-wise or row-wise activation call after validation (ReLU, leaky ReLU, softmax): the dense elements seen
/// as <see cref="Rows"/> x <see cref="Columns"/> (the first dimension by the others; softmax's <c>[N,C]</c>). The
/// output may be the input itself (in place), never a partial overlap.
/// </summary>
internal readonly ref struct ActivationCall<T>
{
    private ActivationCall(int rows, int columns, ReadOnlySpan<T> input, Span<T> output)
    {
        Rows = rows;
        Columns = columns;
        Input = input;
        Output = output;
    }

    public int Rows { get; }

    public int Columns { get; }

    public ReadOnlySpan<T> Input { get; }

    /// <summary>The output, the input's shape; may be the input's own memory.</summary>
    public Span<T> Output { get; }

    /// <summary>Validates an element-wise call on any shape (rank at least 1).</summary>
    /// <exception cref="ArgumentException">An argument is invalid.</exception>
    public static ActivationCall<T> ValidateElementwise(ReadOnlyTensorSpan<T> input, TensorSpan<T> output)
    {
        if (input.Rank < 1)
        {
            throw new ArgumentException($"input must have rank at least 1; got shape {Shapes.Format(input.Lengths)}.", nameof(input));
        }

        return Create(input, output);
    }

    /// <summary>Validates a softmax call: <c>[N,C]</c> with at least one class.</summary>
    /// <exception cref="ArgumentException">An argument is invalid.</exception>
    public static ActivationCall<T> ValidateRows(ReadOnlyTensorSpan<T> input, TensorSpan<T> output)
    {
        MatrixShapes.RequireMatrix(input.Lengths, nameof(input), "[N,C] (softmax runs along C)", minRows: 0);
        return Create(input, output);
    }

    /// <summary>Rows and columns of a shape: the first dimension by the product of the others.</summary>
    public static (int Rows, int Columns) RowsOf(ReadOnlySpan<nint> lengths)
    {
        int rows = (int)lengths[0];
        long columns = 1;
        for (int i = 1; i < lengths.Length; i++)
        {
            columns *= lengths[i];
        }

        return (rows, rows == 0 ? 0 : (int)columns);
    }

    private static ActivationCall<T> Create(ReadOnlyTensorSpan<T> input, TensorSpan<T> output)
    {
        if (!input.Lengths.SequenceEqual(output.Lengths))
        {
            throw new ArgumentException($"output must have the input's shape {Shapes.Format(input.Lengths)}; got {Shapes.Format(output.Lengths)}.", nameof(output));
        }

        if (input.FlattenedLength > Array.MaxLength)
        {
            throw new ArgumentException($"input {Shapes.Format(input.Lengths)} has more than {Array.MaxLength} elements, the most one .NET array holds.", nameof(input));
        }

        ReadOnlySpan<T> inputData = Shapes.Dense(input, nameof(input));
        Span<T> outputData = Shapes.Dense(output, nameof(output));
        Aliasing.RequireDisjointOrSame(outputData, nameof(output), inputData, nameof(input));
        (int rows, int columns) = RowsOf(input.Lengths);
        return new(rows, columns, inputData, outputData);
    }
}
