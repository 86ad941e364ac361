using System.Numerics.Tensors;

namespace NNPackSharp.Tests.Api;

/// <summary>
/// Every invalid call the suite tries, with the argument it must name and the exception it must throw: the source
/// of the README's table of invalid calls (<see cref="InvalidCallTests"/> runs each on every engine and checks the
/// README lists each). A call writes only into <see cref="Sentinels"/>, which must come back untouched.
/// </summary>
internal static unsafe class InvalidCalls
{
    private const int Max = int.MaxValue;
    private static readonly Type Argument = typeof(ArgumentException), OutOfRange = typeof(ArgumentOutOfRangeException);
    private static readonly Type Null = typeof(ArgumentNullException), NotSupported = typeof(NotSupportedException);

    // The valid call every case breaks in one place: x [2,3,5,5], w [4,3,3,3], b [4,1,1] -> y [2,4,3,3].
    private static readonly Tensor<float> X = Ones(2, 3, 5, 5), W = Ones(4, 3, 3, 3), B = Ones(4, 1, 1), Dy = Ones(2, 4, 3, 3);

    /// <summary>One invalid call: what the README says of it, the argument and exception it gets, and the call itself.</summary>
    internal sealed record Case(string Description, string? ParamName, Type Exception, Action<Sentinels, Conv2DAlgorithm> Call, string? Mentions = null)
    {
        /// <summary>The README table's row for this case.</summary>
        public string ReadmeRow => $"| {Description} | {(ParamName is null ? "-" : $"`{ParamName}`")} | `{Exception.Name}` |";

        public override string ToString() => Description;
    }

