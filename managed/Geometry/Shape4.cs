using System.Runtime.CompilerServices;

namespace NNPackSharp.Geometry;

/// <summary>
/// A rank-4 tensor shape held inline, so a call can compare and create shapes without allocating an array.
/// Converts to <see cref="ReadOnlySpan{T}"/> where it is a variable.
/// </summary>
[InlineArray(Rank)]
internal struct Shape4
{
    public const int Rank = 4;

    private nint first;

    public Shape4(nint d0, nint d1, nint d2, nint d3)
    {
        this[0] = d0;
        this[1] = d1;
        this[2] = d2;
        this[3] = d3;
    }

    /// <summary>The shape as a new array, for the public API's <c>nint[]</c> results.</summary>
    public readonly nint[] ToArray() => ((ReadOnlySpan<nint>)this).ToArray();

    /// <summary>The shape as messages print it: <c>[N,C,H,W]</c>.</summary>
    public override readonly string ToString() => $"[{this[0]},{this[1]},{this[2]},{this[3]}]";
}
