namespace NNPackSharp.Gemm;

/// <summary>
/// A strided view of a matrix in unmanaged (pinned) memory. Transposes are views too: the GEMM's packing
/// routines read any strides, so backward passes need no transposed copies.
/// </summary>
internal readonly unsafe struct MatrixRef<T>(T* data, nint rowStride, nint columnStride)
    where T : unmanaged
{
    public T* Data { get; } = data;

    public nint RowStride { get; } = rowStride;

    public nint ColumnStride { get; } = columnStride;

    /// <summary>A dense row-major matrix with <paramref name="columns"/> columns.</summary>
    public static MatrixRef<T> RowMajor(T* data, nint columns) => new(data, columns, 1);

    /// <summary>The transpose of this matrix, as a view.</summary>
    public MatrixRef<T> Transposed => new(Data, ColumnStride, RowStride);

    public T* At(nint row, nint column) => Data + (row * RowStride) + (column * ColumnStride);
}
