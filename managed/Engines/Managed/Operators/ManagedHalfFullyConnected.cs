using System.Buffers;
using System.Numerics.Tensors;
using NNPackSharp.Validation;

namespace NNPackSharp.Engines.Managed.Operators;

/// <summary>The single-vector fully connected layer with FP16 weights: each weight row widened to float, then a dot product.</summary>
internal static class ManagedHalfFullyConnected
{
    /// <summary><c>output[o] = dot(float(weight[o,:]), input) + bias[o]</c>.</summary>
    public static void Inference(in FullyConnectedCall<float, Half> call)
    {
        int inputChannels = call.InputChannels;
        float[] row = ArrayPool<float>.Shared.Rent(inputChannels);
        try
        {
            Span<float> widened = row.AsSpan(0, inputChannels);
            for (int o = 0; o < call.OutputChannels; o++)
            {
                TensorPrimitives.ConvertToSingle(call.Weight.Slice(o * inputChannels, inputChannels), widened);
                float sum = TensorPrimitives.Dot(widened, call.Input);
                call.Output[o] = call.Bias.IsEmpty ? sum : sum + call.Bias[o];
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(row);
        }
    }
}
