using TorchSharp;

namespace NNPackSharp.Bench.Protocol;

/// <summary>
/// TorchSharp's CPU conv2d (libtorch). Forward runs under <c>torch.no_grad()</c>; the gradients run
/// <c>torch.autograd.grad</c> on one graph built at construction and kept with <c>retain_graph: true</c>, so a call
/// is the backward computation only. grad-weight asks for the weight and the bias gradient (dW+db), like ours.
/// Each call allocates its result tensors inside libtorch: that is torch's steady state, which is why the Cake
/// <c>Protocol</c> task preloads jemalloc (glibc malloc hands large blocks back to the OS and faults them in again).
/// </summary>
internal sealed class TorchSharpEngine : BenchEngine
{
    private readonly ConvLayer layer;
    private readonly torch.Tensor input, weight, bias, gradOutput, output;
    private readonly long[] strides, padding;
    private Pass pass;

    public TorchSharpEngine(LayerData data)
    {
        layer = data.Layer;
        strides = [layer.Stride, layer.Stride];
        padding = [layer.PadH, layer.PadW];
        input = BenchData.ToTorch(data.InputValues, data.InputShape).requires_grad_(true);
        weight = BenchData.ToTorch(data.WeightValues, data.WeightShape).requires_grad_(true);
        bias = BenchData.ToTorch(data.BiasValues, data.BiasShape).requires_grad_(true);
        gradOutput = BenchData.ToTorch(data.GradOutputValues, data.OutputShape);
        output = torch.nn.functional.conv2d(input, weight, bias, strides: strides, padding: padding);
    }

    public override string Name => "TorchSharp";

    /// <summary>torch's intra-op thread count is one per process: set before each batch, as the runner interleaves thread counts.</summary>
    public override void UseThreads(int threads) => torch.set_num_threads(threads);

    public override string? Prepare(Pass pass, int threads)
    {
        this.pass = pass;
        return null;
    }

    public override void Call()
    {
        if (pass is Pass.Forward or Pass.Inference)
        {
            using var noGrad = torch.no_grad();
            using torch.Tensor y = torch.nn.functional.conv2d(input, weight, bias, strides: strides, padding: padding);
            return;
        }

        IList<torch.Tensor> gradients = pass == Pass.GradInput
            ? torch.autograd.grad([output], [input], [gradOutput], retain_graph: true)
            : torch.autograd.grad([output], [weight, bias], [gradOutput], retain_graph: true);
        foreach (torch.Tensor gradient in gradients)
        {
            gradient.Dispose();
        }
    }

    public override void Dispose()
    {
        foreach (torch.Tensor tensor in new[] { output, input, weight, bias, gradOutput })
        {
            tensor.Dispose();
        }
    }
}
