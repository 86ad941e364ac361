namespace NNPackSharp.Bench.Protocol;

/// <summary>
/// Our operators on one engine (<see cref="OperatorEngine.Managed"/> or <see cref="OperatorEngine.Native"/>) through
/// the allocation-free span overloads, writing into <see cref="OperatorData"/>'s preallocated destinations. The
/// linear backward computes all three gradients, as TorchSharp's side does; the convolution row runs the matching
/// <see cref="Conv2DAlgorithm"/> with the ReLU fused. A call the native engine does not compute throws
/// <see cref="NotSupportedException"/> on the warm-up, and the runner reports it as skipped.
/// </summary>
internal sealed class OperatorLibraryEngine(string name, OperatorEngine engine, OperatorData data) : BenchEngine
{
    private static readonly Size2D Same = new(1), Unit = new(1);

    public override string Name => name;

    public override bool PromisesNoAllocation => true;

    public override string? Prepare(Pass pass, int threads) =>
        engine == OperatorEngine.Native && !NNPackNativeLibrary.IsAvailable ? "libnnpack not loaded" : null;

    public override void Call()
    {
        OperatorCase operation = data.Case;
        switch (operation.Kind)
        {
            case OperatorKind.LinearForward:
                FullyConnected.Forward<float>(data.Input, data.Weight, data.Bias, data.Output, engine);
                break;
            case OperatorKind.LinearBackward:
                FullyConnected.Backward<float>(data.Input, data.Weight, data.GradOutput, data.GradInput, data.GradWeight, data.GradBias, engine);
                break;
            case OperatorKind.LinearInference:
                FullyConnected.Inference<float>(data.InputValues, data.Weight, data.BiasValues, data.OutputValues, engine);
                break;
            case OperatorKind.LinearInferenceFp16:
                FullyConnected.Inference(data.InputValues, data.WeightHalf, data.BiasValues, data.OutputValues, engine);
                break;
            case OperatorKind.MaxPool:
                var window = new Size2D(operation.Window);
                Pooling.MaxPool2D<float>(data.Input, data.Output, window, default, new Size2D(operation.Stride), engine);
                break;
            case OperatorKind.Relu:
                Activations.Relu<float>(data.Input, data.Output, engine);
                break;
            case OperatorKind.ReluBackward:
                Activations.ReluBackward<float>(data.GradOutput, data.Input, data.GradInput, engine);
                break;
            case OperatorKind.Softmax:
                Activations.Softmax<float>(data.Input, data.Output, engine);
                break;
            default:
                var options = new Conv2DOptions(engine == OperatorEngine.Native ? Conv2DAlgorithm.NNPackAuto : Conv2DAlgorithm.Im2ColGemm)
                {
                    Activation = Conv2DActivation.Relu,
                };
                Convolution.Conv2D<float>(data.Input, data.Weight, data.Bias, data.Output, Same, Unit, options);
                break;
        }
    }
}
