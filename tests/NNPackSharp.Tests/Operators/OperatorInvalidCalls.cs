using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using static NNPackSharp.Tests.Support.TensorViews;

namespace NNPackSharp.Tests.Operators;

/// <summary>
/// Every invalid operator call the suite tries (fully connected, max pooling, activations), with the argument it must
/// name: the source of the README's table of invalid operator calls (<see cref="OperatorInvalidCallTests"/> runs
/// each on every engine and checks the README lists each). A call writes only into <see cref="Sentinels"/>.
/// </summary>
internal static class OperatorInvalidCalls
{
    private static readonly Type Argument = typeof(ArgumentException), OutOfRange = typeof(ArgumentOutOfRangeException);
    private static readonly Type Null = typeof(ArgumentNullException), NotSupported = typeof(NotSupportedException);

    // The valid calls the cases break: fully connected x [3,5], w [4,5], b [4] -> y [3,4]; max pooling x [2,3,6,6],
    // window (2,2), stride (2,2) -> [2,3,3,3]; ReLU on [2,3,4]; softmax on [3,7].
    private static readonly Tensor<float> X = Ones(3, 5), W = Ones(4, 5), B = Ones(4), Dy = Ones(3, 4);
    private static readonly Tensor<float> Image = Ones(2, 3, 6, 6), PooledGrad = Ones(2, 3, 3, 3), Cube = Ones(2, 3, 4), Scores = Ones(3, 7);
    private static readonly Size2D Two = new(2);

    /// <summary>One invalid call: what the README says of it, the argument and exception it gets, and the call itself.</summary>
    internal sealed record Case(string Description, string? ParamName, Type Exception, Action<Sentinels, OperatorEngine> Call, string? Mentions = null)
    {
        /// <summary>The README table's row for this case.</summary>
        public string ReadmeRow => $"| {Description} | {(ParamName is null ? "-" : $"`{ParamName}`")} | `{Exception.Name}` |";

        public override string ToString() => Description;
    }

