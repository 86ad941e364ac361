using System.Numerics.Tensors;
using NNPackSharp.Geometry;

namespace NNPackSharp.Validation;

/// <summary>
/// One forward call after validation, built once per call: its geometry and the dense elements of its tensors.
/// Engines take only this, so they never see an unchecked argument.
/// </summary>
internal readonly ref struct ForwardCall<T>
{
    private ForwardCall(scoped in Conv2DGeometry geometry, ReadOnlySpan<T> input, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Span<T> output, Conv2DActivation activation)
    {
        Geometry = geometry;
        Activation = activation;
        Input = input;
        Weight = weight;
        Bias = bias;
        Output = output;
    }

    public Conv2DGeometry Geometry { get; }

    /// <summary>What the engine applies to the output as it writes it (fused ReLU, or nothing).</summary>
    public Conv2DActivation Activation { get; }

    /// <summary>The input <c>[N,Cin,H,W]</c>.</summary>
    public ReadOnlySpan<T> Input { get; }

    /// <summary>The weight <c>[Cout,Cin,kH,kW]</c>.</summary>
    public ReadOnlySpan<T> Weight { get; }

    /// <summary>One value per output channel; empty when the convolution has no bias.</summary>
    public ReadOnlySpan<T> Bias { get; }

    /// <summary>The output <c>[N,Cout,Hout,Wout]</c>, overlapping none of the inputs.</summary>
    public Span<T> Output { get; }

    /// <summary>Validates a call whose output the caller provides: every check, before anything is written.</summary>
    /// <exception cref="ArgumentException">An argument is invalid.</exception>
    public static ForwardCall<T> Validate(
        ReadOnlyTensorSpan<T> input, ReadOnlyTensorSpan<T> weight, ReadOnlyTensorSpan<T> bias, TensorSpan<T> output, Size2D padding, Size2D stride,
        Conv2DActivation activation = Conv2DActivation.Identity) =>
        Create(GeometryValidator.Validate(input.Lengths, weight.Lengths, padding, stride), input, weight, bias, output, outputIsNew: false, activation);

    /// <summary>
    /// Validates a call given its already validated geometry and an output the call itself just allocated with
    /// <see cref="Conv2DGeometry.OutputShape"/>: that output's shape, density and disjointness hold by construction.
    /// </summary>
    /// <exception cref="ArgumentException">The bias is invalid.</exception>
    public static ForwardCall<T> WithNewOutput(
        scoped in Conv2DGeometry geometry, ReadOnlyTensorSpan<T> input, ReadOnlyTensorSpan<T> weight, ReadOnlyTensorSpan<T> bias, TensorSpan<T> output) =>
        Create(geometry, input, weight, bias, output, outputIsNew: true, Conv2DActivation.Identity);

    private static ForwardCall<T> Create(
        scoped in Conv2DGeometry g, ReadOnlyTensorSpan<T> input, ReadOnlyTensorSpan<T> weight, ReadOnlyTensorSpan<T> bias, TensorSpan<T> output, bool outputIsNew, Conv2DActivation activation)
    {
        if (!Enum.IsDefined(activation))
        {
            throw new ArgumentOutOfRangeException("options", activation, $"unknown Conv2DActivation value {(int)activation}.");
        }

        bool hasBias = !Shapes.IsAbsent(bias);
        if (hasBias)
        {
            Shapes.RequireBiasShape(bias.Lengths, g.OutputChannels, nameof(bias));
        }

        if (!outputIsNew)
        {
            Shapes.RequireOutputShape(output.Lengths, g, nameof(output), "[N,Cout,Hout,Wout]");
        }

        ReadOnlySpan<T> inputData = Shapes.Dense(input, nameof(input));
        ReadOnlySpan<T> weightData = Shapes.Dense(weight, nameof(weight));
        ReadOnlySpan<T> biasData = hasBias ? Shapes.Dense(bias, nameof(bias)) : default;
        Span<T> outputData = Shapes.Dense(output, nameof(output));
        if (!outputIsNew)
        {
            Aliasing.RequireDisjoint(outputData, nameof(output), inputData, weightData, biasData);
        }

        return new ForwardCall<T>(g, inputData, weightData, biasData, outputData, activation);
    }
}
