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

    /// <summary>
    /// The forward pass of one plane in chunks of output columns (at most <see cref="ChunkColumns"/> windows spanning at
    /// most <see cref="SpanLength"/> input columns): each chunk's column windows are found once, each output row folds
    /// its covered input rows into one row of column maxima on the stack (vectorised), and each window takes the
    /// maximum of its columns there. Windows wider than <see cref="SpanLength"/> read the input directly. The same
    /// maxima as <see cref="ArgMax"/> (a NaN never wins; nor does a later equal value, so +0 and -0 keep the first).
    /// </summary>
    private readonly struct ForwardPlane(PoolingGeometry g, T* input, T* output) : IParallelBody
    {
        private const int ChunkColumns = 256;
        private const int SpanLength = 1024;

        public void Run(int task)
        {
            T* plane = input + ((long)task * g.InputPlaneLength);
            T* result = output + ((long)task * g.OutputPlaneLength);
            if (g.Kernel.Width > SpanLength)
            {
                for (int row = 0; row < g.OutputHeight; row++)
                {
                    for (int column = 0; column < g.OutputWidth; column++)
                    {
                        ArgMax(g, plane, row, column, out result[(row * g.OutputWidth) + column]);
                    }
                }

                return;
            }

            int chunk = (int)Math.Min(ChunkColumns, ((SpanLength - g.Kernel.Width) / (long)g.Stride.Width) + 1);
            int* firsts = stackalloc int[ChunkColumns], lasts = stackalloc int[ChunkColumns];
            T* span = stackalloc T[SpanLength];
            for (int column0 = 0; column0 < g.OutputWidth; column0 += chunk)
            {
                int columns = Math.Min(chunk, g.OutputWidth - column0);
                int first = g.InputWidth, last = 0;
                for (int j = 0; j < columns; j++)
                {
                    (firsts[j], lasts[j]) = g.WindowColumns(column0 + j);
                    if (firsts[j] < lasts[j])
                    {
                        first = Math.Min(first, firsts[j]);
                        last = Math.Max(last, lasts[j]);
                    }
                }

                for (int row = 0; row < g.OutputHeight; row++)
                {
                    (int firstRow, int lastRow) = g.WindowRows(row);
                    T* outputRow = result + ((long)row * g.OutputWidth) + column0;
                    var maxima = new Span<T>(span, Math.Max(0, last - first));
                    maxima.Fill(T.NegativeInfinity);
                    for (int y = firstRow; y < lastRow; y++)
                    {
                        MaxInto(maxima, new ReadOnlySpan<T>(plane + ((long)y * g.InputWidth) + first, maxima.Length));
                    }

                    for (int j = 0; j < columns; j++)
                    {
                        T max = T.NegativeInfinity;
                        if (firstRow < lastRow)
                        {
                            for (int x = firsts[j]; x < lasts[j]; x++)
                            {
                                max = maxima[x - first] > max ? maxima[x - first] : max;
                            }
                        }

                        outputRow[j] = max;
                    }
                }
            }
        }

        /// <summary>maxima[i] = row[i] &gt; maxima[i] ? row[i] : maxima[i], vectorised.</summary>
        private static void MaxInto(Span<T> maxima, ReadOnlySpan<T> row)
        {
            int i = 0;
            if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
            {
                for (; i + Vector<T>.Count <= maxima.Length; i += Vector<T>.Count)
                {
                    var best = new Vector<T>(maxima[i..]);
                    var value = new Vector<T>(row[i..]);
                    Vector.ConditionalSelect(Vector.GreaterThan(value, best), value, best).CopyTo(maxima[i..]);
                }
            }

            for (; i < maxima.Length; i++)
            {
                maxima[i] = row[i] > maxima[i] ? row[i] : maxima[i];
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
