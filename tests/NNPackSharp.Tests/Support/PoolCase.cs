namespace NNPackSharp.Tests.Support;

/// <summary>One max pooling problem: input <c>[N,C,H,W]</c>, window, padding and stride, with Arraymancer's floor output size.</summary>
public sealed record PoolCase(int N, int C, int H, int W, int KH, int KW, int PadH, int PadW, int StrideH, int StrideW)
{
    public int OutH => (int)(((long)H + (2L * PadH) - KH) / StrideH) + 1;

    public int OutW => (int)(((long)W + (2L * PadW) - KW) / StrideW) + 1;

    public int InputLength => N * C * H * W;

    public int OutputLength => N * C * OutH * OutW;

    public nint[] InputShape => [N, C, H, W];

    public nint[] OutputShape => [N, C, OutH, OutW];

    public Size2D Kernel => new(KH, KW);

    public Size2D Padding => new(PadH, PadW);

    public Size2D Stride => new(StrideH, StrideW);

    public override string ToString() => $"x[{N},{C},{H},{W}] k({KH},{KW}) pad({PadH},{PadW}) stride({StrideH},{StrideW})";

    /// <summary>
    /// Random valid problems with the awkward corners: batch 1, odd sizes, padding up to past the window, stride
    /// different from the window (overlapping and skipping windows), huge strides (one window per axis), the window
    /// equal to the padded input.
    /// </summary>
    public static IEnumerable<PoolCase> Random(int seed, int count)
    {
        var random = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            int h = random.Next(1, 14), w = random.Next(1, 14);
            int padH = random.Next(0, 3), padW = random.Next(0, 3);
            int kh = random.Next(1, Math.Min(5, h + (2 * padH)) + 1), kw = random.Next(1, Math.Min(5, w + (2 * padW)) + 1);
            int strideH = i % 7 == 3 ? int.MaxValue : random.Next(1, 4), strideW = i % 11 == 5 ? int.MaxValue : random.Next(1, 4);
            if (i % 9 == 4)
            {
                (kh, kw) = (h + (2 * padH), w + (2 * padW)); // the window is the padded input
            }

            yield return new PoolCase(i % 4 == 0 ? 1 : random.Next(1, 4), random.Next(1, 6), h, w, kh, kw, padH, padW, strideH, strideW);
        }
    }

    /// <summary>
    /// Random problems on wide rows (1000 to 2600 columns, a few rows): the engines cut a row into chunks of output
    /// columns whose windows span at most about a thousand input columns, and windows wider than that (here up to
    /// 1300) take another path.
    /// </summary>
    public static IEnumerable<PoolCase> Wide(int seed, int count)
    {
        var random = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            int h = random.Next(1, 4), w = random.Next(1000, 2601), padW = random.Next(0, 3);
            int kw = i % 3 == 0 ? random.Next(1025, 1301) : random.Next(1, 9), strideW = i % 3 == 0 ? random.Next(1, 600) : random.Next(1, 4);
            yield return new PoolCase(1, random.Next(1, 3), h, w, random.Next(1, h + 1), kw, 0, padW, random.Next(1, 3), strideW);
        }
    }
}
