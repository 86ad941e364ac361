namespace NNPackSharp.Validation;

/// <summary>The shape checks of the fully connected layer: matrices <c>[rows, columns]</c> and its bias.</summary>
internal static class MatrixShapes
{
    /// <summary>Requires a rank-2 shape with at least <paramref name="minRows"/> rows and one column; returns (rows, columns).</summary>
    public static (int Rows, int Columns) RequireMatrix(ReadOnlySpan<nint> lengths, string name, string layout, int minRows)
    {
        Shapes.RequireRank(lengths, 2, name, layout);
        Shapes.RequirePositive(lengths, minRows == 0 ? 1 : 0, name, layout);
        Shapes.RequireAddressable(name, lengths[0], lengths[1]);
        return ((int)lengths[0], (int)lengths[1]);
    }

    /// <summary>Checks a layer's weight <c>[Cout,Cin]</c> and its input <c>[N,Cin]</c>; returns (N, Cin, Cout).</summary>
    public static (int Batch, int InputChannels, int OutputChannels) RequireLayer(ReadOnlySpan<nint> input, ReadOnlySpan<nint> weight)
    {
        (int outputChannels, int inputChannels) = RequireMatrix(weight, nameof(weight), "[Cout,Cin]", minRows: 1);
        (int batch, int inputColumns) = RequireMatrix(input, nameof(input), "[N,Cin]", minRows: 0);
        if (inputColumns != inputChannels)
        {
            throw new ArgumentException($"input {Shapes.Format(input)} must have {inputChannels} columns, the Cin of weight {Shapes.Format(weight)}.", nameof(input));
        }

        return (batch, inputChannels, outputChannels);
    }

    /// <summary>
    /// Requires <paramref name="actual"/> to be <c>[rows, columns]</c>; <paramref name="what"/> says what the shape is, and
    /// the message adds the layer's input and weight shapes it follows from (formatted only on failure: a valid call
    /// allocates nothing).
    /// </summary>
    public static void RequireShape(ReadOnlySpan<nint> actual, int rows, int columns, string name, string what, ReadOnlySpan<nint> input, ReadOnlySpan<nint> weight)
    {
        if (actual.Length != 2 || actual[0] != rows || actual[1] != columns)
        {
            throw new ArgumentException(
                $"{name} must have shape [{rows},{columns}] ({what} for input {Shapes.Format(input)} and weight {Shapes.Format(weight)}); got {Shapes.Format(actual)}.", name);
        }
    }

    /// <summary>Checks a fully connected bias (or its gradient): <c>[Cout]</c> or <c>[1,Cout]</c>, Arraymancer's layout.</summary>
    public static void RequireBias(ReadOnlySpan<nint> lengths, int outputChannels, string name)
    {
        bool ok = (lengths.Length == 1 && lengths[0] == outputChannels) || (lengths.Length == 2 && lengths[0] == 1 && lengths[1] == outputChannels);
        if (!ok)
        {
            throw new ArgumentException($"{name} must have shape [{outputChannels}] or [1,{outputChannels}] (one value per output channel of the weight); got {Shapes.Format(lengths)}.", name);
        }
    }

    /// <summary>Requires a vector argument of <paramref name="length"/> elements, <paramref name="what"/> of <paramref name="weight"/> (formatted only on failure).</summary>
    public static void RequireLength(int actual, int length, string name, string what, ReadOnlySpan<nint> weight)
    {
        if (actual != length)
        {
            throw new ArgumentException($"{name} must have {length} elements ({what} of weight {Shapes.Format(weight)}); got {actual}.", name);
        }
    }
}
