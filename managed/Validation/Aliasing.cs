using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NNPackSharp.Validation;

/// <summary>Refuses destinations that share memory with another argument: the engines read inputs after they start writing.</summary>
internal static class Aliasing
{
    public static void RequireDisjoint<T>(
        ReadOnlySpan<T> destination, string name,
        ReadOnlySpan<T> first, ReadOnlySpan<T> second, ReadOnlySpan<T> third, ReadOnlySpan<T> fourth = default, ReadOnlySpan<T> fifth = default)
    {
        if (destination.Overlaps(first) || destination.Overlaps(second) || destination.Overlaps(third) || destination.Overlaps(fourth) || destination.Overlaps(fifth))
        {
            throw new ArgumentException($"{name} shares memory with another argument; destinations must not overlap the inputs or each other.", name);
        }
    }

    /// <summary>Whether two spans of possibly different element types share any byte (FP16 weights beside a float output).</summary>
    public static bool Overlap<TA, TB>(ReadOnlySpan<TA> first, ReadOnlySpan<TB> second)
        where TA : unmanaged
        where TB : unmanaged =>
        MemoryMarshal.AsBytes(first).Overlaps(MemoryMarshal.AsBytes(second));

    /// <summary>
    /// The documented in-place case: <paramref name="destination"/> may be exactly <paramref name="source"/> (the same
    /// first element and length: each element is read before it is written), but must not overlap it otherwise.
    /// </summary>
    public static void RequireDisjointOrSame<T>(ReadOnlySpan<T> destination, string name, ReadOnlySpan<T> source, string sourceName)
    {
        bool same = destination.Length == source.Length && Unsafe.AreSame(ref MemoryMarshal.GetReference(destination), ref MemoryMarshal.GetReference(source));
        if (!same && destination.Overlaps(source))
        {
            throw new ArgumentException($"{name} overlaps {sourceName} without being the same memory; it must be {sourceName} itself (in place) or not overlap it.", name);
        }
    }
}
