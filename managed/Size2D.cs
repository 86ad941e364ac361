namespace NNPackSharp;

/// <summary>A pair of sizes along the height and width axes, such as a padding or a stride.</summary>
/// <param name="Height">The size along the height (row) axis.</param>
/// <param name="Width">The size along the width (column) axis.</param>
public readonly record struct Size2D(int Height, int Width)
{
    /// <summary>Creates a size with the same value on both axes.</summary>
    /// <param name="both">The size along height and width.</param>
    public Size2D(int both) : this(both, both) { }

    /// <summary>(0, 0): the default padding.</summary>
    public static Size2D Zero => default;

    /// <summary>(1, 1): the default stride.</summary>
    public static Size2D One => new(1, 1);

    /// <inheritdoc />
    public override string ToString() => $"({Height},{Width})";
}
