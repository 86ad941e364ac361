using System.Numerics.Tensors;
using NNPackSharp.Gemm;
using NNPackSharp.Threading;
using NNPackSharp.Validation;

namespace NNPackSharp.Engines.Managed.Operators;

/// <summary>
/// The single-vector fully connected layer with FP16 weights: each weight row widened to float in chunks of
/// <see cref="Chunk"/> on the stack, each chunk's dot product added in order. A large weight (at least
/// <see cref="ParallelGemm.SerialWorkLimit"/> multiply-adds) is split into blocks of rows across threads; each output
/// is summed the same way whatever the split, so the result does not depend on the thread count.
/// </summary>
internal static unsafe class ManagedHalfFullyConnected
{
    /// <summary>Weights widened at a time: 4 KiB of floats, in L1 beside the input's chunk.</summary>
    private const int Chunk = 1024;

    /// <summary><c>output[o] = dot(float(weight[o,:]), input) + bias[o]</c>.</summary>
    public static void Inference(in FullyConnectedCall<float, Half> call, int parallelism)
    {
        int outputChannels = call.OutputChannels;
        long work = (long)outputChannels * call.InputChannels;
        int tasks = parallelism <= 1 || work < ParallelGemm.SerialWorkLimit ? 1 : Math.Min(outputChannels, 4 * parallelism);
        fixed (float* input = call.Input, bias = call.Bias, output = call.Output)
        fixed (Half* weight = call.Weight)
        {
            ForkJoin.For(tasks, parallelism, new DotRows(call.InputChannels, outputChannels, tasks, input, weight, bias, output));
        }
    }

    /// <summary>A block of rows; <c>bias</c> may be null.</summary>
    private readonly struct DotRows(int inputChannels, int outputChannels, int tasks, float* input, Half* weight, float* bias, float* output) : IParallelBody
    {
        public void Run(int task)
        {
            int first = (int)((long)outputChannels * task / tasks), last = (int)((long)outputChannels * (task + 1) / tasks);
            Span<float> widened = stackalloc float[Chunk];
            for (int o = first; o < last; o++)
            {
                Half* row = weight + ((long)o * inputChannels);
                float sum = 0;
                for (int i = 0; i < inputChannels; i += Chunk)
                {
                    int length = Math.Min(Chunk, inputChannels - i);
                    TensorPrimitives.ConvertToSingle(new ReadOnlySpan<Half>(row + i, length), widened[..length]);
                    sum += TensorPrimitives.Dot(widened[..length], new ReadOnlySpan<float>(input + i, length));
                }

                output[o] = bias == null ? sum : sum + bias[o];
            }
        }
    }
}
