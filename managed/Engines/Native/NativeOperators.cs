using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using NNPackSharp.Interop;
using NNPackSharp.Validation;

namespace NNPackSharp.Engines.Native;

/// <summary>
/// <see cref="OperatorEngine.Native"/>: the validated float calls on libnnpack's operators, on the shared native thread
/// pool. Each entry point here computes exactly what its managed counterpart does; a call the operator cannot compute
/// is refused before it gets here (<see cref="OperatorEngineChoice"/>), and an empty call writes nothing (the native
/// functions refuse a batch of 0).
/// </summary>
internal static unsafe class NativeOperators
{
    public static void FullyConnectedForward(in FullyConnectedCall<float, float> call, int parallelism)
    {
        if (call.Batch == 0)
        {
            return;
        }

        using var lease = new ThreadPoolLease(parallelism);
        fixed (float* input = call.Input, weight = call.Weight, output = call.Output)
        {
            OperatorProxy.FullyConnectedOutput(call.Batch, call.InputChannels, call.OutputChannels, input, weight, output, lease.Handle);
        }

        AddBias(call.Bias, call.Output);
    }

    public static void FullyConnectedInference(in FullyConnectedCall<float, float> call, int parallelism)
    {
        using var lease = new ThreadPoolLease(parallelism);
        fixed (float* input = call.Input, weight = call.Weight, output = call.Output)
        {
            OperatorProxy.FullyConnectedInference(call.InputChannels, call.OutputChannels, input, weight, output, lease.Handle);
        }

        AddBias(call.Bias, call.Output);
    }

    public static void FullyConnectedInference(in FullyConnectedCall<float, Half> call, int parallelism)
    {
        using var lease = new ThreadPoolLease(parallelism);
        fixed (float* input = call.Input, output = call.Output)
        fixed (Half* weight = call.Weight)
        {
            OperatorProxy.FullyConnectedInferenceF16(call.InputChannels, call.OutputChannels, input, weight, output, lease.Handle);
        }

        AddBias(call.Bias, call.Output);
    }

    public static void MaxPool(in PoolingCall<float> call, int parallelism)
    {
        var g = call.Geometry;
        if (g.Planes == 0)
        {
            return;
        }

        using var lease = new ThreadPoolLease(parallelism);
        fixed (float* input = call.Input, output = call.Output)
        {
            OperatorProxy.MaxPoolingOutput(g, input, output, lease.Handle);
        }
    }

    public static void LeakyRelu(in ActivationCall<float> call, float slope, int parallelism)
    {
        using var lease = new ThreadPoolLease(parallelism);
        var (rows, tail) = ElementwiseRows(call.Input.Length);
        fixed (float* input = call.Input, output = call.Output)
        {
            if (rows > 0)
            {
                OperatorProxy.ReluOutput(rows, ElementwiseRow, input, output, slope, lease.Handle);
            }

            if (tail > 0)
            {
                long done = (long)rows * ElementwiseRow;
                OperatorProxy.ReluOutput(1, tail, input + done, output + done, slope, lease.Handle);
            }
        }
    }

    public static void LeakyReluBackward(in ActivationBackwardCall<float> call, float slope, int parallelism)
    {
        using var lease = new ThreadPoolLease(parallelism);
        var (rows, tail) = ElementwiseRows(call.GradOutput.Length);
        fixed (float* gradOutput = call.GradOutput, input = call.Forward, gradInput = call.GradInput)
        {
            if (rows > 0)
            {
                OperatorProxy.ReluInputGradient(rows, ElementwiseRow, gradOutput, input, gradInput, slope, lease.Handle);
            }

            if (tail > 0)
            {
                long done = (long)rows * ElementwiseRow;
                OperatorProxy.ReluInputGradient(1, tail, gradOutput + done, input + done, gradInput + done, slope, lease.Handle);
            }
        }
    }

    // ReLU is element-wise, whatever the tensor's shape: NNPACK splits its rows across threads, so the elements go as
    // rows of this many (a task's worth) and one shorter last row, rather than as the tensor's own rows (a [N] vector
    // would be N rows of one element).
    private const int ElementwiseRow = 16384;

    private static (int Rows, int Tail) ElementwiseRows(int length) => (length / ElementwiseRow, length % ElementwiseRow);

    public static void Softmax(in ActivationCall<float> call, int parallelism)
    {
        if (call.Input.IsEmpty)
        {
            return;
        }

        using var lease = new ThreadPoolLease(parallelism);
        fixed (float* input = call.Input, output = call.Output)
        {
            OperatorProxy.SoftmaxOutput(call.Rows, call.Columns, input, output, lease.Handle);
        }
    }

    // NNPACK's fully connected functions take no bias.
    private static void AddBias(ReadOnlySpan<float> bias, Span<float> output)
    {
        if (bias.IsEmpty)
        {
            return;
        }

        for (int row = 0; row < output.Length; row += bias.Length)
        {
            Span<float> slice = output.Slice(row, bias.Length);
            TensorPrimitives.Add(slice, bias, slice);
        }
    }
}
