using System.Numerics;
using System.Numerics.Tensors;
using NNPackSharp.Geometry;

namespace NNPackSharp.Engines;

/// <summary>The bias gradient: the sum of gradOutput over each output channel's plane, image by image. Both engines use it.</summary>
internal static unsafe class BiasGradient
{
    /// <summary>Adds one image's channel sums to <paramref name="gradBias"/>, or writes them when <paramref name="overwrite"/>.</summary>
    public static void AddImage<T>(in Conv2DGeometry g, T* imageGradOutput, T* gradBias, bool overwrite)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int plane = g.OutputPlaneLength;
        for (int channel = 0; channel < g.OutputChannels; channel++)
        {
            T sum = TensorPrimitives.Sum(new ReadOnlySpan<T>(imageGradOutput + ((nint)channel * plane), plane));
            gradBias[channel] = overwrite ? sum : gradBias[channel] + sum;
        }
    }
}
