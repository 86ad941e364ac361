namespace NNPackSharp.Gemm;

/// <summary>
/// Where the GEMM's B comes from: anything that can pack a block of B into the ukernel's panel layout. A stored
/// matrix (<see cref="MatrixPanelSource{T}"/>), or a matrix that exists only implicitly, such as the im2col columns
/// of an image, packed straight from the image without ever being written out.
/// </summary>
internal unsafe interface IPanelSource<T>
    where T : unmanaged
{
    /// <summary>
    /// Packs <c>B[row0 .. row0+depth, col0 .. col0+columns]</c> into panels of <paramref name="panelColumns"/> columns,
    /// as <see cref="Packing.PackB{T}"/> lays them out (zero-padded past <paramref name="columns"/>).
    /// </summary>
    void Pack(int row0, int depth, int col0, int columns, int panelColumns, T* destination);

    /// <summary>
    /// Where B's element <c>(0, 0)</c> lies and how far apart its rows are, when B is a stored row-major matrix whose
    /// full panels the ukernel can read in place (no packing); false for any other source.
    /// </summary>
    bool InPlace(out T* origin, out nint rowStride);
}

/// <summary>B as a stored (possibly transposed) matrix.</summary>
internal readonly unsafe struct MatrixPanelSource<T>(MatrixRef<T> matrix) : IPanelSource<T>
    where T : unmanaged
{
    public void Pack(int row0, int depth, int col0, int columns, int panelColumns, T* destination) =>
        Packing.PackB(matrix, row0, depth, col0, columns, panelColumns, destination);

    public bool InPlace(out T* origin, out nint rowStride)
    {
        origin = matrix.Data;
        rowStride = matrix.RowStride;
        return matrix.ColumnStride == 1 && matrix.KernelTaps == 0;
    }
}
