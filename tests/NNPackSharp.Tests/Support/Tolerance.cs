using System.Numerics;

namespace NNPackSharp.Tests.Support;

/// <summary>
/// Compares results with the double reference under the rounding bound of a length-n sum:
/// <c>|x - ref| &lt;= slack * n * eps(T) * sum|terms|</c>. A wrong index or a missed term breaks it by orders of magnitude.
/// </summary>
internal static class Tolerance
{
    /// <summary>Machine epsilon: the gap between 1 and the next value (<c>T.Epsilon</c> is the smallest subnormal instead).</summary>
    public static double Epsilon<T>()
        where T : IFloatingPointIeee754<T> => double.CreateTruncating(T.BitIncrement(T.One) - T.One);

    public static void AssertClose<T>(double[] actual, double[] expected, double[] magnitude, int terms, string what)
        where T : IFloatingPointIeee754<T>
    {
        Assert.That(actual, Has.Length.EqualTo(expected.Length), what);
        double eps = Epsilon<T>();
        for (int i = 0; i < actual.Length; i++)
        {
            // Float inputs are themselves rounded from the double data, which adds up to one eps per term.
            double bound = (4.0 * (terms + 2) * eps * magnitude[i]) + (eps * 1e-3);
            double error = Math.Abs(actual[i] - expected[i]);
            if (!(error <= bound))
            {
                Assert.Fail($"{what}: element {i} is {actual[i]:R}, reference {expected[i]:R}, error {error:E2} > bound {bound:E2}");
            }
        }
    }
}
