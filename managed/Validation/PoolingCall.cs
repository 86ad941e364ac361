using System.Numerics.Tensors;
using NNPackSharp.Geometry;

namespace NNPackSharp.Validation;

/// <summary>One max pooling forward call after validation: its geometry and the dense elements of its tensors.</summary>
internal readonly ref struct PoolingCall<T>
{
    private PoolingCall(scoped in PoolingGeometry geometry, ReadOnlySpan<T> input, Span<T> output)
    {
        Geometry = geometry;
        Input = input;
        Output = output;
    }

    public PoolingGeometry Geometry { get; }

    /// <summary>The input <c>[N,C,H,W]</c>.</summary>
    public ReadOnlySpan<T> Input { get; }

    /// <summary>The output <c>[N,C,Hout,Wout]</c>, overlapping no input.</summary>
    public Span<T> Output { get; }

    /// <summary>Validates a call whose output the caller provides: every check, before anything is written.</summary>
    /// <exception cref="ArgumentException">An argument is invalid.</exception>
    public static PoolingCall<T> Validate(ReadOnlyTensorSpan<T> input, TensorSpan<T> output, Size2D kernel, Size2D padding, Size2D stride)
    {
        PoolingGeometry g = PoolingValidator.Validate(input.Lengths, kernel, padding, stride);
        RequireOutputShaped(output.Lengths, g, nameof(output), "[N,C,Hout,Wout]");
        ReadOnlySpan<T> inputData = Shapes.Dense(input, nameof(input));
        Span<T> outputData = Shapes.Dense(output, nameof(output));
        Aliasing.RequireDisjoint(outputData, nameof(output), inputData, default, default);
        return new(g, inputData, outputData);
    }

    /// <summary>Requires a shape of the pooling's output; the message says what it follows from.</summary>
    public static void RequireOutputShaped(ReadOnlySpan<nint> actual, in PoolingGeometry g, string name, string layout)
    {
        Shape4 expected = g.OutputShape;
        if (!actual.SequenceEqual(expected))
        {
            throw new ArgumentException(
                $"{name} must have shape {Shapes.Format(g.OutputShape)} ({layout} for input {Shapes.Format(g.InputShape)}, kernel {g.Kernel}, padding {g.Padding}, stride {g.Stride}); got {Shapes.Format(actual)}.",
                name);
        }
    }
}
