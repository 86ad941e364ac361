namespace NNPackSharp.CnnTraining;

/// <summary>
/// Renders the data set the sample trains on, so nothing is downloaded: digits from <see cref="DigitFont"/>, each drawn
/// with a random size, aspect, slant, stroke thickness, position, ink and Gaussian noise, into one-channel square
/// images. The same seed gives the same images on every machine (System.Random with a seed is a fixed sequence).
/// </summary>
public static class SyntheticDigits
{
    /// <summary>Draws <paramref name="count"/> images of <paramref name="size"/> x <paramref name="size"/> pixels.</summary>
    public static LabelledImages Generate(int count, int size, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 8);
        var pixels = new float[(long)count * size * size];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            labels[i] = random.Next(10);
            Render(labels[i], size, random, pixels.AsSpan(i * size * size, size * size));
        }

        return new LabelledImages(pixels, labels, size);
    }

    private static void Render(int digit, int size, Random random, Span<float> image)
    {
        float cellY = size * Uniform(random, 0.5f, 0.8f) / DigitFont.Rows;
        float cellX = cellY * Uniform(random, 0.75f, 1.15f);
        float slant = Uniform(random, -0.3f, 0.3f);
        float radius = Math.Max(0.6f, cellY * Uniform(random, 0.35f, 0.7f));
        // Shift the glyph anywhere it stays inside the image (its slant widens it by |slant| * its height).
        float halfWidth = (DigitFont.Columns * cellX + Math.Abs(slant) * DigitFont.Rows * cellY) / 2 + radius;
        float halfHeight = DigitFont.Rows * cellY / 2 + radius;
        float centreX = size / 2f + Uniform(random, -1, 1) * Math.Max(0, size / 2f - halfWidth);
        float centreY = size / 2f + Uniform(random, -1, 1) * Math.Max(0, size / 2f - halfHeight);
        float ink = Uniform(random, 0.7f, 1f), noise = Uniform(random, 0.05f, 0.25f);

        // The font's strokes, mapped to pixels (an affine map keeps segments segments).
        var strokes = DigitFont.Strokes(digit).Select(s =>
        {
            (float x0, float y0) = ToPixels(s.X0, s.Y0);
            (float x1, float y1) = ToPixels(s.X1, s.Y1);
            return (x0, y0, x1, y1);
        }).ToArray();

        for (int y = 0; y < size; y++)
        {
            for (int x = 0; x < size; x++)
            {
                float squared = float.MaxValue;
                foreach (var (x0, y0, x1, y1) in strokes)
                {
                    squared = Math.Min(squared, SquaredDistanceToSegment(x + 0.5f, y + 0.5f, x0, y0, x1, y1));
                }

                // One pixel of anti-aliasing at the stroke's edge.
                float coverage = Math.Clamp(radius + 0.5f - MathF.Sqrt(squared), 0f, 1f);
                image[(y * size) + x] = (ink * coverage) + (noise * Gaussian.Next(random));
            }
        }

        (float X, float Y) ToPixels(float column, float row)
        {
            float dy = (row - (DigitFont.Rows / 2f)) * cellY;
            return (centreX + ((column - (DigitFont.Columns / 2f)) * cellX) + (slant * dy), centreY + dy);
        }
    }

    private static float SquaredDistanceToSegment(float px, float py, float x0, float y0, float x1, float y1)
    {
        float dx = x1 - x0, dy = y1 - y0;
        float lengthSquared = (dx * dx) + (dy * dy);
        float t = lengthSquared == 0 ? 0 : Math.Clamp((((px - x0) * dx) + ((py - y0) * dy)) / lengthSquared, 0f, 1f);
        float ex = px - (x0 + (t * dx)), ey = py - (y0 + (t * dy));
        return (ex * ex) + (ey * ey);
    }

    private static float Uniform(Random random, float low, float high) => low + ((high - low) * random.NextSingle());
}
