using System.Numerics.Tensors;

namespace NNPackSharp.Tests.Api;

/// <summary>The README's API example, verbatim apart from the assertions, so the documentation cannot drift from the API.</summary>
public class ReadmeExampleTests
{
    [Test]
    public void ApiExampleRunsAsDocumented()
    {
        int saved = Convolution.MaxDegreeOfParallelism;
        try
        {
            Tensor<float> x = Tensor.Create(new float[2 * 3 * 32 * 32], [2, 3, 32, 32]);   // [N,Cin,H,W]
            Tensor<float> w = Tensor.Create(new float[16 * 3 * 3 * 3], [16, 3, 3, 3]);      // [Cout,Cin,kH,kW]
            Tensor<float> b = Tensor.Create(new float[16], [16, 1, 1]);                     // [Cout,1,1] or [Cout]

            Tensor<float> y = Convolution.Conv2D(x, w, b, padding: new Size2D(1, 1), stride: new Size2D(2, 2));
            Conv2DGradients<float> g = Convolution.Conv2DBackward(x, w, b, gradOutput: y, padding: new Size2D(1, 1), stride: new Size2D(2, 2));

            Convolution.Conv2D<float>(x, w, b, y, new Size2D(1, 1), new Size2D(2, 2));
            Convolution.Conv2DBackward<float>(x, w, y, g.GradInput, g.GradWeight, g.GradBias!, new Size2D(1, 1), new Size2D(2, 2));

            nint[] shape = Convolution.Conv2DOutputShape([2, 3, 32, 32], [16, 3, 3, 3], new Size2D(1), new Size2D(2));
            Convolution.MaxDegreeOfParallelism = 1;

            if (NNPackNativeLibrary.IsAvailable)
            {
                var exact = new Conv2DOptions(Conv2DAlgorithm.NNPackAuto, NNPackConvolutionAlgorithm.ImplicitGemm, MaxDegreeOfParallelism: 2);
                Convolution.Conv2D<float>(x, w, b, y, new Size2D(1, 1), new Size2D(2, 2), exact);
            }

            Assert.Multiple(() =>
            {
                Assert.That(shape, Is.EqualTo(new nint[] { 2, 16, 16, 16 }));
                Assert.That(y.Lengths.ToArray(), Is.EqualTo(shape));
                Assert.That(g.GradInput.Lengths.ToArray(), Is.EqualTo(new nint[] { 2, 3, 32, 32 }));
                Assert.That(g.GradWeight.Lengths.ToArray(), Is.EqualTo(new nint[] { 16, 3, 3, 3 }));
                Assert.That(g.GradBias!.Lengths.ToArray(), Is.EqualTo(new nint[] { 16, 1, 1 }));
            });
        }
        finally
        {
            Convolution.MaxDegreeOfParallelism = saved;
        }
    }

