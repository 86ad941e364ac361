namespace NNPackSharp.CnnTraining;

/// <summary>The digits 0-9 as a classic 5x7 bitmap font: the strokes the synthetic data set draws.</summary>
internal static class DigitFont
{
    public const int Columns = 5, Rows = 7;

    private static readonly string[][] Glyphs =
    [
        [".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###."],
        ["..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."],
        [".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"],
        ["#####", "...#.", "..#..", "...#.", "....#", "#...#", ".###."],
        ["...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."],
        ["#####", "#....", "####.", "....#", "....#", "#...#", ".###."],
        ["..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###."],
        ["#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."],
        [".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."],
        [".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.."],
    ];

    /// <summary>
    /// The strokes of <paramref name="digit"/> as segments between the centres of neighbouring lit cells (in cell units,
    /// x to the right, y down), plus a zero-length segment per cell so an isolated cell still draws a dot.
    /// </summary>
    public static IReadOnlyList<(float X0, float Y0, float X1, float Y1)> Strokes(int digit)
    {
        string[] glyph = Glyphs[digit];
        var segments = new List<(float, float, float, float)>();
        for (int y = 0; y < Rows; y++)
        {
            for (int x = 0; x < Columns; x++)
            {
                if (!Lit(glyph, x, y))
                {
                    continue;
                }

                segments.Add((x + 0.5f, y + 0.5f, x + 0.5f, y + 0.5f));
                // Each neighbour pair once: right, down, and the two diagonals below.
                foreach ((int dx, int dy) in new[] { (1, 0), (0, 1), (1, 1), (-1, 1) })
                {
                    if (Lit(glyph, x + dx, y + dy))
                    {
                        segments.Add((x + 0.5f, y + 0.5f, x + dx + 0.5f, y + dy + 0.5f));
                    }
                }
            }
        }

        return segments;
    }

    private static bool Lit(string[] glyph, int x, int y) => x >= 0 && x < Columns && y >= 0 && y < Rows && glyph[y][x] == '#';
}
