using System.Numerics;
using System.Numerics.Tensors;
using NNPackSharp.Geometry;
using NNPackSharp.Threading;

namespace NNPackSharp.Engines;

/// <summary>
/// The bias gradient: the sum of gradOutput over each output channel's plane, image by image in batch order. Both
/// engines use it. It reads all of gradOutput once, which next to a GEMM with a short depth is not small (a weight
/// gradient does 2 * patch length flops per gradOutput element: 2 * 147 on the ResNet stem, 2 * 256 on a 1x1 layer),
/// so on more than one thread the channels are split between the threads rather than left to the calling thread
/// alone. Each channel is summed by one task in the same order on any number of threads, so the bits never depend on
/// the thread count.
/// </summary>
internal static unsafe class BiasGradient
{
    /// <summary>Below this many gradOutput elements (1 MiB of floats) a fork costs more than the sums it shares out.</summary>
    private const long MinSplitElements = 1 << 18;

    /// <summary>Tasks per thread: channel ranges small enough that a thread slowed by the host does not hold the others up.</summary>
    private const int TasksPerThread = 4;

    /// <summary>Writes each output channel's sum over every image's gradOutput plane into <paramref name="gradBias"/> (zeros for batch 0).</summary>
    /// <param name="g">The convolution.</param>
    /// <param name="gradOutput">Its output gradient.</param>
    /// <param name="gradBias">The sums, one per output channel.</param>
    /// <param name="parallelism">The most threads.</param>
    /// <param name="helpersRest">
    /// Whether the helper threads sleep at once after the sums (<see cref="ForkJoin.For{TBody}"/>): true where
    /// libnnpack's pool runs next. Spinning there, they took a core from its workers for their first 200 us: NNPackAuto's
    /// weight and bias gradients on two threads ran 1.13x (Inception 1x7), 1.09x (ResNet 1x1), 1.03x (VGG conv3.2) and
    /// 1.02x (the ResNet stem) with them resting (bench/ab-managed.py, AB_ENGINES=native,native, 11 rounds).
    /// </param>
    public static void Sum<T>(in Conv2DGeometry g, T* gradOutput, T* gradBias, int parallelism, bool helpersRest)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (g.Batch == 0)
        {
            new Span<T>(gradBias, g.OutputChannels).Clear();
            return;
        }

        bool split = parallelism > 1 && (long)g.Batch * g.OutputImageLength >= MinSplitElements;
        int tasks = split ? Math.Min(g.OutputChannels, parallelism * TasksPerThread) : 1;
        ForkJoin.For(tasks, parallelism, new ChannelRange<T>(g, gradOutput, gradBias, tasks), helpersRest);
    }

    /// <summary>One task's contiguous range of output channels, image by image (each image's part of the range is one contiguous run of gradOutput).</summary>
    private readonly struct ChannelRange<T>(Conv2DGeometry g, T* gradOutput, T* gradBias, int tasks) : IParallelBody
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run(int task)
        {
            int first = (int)((long)g.OutputChannels * task / tasks);
            int end = (int)((long)g.OutputChannels * (task + 1) / tasks);
            int plane = g.OutputPlaneLength;
            for (int image = 0; image < g.Batch; image++)
            {
                T* imageGradOutput = gradOutput + ((nint)image * g.OutputImageLength);
                for (int channel = first; channel < end; channel++)
                {
                    T sum = TensorPrimitives.Sum(new ReadOnlySpan<T>(imageGradOutput + ((nint)channel * plane), plane));
                    gradBias[channel] = image == 0 ? sum : gradBias[channel] + sum;
                }
            }
        }
    }
}
