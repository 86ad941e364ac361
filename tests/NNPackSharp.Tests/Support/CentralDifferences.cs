namespace NNPackSharp.Tests.Support;

/// <summary>Gradients by central differences in double (h = 1e-5), and the check of an analytic gradient against them.</summary>
internal static class CentralDifferences
{
    private const double H = 1e-5;

    /// <summary>The gradient of <paramref name="loss"/> at <paramref name="at"/>, one coordinate at a time (restored after each).</summary>
    public static double[] Gradient(double[] at, Func<double[], double> loss)
    {
        var gradient = new double[at.Length];
        for (int i = 0; i < at.Length; i++)
        {
            double saved = at[i];
            at[i] = saved + H;
            double up = loss(at);
            at[i] = saved - H;
            double down = loss(at);
            at[i] = saved;
            gradient[i] = (up - down) / (2 * H);
        }

        return gradient;
    }

    /// <summary>Asserts the mean relative error between the two gradients is below 1e-6.</summary>
    public static void AssertMatches(double[] numeric, double[] analytic, string what)
    {
        Assert.That(analytic, Has.Length.EqualTo(numeric.Length), what);
        double total = 0;
        for (int i = 0; i < numeric.Length; i++)
        {
            double scale = Math.Max(Math.Abs(numeric[i]) + Math.Abs(analytic[i]), 1e-8);
            total += Math.Abs(numeric[i] - analytic[i]) / scale;
        }

        Assert.That(total / numeric.Length, Is.LessThan(1e-6), what);
    }
}
