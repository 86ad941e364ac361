using System.Numerics;
using NNPackSharp.Gemm;

namespace NNPackSharp.Tests.Managed;

/// <summary>
/// The dot-product form of the GEMM (<see cref="GemmForWidth{T}.MultiplyDot"/>, <see cref="DotProduct{T, TVector, TOps}"/>)
/// on every width this CPU runs, float and double: random shapes with partial tiles both ways, sums shorter than a
/// vector and with tails, rows further apart than they are long, accumulate on and off, against a double reference;
/// nothing written outside C; and each element the same bits wherever its tile lies.
/// </summary>
public unsafe class DotProductTests
{
    private static IEnumerable<TestCaseData> Widths<T>()
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Enumerable.Range(0, Gemms<T>.Supported.Count).Select(v => new TestCaseData(v).SetArgDisplayNames(Gemms<T>.Supported[v].ToString()));

    private static IEnumerable<TestCaseData> FloatWidths() => Widths<float>();

    private static IEnumerable<TestCaseData> DoubleWidths() => Widths<double>();

    private static IEnumerable<TestCaseData> FloatWidthsAndDepths() =>
        Enumerable.Range(0, Gemms<float>.Supported.Count).SelectMany(v => new[] { 203, 208 }.Select(
            depth => new TestCaseData(v, depth).SetArgDisplayNames(Gemms<float>.Supported[v].ToString(), depth.ToString())));

    [TestCaseSource(nameof(FloatWidths))]
    public void FloatMatchesReference(int variant) => Check<float>(Gemms<float>.Supported[variant]);

    [TestCaseSource(nameof(DoubleWidths))]
    public void DoubleMatchesReference(int variant) => Check<double>(Gemms<double>.Supported[variant]);

    /// <summary>Depth 208: whole vectors only (a whole tile then writes its sums by rows); 203: with a tail.</summary>
    [TestCaseSource(nameof(FloatWidthsAndDepths))]
    public void AnElementIsTheSameWhereverItsTileLies(int variant, int depth)
    {
        GemmForWidth<float> gemm = Gemms<float>.Supported[variant];
        var random = new Random(5);
        const int M = 11, N = 17;
        float[] a = Values(random, M * depth), b = Values(random, N * depth);
        float[] whole = new float[M * N];
        fixed (float* pa = a, pb = b, pc = whole)
        {
            gemm.MultiplyDot(M, N, depth, pa, depth, pb, depth, pc, N, accumulate: false);
            for (int trial = 0; trial < 20; trial++)
            {
                int i = random.Next(M), j = random.Next(N), m = random.Next(1, M - i + 1), n = random.Next(1, N - j + 1);
                float[] part = new float[m * n];
                fixed (float* pp = part)
                {
                    gemm.MultiplyDot(m, n, depth, pa + (i * depth), depth, pb + (j * depth), depth, pp, n, accumulate: false);
                }

                for (int r = 0; r < m; r++)
                {
                    for (int c = 0; c < n; c++)
                    {
                        Assert.That(part[(r * n) + c], Is.EqualTo(whole[((i + r) * N) + j + c]), $"{gemm}: element ({i + r}, {j + c}) from a {m}x{n} product at ({i}, {j})");
                    }
                }
            }
        }
    }

    private static void Check<T>(GemmForWidth<T> gemm)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random(3);
        for (int trial = 0; trial < 60; trial++)
        {
            int m = random.Next(1, 14), n = random.Next(1, 20), depth = random.Next(0, 300);

            // Every fourth sum of whole vectors of every width, where whole tiles take their own write-back.
            depth -= trial % 4 == 0 ? depth % 16 : 0;
            int lda = depth + random.Next(0, 5), ldb = depth + random.Next(0, 5), ldc = n + random.Next(0, 3);
            bool accumulate = random.Next(2) == 0;
            double[] a = Enumerable.Range(0, m * lda).Select(_ => random.NextDouble() - 0.5).ToArray();
            double[] b = Enumerable.Range(0, n * ldb).Select(_ => random.NextDouble() - 0.5).ToArray();
            double[] c = Enumerable.Range(0, (m * ldc) + 8).Select(_ => random.NextDouble() - 0.5).ToArray();
            T[] ta = a.Select(T.CreateTruncating).ToArray(), tb = b.Select(T.CreateTruncating).ToArray(), tc = c.Select(T.CreateTruncating).ToArray();
            fixed (T* pa = ta, pb = tb, pc = tc)
            {
                gemm.MultiplyDot(m, n, depth, pa, lda, pb, ldb, pc, ldc, accumulate);
            }

            for (int i = 0; i < (m * ldc) + 8; i++)
            {
                int row = i / ldc, column = i % ldc;
                double expected = double.CreateTruncating(T.CreateTruncating(c[i])), magnitude = Math.Abs(expected);
                if (row < m && column < n)
                {
                    double sum = 0;
                    magnitude = 0;
                    for (int p = 0; p < depth; p++)
                    {
                        double term = double.CreateTruncating(ta[(row * lda) + p]) * double.CreateTruncating(tb[(column * ldb) + p]);
                        sum += term;
                        magnitude += Math.Abs(term);
                    }

                    expected = (accumulate ? expected : 0) + sum;
                    magnitude += accumulate ? Math.Abs(double.CreateTruncating(tc[i])) : 0;
                }

                double actual = double.CreateTruncating(tc[i]), bound = (depth + 2) * Tolerance.Epsilon<T>() * (magnitude + 1e-30);
                if (row < m && column < n ? Math.Abs(actual - expected) > bound : actual != expected)
                {
                    Assert.Fail($"{gemm} trial {trial}: {m}x{n}, depth {depth}, lda {lda}, ldb {ldb}, ldc {ldc}, accumulate {accumulate}: element {i} (row {row}, column {column}) {actual}, expected {expected}");
                }
            }
        }
    }

    private static float[] Values(Random random, int count) => Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
}
