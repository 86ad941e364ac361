using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using NNPackSharp.Interop;
using TorchSharp;
using NumericsTensor = System.Numerics.Tensors.Tensor;

namespace NNPackSharp.Bench;

/// <summary>
/// Forward only, the one pass upstream NNPACK (statically linked in libtorch_cpu.so) exports: upstream NNPACK next to
/// NNPackAuto, with TorchSharp as the baseline in the same run. Upstream has no stride in training, so strided layers
/// run its nnp_convolution_inference image by image (which takes a stride). Workspaces are allocated once, in setup.
/// </summary>
[Config(typeof(Conv2DBenchmarkConfig))]
public unsafe class UpstreamForwardBenchmarks
{
    private float[] input = [], weight = [], bias = [], output = [];
    private System.Numerics.Tensors.Tensor<float> inputTensor = null!, weightTensor = null!, biasTensor = null!, outputTensor = null!;
    private torch.Tensor torchInput = null!, torchWeight = null!, torchBias = null!;
    private nint upstreamPool;
    private void* workspace;
    private nuint workspaceSize;

    [ParamsSource(nameof(Layers))]
    public ConvLayer Layer { get; set; } = ConvLayer.All[0];

    [Params(1, 2)]
    public int Threads { get; set; }

    public static IEnumerable<ConvLayer> Layers => ConvLayer.All;

    [GlobalSetup]
    public void Setup()
    {
        // Upstream must initialise (with cache sizes supplied) before libtorch ever asks it whether it is available.
        NNPackFunctionTable upstream = UpstreamNNPack.Functions;
        TorchSharpPeer.EnsureLoaded();
        Convolution.MaxDegreeOfParallelism = Threads;
        torch.set_num_threads(Threads);
        var random = new Random(2);
        input = BenchData.RandomValues(random, Layer.InputShape);
        weight = BenchData.RandomValues(random, Layer.WeightShape);
        bias = BenchData.RandomValues(random, [Layer.Cout]);
        output = new float[Layer.OutputLength];
        inputTensor = NumericsTensor.Create(input, Layer.InputShape);
        weightTensor = NumericsTensor.Create(weight, Layer.WeightShape);
        biasTensor = NumericsTensor.Create(bias, [Layer.Cout]);
        outputTensor = NumericsTensor.Create(new float[output.Length], Layer.OutputShape);
        torchInput = BenchData.ToTorch(input, Layer.InputShape);
        torchWeight = BenchData.ToTorch(weight, Layer.WeightShape);
        torchBias = BenchData.ToTorch(bias, [Layer.Cout]);
        upstreamPool = Threads > 1 ? upstream.pthreadpool_create((nuint)Threads) : 0;
        nuint need = 0;
        Check(Upstream(null, &need));
        workspaceSize = need;
        workspace = NativeMemory.AlignedAlloc(need == 0 ? 64 : need, 64);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        NativeMemory.AlignedFree(workspace);
        if (upstreamPool != 0)
        {
            UpstreamNNPack.Functions.pthreadpool_destroy(upstreamPool);
        }

        torchInput.Dispose();
        torchWeight.Dispose();
        torchBias.Dispose();
    }

    [Benchmark(Baseline = true)]
    public void TorchSharp()
    {
        using var noGrad = torch.no_grad();
        using torch.Tensor y = torch.nn.functional.conv2d(torchInput, torchWeight, torchBias, strides: [Layer.Stride, Layer.Stride], padding: [Layer.PadH, Layer.PadW]);
    }

    [Benchmark]
    public void NNPackAuto() =>
        Convolution.Conv2D<float>(inputTensor, weightTensor, biasTensor, outputTensor, Layer.Padding, Layer.StrideSize, Conv2DAlgorithm.NNPackAuto);

    [Benchmark]
    public void UpstreamNNPACK()
    {
        nuint size = workspaceSize;
        Check(Upstream(workspace, &size));
    }

    /// <summary>One forward pass on upstream: the training function for stride 1, inference per image otherwise.</summary>
    private NnpStatus Upstream(void* buffer, nuint* size)
    {
        NNPackFunctionTable upstream = UpstreamNNPack.Functions;
        var inputSize = new NnpSize { Width = (nuint)Layer.H, Height = (nuint)Layer.H };
        var kernel = new NnpSize { Width = (nuint)Layer.KernelW, Height = (nuint)Layer.KernelH };
        var padding = new NnpPadding { Top = (nuint)Layer.PadH, Bottom = (nuint)Layer.PadH, Left = (nuint)Layer.PadW, Right = (nuint)Layer.PadW };
        fixed (float* x = input, w = weight, b = bias, y = output)
        {
            if (Layer.Stride == 1)
            {
                return upstream.nnp_convolution_output(NnpConvolutionAlgorithm.Auto, (nuint)Layer.N, (nuint)Layer.Cin, (nuint)Layer.Cout,
                    inputSize, padding, kernel, x, w, b, y, buffer, size, NnpActivation.Identity, null, upstreamPool, null);
            }

            var stride = new NnpSize { Width = (nuint)Layer.Stride, Height = (nuint)Layer.Stride };
            long inputImage = (long)Layer.Cin * Layer.H * Layer.H, outputImage = Layer.OutputLength / Layer.N;
            for (int image = 0; image < Layer.N; image++)
            {
                NnpStatus status = upstream.nnp_convolution_inference(NnpConvolutionAlgorithm.Auto, NnpConvolutionTransformStrategy.Compute, (nuint)Layer.Cin, (nuint)Layer.Cout,
                    inputSize, padding, kernel, stride, x + (image * inputImage), w, b, y + (image * outputImage), buffer, size, NnpActivation.Identity, null, upstreamPool, null);
                if (status != NnpStatus.Success || buffer == null)
                {
                    return status;
                }
            }

            return NnpStatus.Success;
        }
    }

    private static void Check(NnpStatus status)
    {
        if (status != NnpStatus.Success)
        {
            throw new InvalidOperationException($"upstream NNPACK returned {status}");
        }
    }
}
