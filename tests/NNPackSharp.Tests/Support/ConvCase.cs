using System.Numerics;
using System.Numerics.Tensors;

namespace NNPackSharp.Tests.Support;

/// <summary>One convolution problem: shapes, padding and stride, with index helpers and random data.</summary>
internal sealed record ConvCase(int N, int Cin, int H, int W, int Cout, int KH, int KW, int PadH, int PadW, int StrideH, int StrideW)
{
    // In 64 bits: padding and stride may be as large as int.MaxValue, whose padded extent does not fit an int.
    public int OutH => (int)(((H + (2L * PadH) - KH) / StrideH) + 1);
    public int OutW => (int)(((W + (2L * PadW) - KW) / StrideW) + 1);
    public int InputLength => N * Cin * H * W;
    public int WeightLength => Cout * Cin * KH * KW;
    public int OutputLength => N * Cout * OutH * OutW;
    public nint[] InputShape => [N, Cin, H, W];
    public nint[] WeightShape => [Cout, Cin, KH, KW];
    public nint[] OutputShape => [N, Cout, OutH, OutW];
    public Size2D Padding => new(PadH, PadW);
    public Size2D Stride => new(StrideH, StrideW);

    /// <summary>Terms summed into one output element (the direct convolution's K).</summary>
    public int Depth => Cin * KH * KW;

    public int InputIndex(int n, int c, int y, int x) => (((((n * Cin) + c) * H) + y) * W) + x;
    public int WeightIndex(int o, int c, int y, int x) => (((((o * Cin) + c) * KH) + y) * KW) + x;
    public int OutputIndex(int n, int o, int y, int x) => (((((n * Cout) + o) * OutH) + y) * OutW) + x;

    public override string ToString() =>
        $"x[{N},{Cin},{H},{W}] w[{Cout},{Cin},{KH},{KW}] pad({PadH},{PadW}) stride({StrideH},{StrideW})";

    /// <summary>Uniform values in [-1, 1).</summary>
    public static double[] RandomValues(Random random, int length)
    {
        var values = new double[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = (random.NextDouble() * 2) - 1;
        }

        return values;
    }

    public static Tensor<T> ToTensor<T>(double[] values, params nint[] shape)
        where T : IFloatingPointIeee754<T> =>
        Tensor.Create(values.Select(T.CreateTruncating).ToArray(), shape);

    public static double[] ToDoubles<T>(Tensor<T> tensor)
        where T : IFloatingPointIeee754<T>
    {
        var flat = new T[tensor.FlattenedLength];
        tensor.FlattenTo(flat);
        return flat.Select(double.CreateTruncating).ToArray();
    }

    /// <summary>
    /// Random valid problems covering the awkward corners: batch 1, one input channel, 1x1 kernels, non-square
    /// kernels and strides, stride different from padding, padding past the kernel, kernel equal to the padded input.
    /// </summary>
    public static IEnumerable<ConvCase> Random(int seed, int count)
    {
        var random = new Random(seed);
        yield return new ConvCase(1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1);
        yield return new ConvCase(1, 3, 5, 7, 4, 1, 1, 0, 0, 1, 1);          // pointwise: no im2col
        yield return new ConvCase(2, 2, 6, 5, 3, 1, 1, 1, 0, 2, 1);          // 1x1 with padding and stride
        yield return new ConvCase(2, 3, 4, 5, 2, 6, 7, 1, 1, 1, 1);          // kernel = padded input
        yield return new ConvCase(1, 2, 3, 3, 2, 3, 3, 4, 4, 1, 1);          // padding larger than the kernel
        yield return new ConvCase(3, 1, 9, 11, 5, 2, 5, 0, 2, 3, 2);         // stride != padding, non-square
        for (int i = 0; i < count; i++)
        {
            int h = random.Next(1, 13), w = random.Next(1, 13);
            int padH = random.Next(0, 4), padW = random.Next(0, 4);
            int kh = random.Next(1, Math.Min(h + (2 * padH), 7) + 1), kw = random.Next(1, Math.Min(w + (2 * padW), 7) + 1);
            yield return new ConvCase(
                random.Next(1, 4), random.Next(1, 6), h, w, random.Next(1, 9), kh, kw, padH, padW, random.Next(1, 4), random.Next(1, 4));
        }
    }
}
