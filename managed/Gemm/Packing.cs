using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NNPackSharp.Gemm;

/// <summary>
/// Copies blocks of A and B into the panel layouts the ukernel streams through (BLIS packing),
/// zero-padding partial panels so the ukernel never needs a remainder path.
/// </summary>
internal static unsafe class Packing
{
    /// <summary>
    /// Packs <c>A[row0 .. row0+rows, col0 .. col0+depth]</c> into panels of <paramref name="panelRows"/> rows:
    /// panel p starts at <c>p*depth</c> elements and holds, for each k, its <paramref name="panelRows"/> values. A last
    /// panel of at most <paramref name="edgeRows"/> rows is <paramref name="edgeRows"/> high instead (for the edge ukernel).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackA<T>(MatrixRef<T> a, int row0, int rows, int col0, int depth, int panelRows, int edgeRows, T* destination)
        where T : unmanaged
    {
        if (a.KernelTaps != 0)
        {
            PackRotatedKernels(a, row0, rows, col0, depth, panelRows, edgeRows, destination);
            return;
        }

        for (int p = 0; p < rows; p += panelRows)
        {
            int valid = Math.Min(panelRows, rows - p);
            int height = valid <= edgeRows ? edgeRows : panelRows;
            T* panel = destination + ((nint)p * depth);
            if (a.RowStride == 1 && valid == height)
            {
                // A column's values are contiguous (a transposed row-major matrix): copy them whole.
                for (int k = 0; k < depth; k++)
                {
                    CopyPadded(a.At(row0 + p, col0 + k), height, panel + ((nint)k * height), height);
                }

                continue;
            }

            PanelTranspose.Pack(a.At(row0 + p, col0), a.RowStride, valid, depth, height, panel, a.ColumnStride);
        }
    }

    /// <summary>
    /// <see cref="PackA{T}"/> for a <see cref="MatrixRef{T}.RotatedKernels"/> view: depth runs through each output
    /// channel's kernel, so a panel is packed one kernel (or the part of one inside the depth block) at a time, each a
    /// transpose of <c>rows x taps</c> contiguous elements with the taps reversed.
    /// </summary>
    private static void PackRotatedKernels<T>(MatrixRef<T> a, int row0, int rows, int col0, int depth, int panelRows, int edgeRows, T* destination)
        where T : unmanaged
    {
        int taps = a.KernelTaps;
        for (int p = 0; p < rows; p += panelRows)
        {
            int valid = Math.Min(panelRows, rows - p);
            int height = valid <= edgeRows ? edgeRows : panelRows;
            T* panel = destination + ((nint)p * depth);
            T* lines = a.Data + ((nint)(row0 + p) * a.RowStride);
            for (int k = 0; k < depth;)
            {
                // Columns k.. are taps t.. of output channel co, which are W's taps taps-1-t and down.
                int column = col0 + k;
                int channel = column / taps, tap = column - (channel * taps);
                int length = Math.Min(taps - tap, depth - k);
                T* source = lines + ((nint)channel * a.ColumnStride) + (taps - tap - length);
                PanelTranspose.PackReversed(source, a.RowStride, valid, length, height, panel + ((nint)k * height));
                k += length;
            }
        }
    }

    /// <summary>
    /// Packs <c>B[row0 .. row0+depth, col0 .. col0+columns]</c> into panels of <paramref name="panelColumns"/> columns:
    /// panel q starts at <c>q*depth</c> elements and holds, for each k, its <paramref name="panelColumns"/> values.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackB<T>(MatrixRef<T> b, int row0, int depth, int col0, int columns, int panelColumns, T* destination)
        where T : unmanaged
    {
        if (b.ColumnStride == 1)
        {
            // Row by row across all panels: B's rows are read front to back (a panel at a time would read a tile's
            // width from each of depth rows, a new page for every few rows of a wide matrix).
            for (int k = 0; k < depth; k++)
            {
                T* source = b.At(row0 + k, col0);
                for (int q = 0; q < columns; q += panelColumns)
                {
                    CopyPadded(source + q, Math.Min(panelColumns, columns - q), destination + ((nint)q * depth) + ((nint)k * panelColumns), panelColumns);
                }
            }

            return;
        }

        for (int q = 0; q < columns; q += panelColumns)
        {
            int valid = Math.Min(panelColumns, columns - q);
            T* panel = destination + ((nint)q * depth);
            PanelTranspose.Pack(b.At(row0, col0 + q), b.ColumnStride, valid, depth, panelColumns, panel, b.RowStride);
        }
    }

    /// <summary>
    /// <c>destination[0, valid) = source[0, valid)</c> and zeros up to <paramref name="width"/>: one panel row, a tile
    /// wide (a few vectors). Inline vector copies: span copies of so few bytes cost a call each (to Memmove and to the
    /// clear), which was 15% of a pointwise layer's forward pass.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void CopyPadded<T>(T* source, int valid, T* destination, int width)
        where T : unmanaged
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported)
        {
            for (; i + Vector512<T>.Count <= valid; i += Vector512<T>.Count)
            {
                Vector512.Store(Vector512.Load(source + i), destination + i);
            }
        }

        // Then narrower vectors for what is left: a 12-row A panel's column is 8 + 4 floats, not 12 single ones.
        if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported)
        {
            for (; i + Vector256<T>.Count <= valid; i += Vector256<T>.Count)
            {
                Vector256.Store(Vector256.Load(source + i), destination + i);
            }
        }

        if (Vector128.IsHardwareAccelerated && Vector128<T>.IsSupported)
        {
            for (; i + Vector128<T>.Count <= valid; i += Vector128<T>.Count)
            {
                Vector128.Store(Vector128.Load(source + i), destination + i);
            }
        }

        for (; i < valid; i++)
        {
            destination[i] = source[i];
        }

        for (; i < width; i++)
        {
            destination[i] = default;
        }
    }
}