    public static readonly Case[] All =
    [
        // Shapes of the inputs (forward).
        new("input of rank 3", "input", Argument, (s, a) => Forward(s, a, input: Ones(3, 5, 5)), "[3,5,5]"),
        new("input of rank 5", "input", Argument, (s, a) => Forward(s, a, input: Ones(1, 2, 3, 5, 5)), "rank 5"),
        new("weight of rank 2", "weight", Argument, (s, a) => Forward(s, a, weight: Ones(4, 27)), "[4,27]"),
        new("weight of rank 5", "weight", Argument, (s, a) => Forward(s, a, weight: Ones(1, 4, 3, 3, 3)), "rank 5"),
        new("input with 0 channels", "input", Argument, (s, a) => Forward(s, a, input: Ones(2, 0, 5, 5)), "[2,0,5,5]"),
        new("input with height 0", "input", Argument, (s, a) => Forward(s, a, input: Ones(2, 3, 0, 5)), "[2,3,0,5]"),
        new("input with width 0", "input", Argument, (s, a) => Forward(s, a, input: Ones(2, 3, 5, 0)), "[2,3,5,0]"),
        new("weight with 0 output channels", "weight", Argument, (s, a) => Forward(s, a, weight: Ones(0, 3, 3, 3)), "[0,3,3,3]"),
        new("weight with 0 input channels", "weight", Argument, (s, a) => Forward(s, a, weight: Ones(4, 0, 3, 3)), "[4,0,3,3]"),
        new("weight with kernel height 0", "weight", Argument, (s, a) => Forward(s, a, weight: Ones(4, 3, 0, 3)), "[4,3,0,3]"),
        new("weight with kernel width 0", "weight", Argument, (s, a) => Forward(s, a, weight: Ones(4, 3, 3, 0)), "[4,3,3,0]"),
        new("`Cin` of weight differs from input", "weight", Argument, (s, a) => Forward(s, a, weight: Ones(4, 2, 3, 3)), "[4,2,3,3]"),
        new("bias of the wrong length `[Cout+1,1,1]`", "bias", Argument, (s, a) => Forward(s, a, bias: Ones(5, 1, 1)), "[5,1,1]"),
        new("bias of rank 2 `[Cout,1]`", "bias", Argument, (s, a) => Forward(s, a, bias: Ones(4, 1)), "[4,1]"),
        new("bias `[Cout,1,2]`", "bias", Argument, (s, a) => Forward(s, a, bias: Ones(4, 1, 2)), "[4,1,2]"),
        new("bias of rank 4 `[1,Cout,1,1]`", "bias", Argument, (s, a) => Forward(s, a, bias: Ones(1, 4, 1, 1)), "[1,4,1,1]"),

        // Padding and stride.
        new("stride 0 on the height", "stride", OutOfRange, (s, a) => Forward(s, a, stride: new(0, 1)), "(0,1)"),
        new("stride 0 on the width", "stride", OutOfRange, (s, a) => Forward(s, a, stride: new(1, 0)), "(1,0)"),
        new("negative stride", "stride", OutOfRange, (s, a) => Forward(s, a, stride: new(-1, -1)), "(-1,-1)"),
        new("stride `int.MinValue`", "stride", OutOfRange, (s, a) => Forward(s, a, stride: new(int.MinValue, 1))),
        new("negative padding on the height", "padding", OutOfRange, (s, a) => Forward(s, a, padding: new(-1, 0)), "(-1,0)"),
        new("negative padding on the width", "padding", OutOfRange, (s, a) => Forward(s, a, padding: new(1, -1)), "(1,-1)"),
        new("padding `int.MinValue`", "padding", OutOfRange, (s, a) => Forward(s, a, padding: new(int.MinValue, int.MinValue))),
        new("kernel taller than the padded input", "weight", Argument, (s, a) => Forward(s, a, weight: Ones(4, 3, 6, 3)), "6x3"),
        new("kernel wider than the padded input", "weight", Argument, (s, a) => Forward(s, a, weight: Ones(4, 3, 3, 8), padding: new(0, 1)), "3x8"),
        new("padding `int.MaxValue` with stride 1: an output of more than `Array.MaxLength` elements", "output", Argument, (s, a) => Forward(s, a, padding: new(Max, 0)), "[2,4,"),

        // Sizes past what .NET addresses.
        new("im2col buffer of one image with more than `Array.MaxLength` elements", "the im2col buffer of one image", Argument, (s, a) => HugeInput(s, a, 40000), "im2col"),
        new("input with more than `Array.MaxLength` elements", "input", Argument, (s, a) => HugeInput(s, a, 50000), "50000"),
        new("`Conv2DOutputShape` with a dimension past `Array.MaxLength` and padding (no overflow in the padded extent)", "input", Argument, (_, _) => Convolution.Conv2DOutputShape([1, 1, nint.MaxValue, 1], [1, 1, 1, 1], new Size2D(1)), "input"),
        new("`Conv2DOutputShape` with a negative dimension", "input", Argument, (_, _) => Convolution.Conv2DOutputShape([1, 1, -5, 5], [1, 1, 1, 1]), "[1,1,-5,5]"),
        new("`Conv2DOutputShape` with padding `int.MaxValue` and stride 1 on both axes", "output", Argument, (_, _) => Convolution.Conv2DOutputShape([1, 1, 1, 1], [1, 1, 1, 1], new Size2D(Max)), "output"),

        // The output (forward).
        new("output with the wrong height", "output", Argument, (s, a) => ForwardViews(s, a, output: new TensorSpan<float>(s.Storage.AsSpan(0, 96), [2, 4, 4, 3], [])), "[2,4,3,3]"),
        new("output with the wrong batch", "output", Argument, (s, a) => ForwardViews(s, a, output: new TensorSpan<float>(s.Storage.AsSpan(0, 108), [3, 4, 3, 3], [])), "[3,4,3,3]"),
        new("output with the wrong channel count", "output", Argument, (s, a) => ForwardViews(s, a, output: new TensorSpan<float>(s.Storage.AsSpan(0, 90), [2, 5, 3, 3], [])), "[2,5,3,3]"),
        new("output of rank 3", "output", Argument, (s, a) => ForwardViews(s, a, output: new TensorSpan<float>(s.Storage.AsSpan(0, 72), [8, 3, 3], [])), "[8,3,3]"),
        new("output missing (`default`)", "output", Argument, (s, a) => Convolution.Conv2D<float>(X, W, B, default(TensorSpan<float>), algorithm: a), "[2,4,3,3]"),

        // Dense memory.
        new("non-dense input", "input", Argument, (s, a) => ForwardViews(s, a, input: NonDense(s, [2, 3, 5, 5])), "dense"),
        new("non-dense weight", "weight", Argument, (s, a) => ForwardViews(s, a, weight: NonDense(s, [4, 3, 3, 3])), "dense"),
        new("non-dense bias", "bias", Argument, (s, a) => ForwardViews(s, a, bias: NonDense(s, [4])), "dense"),
        new("non-dense output", "output", Argument, (s, a) => ForwardViews(s, a, output: NonDense(s, [2, 4, 3, 3])), "dense"),
        new("broadcast input (stride 0)", "input", Argument, (s, a) => ForwardViews(s, a, input: new ReadOnlyTensorSpan<float>(s.Storage.AsSpan(0, 75), [2, 3, 5, 5], [0, 25, 5, 1])), "dense"),

        // Overlapping memory (forward).
        new("output overlapping the input", "output", Argument, (s, a) => ForwardViews(s, a, input: View(s, 0, 2, 3, 5, 5), output: View(s, 100, 2, 4, 3, 3)), "overlap"),
        new("output overlapping the weight", "output", Argument, (s, a) => ForwardViews(s, a, weight: View(s, 0, 4, 3, 3, 3), output: View(s, 50, 2, 4, 3, 3)), "overlap"),
        new("output overlapping the bias", "output", Argument, (s, a) => ForwardViews(s, a, bias: View(s, 71, 4, 1, 1), output: View(s, 0, 2, 4, 3, 3)), "overlap"),

        // The algorithm and the element type.
        new("unknown `Conv2DAlgorithm` value", "algorithm", OutOfRange, (s, _) => Forward(s, (Conv2DAlgorithm)42, X), "42"),
        new("negative `Conv2DAlgorithm` value", "algorithm", OutOfRange, (s, _) => Forward(s, (Conv2DAlgorithm)(-1), X), "-1"),
        new("`NNPackAuto` with `double`", null, NotSupported, (_, _) => Convolution.Conv2D(Tensor.Create(new double[75], [1, 3, 5, 5]), Tensor.Create(new double[27], [1, 3, 3, 3]), algorithm: Conv2DAlgorithm.NNPackAuto), "Double"),
        new("`NNPackAuto` with `Half`", null, NotSupported, (_, _) => Convolution.Conv2D(Tensor.Create(new Half[75], [1, 3, 5, 5]), Tensor.Create(new Half[27], [1, 3, 3, 3]), algorithm: Conv2DAlgorithm.NNPackAuto), "Half"),
        new("`NNPackAuto` with `double` and an input of rank 3: the argument is reported first", "input", Argument, (_, _) => Convolution.Conv2D(Tensor.Create(new double[75], [3, 5, 5]), Tensor.Create(new double[27], [1, 3, 3, 3]), algorithm: Conv2DAlgorithm.NNPackAuto), "[3,5,5]"),

        // Backward: shapes of gradOutput and the destinations.
        new("gradOutput with the wrong height", "gradOutput", Argument, (s, a) => Backward(s, a, gradOutput: Ones(2, 4, 4, 3)), "[2,4,4,3]"),
        new("gradOutput with the wrong batch", "gradOutput", Argument, (s, a) => Backward(s, a, gradOutput: Ones(1, 4, 3, 3)), "[1,4,3,3]"),
        new("gradOutput of rank 3", "gradOutput", Argument, (s, a) => Backward(s, a, gradOutput: Ones(8, 3, 3)), "[8,3,3]"),
        new("gradOutput missing (`default`)", "gradOutput", Argument, (s, a) => Convolution.Conv2DBackward<float>(X, W, default, s.GradInput, s.GradWeight, s.GradBias, algorithm: a), "[2,4,3,3]"),
        new("gradInput of the wrong shape", "gradInput", Argument, (s, a) => BackwardViews(s, a, gradInput: View(s, 0, 2, 3, 5, 4)), "[2,3,5,4]"),
        new("gradInput of rank 3", "gradInput", Argument, (s, a) => BackwardViews(s, a, gradInput: View(s, 0, 6, 5, 5)), "[6,5,5]"),
        new("gradWeight of the wrong shape", "gradWeight", Argument, (s, a) => BackwardViews(s, a, gradWeight: View(s, 0, 4, 3, 3, 2)), "[4,3,3,2]"),
        new("gradBias of the wrong length", "gradBias", Argument, (s, a) => BackwardViews(s, a, gradBias: View(s, 0, 3)), "[3]"),
        new("gradBias of rank 2", "gradBias", Argument, (s, a) => BackwardViews(s, a, gradBias: View(s, 0, 4, 1)), "[4,1]"),
        new("backward with stride 0", "stride", OutOfRange, (s, a) => Backward(s, a, stride: new(0, 0)), "(0,0)"),
        new("backward with `Cin` of weight differing from input", "weight", Argument, (s, a) => Backward(s, a, weight: Ones(4, 2, 3, 3)), "[4,2,3,3]"),
        new("backward with an unknown `Conv2DAlgorithm` value", "algorithm", OutOfRange, (s, _) => Backward(s, (Conv2DAlgorithm)7, W), "7"),

        // Backward: dense and disjoint memory.
        new("non-dense gradOutput", "gradOutput", Argument, (s, a) => BackwardViews(s, a, gradOutput: NonDense(s, [2, 4, 3, 3])), "dense"),
        new("non-dense gradInput", "gradInput", Argument, (s, a) => BackwardViews(s, a, gradInput: NonDense(s, [2, 3, 5, 5])), "dense"),
        new("non-dense gradWeight", "gradWeight", Argument, (s, a) => BackwardViews(s, a, gradWeight: NonDense(s, [4, 3, 3, 3])), "dense"),
        new("non-dense gradBias", "gradBias", Argument, (s, a) => BackwardViews(s, a, gradBias: NonDense(s, [4])), "dense"),
        new("gradInput overlapping gradOutput", "gradInput", Argument, (s, a) => BackwardViews(s, a, gradOutput: View(s, 0, 2, 4, 3, 3), gradInput: View(s, 10, 2, 3, 5, 5)), "overlap"),
        new("gradInput overlapping the input", "gradInput", Argument, (s, a) => BackwardViews(s, a, input: View(s, 0, 2, 3, 5, 5), gradInput: View(s, 149, 2, 3, 5, 5)), "overlap"),
        new("gradInput overlapping gradWeight", "gradInput", Argument, (s, a) => BackwardViews(s, a, gradInput: View(s, 0, 2, 3, 5, 5), gradWeight: View(s, 140, 4, 3, 3, 3)), "overlap"),
        new("gradWeight overlapping the weight", "gradWeight", Argument, (s, a) => BackwardViews(s, a, weight: View(s, 0, 4, 3, 3, 3), gradWeight: View(s, 100, 4, 3, 3, 3)), "overlap"),
        new("gradWeight overlapping gradBias", "gradWeight", Argument, (s, a) => BackwardViews(s, a, gradWeight: View(s, 0, 4, 3, 3, 3), gradBias: View(s, 107, 4)), "overlap"),
        new("gradBias overlapping gradOutput", "gradBias", Argument, (s, a) => BackwardViews(s, a, gradOutput: View(s, 0, 2, 4, 3, 3), gradBias: View(s, 70, 4)), "overlap"),

        // The convenience overloads and settings.
        new("null input (`Conv2D`)", "input", Null, (_, a) => Convolution.Conv2D(null!, W, algorithm: a)),
        new("null weight (`Conv2D`)", "weight", Null, (_, a) => Convolution.Conv2D(X, null!, algorithm: a)),
        new("null input (`Conv2DBackward`)", "input", Null, (_, a) => Convolution.Conv2DBackward(null!, W, B, Dy, algorithm: a)),
        new("null weight (`Conv2DBackward`)", "weight", Null, (_, a) => Convolution.Conv2DBackward(X, null!, B, Dy, algorithm: a)),
        new("null gradOutput (`Conv2DBackward`)", "gradOutput", Null, (_, a) => Convolution.Conv2DBackward(X, W, B, null!, algorithm: a)),
        new("bias of the wrong shape (`Conv2DBackward`)", "bias", Argument, (_, a) => Convolution.Conv2DBackward(X, W, Ones(5), Dy, algorithm: a), "[5]"),
        new("gradOutput of the wrong shape (`Conv2DBackward`)", "gradOutput", Argument, (_, a) => Convolution.Conv2DBackward(X, W, B, Ones(2, 4, 3, 4), algorithm: a), "[2,4,3,4]"),
        new("`MaxDegreeOfParallelism` 0", "value", OutOfRange, (_, _) => Convolution.MaxDegreeOfParallelism = 0, "0"),
        new("`MaxDegreeOfParallelism` `int.MinValue`", "value", OutOfRange, (_, _) => Convolution.MaxDegreeOfParallelism = int.MinValue),

        // Per-call options.
        new("`Conv2DOptions.NativeAlgorithm` pinned while `Conv2DOptions.Algorithm` runs the managed engine", "options", Argument,
            (s, _) => ForwardWith(s, new Conv2DOptions(Conv2DAlgorithm.Im2ColGemm, NNPackConvolutionAlgorithm.ImplicitGemm)), "runs Im2ColGemm"),
        new("`Conv2DOptions.MaxDegreeOfParallelism` negative", "options", OutOfRange, (s, a) => ForwardWith(s, new Conv2DOptions(a, MaxDegreeOfParallelism: -1)), "-1"),
        new("unknown `Conv2DOptions.NativeAlgorithm` value", "options", OutOfRange, (s, a) => ForwardWith(s, new Conv2DOptions(a, (NNPackConvolutionAlgorithm)42)), "42"),
        new("`Conv2DOptions.Activation` `Relu` in a backward call", "options", Argument,
            (s, a) => Convolution.Conv2DBackward<float>(X, W, Dy, s.GradInput, s.GradWeight, s.GradBias, default, Size2D.One, new Conv2DOptions(a) { Activation = Conv2DActivation.Relu }), "forward pass only"),
        new("unknown `Conv2DOptions.Activation` value", "options", OutOfRange, (s, a) => ForwardWith(s, new Conv2DOptions(a) { Activation = (Conv2DActivation)7 }), "7"),
        new("`Conv2DOptions.NativeAlgorithm` `Direct` on a 3x3 kernel", null, NotSupported,
            (s, _) => ForwardWith(s, new Conv2DOptions(Conv2DAlgorithm.NNPackAuto, NNPackConvolutionAlgorithm.Direct)), "1x1 kernels"),
        new("`Conv2DOptions.NativeAlgorithm` `Winograd` in a backward call with stride 2", null, NotSupported,
            (s, _) => Convolution.Conv2DBackward<float>(X, W, Ones(2, 4, 2, 2), s.GradInput, s.GradWeight, s.GradBias, default, new Size2D(2),
                new Conv2DOptions(Conv2DAlgorithm.NNPackAuto, NNPackConvolutionAlgorithm.Winograd)), "stride 1"),
        new("`Conv2DOptions.NativeAlgorithm` `Fft8x8` on a strided convolution", null, NotSupported,
            (s, _) => Convolution.Conv2D<float>(X, W, B, Ones(2, 4, 2, 2), default, new Size2D(2),
                new Conv2DOptions(Conv2DAlgorithm.NNPackAuto, NNPackConvolutionAlgorithm.Fft8x8)), "stride 1"),
    ];