    public static readonly Case[] All =
    [
        // FullyConnected.Forward and Inference.
        new("fully connected: input of rank 1", "input", Argument, (s, e) => Fc(s, e, input: Ones(5)), "rank 1"),
        new("fully connected: input of rank 3", "input", Argument, (s, e) => Fc(s, e, input: Ones(3, 5, 1)), "[3,5,1]"),
        new("fully connected: weight of rank 3", "weight", Argument, (s, e) => Fc(s, e, weight: Ones(4, 5, 1)), "[4,5,1]"),
        new("fully connected: weight with 0 output channels", "weight", Argument, (s, e) => Fc(s, e, weight: Ones(0, 5)), "[0,5]"),
        new("fully connected: weight with 0 input channels", "weight", Argument, (s, e) => Fc(s, e, weight: Ones(4, 0)), "[4,0]"),
        new("fully connected: `Cin` of input differs from weight", "input", Argument, (s, e) => Fc(s, e, input: Ones(3, 6)), "[3,6]"),
        new("fully connected: bias of the wrong length", "bias", Argument, (s, e) => Fc(s, e, bias: Ones(5)), "[5]"),
        new("fully connected: bias `[Cout,1]`", "bias", Argument, (s, e) => Fc(s, e, bias: Ones(4, 1)), "[4,1]"),
        new("fully connected: output of the wrong shape", "output", Argument, (s, e) => FcViews(s, e, output: View(s.Storage, 0, 3, 5)), "[3,5]"),
        new("fully connected: output missing (`default`)", "output", Argument, (s, e) => FullyConnected.Forward<float>(X, W, B, default(TensorSpan<float>), e), "[3,4]"),
        new("fully connected: non-dense input", "input", Argument, (s, e) => FcViews(s, e, input: NonDense(s.Storage, [3, 5])), "dense"),
        new("fully connected: non-dense weight", "weight", Argument, (s, e) => FcViews(s, e, weight: NonDense(s.Storage, [4, 5])), "dense"),
        new("fully connected: non-dense output", "output", Argument, (s, e) => FcViews(s, e, output: NonDense(s.Storage, [3, 4])), "dense"),
        new("fully connected: output overlapping the input", "output", Argument, (s, e) => FcViews(s, e, input: View(s.Storage, 0, 3, 5), output: View(s.Storage, 10, 3, 4)), "overlap"),
        new("fully connected: output overlapping the weight", "output", Argument, (s, e) => FcViews(s, e, weight: View(s.Storage, 0, 4, 5), output: View(s.Storage, 19, 3, 4)), "weight"),
        new("fully connected: output overlapping the bias", "output", Argument, (s, e) => FcViews(s, e, bias: View(s.Storage, 11, 4), output: View(s.Storage, 0, 3, 4)), "overlap"),
        new("fully connected: null input (`Forward`)", "input", Null, (_, e) => FullyConnected.Forward(null!, W, B, e)),
        new("fully connected: inference input of the wrong length", "input", Argument, (s, e) => FullyConnected.Inference<float>(new float[6], W, new float[4], s.Vector, e), "5"),
        new("fully connected: inference bias of the wrong length", "bias", Argument, (s, e) => FullyConnected.Inference<float>(new float[5], W, new float[3], s.Vector, e), "3"),
        new("fully connected: inference output of the wrong length", "output", Argument, (s, e) => FullyConnected.Inference<float>(new float[5], W, default, s.Storage.AsSpan(0, 5), e), "4"),
        new("fully connected: inference output overlapping the input", "output", Argument, (s, e) => FullyConnected.Inference<float>(s.Storage.AsSpan(0, 5), W, default, s.Storage.AsSpan(3, 4), e), "overlap"),
        new("fully connected: FP16 inference output overlapping the weight", "output", Argument, (s, e) => HalfOverlap(s, e), "weight"),
        new("fully connected: `Native` with `double`", null, NotSupported, (_, _) => FullyConnected.Forward(Tensor.Create(new double[15], [3, 5]), Tensor.Create(new double[20], [4, 5]), null, OperatorEngine.Native), "Double"),
        new("fully connected: unknown `OperatorEngine` value", "engine", OutOfRange, (s, _) => Fc(s, (OperatorEngine)9), "9"),

        // FullyConnected.Backward.
        new("fully connected backward: gradOutput of the wrong shape", "gradOutput", Argument, (s, e) => FcBackward(s, e, gradOutput: Ones(3, 5)), "[3,5]"),
        new("fully connected backward: gradInput of the wrong shape", "gradInput", Argument, (s, e) => FcBackwardViews(s, e, gradInput: View(s.Storage, 0, 5, 3)), "[5,3]"),
        new("fully connected backward: gradWeight of the wrong shape", "gradWeight", Argument, (s, e) => FcBackwardViews(s, e, gradWeight: View(s.Storage, 0, 5, 4)), "[5,4]"),
        new("fully connected backward: gradBias of the wrong length", "gradBias", Argument, (s, e) => FcBackwardViews(s, e, gradBias: View(s.Storage, 0, 3)), "[3]"),
        new("fully connected backward: non-dense gradOutput", "gradOutput", Argument, (s, e) => FcBackwardViews(s, e, gradOutput: NonDense(s.Storage, [3, 4])), "dense"),
        new("fully connected backward: gradInput overlapping gradOutput", "gradInput", Argument, (s, e) => FcBackwardViews(s, e, gradOutput: View(s.Storage, 0, 3, 4), gradInput: View(s.Storage, 11, 3, 5)), "overlap"),
        new("fully connected backward: gradWeight overlapping the input", "gradWeight", Argument, (s, e) => FcBackwardViews(s, e, input: View(s.Storage, 0, 3, 5), gradWeight: View(s.Storage, 14, 4, 5)), "overlap"),
        new("fully connected backward: gradBias overlapping gradWeight", "gradWeight", Argument, (s, e) => FcBackwardViews(s, e, gradWeight: View(s.Storage, 0, 4, 5), gradBias: View(s.Storage, 19, 4)), "overlap"),
        new("fully connected backward: bias of the wrong shape (`Backward`)", "bias", Argument, (_, e) => FullyConnected.Backward(X, W, Ones(3), Dy, e.Backward()), "[3]"),
        new("fully connected backward: null gradOutput (`Backward`)", "gradOutput", Null, (_, e) => FullyConnected.Backward(X, W, B, null!, e.Backward())),
        new("fully connected backward on the native engine (NNPACK has none)", null, NotSupported, (s, _) => FcBackward(s, OperatorEngine.Native), "backward"),

        // Pooling.MaxPool2D.
        new("max pooling: input of rank 3", "input", Argument, (s, e) => Pool(s, e, input: Ones(3, 6, 6)), "[3,6,6]"),
        new("max pooling: input with 0 channels", "input", Argument, (s, e) => Pool(s, e, input: Ones(2, 0, 6, 6)), "[2,0,6,6]"),
        new("max pooling: window 0", "kernel", OutOfRange, (s, e) => Pool(s, e, kernel: new(0, 2)), "(0,2)"),
        new("max pooling: negative window", "kernel", OutOfRange, (s, e) => Pool(s, e, kernel: new(2, -2)), "(2,-2)"),
        new("max pooling: stride 0", "stride", OutOfRange, (s, e) => Pool(s, e, stride: new(2, 0)), "(2,0)"),
        new("max pooling: negative padding", "padding", OutOfRange, (s, e) => Pool(s, e, padding: new(-1, 0)), "(-1,0)"),
        new("max pooling: window larger than the padded input", "kernel", Argument, (s, e) => Pool(s, e, kernel: new(9, 2), padding: new(1, 0)), "8x6"),
        new("max pooling: output of the wrong shape", "output", Argument, (s, e) => PoolViews(s, e, output: View(s.Storage, 0, 2, 3, 3, 2)), "[2,3,3,3]"),
        new("max pooling: non-dense input", "input", Argument, (s, e) => PoolViews(s, e, input: NonDense(s.Storage, [2, 3, 6, 6])), "dense"),
        new("max pooling: non-dense output", "output", Argument, (s, e) => PoolViews(s, e, output: NonDense(s.Storage, [2, 3, 3, 3])), "dense"),
        new("max pooling: output overlapping the input", "output", Argument, (s, e) => PoolViews(s, e, input: View(s.Storage, 0, 2, 3, 6, 6), output: View(s.Storage, 200, 2, 3, 3, 3)), "overlap"),
        new("max pooling: `MaxPool2DOutputShape` with a negative dimension", "input", Argument, (_, _) => Pooling.MaxPool2DOutputShape([1, 1, -4, 4], Two), "[1,1,-4,4]"),
        new("max pooling backward: gradOutput of the wrong shape", "gradOutput", Argument, (s, _) => Pooling.MaxPool2DBackward<float>(Image, Ones(2, 3, 3, 2), s.PoolGradInput, Two, default, Two), "[2,3,3,2]"),
        new("max pooling backward: gradInput of the wrong shape", "gradInput", Argument, (s, _) => Pooling.MaxPool2DBackward<float>(Image, PooledGrad, View(s.Storage, 0, 2, 3, 6, 5), Two, default, Two), "[2,3,6,5]"),
        new("max pooling backward: gradInput overlapping gradOutput", "gradInput", Argument, (s, _) => Pooling.MaxPool2DBackward<float>(Image, View(s.Storage, 0, 2, 3, 3, 3), View(s.Storage, 50, 2, 3, 6, 6), Two, default, Two), "overlap"),
        new("max pooling backward: gradInput overlapping the input", "gradInput", Argument, (s, _) => Pooling.MaxPool2DBackward<float>(View(s.Storage, 0, 2, 3, 6, 6), PooledGrad, View(s.Storage, 1, 2, 3, 6, 6), Two, default, Two), "overlap"),

        // Activations.
        new("ReLU: output of another shape", "output", Argument, (s, e) => Activations.Relu<float>(Cube, View(s.Storage, 0, 2, 4, 3), e), "[2,4,3]"),
        new("ReLU: output overlapping the input without being it", "output", Argument, (s, e) => Activations.Relu<float>(View(s.Storage, 0, 2, 3, 4), View(s.Storage, 1, 2, 3, 4), e), "in place"),
        new("ReLU: non-dense input", "input", Argument, (s, e) => Activations.Relu<float>(NonDense(s.Storage, [2, 3, 4]), s.Cube, e), "dense"),
        new("ReLU: input of rank 0", "input", Argument, (s, e) => Activations.Relu<float>(default(ReadOnlyTensorSpan<float>), default, e), "rank"),
        new("leaky ReLU: NaN slope", "negativeSlope", OutOfRange, (s, e) => Activations.LeakyRelu<float>(Cube, s.Cube, float.NaN, e), "finite"),
        new("leaky ReLU: infinite slope", "negativeSlope", OutOfRange, (s, e) => Activations.LeakyReluBackward<float>(Cube, Cube, s.Cube, float.PositiveInfinity, e), "finite"),
        new("leaky ReLU: negative slope on the native engine", null, NotSupported, (s, _) => Activations.LeakyRelu<float>(Cube, s.Cube, -0.5f, OperatorEngine.Native), "slope"),
        new("ReLU backward: gradOutput of another shape", "gradOutput", Argument, (s, e) => Activations.ReluBackward<float>(Ones(2, 4, 3), Cube, s.Cube, e), "[2,4,3]"),
        new("ReLU backward: gradInput of another shape", "gradInput", Argument, (s, e) => Activations.ReluBackward<float>(Cube, Cube, View(s.Storage, 0, 24), e), "[24]"),
        new("ReLU backward: gradInput overlapping the input", "gradInput", Argument, (s, e) => Activations.ReluBackward<float>(Cube, View(s.Storage, 0, 2, 3, 4), View(s.Storage, 0, 2, 3, 4), e), "input"),
        new("ReLU backward: gradInput overlapping gradOutput without being it", "gradInput", Argument, (s, e) => Activations.ReluBackward<float>(View(s.Storage, 0, 2, 3, 4), Cube, View(s.Storage, 4, 2, 3, 4), e), "in place"),
        new("ReLU: `Native` with `Half`", null, NotSupported, (_, _) => Activations.Relu(Tensor.Create(new Half[4], [4]), OperatorEngine.Native), "Half"),
        new("ReLU: unknown `OperatorEngine` value", "engine", OutOfRange, (s, _) => Activations.Relu<float>(Cube, s.Cube, (OperatorEngine)(-1)), "-1"),
        new("softmax: input of rank 3", "input", Argument, (s, e) => Activations.Softmax<float>(Cube, s.Cube, e), "[2,3,4]"),
        new("softmax: input with 0 classes", "input", Argument, (s, e) => Activations.Softmax<float>(Ones(3, 0), View(s.Storage, 0, 3, 0), e), "[3,0]"),
        new("softmax: output of another shape", "output", Argument, (s, e) => Activations.Softmax<float>(Scores, View(s.Storage, 0, 7, 3), e), "[7,3]"),
        new("softmax backward: output of rank 1", "output", Argument, (s, _) => Activations.SoftmaxBackward<float>(Ones(21), Ones(21), View(s.Storage, 0, 21)), "rank 1"),
        new("softmax backward: gradOutput of another shape", "gradOutput", Argument, (s, _) => Activations.SoftmaxBackward<float>(Scores, Ones(3, 6), s.Scores), "[3,6]"),
        new("softmax backward: gradInput overlapping the output", "gradInput", Argument, (s, _) => Activations.SoftmaxBackward<float>(View(s.Storage, 0, 3, 7), Scores, View(s.Storage, 20, 3, 7)), "output"),
    ];

