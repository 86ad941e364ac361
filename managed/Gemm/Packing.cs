using System.Runtime.CompilerServices;
namespace NNPackSharp.Gemm;

/// <summary>
/// Copies blocks of A and B into the panel layouts the ukernel streams through (BLIS packing),
/// zero-padding partial panels so the ukernel never needs a remainder path.
/// </summary>
internal static unsafe class Packing
{
    /// <summary>
    /// Packs <c>A[row0 .. row0+rows, col0 .. col0+depth]</c> into panels of <paramref name="panelRows"/> rows:
    /// panel p starts at <c>p*depth</c> elements and holds, for each k, its <paramref name="panelRows"/> values.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackA<T>(MatrixRef<T> a, int row0, int rows, int col0, int depth, int panelRows, T* destination)
        where T : unmanaged
    {
        for (int p = 0; p < rows; p += panelRows)
        {
            int valid = Math.Min(panelRows, rows - p);
            T* panel = destination + ((nint)p * depth);
            if (a.RowStride == 1 && valid == panelRows)
            {
                // A column's panelRows values are contiguous (a transposed row-major matrix): copy them whole.
                for (int k = 0; k < depth; k++)
                {
                    new ReadOnlySpan<T>(a.At(row0 + p, col0 + k), panelRows).CopyTo(new Span<T>(panel + ((nint)k * panelRows), panelRows));
                }

                continue;
            }

            PanelTranspose.Pack(a.At(row0 + p, col0), a.RowStride, valid, depth, panelRows, panel, a.ColumnStride);
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
        for (int q = 0; q < columns; q += panelColumns)
        {
            int valid = Math.Min(panelColumns, columns - q);
            T* panel = destination + ((nint)q * depth);
            if (b.ColumnStride == 1)
            {
                for (int k = 0; k < depth; k++)
                {
                    Span<T> row = new(panel + ((nint)k * panelColumns), panelColumns);
                    new ReadOnlySpan<T>(b.At(row0 + k, col0 + q), valid).CopyTo(row);
                    row[valid..].Clear();
                }

                continue;
            }

            PanelTranspose.Pack(b.At(row0, col0 + q), b.ColumnStride, valid, depth, panelColumns, panel, b.RowStride);
        }
    }
}
