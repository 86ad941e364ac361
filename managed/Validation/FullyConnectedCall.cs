using System.Numerics.Tensors;

namespace NNPackSharp.Validation;

/// <summary>
/// One fully connected forward call after validation: <c>output [N,Cout] = input [N,Cin] x weight [Cout,Cin]^T + bias</c>,
/// the dense elements of its tensors; a single-vector inference is the batch of one. Engines take only this.
/// </summary>
/// <typeparam name="T">The element type of the input, bias and output.</typeparam>
/// <typeparam name="TWeight">The weight's element type: <typeparamref name="T"/>, or <see cref="Half"/> for FP16 weights.</typeparam>
internal readonly ref struct FullyConnectedCall<T, TWeight>
    where T : unmanaged
    where TWeight : unmanaged
{
    private FullyConnectedCall(int batch, int inputChannels, int outputChannels, ReadOnlySpan<T> input, ReadOnlySpan<TWeight> weight, ReadOnlySpan<T> bias, Span<T> output)
    {
        Batch = batch;
        InputChannels = inputChannels;
        OutputChannels = outputChannels;
        Input = input;
        Weight = weight;
        Bias = bias;
        Output = output;
    }

    public int Batch { get; }

    public int InputChannels { get; }

    public int OutputChannels { get; }

    /// <summary>The input <c>[N,Cin]</c>.</summary>
    public ReadOnlySpan<T> Input { get; }

    /// <summary>The weight <c>[Cout,Cin]</c>.</summary>
    public ReadOnlySpan<TWeight> Weight { get; }

    /// <summary>One value per output channel; empty for none.</summary>
    public ReadOnlySpan<T> Bias { get; }

    /// <summary>The output <c>[N,Cout]</c>, overlapping no input.</summary>
    public Span<T> Output { get; }

    /// <summary>Validates a batched call: every check, before anything is written.</summary>
    /// <exception cref="ArgumentException">An argument is invalid.</exception>
    public static FullyConnectedCall<T, TWeight> Validate(ReadOnlyTensorSpan<T> input, ReadOnlyTensorSpan<TWeight> weight, ReadOnlyTensorSpan<T> bias, TensorSpan<T> output)
    {
        (int batch, int inputChannels, int outputChannels) = MatrixShapes.RequireLayer(input.Lengths, weight.Lengths);

        bool hasBias = !Shapes.IsAbsent(bias);
        if (hasBias)
        {
            MatrixShapes.RequireBias(bias.Lengths, outputChannels, nameof(bias));
        }

        MatrixShapes.RequireShape(output.Lengths, batch, outputChannels, nameof(output), "[N,Cout]", input.Lengths, weight.Lengths);
        ReadOnlySpan<T> inputData = Shapes.Dense(input, nameof(input));
        ReadOnlySpan<TWeight> weightData = Shapes.Dense(weight, nameof(weight));
        ReadOnlySpan<T> biasData = hasBias ? Shapes.Dense(bias, nameof(bias)) : default;
        Span<T> outputData = Shapes.Dense(output, nameof(output));
        RequireDisjoint(outputData, inputData, weightData, biasData);
        return new(batch, inputChannels, outputChannels, inputData, weightData, biasData, outputData);
    }

    /// <summary>Validates a single-vector call: <paramref name="bias"/> empty for none.</summary>
    /// <exception cref="ArgumentException">An argument is invalid.</exception>
    public static FullyConnectedCall<T, TWeight> ValidateVector(ReadOnlySpan<T> input, ReadOnlyTensorSpan<TWeight> weight, ReadOnlySpan<T> bias, Span<T> output)
    {
        (int outputChannels, int inputChannels) = MatrixShapes.RequireMatrix(weight.Lengths, nameof(weight), "[Cout,Cin]", minRows: 1);
        MatrixShapes.RequireLength(input.Length, inputChannels, nameof(input), "the Cin", weight.Lengths);
        if (!bias.IsEmpty)
        {
            MatrixShapes.RequireLength(bias.Length, outputChannels, nameof(bias), "none, or the Cout", weight.Lengths);
        }

        MatrixShapes.RequireLength(output.Length, outputChannels, nameof(output), "the Cout", weight.Lengths);
        ReadOnlySpan<TWeight> weightData = Shapes.Dense(weight, nameof(weight));
        RequireDisjoint(output, input, weightData, bias);
        return new(1, inputChannels, outputChannels, input, weightData, bias, output);
    }

    private static void RequireDisjoint(Span<T> output, ReadOnlySpan<T> input, ReadOnlySpan<TWeight> weight, ReadOnlySpan<T> bias)
    {
        if (Aliasing.Overlap(output, weight))
        {
            throw new ArgumentException("output shares memory with weight; destinations must not overlap the inputs.", nameof(output));
        }

        Aliasing.RequireDisjoint(output, nameof(output), input, bias, default);
    }
}