    /// <summary>The destinations and spare memory one case may write to, all NaN: an invalid call must leave them so.</summary>
    internal sealed class Sentinels
    {
        public Tensor<float> FcOutput { get; } = Filled(float.NaN, 3, 4);

        public Tensor<float> FcGradInput { get; } = Filled(float.NaN, 3, 5);

        public Tensor<float> FcGradWeight { get; } = Filled(float.NaN, 4, 5);

        public Tensor<float> FcGradBias { get; } = Filled(float.NaN, 4);

        public float[] Vector { get; } = [.. Enumerable.Repeat(float.NaN, 4)];

        public Tensor<float> Pooled { get; } = Filled(float.NaN, 2, 3, 3, 3);

        public Tensor<float> PoolGradInput { get; } = Filled(float.NaN, 2, 3, 6, 6);

        public Tensor<float> Cube { get; } = Filled(float.NaN, 2, 3, 4);

        public Tensor<float> Scores { get; } = Filled(float.NaN, 3, 7);

        /// <summary>Memory for views: strided, overlapping, or of a wrong shape.</summary>
        public float[] Storage { get; } = [.. Enumerable.Repeat(float.NaN, 600)];

        /// <summary>Says which destination was written, or null when none was.</summary>
        public string? Written()
        {
            foreach (var (name, tensor) in new[]
            {
                ("FcOutput", FcOutput), ("FcGradInput", FcGradInput), ("FcGradWeight", FcGradWeight), ("FcGradBias", FcGradBias), ("Pooled", Pooled),
                ("PoolGradInput", PoolGradInput), ("Cube", Cube), ("Scores", Scores),
            })
            {
                var flat = new float[tensor.FlattenedLength];
                tensor.FlattenTo(flat);
                if (!flat.All(float.IsNaN))
                {
                    return name;
                }
            }

            return Vector.All(float.IsNaN) && Storage.All(float.IsNaN) ? null : "spare memory";
        }
    }

