namespace NNPackSharp.Bench.Protocol;

/// <summary>What an operator row times: the operation and, where it has two, its direction.</summary>
internal enum OperatorKind
{
    /// <summary>FullyConnected.Forward on a batch.</summary>
    LinearForward,

    /// <summary>FullyConnected.Backward: the input, weight and bias gradients.</summary>
    LinearBackward,

    /// <summary>FullyConnected.Inference: one vector.</summary>
    LinearInference,

    /// <summary>FullyConnected.Inference with FP16 weights: one float vector, float output.</summary>
    LinearInferenceFp16,

    /// <summary>Pooling.MaxPool2D.</summary>
    MaxPool,

    /// <summary>Activations.Relu.</summary>
    Relu,

    /// <summary>Activations.ReluBackward: the input gradient.</summary>
    ReluBackward,

    /// <summary>Activations.Softmax along the rows of a matrix.</summary>
    Softmax,

    /// <summary>Convolution.Conv2D (3x3, padding 1) with the ReLU fused (Conv2DOptions.Activation).</summary>
    ConvRelu,
}

/// <summary>
/// One row of the operators table: an operation on a shape. <paramref name="Shape"/> is the input's
/// (<c>[N,Cin]</c> for a linear batch, <c>[Cin]</c> for one vector, <c>[N,C,H,W]</c> for pooling and convolution, any
/// shape for the activations, <c>[N,C]</c> for softmax); <paramref name="Outputs"/> is a linear layer's or a
/// convolution's output channels; <paramref name="Window"/> and <paramref name="Stride"/> a pooling's.
/// </summary>
internal sealed record OperatorCase(string Name, OperatorKind Kind, nint[] Shape, int Outputs = 0, int Window = 0, int Stride = 0)
{
    /// <summary>The table at the issue's sizes: ImageNet-like layers, a 4096-wide classifier, a 1000-class softmax.</summary>
    public static IReadOnlyList<OperatorCase> Full { get; } = Cases(batch: 64, features: 4096, pooling: [32, 64, 56, 56], softmax: [128, 1000], conv: [8, 64, 56, 56]);

    /// <summary>Tiny sizes for a smoke run of the machinery: not a measurement.</summary>
    public static IReadOnlyList<OperatorCase> Tiny { get; } = Cases(batch: 4, features: 64, pooling: [2, 4, 12, 12], softmax: [4, 10], conv: [1, 4, 8, 8]);

    /// <summary>Elements of the input.</summary>
    public long InputLength => Shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>Whether the row's figure is GFLOP/s (the linear layers' and the convolution's) or GB/s (the rest: memory-bound).</summary>
    public bool CountsFlops => Kind is OperatorKind.LinearForward or OperatorKind.LinearBackward or OperatorKind.ConvRelu;

    /// <summary>
    /// The work of one call: floating-point operations (2 per multiply-add; the backward's two products) where
    /// <see cref="CountsFlops"/>, else the bytes an ideal implementation moves (each operand read once, each result
    /// written once; for the single-vector rows, the weights, which dominate).
    /// </summary>
    public double Work => Kind switch
    {
        OperatorKind.LinearForward => 2.0 * InputLength * Outputs,
        OperatorKind.LinearBackward => 4.0 * InputLength * Outputs,
        OperatorKind.LinearInference => 4.0 * InputLength * Outputs,
        OperatorKind.LinearInferenceFp16 => 2.0 * InputLength * Outputs,
        OperatorKind.MaxPool => 4.0 * (InputLength + PoolOutputShape.Aggregate(1L, (a, b) => a * b)),
        OperatorKind.ReluBackward => 4.0 * 3 * InputLength,
        OperatorKind.ConvRelu => 2.0 * Shape[0] * Outputs * Shape[2] * Shape[3] * Shape[1] * 9,
        _ => 4.0 * 2 * InputLength,
    };

    public string Unit => CountsFlops ? "GFLOP/s" : "GB/s";

    /// <summary>The max pooling's output, as the library computes it (Arraymancer's floor rule).</summary>
    public nint[] PoolOutputShape => Pooling.MaxPool2DOutputShape(Shape, new Size2D(Window), default, new Size2D(Stride));

    /// <summary>The shape in one line, for the report's list.</summary>
    public string Describe() => Kind switch
    {
        OperatorKind.LinearForward or OperatorKind.LinearBackward => $"[{Shape[0]},{Shape[1]}] x [{Outputs},{Shape[1]}]^T + bias",
        OperatorKind.LinearInference => $"[{Shape[0]}] x [{Outputs},{Shape[0]}]^T + bias (float weights)",
        OperatorKind.LinearInferenceFp16 => $"[{Shape[0]}] x [{Outputs},{Shape[0]}]^T + bias (FP16 weights, float input and output)",
        OperatorKind.MaxPool => $"[{string.Join(",", Shape)}], {Window}x{Window} window, stride {Stride}, no padding",
        OperatorKind.ConvRelu => $"[{string.Join(",", Shape)}] * [{Outputs},{Shape[1]},3,3], padding 1, bias, fused ReLU",
        _ => $"[{string.Join(",", Shape)}]",
    };

    private static OperatorCase[] Cases(int batch, int features, nint[] pooling, nint[] softmax, nint[] conv) =>
    [
        new($"linear {batch}x{features}->{features}", OperatorKind.LinearForward, [batch, features], features),
        new($"linear backward {batch}x{features}->{features}", OperatorKind.LinearBackward, [batch, features], features),
        new($"linear 1 vector {features}->{features}", OperatorKind.LinearInference, [features], features),
        new($"linear 1 vector FP16 weights {features}->{features}", OperatorKind.LinearInferenceFp16, [features], features),
        new("max pool 2x2/2", OperatorKind.MaxPool, pooling, Window: 2, Stride: 2),
        new("max pool 3x3/2", OperatorKind.MaxPool, pooling, Window: 3, Stride: 2),
        new("ReLU", OperatorKind.Relu, pooling),
        new("ReLU backward", OperatorKind.ReluBackward, pooling),
        new("softmax", OperatorKind.Softmax, softmax),
        new("conv 3x3 + ReLU", OperatorKind.ConvRelu, conv, (int)conv[1]),
    ];
}
