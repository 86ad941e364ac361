using System.Runtime.CompilerServices;

namespace NNPackSharp.Gemm;

/// <summary>The ukernels' write-back of one tile row: two registers stored to C, or added to it.</summary>
internal static unsafe class TileStore<T, TVector, TOps>
    where T : unmanaged
    where TVector : struct
    where TOps : IVectorOps<T, TVector>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Row(T* c, nint w, TVector left, TVector right, bool accumulate)
    {
        if (accumulate)
        {
            left = TOps.Add(left, TOps.Load(c));
            right = TOps.Add(right, TOps.Load(c + w));
        }

        TOps.Store(c, left);
        TOps.Store(c + w, right);
    }
}