    /// <summary>The engine a backward case runs on: NNPACK has no fully connected backward, so Native is its own case.</summary>
    private static OperatorEngine Backward(this OperatorEngine engine) => engine == OperatorEngine.Native ? OperatorEngine.Fastest : engine;

    private static void Fc(Sentinels s, OperatorEngine engine, Tensor<float>? input = null, Tensor<float>? weight = null, Tensor<float>? bias = null) =>
        FullyConnected.Forward<float>(input ?? X, weight ?? W, bias ?? B, s.FcOutput, engine);

    // Views in place of the valid call's tensors; a view left out (rank 0) is the valid call's own.
    private static void FcViews(
        Sentinels s, OperatorEngine engine, ReadOnlyTensorSpan<float> input = default, ReadOnlyTensorSpan<float> weight = default,
        ReadOnlyTensorSpan<float> bias = default, TensorSpan<float> output = default) =>
        FullyConnected.Forward<float>(Or(input, X), Or(weight, W), Or(bias, B), output.Rank == 0 ? s.FcOutput : output, engine);

    private static void FcBackward(Sentinels s, OperatorEngine engine, Tensor<float>? gradOutput = null) =>
        FullyConnected.Backward<float>(X, W, gradOutput ?? Dy, s.FcGradInput, s.FcGradWeight, s.FcGradBias, engine);