    [Test]
    public void OperatorsExampleRunsAsDocumented()
    {
        // Fully connected (linear): input [N,Cin], weight [Cout,Cin] (NNPACK's layout), bias [Cout]; output [N,Cout].
        Tensor<float> features = Tensor.Create(new float[8 * 64], [8, 64]);
        Tensor<float> fcWeight = Tensor.Create(new float[10 * 64], [10, 64]);
        Tensor<float> fcBias = Tensor.Create(new float[10], [10]);
        Tensor<float> logits = FullyConnected.Forward(features, fcWeight, fcBias);
        FullyConnectedGradients<float> fc = FullyConnected.Backward(features, fcWeight, fcBias, gradOutput: logits);

        // One vector, float or FP16 weights (nnp_fully_connected_inference / _inference_f16f32).
        float[] scores = new float[10];
        FullyConnected.Inference<float>(new float[64], fcWeight, new float[10], scores);
        Tensor<Half> halfWeight = Tensor.Create(new Half[10 * 64], [10, 64]);
        FullyConnected.Inference(new float[64], halfWeight, new float[10], scores);

        // Max pooling [N,C,H,W]: Arraymancer's maxpool2d (floor output size; stride defaults to (1,1), so name it).
        Tensor<float> maps = Tensor.Create(new float[8 * 16 * 12 * 12], [8, 16, 12, 12]);
        Tensor<float> pooled = Pooling.MaxPool2D(maps, kernel: new Size2D(2), stride: new Size2D(2));   // [8,16,6,6]
        Tensor<float> gradMaps = Pooling.MaxPool2DBackward(maps, gradOutput: pooled, kernel: new Size2D(2), stride: new Size2D(2));
        nint[] pooledShape = Pooling.MaxPool2DOutputShape([8, 16, 12, 12], new Size2D(3), new Size2D(1), new Size2D(2)); // [8,16,6,6]

        // Activations: ReLU and leaky ReLU on any shape (in place allowed), softmax on [N,C] along C.
        Tensor<float> relu = Activations.Relu(maps);
        Activations.Relu<float>(maps, maps);                               // in place
        Tensor<float> gradRelu = Activations.ReluBackward(gradOutput: relu, input: maps);
        Tensor<float> leaky = Activations.LeakyRelu(maps, negativeSlope: 0.01f);
        Tensor<float> probabilities = Activations.Softmax(logits);
        Tensor<float> gradLogits = Activations.SoftmaxBackward(output: probabilities, gradOutput: probabilities);

        // The engine per call: Managed (default), Native (libnnpack, float), Fastest (native where it computes the call).
        Tensor<float> fastPooled = Pooling.MaxPool2D(maps, new Size2D(2), stride: new Size2D(2), engine: OperatorEngine.Fastest);

        // A convolution with ReLU fused into its forward pass (NNPACK's activation argument on the native engine).
        var reluOptions = new Conv2DOptions(Conv2DAlgorithm.Fastest) { Activation = Conv2DActivation.Relu };
        Tensor<float> convOut = Tensor.Create(new float[8 * 4 * 12 * 12], [8, 4, 12, 12]);
        Convolution.Conv2D<float>(maps, Tensor.Create(new float[4 * 16 * 3 * 3], [4, 16, 3, 3]), default, convOut, new Size2D(1), Size2D.One, reluOptions);

        Assert.Multiple(() =>
        {
            Assert.That(logits.Lengths.ToArray(), Is.EqualTo(new nint[] { 8, 10 }));
            Assert.That(fc.GradInput.Lengths.ToArray(), Is.EqualTo(new nint[] { 8, 64 }));
            Assert.That(fc.GradWeight.Lengths.ToArray(), Is.EqualTo(new nint[] { 10, 64 }));
            Assert.That(fc.GradBias!.Lengths.ToArray(), Is.EqualTo(new nint[] { 10 }));
            Assert.That(pooled.Lengths.ToArray(), Is.EqualTo(new nint[] { 8, 16, 6, 6 }));
            Assert.That(pooledShape, Is.EqualTo(new nint[] { 8, 16, 6, 6 }));
            Assert.That(gradMaps.Lengths.ToArray(), Is.EqualTo(maps.Lengths.ToArray()));
            Assert.That(gradRelu.Lengths.ToArray(), Is.EqualTo(maps.Lengths.ToArray()));
            Assert.That(leaky.Lengths.ToArray(), Is.EqualTo(maps.Lengths.ToArray()));
            Assert.That(gradLogits.Lengths.ToArray(), Is.EqualTo(new nint[] { 8, 10 }));
            Assert.That(ConvCase.ToDoubles(probabilities), Is.All.EqualTo(0.1).Within(1e-6));
            Assert.That(fastPooled.Lengths.ToArray(), Is.EqualTo(new nint[] { 8, 16, 6, 6 }));
            Assert.That(ConvCase.ToDoubles(convOut), Is.All.EqualTo(0));
        });
    }

    [Test]
    public void OperatorsExampleIsTheReadmes()
    {
        string readme = File.ReadAllText(Path.Combine(Repository.Root, "README.md"));
        string test = File.ReadAllText(Path.Combine(Repository.Root, "tests", "NNPackSharp.Tests", "Api", "ReadmeExampleTests.cs"));
        int section = readme.IndexOf("## Operators", StringComparison.Ordinal);
        Assert.That(section, Is.GreaterThanOrEqualTo(0), "README.md has no '## Operators' section");
        string[] example = readme[readme.IndexOf("```csharp", section, StringComparison.Ordinal)..].Split('\n').Skip(4).TakeWhile(line => !line.StartsWith("```", StringComparison.Ordinal))
            .Select(line => line.Trim()).Where(line => line.Length > 0 && !line.StartsWith("// fc.Grad", StringComparison.Ordinal)).ToArray();
        string[] lines = test.Split('\n').Select(line => line.Trim()).ToArray();
        Assert.That(example, Has.Length.GreaterThan(20), "the README's operators example");
        Assert.That(example.Where(line => !lines.Contains(line)), Is.Empty, "README example lines the test does not run");
    }
}
