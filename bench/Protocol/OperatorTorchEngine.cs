using TorchSharp;
using F = TorchSharp.torch.nn.functional;

namespace NNPackSharp.Bench.Protocol;

/// <summary>
/// TorchSharp's equivalent of each operator row (libtorch CPU): <c>linear</c>, <c>max_pool2d</c>, <c>relu</c>,
/// <c>softmax</c>, <c>conv2d</c> then <c>relu_</c> in place, forwards under <c>no_grad</c>; the backward rows by
/// <c>autograd.grad</c> on a graph built once and kept (<c>retain_graph</c>), as <see cref="TorchSharpEngine"/> does. The
/// FP16-weight row runs <c>linear</c> in half precision on the FP16 weights (the input cast to half, the result back to
/// float): torch's nearest operation that reads FP16 weights. Each call allocates its result in libtorch, torch's
/// steady state (the Cake task preloads jemalloc).
/// </summary>
internal sealed class OperatorTorchEngine : BenchEngine
{
    private readonly OperatorCase operation;
    private readonly torch.Tensor input, weight, bias, gradOutput;
    private readonly torch.Tensor? output, weightHalf, biasHalf;

    public OperatorTorchEngine(OperatorData data)
    {
        operation = data.Case;
        bool linear = operation.Kind is OperatorKind.LinearForward or OperatorKind.LinearBackward or OperatorKind.LinearInference or OperatorKind.LinearInferenceFp16;
        // One vector is a batch of one for torch's linear.
        nint[] inputShape = linear && data.InputShape.Length == 1 ? [1, data.InputShape[0]] : data.InputShape;
        bool backward = operation.Kind is OperatorKind.LinearBackward or OperatorKind.ReluBackward;
        input = BenchData.ToTorch(data.InputValues, inputShape).requires_grad_(backward);
        weight = BenchData.ToTorch(data.WeightValues, data.WeightShape).requires_grad_(backward && linear);
        bias = BenchData.ToTorch(data.BiasValues, data.BiasShape).requires_grad_(backward && linear);
        gradOutput = BenchData.ToTorch(data.GradOutputValues, data.OutputShape);
        if (operation.Kind == OperatorKind.LinearInferenceFp16)
        {
            weightHalf = weight.to(torch.float16);
            biasHalf = bias.to(torch.float16);
        }

        if (backward)
        {
            output = linear ? F.linear(input, weight, bias) : F.relu(input);
        }
    }

    public override string Name => "TorchSharp";

    /// <summary>torch's intra-op thread count is one per process: set before each batch, as the runner interleaves thread counts.</summary>
    public override void UseThreads(int threads) => torch.set_num_threads(threads);

    public override string? Prepare(Pass pass, int threads) => null;

    public override void Call()
    {
        if (output is not null)
        {
            torch.Tensor[] wrt = operation.Kind == OperatorKind.LinearBackward ? [input, weight, bias] : [input];
            foreach (torch.Tensor gradient in torch.autograd.grad([output], wrt, [gradOutput], retain_graph: true))
            {
                gradient.Dispose();
            }

            return;
        }

        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        _ = operation.Kind switch
        {
            OperatorKind.LinearForward or OperatorKind.LinearInference => F.linear(input, weight, bias),
            OperatorKind.LinearInferenceFp16 => F.linear(input.to(torch.float16), weightHalf!, biasHalf).to(torch.float32),
            OperatorKind.MaxPool => F.max_pool2d(input, operation.Window, operation.Stride),
            OperatorKind.Relu => F.relu(input),
            OperatorKind.Softmax => F.softmax(input, 1),
            _ => F.conv2d(input, weight, bias, padding: [1, 1]).relu_(),
        };
    }

    public override void Dispose()
    {
        foreach (torch.Tensor? tensor in new[] { output, input, weight, bias, gradOutput, weightHalf, biasHalf })
        {
            tensor?.Dispose();
        }
    }
}