    /// <summary>The destinations and spare memory one case may write to, all NaN: an invalid call must leave them so.</summary>
    internal sealed class Sentinels
    {
        public Tensor<float> Output { get; } = Filled(float.NaN, 2, 4, 3, 3);

        public Tensor<float> GradInput { get; } = Filled(float.NaN, 2, 3, 5, 5);

        public Tensor<float> GradWeight { get; } = Filled(float.NaN, 4, 3, 3, 3);

        public Tensor<float> GradBias { get; } = Filled(float.NaN, 4);

        /// <summary>Memory for views: strided, overlapping, or of a wrong shape.</summary>
        public float[] Storage { get; } = Enumerable.Repeat(float.NaN, 400).ToArray();

        /// <summary>Says which destination was written, or null when none was.</summary>
        public string? Written()
        {
            foreach (var (name, tensor) in new[] { ("output", Output), ("gradInput", GradInput), ("gradWeight", GradWeight), ("gradBias", GradBias) })
            {
                var flat = new float[tensor.FlattenedLength];
                tensor.FlattenTo(flat);
                if (!flat.All(float.IsNaN))
                {
                    return name;
                }
            }

            return Storage.All(float.IsNaN) ? null : "spare memory";
        }
    }

    private static void Forward(
        Sentinels s, Conv2DAlgorithm algorithm, Tensor<float>? input = null, Tensor<float>? weight = null, Tensor<float>? bias = null,
        Size2D padding = default, Size2D? stride = null) =>
        Convolution.Conv2D<float>(input ?? X, weight ?? W, bias ?? B, s.Output, padding, stride, algorithm);

