using System.Numerics;
using System.Runtime.CompilerServices;
using System.Numerics.Tensors;
using NNPackSharp.Geometry;

namespace NNPackSharp.Engines.Managed;

/// <summary>
/// col2im for one image: adds a <c>[Cin*kH*kW, Hout*Wout]</c> column matrix back onto the image, the adjoint of
/// <see cref="Im2Col"/>, which is how the input gradient folds overlapping windows.
/// </summary>
internal static unsafe class Col2Im
{
    /// <summary>
    /// Adds <paramref name="columns"/> back onto <paramref name="image"/> (<c>[Cin,H,W]</c>), the adjoint of
    /// <see cref="Im2Col.Gather"/>. The column matrix's rows lie <paramref name="rowStride"/> elements apart: the
    /// output plane, or wider where the image's columns are one slice of a group's.
    /// </summary>
    public static void ScatterAdd<T>(in Conv2DGeometry g, T* columns, nint rowStride, T* image)
        where T : unmanaged, IAdditionOperators<T, T, T>, IAdditiveIdentity<T, T>
    {
        for (int channel = 0; channel < g.InputChannels; channel++)
        {
            ScatterAddChannel(g, channel, columns, rowStride, image);
        }
    }

    /// <summary>The part of <see cref="ScatterAdd"/> that lands on one input channel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScatterAddChannel<T>(in Conv2DGeometry g, int channel, T* columns, nint rowStride, T* image)
        where T : unmanaged, IAdditionOperators<T, T, T>, IAdditiveIdentity<T, T>
    {
        int outW = g.OutputWidth;
        T* plane = image + ((nint)channel * g.InputHeight * g.InputWidth);
        for (int ky = 0; ky < g.KernelHeight; ky++)
        {
            for (int kx = 0; kx < g.KernelWidth; kx++)
            {
                T* row = columns + (((((nint)channel * g.KernelHeight) + ky) * g.KernelWidth) + kx) * rowStride;
                var (firstY, endY, firstX, endX) = Im2Col.ValidWindow(g, ky, kx);
                for (int oy = firstY; oy < endY; oy++)
                {
                    T* source = row + ((nint)oy * outW) + firstX;
                    T* destination = plane + (Im2Col.InputIndex(oy, ky, g.StrideHeight, g.PadHeight) * g.InputWidth) + Im2Col.InputIndex(firstX, kx, g.StrideWidth, g.PadWidth);
                    if (g.StrideWidth == 1)
                    {
                        Span<T> target = new(destination, endX - firstX);
                        TensorPrimitives.Add(target, new ReadOnlySpan<T>(source, endX - firstX), target);
                    }
                    else
                    {
                        for (int i = 0; i < endX - firstX; i++)
                        {
                            destination[(nint)i * g.StrideWidth] += source[i];
                        }
                    }
                }
            }
        }
    }
}
