using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace NNPackSharp.Gemm;

/// <summary>The ukernels' write-back of one tile row: its registers stored to C, or added to it.</summary>
internal static unsafe class TileStore<T, TVector, TOps>
    where T : unmanaged
    where TVector : struct
    where TOps : IVectorOps<T, TVector>
{
    /// <summary>
    /// Asks for the tile's rows of C (<paramref name="rows"/> rows of two registers) before the ukernel's depth loop,
    /// so that the write-back finds them in L1 instead of waiting on L2 or L3 for each of its loads.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Prefetch(T* c, nint ldc, int rows)
    {
        if (!Sse.IsSupported)
        {
            return;
        }

        int rowBytes = 2 * TOps.Count * sizeof(T);
        for (int i = 0; i < rows; i++)
        {
            byte* row = (byte*)(c + (i * ldc));
            for (int offset = 0; offset < rowBytes; offset += 64)
            {
                Sse.Prefetch0(row + offset);
            }
        }
    }

    /// <summary>
    /// Stores one register of a tile row: added to C with <paramref name="accumulate"/>, else plus <c>*bias</c> where
    /// <paramref name="bias"/> is not null (the forward pass's bias, added as the product's first depth block is stored
    /// instead of filled into C beforehand and read back).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Register(T* c, TVector value, bool accumulate, T* bias)
    {
        if (accumulate)
        {
            value = TOps.Add(value, TOps.Load(c));
        }
        else if (bias != null)
        {
            value = TOps.Add(value, TOps.Broadcast(*bias));
        }

        TOps.Store(c, value);
    }

    /// <summary>Stores a tile row of two registers (<see cref="Register"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Row(T* c, nint w, TVector left, TVector right, bool accumulate, T* bias)
    {
        Register(c, left, accumulate, bias);
        Register(c + w, right, accumulate, bias);
    }

    /// <summary>Row <paramref name="row"/> of a tile at <paramref name="c"/>, stored only when it is one of the first <paramref name="rows"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void RowIfStored(int row, int rows, T* c, nint ldc, nint w, TVector left, TVector right, bool accumulate, T* bias)
    {
        if (row < rows)
        {
            Row(c + (row * ldc), w, left, right, accumulate, bias == null ? null : bias + row);
        }
    }
}
