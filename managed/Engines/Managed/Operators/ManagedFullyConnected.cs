using System.Numerics;
using System.Numerics.Tensors;
using NNPackSharp.Gemm;
using NNPackSharp.Memory;
using NNPackSharp.Threading;
using NNPackSharp.Validation;

namespace NNPackSharp.Engines.Managed.Operators;

/// <summary>
/// The fully connected layer on the managed GEMM: a batch is one product <c>input x weight^T</c> (the weight read as a
/// transposed view, never copied), the backward pass the two adjoint products; a single vector is one dot product per
/// output channel (a GEMM would pad its one row to a whole tile). Pointers are to pinned, dense, validated memory.
/// </summary>
internal static unsafe class ManagedFullyConnected<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary><c>output = input x weight^T + bias</c>.</summary>
    public static void Forward(in FullyConnectedCall<T, T> call, int parallelism)
    {
        if (call.Batch == 1)
        {
            Inference(call, parallelism);
            return;
        }

        int batch = call.Batch, inputChannels = call.InputChannels, outputChannels = call.OutputChannels;
        bool hasBias = !call.Bias.IsEmpty;
        if (hasBias)
        {
            // The bias is the product's starting value, so every element is summed as bias + products in one order.
            for (int row = 0; row < batch; row++)
            {
                call.Bias.CopyTo(call.Output.Slice(row * outputChannels, outputChannels));
            }
        }

        fixed (T* input = call.Input, weight = call.Weight, output = call.Output)
        {
            Multiply(batch, outputChannels, inputChannels, MatrixRef<T>.RowMajor(input, inputChannels), MatrixRef<T>.RowMajor(weight, inputChannels).Transposed,
                output, outputChannels, hasBias, parallelism);
        }
    }

    /// <summary>
    /// One vector: <c>output[o] = dot(weight[o,:], input) + bias[o]</c>. A large weight (at least
    /// <see cref="ParallelGemm.SerialWorkLimit"/> multiply-adds) is split into blocks of rows across threads; each output is
    /// one dot product whatever the split, so the result does not depend on the thread count.
    /// </summary>
    public static void Inference(in FullyConnectedCall<T, T> call, int parallelism)
    {
        int outputChannels = call.OutputChannels;
        long work = (long)outputChannels * call.InputChannels;
        int tasks = parallelism <= 1 || work < ParallelGemm.SerialWorkLimit ? 1 : Math.Min(outputChannels, 4 * parallelism);
        fixed (T* input = call.Input, weight = call.Weight, bias = call.Bias, output = call.Output)
        {
            ForkJoin.For(tasks, parallelism, new DotRows(call.InputChannels, outputChannels, tasks, input, weight, bias, output));
        }
    }

    /// <summary>A block of rows of the single-vector product; <c>bias</c> may be null.</summary>
    private readonly struct DotRows(int inputChannels, int outputChannels, int tasks, T* input, T* weight, T* bias, T* output) : IParallelBody
    {
        public void Run(int task)
        {
            int first = (int)((long)outputChannels * task / tasks), last = (int)((long)outputChannels * (task + 1) / tasks);
            var vector = new ReadOnlySpan<T>(input, inputChannels);
            for (int o = first; o < last; o++)
            {
                T sum = TensorPrimitives.Dot(new ReadOnlySpan<T>(weight + ((long)o * inputChannels), inputChannels), vector);
                output[o] = bias == null ? sum : sum + bias[o];
            }
        }
    }

    /// <summary>Overwrites each requested gradient: <c>gradInput = gradOutput x weight</c>, <c>gradWeight = gradOutput^T x input</c>, <c>gradBias</c> = column sums of gradOutput.</summary>
    public static void Backward(in FullyConnectedBackwardCall<T> call, int parallelism)
    {
        int batch = call.Batch, inputChannels = call.InputChannels, outputChannels = call.OutputChannels;
        fixed (T* input = call.Input, weight = call.Weight, gradOutput = call.GradOutput, gradInput = call.GradInput, gradWeight = call.GradWeight)
        {
            if (gradInput != null && batch > 0)
            {
                Multiply(batch, inputChannels, outputChannels, MatrixRef<T>.RowMajor(gradOutput, outputChannels), MatrixRef<T>.RowMajor(weight, inputChannels),
                    gradInput, inputChannels, accumulate: false, parallelism);
            }

            if (gradWeight != null)
            {
                if (batch == 0)
                {
                    call.GradWeight.Clear(); // no sample contributes
                }
                else
                {
                    Multiply(outputChannels, inputChannels, batch, MatrixRef<T>.RowMajor(gradOutput, outputChannels).Transposed, MatrixRef<T>.RowMajor(input, inputChannels),
                        gradWeight, inputChannels, accumulate: false, parallelism);
                }
            }
        }

        if (!call.GradBias.IsEmpty)
        {
            SumRows(call.GradOutput, batch, call.GradBias);
        }
    }

    /// <summary><c>sums = sum over rows of matrix</c>, the rows added in order (deterministic).</summary>
    public static void SumRows(ReadOnlySpan<T> matrix, int rows, Span<T> sums)
    {
        sums.Clear();
        for (int row = 0; row < rows; row++)
        {
            TensorPrimitives.Add(sums, matrix.Slice(row * sums.Length, sums.Length), sums);
        }
    }

    private static void Multiply(int m, int n, int k, MatrixRef<T> a, MatrixRef<T> b, T* c, int ldc, bool accumulate, int parallelism)
    {
        GemmWorkspace<T> workspace = Pool<GemmWorkspace<T>>.Rent();
        try
        {
            ParallelGemm.Multiply(ManagedEngine<T>.Default.Gemm, m, n, k, a, b, c, ldc, accumulate, parallelism, workspace);
        }
        finally
        {
            Pool<GemmWorkspace<T>>.Return(workspace);
        }
    }
}
