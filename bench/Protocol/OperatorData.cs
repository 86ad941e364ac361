using System.Numerics.Tensors;
using NumericsTensor = System.Numerics.Tensors.Tensor;

namespace NNPackSharp.Bench.Protocol;

/// <summary>
/// One operator row's operands (<see cref="Operands"/>): the input is the case's shape; a linear layer's or a
/// convolution's weight and bias, <c>[0]</c> where the operation has none; the output the operation's.
/// </summary>
internal sealed class OperatorData : Operands
{
    public OperatorData(OperatorCase operation)
        : base(operation.Shape, WeightShapeOf(operation), [WeightShapeOf(operation)[0]], OutputShapeOf(operation))
    {
        Case = operation;
        WeightHalf = NumericsTensor.Create(WeightValues.Select(v => (Half)v).ToArray(), WeightShape);
    }

    public OperatorCase Case { get; }

    /// <summary>The weight rounded to FP16, for the FP16-weight inference.</summary>
    public Tensor<Half> WeightHalf { get; }

    private static nint[] WeightShapeOf(OperatorCase operation) => operation.Kind switch
    {
        OperatorKind.LinearForward or OperatorKind.LinearBackward => [operation.Outputs, operation.Shape[1]],
        OperatorKind.LinearInference or OperatorKind.LinearInferenceFp16 => [operation.Outputs, operation.Shape[0]],
        OperatorKind.ConvRelu => [operation.Outputs, operation.Shape[1], 3, 3],
        _ => [0],
    };

    private static nint[] OutputShapeOf(OperatorCase operation) => operation.Kind switch
    {
        OperatorKind.LinearForward or OperatorKind.LinearBackward => [operation.Shape[0], operation.Outputs],
        OperatorKind.LinearInference or OperatorKind.LinearInferenceFp16 => [operation.Outputs],
        OperatorKind.MaxPool => operation.PoolOutputShape,
        OperatorKind.ConvRelu => [operation.Shape[0], operation.Outputs, operation.Shape[2], operation.Shape[3]],
        _ => operation.Shape,
    };
}
