using System.Numerics;
using System.Numerics.Tensors;
using NNPackSharp.Engines.Managed;
using NNPackSharp.Validation;

namespace NNPackSharp.Tests.Support;

/// <summary>
/// Runs the library on double data converted to <typeparamref name="T"/>: through the allocation-free overloads with an
/// algorithm, or, given a managed engine (one GEMM width), through the same validation straight into that engine.
/// </summary>
internal static class ConvRunner<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static double[] Forward(ConvCase c, double[] input, double[] weight, double[]? bias, ManagedEngine<T>? engine = null, Conv2DAlgorithm algorithm = Conv2DAlgorithm.Im2ColGemm)
    {
        Tensor<T> x = ConvCase.ToTensor<T>(input, c.InputShape);
        Tensor<T> w = ConvCase.ToTensor<T>(weight, c.WeightShape);
        Tensor<T>? b = bias is null ? null : ConvCase.ToTensor<T>(bias, c.Cout, 1, 1);
        Tensor<T> y = Sentinel(c.OutputShape);
        ReadOnlyTensorSpan<T> biasSpan = b is null ? default : b.AsReadOnlyTensorSpan();
        if (engine is null)
        {
            Convolution.Conv2D<T>(x, w, biasSpan, y, c.Padding, c.Stride, algorithm);
        }
        else
        {
            engine.Forward(ForwardCall<T>.Validate(x, w, biasSpan, y, c.Padding, c.Stride), Convolution.MaxDegreeOfParallelism);
        }

        return ConvCase.ToDoubles(y);
    }

    /// <summary>Backward into destinations pre-filled with NaN, so any element left unwritten fails the comparison.</summary>
    public static (double[] Input, double[] Weight, double[]? Bias) Backward(
        ConvCase c, double[] input, double[] weight, double[] gradOutput, bool withBias, ManagedEngine<T>? engine = null, Conv2DAlgorithm algorithm = Conv2DAlgorithm.Im2ColGemm)
    {
        Tensor<T> dx = Sentinel(c.InputShape), dw = Sentinel(c.WeightShape);
        Tensor<T>? db = withBias ? Sentinel([c.Cout, 1, 1]) : null;
        BackwardInto(c, input, weight, gradOutput, dx, dw, db, engine, algorithm);
        return (ConvCase.ToDoubles(dx), ConvCase.ToDoubles(dw), db is null ? null : ConvCase.ToDoubles(db));
    }

    /// <summary>Backward into the given destinations; a null one is passed as <c>default</c>, which skips that gradient.</summary>
    public static void BackwardInto(
        ConvCase c, double[] input, double[] weight, double[] gradOutput, Tensor<T>? gradInput, Tensor<T>? gradWeight, Tensor<T>? gradBias,
        ManagedEngine<T>? engine = null, Conv2DAlgorithm algorithm = Conv2DAlgorithm.Im2ColGemm)
    {
        Tensor<T> x = ConvCase.ToTensor<T>(input, c.InputShape), w = ConvCase.ToTensor<T>(weight, c.WeightShape), dy = ConvCase.ToTensor<T>(gradOutput, c.OutputShape);
        TensorSpan<T> dx = gradInput is null ? default : gradInput.AsTensorSpan();
        TensorSpan<T> dw = gradWeight is null ? default : gradWeight.AsTensorSpan();
        TensorSpan<T> db = gradBias is null ? default : gradBias.AsTensorSpan();
        if (engine is null)
        {
            Convolution.Conv2DBackward<T>(x, w, dy, dx, dw, db, c.Padding, c.Stride, algorithm);
        }
        else
        {
            engine.Backward(BackwardCall<T>.Validate(x, w, dy, dx, dw, db, c.Padding, c.Stride), Convolution.MaxDegreeOfParallelism);
        }
    }

    /// <summary>A tensor of <paramref name="shape"/> filled with NaN: an element an engine forgets to write stays NaN.</summary>
    public static Tensor<T> Sentinel(params nint[] shape) =>
        Tensor.Create(Enumerable.Repeat(T.NaN, (int)shape.Aggregate(1L, (a, b) => a * b)).ToArray(), shape);

    /// <summary>The weight gradient of one random case on 1, 2 and 3 threads: bit-identical each time.</summary>
    public static void AssertWeightGradientIgnoresThreadCount(ConvCase c, int seed)
    {
        var random = new Random(seed);
        double[] x = ConvCase.RandomValues(random, c.InputLength), w = ConvCase.RandomValues(random, c.WeightLength);
        double[] dy = ConvCase.RandomValues(random, c.OutputLength);
        double[]? first = null;
        foreach (int threads in new[] { 1, 2, 3 })
        {
            Convolution.MaxDegreeOfParallelism = threads;
            double[] weightGradient = Backward(c, x, w, dy, withBias: true).Weight;
            first ??= weightGradient;
            Assert.That(weightGradient, Is.EqualTo(first), $"{c} on {threads} threads");
        }
    }

    /// <summary>Forward and backward on one random case, each checked against the double reference.</summary>
    public static void CheckAgainstReference(ConvCase c, int seed, ManagedEngine<T>? engine = null)
    {
        var random = new Random(seed);
        double[] x = ConvCase.RandomValues(random, c.InputLength);
        double[] w = ConvCase.RandomValues(random, c.WeightLength);
        double[] b = ConvCase.RandomValues(random, c.Cout);
        double[] dy = ConvCase.RandomValues(random, c.OutputLength);
        string label = $"{typeof(T).Name} {c} GEMM {(engine ?? ManagedEngine<T>.Default).Gemm}";

        var (expected, magnitude) = ReferenceConvolution.Forward(c, x, w, b);
        Tolerance.AssertClose<T>(Forward(c, x, w, b, engine), expected, magnitude, c.Depth + 1, label + " forward");

        var reference = ReferenceConvolution.Backward(c, x, w, dy);
        var (dx, dw, db) = Backward(c, x, w, dy, withBias: true, engine);
        Tolerance.AssertClose<T>(dx, reference.Input, reference.InputMagnitude, c.Cout * c.KH * c.KW, label + " gradInput");
        Tolerance.AssertClose<T>(dw, reference.Weight, reference.WeightMagnitude, c.N * c.OutH * c.OutW, label + " gradWeight");
        Tolerance.AssertClose<T>(db!, reference.Bias, reference.BiasMagnitude, c.N * c.OutH * c.OutW, label + " gradBias");
    }
}