    private static void FcBackwardViews(
        Sentinels s, OperatorEngine engine, ReadOnlyTensorSpan<float> input = default, ReadOnlyTensorSpan<float> gradOutput = default,
        TensorSpan<float> gradInput = default, TensorSpan<float> gradWeight = default, TensorSpan<float> gradBias = default) =>
        FullyConnected.Backward<float>(
            Or(input, X), W, Or(gradOutput, Dy), gradInput.Rank == 0 ? s.FcGradInput : gradInput, gradWeight.Rank == 0 ? s.FcGradWeight : gradWeight,
            gradBias.Rank == 0 ? s.FcGradBias : gradBias, engine.Backward());

    private static void Pool(Sentinels s, OperatorEngine engine, Tensor<float>? input = null, Size2D? kernel = null, Size2D padding = default, Size2D? stride = null) =>
        Pooling.MaxPool2D<float>(input ?? Image, s.Pooled, kernel ?? Two, padding, stride ?? Two, engine);

    private static void PoolViews(Sentinels s, OperatorEngine engine, ReadOnlyTensorSpan<float> input = default, TensorSpan<float> output = default) =>
        Pooling.MaxPool2D<float>(Or(input, Image), output.Rank == 0 ? s.Pooled : output, Two, default, Two, engine);

    // A float output laid over the FP16 weight's own memory.
    private static void HalfOverlap(Sentinels s, OperatorEngine engine)
    {
        Half[] weight = [.. Enumerable.Repeat(Half.One, 20)];
        Span<float> output = MemoryMarshal.Cast<Half, float>(weight.AsSpan()).Slice(2, 4);
        FullyConnected.Inference(new float[5], new ReadOnlyTensorSpan<Half>(weight, [4, 5], []), default, output, engine);
    }

    private static ReadOnlyTensorSpan<float> Or(ReadOnlyTensorSpan<float> view, Tensor<float> valid) => view.Rank == 0 ? valid : view;
}
