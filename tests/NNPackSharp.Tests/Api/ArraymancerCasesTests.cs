using System.Numerics.Tensors;

namespace NNPackSharp.Tests.Api;

/// <summary>Arraymancer's published conv2d examples: integer-valued data, so the results must be exact.</summary>
public class ArraymancerCasesTests
{
    [Test]
    public void SingleChannelPaddingOne()
    {
        var input = Tensor.Create(new float[] { 1, 2, 0, 0, 5, 3, 0, 4, 0, 0, 0, 7, 9, 3, 0, 0 }, [1, 1, 4, 4]);
        var kernel = Tensor.Create(new float[] { 1, 1, 1, 1, 1, 0, 1, 0, 0 }, [1, 1, 3, 3]);
        var bias = Tensor.Create(new float[] { 0 }, [1, 1, 1]);

        Tensor<float> output = Convolution.Conv2D(input, kernel, bias, padding: new Size2D(1, 1));

        Assert.That(output.Lengths.ToArray(), Is.EqualTo(new nint[] { 1, 1, 4, 4 }));
        Assert.That(Flatten(output), Is.EqualTo(new float[] { 1, 8, 5, 0, 8, 11, 5, 4, 8, 17, 10, 11, 9, 12, 10, 7 }));
    }

    [Test]
    public void ThreeChannelsTwoFiltersStrideTwo([Values] bool doublePrecision)
    {
        double[] input =
        [
            2, 2, 0, 2, 1, 0, 1, 1, 0, 2, 1, 2, 1, 2, 1, 2, 2, 0, 0, 2, 2, 1, 1, 1, 2,
            2, 0, 1, 1, 1, 2, 2, 0, 0, 2, 2, 2, 1, 0, 0, 1, 1, 2, 2, 0, 2, 1, 1, 1, 0,
            0, 1, 2, 2, 0, 1, 1, 1, 1, 0, 2, 1, 2, 2, 0, 0, 2, 2, 2, 1, 0, 0, 2, 2, 1,
        ];
        double[] kernel =
        [
            -1, -1, -1, 1, 0, 1, 0, -1, 0, 1, 0, -1, 1, -1, 1, 0, 1, 0, 0, 0, 1, -1, -1, -1, -1, 0, 0,
            0, 1, 0, 1, -1, -1, 1, 1, -1, -1, 0, 1, -1, -1, 1, 1, 1, 0, 0, 1, 1, -1, 1, -1, -1, -1, 0,
        ];
        double[] expected = [2, -2, 0, -3, 2, -5, -2, -1, 0, -7, 1, 0, 3, -3, 2, 1, 3, -2];

        double[] actual = doublePrecision
            ? Run<double>(input, kernel)
            : Run<float>(input, kernel);

        Assert.That(actual, Is.EqualTo(expected));
    }

    private static double[] Run<T>(double[] input, double[] kernel)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        Tensor<T> output = Convolution.Conv2D(
            ConvCase.ToTensor<T>(input, 1, 3, 5, 5),
            ConvCase.ToTensor<T>(kernel, 2, 3, 3, 3),
            ConvCase.ToTensor<T>([1, 0], 2, 1, 1),
            padding: new Size2D(1, 1),
            stride: new Size2D(2, 2));
        Assert.That(output.Lengths.ToArray(), Is.EqualTo(new nint[] { 1, 2, 3, 3 }));
        return ConvCase.ToDoubles(output);
    }

    private static float[] Flatten(Tensor<float> tensor)
    {
        var flat = new float[tensor.FlattenedLength];
        tensor.FlattenTo(flat);
        return flat;
    }
}
