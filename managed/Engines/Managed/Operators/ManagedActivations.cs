using System.Numerics;
using System.Numerics.Tensors;
using NNPackSharp.Validation;

namespace NNPackSharp.Engines.Managed.Operators;

/// <summary>
/// ReLU, leaky ReLU and softmax with their gradients, on <see cref="TensorPrimitives"/> and <see cref="Vector{T}"/>
/// (a scalar loop for element types <see cref="Vector{T}"/> does not hold). Memory-bound single passes: they run on
/// the calling thread. Each element is read before it is written, so the documented in-place calls are safe.
/// </summary>
/// <remarks>
/// Semantics (both engines): <c>relu(x) = max(x, 0)</c> (NaN stays NaN, -0 and -infinity give +0);
/// <c>leaky(x) = x &gt; 0 ? x : x * slope</c>, which is relu when the slope is 0; the gradient is
/// <c>x &gt; 0 ? g : g * slope</c>, with exactly 0 where the slope is 0 (Arraymancer's <c>relu_backward</c>).
/// </remarks>
internal static class ManagedActivations<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static void LeakyRelu(in ActivationCall<T> call, T slope)
    {
        if (slope == T.Zero)
        {
            TensorPrimitives.Max(call.Input, T.Zero, call.Output);
            return;
        }

        ReadOnlySpan<T> input = call.Input;
        Span<T> output = call.Output;
        int i = 0;
        if (Vector<T>.IsSupported && Vector.IsHardwareAccelerated)
        {
            var slopes = new Vector<T>(slope);
            for (; i <= input.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var x = new Vector<T>(input[i..]);
                Vector.ConditionalSelect(Vector.GreaterThan(x, Vector<T>.Zero), x, x * slopes).CopyTo(output[i..]);
            }
        }

        for (; i < input.Length; i++)
        {
            output[i] = input[i] > T.Zero ? input[i] : input[i] * slope;
        }
    }

    public static void LeakyReluBackward(in ActivationBackwardCall<T> call, T slope)
    {
        ReadOnlySpan<T> gradOutput = call.GradOutput, input = call.Forward;
        Span<T> gradInput = call.GradInput;
        int i = 0;
        if (Vector<T>.IsSupported && Vector.IsHardwareAccelerated)
        {
            var slopes = new Vector<T>(slope);
            bool zeroSlope = slope == T.Zero;
            for (; i <= input.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var g = new Vector<T>(gradOutput[i..]);
                Vector<T> negative = zeroSlope ? Vector<T>.Zero : g * slopes;
                Vector.ConditionalSelect(Vector.GreaterThan(new Vector<T>(input[i..]), Vector<T>.Zero), g, negative).CopyTo(gradInput[i..]);
            }
        }

        for (; i < input.Length; i++)
        {
            T g = gradOutput[i];
            gradInput[i] = input[i] > T.Zero ? g : slope == T.Zero ? T.Zero : g * slope;
        }
    }

    /// <summary>Per row: <c>exp(x - max) / sum(exp(x - max))</c>; subtracting the row's maximum keeps exp from overflowing.</summary>
    public static void Softmax(in ActivationCall<T> call)
    {
        int columns = call.Columns;
        for (int row = 0; row < call.Rows; row++)
        {
            ReadOnlySpan<T> x = call.Input.Slice(row * columns, columns);
            Span<T> y = call.Output.Slice(row * columns, columns);
            T max = TensorPrimitives.Max(x);
            TensorPrimitives.Subtract(x, max, y);
            TensorPrimitives.Exp(y, y);
            TensorPrimitives.Divide(y, TensorPrimitives.Sum<T>(y), y);
        }
    }

    /// <summary>Per row, from the softmax output y: <c>gradInput = y * (g - dot(g, y))</c>.</summary>
    public static void SoftmaxBackward(in ActivationBackwardCall<T> call)
    {
        int columns = call.Columns;
        for (int row = 0; row < call.Rows; row++)
        {
            ReadOnlySpan<T> g = call.GradOutput.Slice(row * columns, columns);
            ReadOnlySpan<T> y = call.Forward.Slice(row * columns, columns);
            Span<T> result = call.GradInput.Slice(row * columns, columns);
            T dot = TensorPrimitives.Dot(g, y);
            TensorPrimitives.Subtract(g, dot, result);
            TensorPrimitives.Multiply(result, y, result);
        }
    }
}
