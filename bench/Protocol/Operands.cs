using System.Numerics.Tensors;
using NumericsTensor = System.Numerics.Tensors.Tensor;

namespace NNPackSharp.Bench.Protocol;

/// <summary>
/// A row's inputs and destinations, shared by every engine: seeded random inputs (the same values on every run, drawn
/// in the order input, weight, bias, gradient of the output) and destinations written once before timing, so no engine
/// pays for the first touch of a fresh page inside its batch. A convolution's (<see cref="LayerData"/>) or an
/// operator's (<see cref="OperatorData"/>).
/// </summary>
internal abstract class Operands
{
    protected Operands(nint[] inputShape, nint[] weightShape, nint[] biasShape, nint[] outputShape)
    {
        InputShape = inputShape;
        WeightShape = weightShape;
        OutputShape = outputShape;
        BiasShape = biasShape;
        var random = new Random(1);
        InputValues = BenchData.RandomValues(random, InputShape);
        WeightValues = BenchData.RandomValues(random, WeightShape);
        BiasValues = BenchData.RandomValues(random, BiasShape);
        GradOutputValues = BenchData.RandomValues(random, OutputShape);
        OutputValues = Touched(OutputShape);
        Input = NumericsTensor.Create(InputValues, InputShape);
        Weight = NumericsTensor.Create(WeightValues, WeightShape);
        Bias = NumericsTensor.Create(BiasValues, BiasShape);
        GradOutput = NumericsTensor.Create(GradOutputValues, OutputShape);
        Output = NumericsTensor.Create(OutputValues, OutputShape);
        GradInput = NumericsTensor.Create(Touched(InputShape), InputShape);
        GradWeight = NumericsTensor.Create(Touched(WeightShape), WeightShape);
        GradBias = NumericsTensor.Create(Touched(BiasShape), BiasShape);
    }

    public nint[] InputShape { get; }

    public nint[] WeightShape { get; }

    public nint[] OutputShape { get; }

    public nint[] BiasShape { get; }

    /// <summary>The raw arrays, for the engines that take pointers or spans (upstream NNPACK, inference) or copy (TorchSharp).</summary>
    public float[] InputValues { get; }

    public float[] WeightValues { get; }

    public float[] BiasValues { get; }

    public float[] GradOutputValues { get; }

    /// <summary>The output's storage: upstream NNPACK's forward destination, the single-vector inference's span.</summary>
    public float[] OutputValues { get; }

    public Tensor<float> Input { get; }

    public Tensor<float> Weight { get; }

    public Tensor<float> Bias { get; }

    public Tensor<float> GradOutput { get; }

    public Tensor<float> Output { get; }

    public Tensor<float> GradInput { get; }

    public Tensor<float> GradWeight { get; }

    public Tensor<float> GradBias { get; }

    /// <summary>A destination array with every page written (a fresh large array is zero pages the OS has not mapped yet).</summary>
    private static float[] Touched(nint[] shape)
    {
        float[] values = new float[shape.Aggregate(1L, (a, b) => a * b)];
        values.AsSpan().Fill(1f);
        return values;
    }
}
