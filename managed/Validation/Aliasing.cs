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
}
