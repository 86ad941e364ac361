namespace NNPackSharp.Memory;

/// <summary>
/// Cache-line alignment of scratch that vector loads read in hot loops. <c>stackalloc</c> aligns to 8 or 16 bytes, so
/// where the stack pointer happens to fall (which depends on what ran before) a 32- or 64-byte load from it can span
/// two lines on every iteration: the ResNet stem's row packer, reading its lane masks that way, ran a third slower.
/// </summary>
internal static unsafe class CacheLine
{
    /// <summary>The line size assumed (x64 and the Arm cores we ship for).</summary>
    public const int Bytes = 64;

    /// <summary>
    /// The first line boundary at or after <paramref name="scratch"/>, which must have <see cref="Bytes"/> - 1 spare
    /// bytes beyond what is used from there.
    /// </summary>
    public static T* Align<T>(byte* scratch)
        where T : unmanaged => (T*)(((nint)scratch + (Bytes - 1)) & ~(nint)(Bytes - 1));
}
