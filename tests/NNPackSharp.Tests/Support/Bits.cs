namespace NNPackSharp.Tests.Support;

/// <summary>Bit-for-bit comparison of results (NaN payloads and the sign of zero included), fast on large arrays.</summary>
internal static class Bits
{
    public static void AssertIdentical(double[] actual, double[] expected, string what)
    {
        Assert.That(actual, Has.Length.EqualTo(expected.Length), what);
        for (int i = 0; i < actual.Length; i++)
        {
            if (BitConverter.DoubleToInt64Bits(actual[i]) != BitConverter.DoubleToInt64Bits(expected[i]))
            {
                Assert.Fail($"{what}: element {i} is {actual[i]:R}, expected bit for bit {expected[i]:R}");
            }
        }
    }
}
