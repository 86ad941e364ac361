using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NNPackSharp.Memory;

/// <summary>
/// A growable buffer on the pinned object heap, 64-byte aligned, kept for reuse: first touch of a fresh page
/// is expensive, so workspaces are allocated once and then recycled, never per call.
/// </summary>
internal sealed unsafe class PinnedBuffer<T>
    where T : unmanaged
{
    private const int Alignment = 64;
    private T[]? array; // keeps the pinned array alive; only the aligned pointer into it is read
    private T* aligned;
    private int capacity;

    /// <summary>Returns a 64-byte-aligned pointer to at least <paramref name="length"/> elements (contents unspecified).</summary>
    public T* Ensure(int length)
    {
        if (length > capacity)
        {
            int extra = Alignment / sizeof(T);
            array = GC.AllocateUninitializedArray<T>(checked(length + extra), pinned: true);
            nint start = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
            aligned = (T*)((start + (Alignment - 1)) & ~(nint)(Alignment - 1));
            capacity = length;
        }

        return aligned;
    }
}