    private static void ForwardWith(Sentinels s, Conv2DOptions options) =>
        Convolution.Conv2D<float>(X, W, B, s.Output, default, Size2D.One, options);

    // Views in place of the valid call's tensors; a view left out (rank 0) is the valid call's own.
    private static void ForwardViews(
        Sentinels s, Conv2DAlgorithm algorithm, ReadOnlyTensorSpan<float> input = default, ReadOnlyTensorSpan<float> weight = default,
        ReadOnlyTensorSpan<float> bias = default, TensorSpan<float> output = default) =>
        Convolution.Conv2D<float>(Or(input, X), Or(weight, W), Or(bias, B), output.Rank == 0 ? s.Output : output, algorithm: algorithm);

    private static void Backward(
        Sentinels s, Conv2DAlgorithm algorithm, Tensor<float>? weight = null, Tensor<float>? gradOutput = null, Size2D? stride = null) =>
        Convolution.Conv2DBackward<float>(X, weight ?? W, gradOutput ?? Dy, s.GradInput, s.GradWeight, s.GradBias, default, stride, algorithm);

    private static void BackwardViews(
        Sentinels s, Conv2DAlgorithm algorithm, ReadOnlyTensorSpan<float> input = default, ReadOnlyTensorSpan<float> weight = default,
        ReadOnlyTensorSpan<float> gradOutput = default, TensorSpan<float> gradInput = default, TensorSpan<float> gradWeight = default, TensorSpan<float> gradBias = default) =>
        Convolution.Conv2DBackward<float>(
            Or(input, X), Or(weight, W), Or(gradOutput, Dy),
            gradInput.Rank == 0 ? s.GradInput : gradInput, gradWeight.Rank == 0 ? s.GradWeight : gradWeight, gradBias.Rank == 0 ? s.GradBias : gradBias,
            algorithm: algorithm);

    private static ReadOnlyTensorSpan<float> Or(ReadOnlyTensorSpan<float> view, Tensor<float> valid) => view.Rank == 0 ? valid : view;

    // [1,1,size,size] spans claiming memory they do not have (validation must throw before reading any), 3x3, padding 1.
    private static void HugeInput(Sentinels s, Conv2DAlgorithm algorithm, int size)
    {
        float* nowhere = stackalloc float[1];
        var input = new ReadOnlyTensorSpan<float>(nowhere, (nint)size * size, [1, 1, size, size]);
        Convolution.Conv2D<float>(input, Ones(1, 1, 3, 3), default, s.Output, new Size2D(1), algorithm: algorithm);
    }

    private static TensorSpan<float> View(Sentinels s, int offset, params nint[] shape) => TensorViews.View(s.Storage, offset, shape);

    private static TensorSpan<float> NonDense(Sentinels s, nint[] shape) => TensorViews.NonDense(s.Storage, shape);

    private static Tensor<float> Ones(params nint[] shape) => TensorViews.Ones(shape);

    private static Tensor<float> Filled(float value, params nint[] shape) => TensorViews.Filled(value, shape);
}
