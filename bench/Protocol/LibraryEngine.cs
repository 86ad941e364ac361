namespace NNPackSharp.Bench.Protocol;

/// <summary>
/// Our engines through the public allocation-free span overloads, writing into <see cref="LayerData"/>'s preallocated
/// destinations. Forward adds the bias; grad-input skips the weight gradient (<c>default</c>); grad-weight writes the
/// bias gradient too (dW+db), as TorchSharp's side does; inference is the forward pass, through a
/// <see cref="PreparedConvolution{T}"/> made outside the timing for NNPackAuto (the managed engine runs its forward).
/// <paramref name="nativeAlgorithm"/> pins libnnpack's algorithm (the auto mode's explicit contestants); a pinned
/// algorithm that cannot compute the pass throws on the first call, and the runner reports it as skipped.
/// </summary>
internal sealed class LibraryEngine(string name, Conv2DAlgorithm algorithm, LayerData data,
    NNPackConvolutionAlgorithm nativeAlgorithm = NNPackConvolutionAlgorithm.Auto) : BenchEngine
{
    private Conv2DOptions Options(int threads) => new(algorithm, nativeAlgorithm, threads);

    private Pass pass;
    private PreparedConvolution<float>? prepared;

    public override string Name => name;

    public override bool PromisesNoAllocation => true;

    public override string? Prepare(Pass pass, int threads)
    {
        if (algorithm == Conv2DAlgorithm.NNPackAuto && !NNPackNativeLibrary.IsAvailable)
        {
            return "libnnpack not loaded";
        }

        this.pass = pass;
        prepared?.Dispose();
        prepared = null;
        if (pass == Pass.Inference && algorithm == Conv2DAlgorithm.NNPackAuto)
        {
            // The layer prepared once, outside the timing: its kernel transformed and stored (issue 8's inference).
            ConvLayer layer = data.Layer;
            prepared = new PreparedConvolution<float>(data.Weight.AsReadOnlyTensorSpan(), layer.H, layer.H, layer.Padding, layer.StrideSize,
                Options(threads));
        }

        return null;
    }

    public override void Call()
    {
        ConvLayer layer = data.Layer;
        Conv2DOptions options = Options(0); // 0: Convolution.MaxDegreeOfParallelism, which the runner sets per row
        switch (pass)
        {
            case Pass.Inference when prepared is not null:
                prepared.Forward(data.Input.AsReadOnlyTensorSpan(), data.Bias.AsReadOnlyTensorSpan(), data.Output.AsTensorSpan());
                break;
            case Pass.Forward or Pass.Inference:
                Convolution.Conv2D<float>(data.Input.AsReadOnlyTensorSpan(), data.Weight.AsReadOnlyTensorSpan(), data.Bias.AsReadOnlyTensorSpan(),
                    data.Output.AsTensorSpan(), layer.Padding, layer.StrideSize, options);
                break;
            case Pass.GradInput:
                Convolution.Conv2DBackward<float>(data.Input.AsReadOnlyTensorSpan(), data.Weight.AsReadOnlyTensorSpan(), data.GradOutput.AsReadOnlyTensorSpan(),
                    data.GradInput.AsTensorSpan(), default, default, layer.Padding, layer.StrideSize, options);
                break;
            default:
                Convolution.Conv2DBackward<float>(data.Input.AsReadOnlyTensorSpan(), data.Weight.AsReadOnlyTensorSpan(), data.GradOutput.AsReadOnlyTensorSpan(),
                    default, data.GradWeight.AsTensorSpan(), data.GradBias.AsTensorSpan(), layer.Padding, layer.StrideSize, options);
                break;
        }
    }

    public override void Dispose() => prepared?.Dispose();
}
