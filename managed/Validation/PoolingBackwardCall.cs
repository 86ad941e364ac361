using System.Numerics.Tensors;
using NNPackSharp.Geometry;

namespace NNPackSharp.Validation;

/// <summary>One max pooling backward call after validation: its geometry and the dense elements of its tensors.</summary>
internal readonly ref struct PoolingBackwardCall<T>
{
    private PoolingBackwardCall(scoped in PoolingGeometry geometry, ReadOnlySpan<T> input, ReadOnlySpan<T> gradOutput, Span<T> gradInput)
    {
        Geometry = geometry;
        Input = input;
        GradOutput = gradOutput;
        GradInput = gradInput;
    }

    public PoolingGeometry Geometry { get; }

    /// <summary>The forward input <c>[N,C,H,W]</c>: each window's arg-max is found again from it.</summary>
    public ReadOnlySpan<T> Input { get; }

    /// <summary>The gradient with respect to the output, <c>[N,C,Hout,Wout]</c>.</summary>
    public ReadOnlySpan<T> GradOutput { get; }

    /// <summary>Receives the input gradient, <c>[N,C,H,W]</c>, overlapping no input.</summary>
    public Span<T> GradInput { get; }

    /// <summary>Validates the call: every check, before anything is written.</summary>
    /// <exception cref="ArgumentException">An argument is invalid.</exception>
    public static PoolingBackwardCall<T> Validate(ReadOnlyTensorSpan<T> input, ReadOnlyTensorSpan<T> gradOutput, TensorSpan<T> gradInput, Size2D kernel, Size2D padding, Size2D stride)
    {
        PoolingGeometry g = PoolingValidator.Validate(input.Lengths, kernel, padding, stride);
        PoolingCall<T>.RequireOutputShaped(gradOutput.Lengths, g, nameof(gradOutput), "the forward output's shape [N,C,Hout,Wout]");
        Shapes.RequireShape(gradInput.Lengths, g.InputShape, nameof(gradInput), "the input's shape");
        ReadOnlySpan<T> inputData = Shapes.Dense(input, nameof(input));
        ReadOnlySpan<T> gradOutputData = Shapes.Dense(gradOutput, nameof(gradOutput));
        Span<T> gradInputData = Shapes.Dense(gradInput, nameof(gradInput));
        Aliasing.RequireDisjoint(gradInputData, nameof(gradInput), inputData, gradOutputData, default);
        return new(g, inputData, gradOutputData, gradInputData);
    }
}
