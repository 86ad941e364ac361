namespace NNPackSharp.Tests.Support;

/// <summary>Bit-for-bit comparison of results (NaN payloads and the sign of zero included), fast on large arrays.</summary>
internal static class Bits
{
    public static void AssertIdentical(double[] actual, double[] expected, string what)
    {
        string? difference = Difference(actual, expected, what);
        if (difference is not null)
        {
            Assert.Fail(difference);
        }
    }

    /// <summary>Says where <paramref name="actual"/> first differs from <paramref name="expected"/>; null when identical. Safe off the test thread.</summary>
    public static string? Difference(double[] actual, double[] expected, string what)
    {
        if (actual.Length != expected.Length)
        {
            return $"{what}: {actual.Length} elements, expected {expected.Length}";
        }

        for (int i = 0; i < actual.Length; i++)
        {
            if (BitConverter.DoubleToInt64Bits(actual[i]) != BitConverter.DoubleToInt64Bits(expected[i]))
            {
                return $"{what}: element {i} is {actual[i]:R}, expected bit for bit {expected[i]:R}";
            }
        }

        return null;
    }
}
