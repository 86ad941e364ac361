namespace NNPackSharp.Bench.Protocol;

/// <summary>
/// One convolution layer's operands (<see cref="Operands"/>). The shapes are kept because <see cref="ConvLayer"/>'s
/// shape properties build a new array on each read.
/// </summary>
internal sealed class LayerData(ConvLayer layer) : Operands(layer.InputShape, layer.WeightShape, [layer.Cout], layer.OutputShape)
{
    public ConvLayer Layer => layer;
}
