using System.Runtime.InteropServices;

namespace NNPackSharp.Memory;

/// <summary>
/// 64-byte-aligned native memory that grows on demand and is kept for reuse: a native library's workspace, whose
/// size (a <see cref="nuint"/>) may exceed what one .NET array holds. <see cref="Dispose"/> frees it.
/// </summary>
internal sealed unsafe class NativeBuffer : IDisposable
{
    private const int Alignment = 64;
    private void* memory;
    private nuint capacity;

    /// <summary>The memory held now (null before the first <see cref="Ensure"/>).</summary>
    public void* Memory => memory;

    /// <summary>Bytes <see cref="Memory"/> holds.</summary>
    public nuint Capacity => capacity;

    /// <summary>Returns an aligned pointer to at least <paramref name="bytes"/> bytes (contents unspecified).</summary>
    public void* Ensure(nuint bytes)
    {
        if (bytes > capacity || memory == null)
        {
            NativeMemory.AlignedFree(memory);
            memory = NativeMemory.AlignedAlloc(bytes == 0 ? Alignment : bytes, Alignment);
            capacity = bytes;
        }

        return memory;
    }

    /// <summary>Frees the memory; a later <see cref="Ensure"/> allocates afresh.</summary>
    public void Dispose()
    {
        NativeMemory.AlignedFree(memory);
        memory = null;
        capacity = 0;
    }
}
