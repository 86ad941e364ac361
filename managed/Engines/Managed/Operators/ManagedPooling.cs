using System.Numerics;
using NNPackSharp.Geometry;
using NNPackSharp.Threading;
using NNPackSharp.Validation;

namespace NNPackSharp.Engines.Managed.Operators;

/// <summary>
/// Max pooling, forward and backward, one task per plane (image, channel). Only the taps a window covers inside the
/// input are visited, so time follows the output and the input, never the padding or the window's extent past the
/// input. NaN never wins a window (as in libnnpack); a window with nothing but padding, NaN or -infinity gives
/// -infinity. Backward finds each window's arg-max again from the input: the first maximum in row-major window order
/// (the first covered tap when none beats -infinity) gets the window's whole gradient, added where windows overlap.
/// </summary>
internal static unsafe class ManagedPooling<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static void Forward(in PoolingCall<T> call, int parallelism)
    {
        fixed (T* input = call.Input, output = call.Output)
        {
            ForkJoin.For(call.Geometry.Planes, parallelism, new ForwardPlane(call.Geometry, input, output));
        }
    }

    /// <summary>Overwrites gradInput: zeros, then each window's gradient at its arg-max.</summary>
    public static void Backward(in PoolingBackwardCall<T> call, int parallelism)
    {
        fixed (T* input = call.Input, gradOutput = call.GradOutput, gradInput = call.GradInput)
        {
            ForkJoin.For(call.Geometry.Planes, parallelism, new BackwardPlane(call.Geometry, input, gradOutput, gradInput));
        }
    }

    /// <summary>The offset in its plane of the first largest covered input of the window at (row, column), or -1 when the window covers no input.</summary>
    private static int ArgMax(in PoolingGeometry g, T* plane, int row, int column, out T max)
    {
        (int firstRow, int lastRow) = g.WindowRows(row);
        (int firstColumn, int lastColumn) = g.WindowColumns(column);
        max = T.NegativeInfinity;
        if (firstRow == lastRow || firstColumn == lastColumn)
        {
            return -1;
        }

        int best = (firstRow * g.InputWidth) + firstColumn;
        for (int y = firstRow; y < lastRow; y++)
        {
            for (int x = firstColumn; x < lastColumn; x++)
            {
                T value = plane[(y * g.InputWidth) + x];
                if (value > max)
                {
                    max = value;
                    best = (y * g.InputWidth) + x;
                }
            }
        }

        return best;
    }

    private readonly struct ForwardPlane(PoolingGeometry g, T* input, T* output) : IParallelBody
    {
        public void Run(int task)
        {
            T* plane = input + ((long)task * g.InputPlaneLength);
            T* result = output + ((long)task * g.OutputPlaneLength);
            for (int row = 0; row < g.OutputHeight; row++)
            {
                for (int column = 0; column < g.OutputWidth; column++)
                {
                    ArgMax(g, plane, row, column, out result[(row * g.OutputWidth) + column]);
                }
            }
        }
    }

    private readonly struct BackwardPlane(PoolingGeometry g, T* input, T* gradOutput, T* gradInput) : IParallelBody
    {
        public void Run(int task)
        {
            T* plane = input + ((long)task * g.InputPlaneLength);
            T* grads = gradOutput + ((long)task * g.OutputPlaneLength);
            T* result = gradInput + ((long)task * g.InputPlaneLength);
            new Span<T>(result, g.InputPlaneLength).Clear();
            for (int row = 0; row < g.OutputHeight; row++)
            {
                for (int column = 0; column < g.OutputWidth; column++)
                {
                    int at = ArgMax(g, plane, row, column, out _);
                    if (at >= 0)
                    {
                        result[at] += grads[(row * g.OutputWidth) + column];
                    }
                }
            }
        }
    }
}
