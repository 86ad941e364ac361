using System.Numerics.Tensors;
using NNPackSharp.Geometry;

namespace NNPackSharp.Validation;

/// <summary>
/// One backward call after validation, built once per call: its geometry and the dense elements of its tensors.
/// A gradient destination that is empty is not computed (the caller passed <c>default</c>, or there is nothing to write).
/// </summary>
internal readonly ref struct BackwardCall<T>
{
    private readonly BackwardTensors<T> tensors;

    private BackwardCall(scoped in Conv2DGeometry geometry, BackwardTensors<T> tensors)
    {
        Geometry = geometry;
        this.tensors = tensors;
    }

    public Conv2DGeometry Geometry { get; }

    /// <summary>The forward input <c>[N,Cin,H,W]</c>.</summary>
    public ReadOnlySpan<T> Input => tensors.Input;

    /// <summary>The weight <c>[Cout,Cin,kH,kW]</c>.</summary>
    public ReadOnlySpan<T> Weight => tensors.Weight;

    /// <summary>The gradient with respect to the output, <c>[N,Cout,Hout,Wout]</c>.</summary>
    public ReadOnlySpan<T> GradOutput => tensors.GradOutput;

    /// <summary>Receives the input gradient; empty to skip it.</summary>
    public Span<T> GradInput => tensors.GradInput;

    /// <summary>Receives the weight gradient; empty to skip it.</summary>
    public Span<T> GradWeight => tensors.GradWeight;

    /// <summary>Receives the bias gradient, one value per output channel; empty when the convolution has no bias.</summary>
    public Span<T> GradBias => tensors.GradBias;

    /// <summary>Validates a call whose gradient destinations the caller provides: every check, before anything is written.</summary>
    /// <exception cref="ArgumentException">An argument is invalid.</exception>
    public static BackwardCall<T> Validate(
        ReadOnlyTensorSpan<T> input, ReadOnlyTensorSpan<T> weight, ReadOnlyTensorSpan<T> gradOutput,
        TensorSpan<T> gradInput, TensorSpan<T> gradWeight, TensorSpan<T> gradBias, Size2D padding, Size2D stride)
    {
        Conv2DGeometry g = GeometryValidator.Validate(input.Lengths, weight.Lengths, padding, stride);
        Shapes.RequireOutputShape(gradOutput.Lengths, g, nameof(gradOutput), "the forward output's shape [N,Cout,Hout,Wout]");
        if (!Shapes.IsAbsent<T>(gradInput))
        {
            Shapes.RequireShape(gradInput.Lengths, g.InputShape, nameof(gradInput), "the input's shape");
        }

        if (!Shapes.IsAbsent<T>(gradWeight))
        {
            Shapes.RequireShape(gradWeight.Lengths, g.WeightShape, nameof(gradWeight), "the weight's shape");
        }

        bool hasBias = !Shapes.IsAbsent<T>(gradBias);
        if (hasBias)
        {
            Shapes.RequireBiasShape(gradBias.Lengths, g.OutputChannels, nameof(gradBias));
        }

        return new BackwardCall<T>(g, BackwardTensors<T>.DenseAndDisjoint(input, weight, gradOutput, gradInput, gradWeight, gradBias, hasBias));
    }

    /// <summary>
    /// Validates a call given its already validated geometry and gradient tensors the call itself just allocated
    /// from it (the bias gradient with the bias's checked shape): their shapes, density and disjointness hold by construction.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="gradOutput"/> is invalid.</exception>
    public static BackwardCall<T> WithNewGradients(
        scoped in Conv2DGeometry g, ReadOnlyTensorSpan<T> input, ReadOnlyTensorSpan<T> weight, ReadOnlyTensorSpan<T> gradOutput,
        TensorSpan<T> gradInput, TensorSpan<T> gradWeight, TensorSpan<T> gradBias)
    {
        Shapes.RequireOutputShape(gradOutput.Lengths, g, nameof(gradOutput), "the forward output's shape [N,Cout,Hout,Wout]");
        return new BackwardCall<T>(g, new BackwardTensors<T>(
            Shapes.Dense(input, nameof(input)), Shapes.Dense(weight, nameof(weight)), Shapes.Dense(gradOutput, nameof(gradOutput)),
            Shapes.Dense(gradInput, nameof(gradInput)), Shapes.Dense(gradWeight, nameof(gradWeight)), Shapes.Dense(gradBias, nameof(gradBias))));
    }
}
