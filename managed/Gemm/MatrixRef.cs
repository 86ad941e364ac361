using System.Diagnostics;

namespace NNPackSharp.Gemm;

/// <summary>
/// A strided view of a matrix in unmanaged (pinned) memory. Transposes are views too: the GEMM's packing
/// routines read any strides, so backward passes need no transposed copies. One view is not strided: a weight's
/// kernels rotated and their channels swapped (<see cref="RotatedKernels"/>), which only <see cref="Packing.PackA{T}"/>
/// reads.
/// </summary>
internal readonly unsafe struct MatrixRef<T>
    where T : unmanaged
{
    public MatrixRef(T* data, nint rowStride, nint columnStride)
        : this(data, rowStride, columnStride, kernelTaps: 0)
    {
    }

    private MatrixRef(T* data, nint rowStride, nint columnStride, int kernelTaps)
    {
        Data = data;
        RowStride = rowStride;
        ColumnStride = columnStride;
        KernelTaps = kernelTaps;
    }

    public T* Data { get; }

    public nint RowStride { get; }

    /// <summary>Between columns; in a <see cref="RotatedKernels"/> view, between the kernel blocks of two output channels.</summary>
    public nint ColumnStride { get; }

    /// <summary>Zero for a strided matrix; the taps per kernel for a <see cref="RotatedKernels"/> view.</summary>
    public int KernelTaps { get; }

    /// <summary>A dense row-major matrix with <paramref name="columns"/> columns.</summary>
    public static MatrixRef<T> RowMajor(T* data, nint columns) => new(data, columns, 1);

    /// <summary>
    /// The weight <c>W[Cout, Cin, taps]</c> of a layer as the weight of its transposed layer:
    /// <c>A[ci, co*taps + t] = W[co, ci, taps-1-t]</c> (<c>Cin x Cout*taps</c>), without writing it out. Packing reads
    /// each output channel's <c>Cin x taps</c> block of <c>W</c> with the taps reversed.
    /// </summary>
    public static MatrixRef<T> RotatedKernels(T* weight, int inputChannels, int taps) => new(weight, taps, (nint)inputChannels * taps, taps);

    /// <summary>The transpose of this matrix, as a view.</summary>
    public MatrixRef<T> Transposed
    {
        get
        {
            Debug.Assert(KernelTaps == 0, "a rotated kernel view has no strided transpose");
            return new(Data, ColumnStride, RowStride);
        }
    }

    /// <summary>The view of this matrix's rows from <paramref name="row"/> on.</summary>
    public MatrixRef<T> RowsFrom(nint row) => new(Data + (row * RowStride), RowStride, ColumnStride, KernelTaps);

    public T* At(nint row, nint column)
    {
        Debug.Assert(KernelTaps == 0, "a rotated kernel view is read by Packing.PackA alone");
        return Data + (row * RowStride) + (column * ColumnStride);
    }
}
