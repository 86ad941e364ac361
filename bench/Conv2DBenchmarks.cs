using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using TorchSharp;
using NumericsTensor = System.Numerics.Tensors.Tensor;

namespace NNPackSharp.Bench;

/// <summary>Which computation a benchmark times.</summary>
public enum Pass
{
    Forward,
    GradInput,
    GradWeight,

    /// <summary>Forward through a layer prepared once (the protocol's NNPackAuto: PreparedConvolution's stored kernel).</summary>
    Inference,
}

/// <summary>
/// The managed engine and NNPackAuto (libnnpack) against TorchSharp's CPU conv2d (libtorch 2.10, measured in the same
/// process and run) on classic CNN layers, forward and each gradient, on 1 and 2 threads. TorchSharp is the baseline,
/// so BenchmarkDotNet's Ratio column is our time / TorchSharp's time (below 1: ours is faster).
/// </summary>
[Config(typeof(Conv2DBenchmarkConfig))]
public class Conv2DBenchmarks
{
    private Tensor<float> input = null!, weight = null!, bias = null!, output = null!, gradOutput = null!, gradInput = null!, gradWeight = null!;
    private torch.Tensor torchInput = null!, torchWeight = null!, torchBias = null!, torchOutput = null!, torchGradOutput = null!;

    [ParamsSource(nameof(Layers))]
    public ConvLayer Layer { get; set; } = ConvLayer.All[0];

    [Params(Pass.Forward, Pass.GradInput, Pass.GradWeight)]
    public Pass Pass { get; set; }

    [Params(1, 2)]
    public int Threads { get; set; }

    public static IEnumerable<ConvLayer> Layers => ConvLayer.All;

    [GlobalSetup]
    public void Setup()
    {
        TorchSharpPeer.EnsureLoaded();
        Convolution.MaxDegreeOfParallelism = Threads;
        torch.set_num_threads(Threads);
        var random = new Random(1);
        input = RandomTensor(random, Layer.InputShape);
        weight = RandomTensor(random, Layer.WeightShape);
        bias = RandomTensor(random, [Layer.Cout, 1, 1]);
        gradOutput = RandomTensor(random, Layer.OutputShape);
        output = NumericsTensor.CreateFromShape<float>(Layer.OutputShape);
        gradInput = NumericsTensor.CreateFromShape<float>(Layer.InputShape);
        gradWeight = NumericsTensor.CreateFromShape<float>(Layer.WeightShape);

        torchInput = ToTorch(input).requires_grad_(true);
        torchWeight = ToTorch(weight).requires_grad_(true);
        torchBias = ToTorch(bias).reshape(Layer.Cout).requires_grad_(true);
        torchGradOutput = ToTorch(gradOutput);

        // Built once; each gradient benchmark re-runs only its backward computation on this retained graph.
        torchOutput = torch.nn.functional.conv2d(torchInput, torchWeight, torchBias, strides: [Layer.Stride, Layer.Stride], padding: [Layer.PadH, Layer.PadW]);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (torch.Tensor tensor in new[] { torchOutput, torchInput, torchWeight, torchBias, torchGradOutput })
        {
            tensor.Dispose();
        }
    }

    [Benchmark(Baseline = true)]
    public void TorchSharp()
    {
        if (Pass == Pass.Forward)
        {
            using var noGrad = torch.no_grad();
            using torch.Tensor y = torch.nn.functional.conv2d(torchInput, torchWeight, torchBias, strides: [Layer.Stride, Layer.Stride], padding: [Layer.PadH, Layer.PadW]);
            return;
        }

        torch.Tensor wrt = Pass == Pass.GradInput ? torchInput : torchWeight;
        foreach (torch.Tensor gradient in torch.autograd.grad([torchOutput], [wrt], [torchGradOutput], retain_graph: true))
        {
            gradient.Dispose();
        }
    }

    [Benchmark]
    public void Managed() => Run(Conv2DAlgorithm.Im2ColGemm);

    [Benchmark]
    public void NNPackAuto() => Run(Conv2DAlgorithm.NNPackAuto);

    private void Run(Conv2DAlgorithm algorithm)
    {
        Size2D padding = Layer.Padding, stride = Layer.StrideSize;
        switch (Pass)
        {
            case Pass.Forward:
                Convolution.Conv2D<float>(input, weight, bias, output, padding, stride, algorithm);
                break;
            case Pass.GradInput:
                Convolution.Conv2DBackward<float>(input, weight, gradOutput, gradInput, default, default, padding, stride, algorithm);
                break;
            default:
                Convolution.Conv2DBackward<float>(input, weight, gradOutput, default, gradWeight, default, padding, stride, algorithm);
                break;
        }
    }

    private static Tensor<float> RandomTensor(Random random, nint[] shape) => NumericsTensor.Create(BenchData.RandomValues(random, shape), shape);

    private static torch.Tensor ToTorch(Tensor<float> tensor)
    {
        float[] flat = new float[tensor.FlattenedLength];
        tensor.FlattenTo(flat);
        return BenchData.ToTorch(flat, tensor.Lengths.ToArray());
    }
}
