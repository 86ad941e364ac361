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
}
