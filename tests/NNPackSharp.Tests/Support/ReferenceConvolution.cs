namespace NNPackSharp.Tests.Support;

/// <summary>
/// The direct-loop definition of convolution and its gradients, in double. Besides each value it returns the sum
/// of the magnitudes of the terms that made it, which bounds the rounding error of any summation order.
/// </summary>
internal static class ReferenceConvolution
{
    public static (double[] Value, double[] Magnitude) Forward(ConvCase c, double[] input, double[] weight, double[]? bias)
    {
        var value = new double[c.OutputLength];
        var magnitude = new double[c.OutputLength];
        for (int o = 0; o < c.OutputLength; o++)
        {
            double b = bias?[(o / (c.OutH * c.OutW)) % c.Cout] ?? 0;
            value[o] = b;
            magnitude[o] = Math.Abs(b);
        }

        foreach (var (o, i, w) in Terms(c))
        {
            double term = input[i] * weight[w];
            value[o] += term;
            magnitude[o] += Math.Abs(term);
        }

        return (value, magnitude);
    }

    /// <summary>gradInput, gradWeight and gradBias by the chain rule over the same terms, each with its magnitude.</summary>
    public static Gradients Backward(ConvCase c, double[] input, double[] weight, double[] gradOutput)
    {
        var g = new Gradients(c);
        for (int o = 0; o < c.OutputLength; o++)
        {
            int co = (o / (c.OutH * c.OutW)) % c.Cout;
            g.Bias[co] += gradOutput[o];
            g.BiasMagnitude[co] += Math.Abs(gradOutput[o]);
        }

        foreach (var (o, i, w) in Terms(c))
        {
            double dy = gradOutput[o];
            g.Input[i] += dy * weight[w];
            g.InputMagnitude[i] += Math.Abs(dy * weight[w]);
            g.Weight[w] += dy * input[i];
            g.WeightMagnitude[w] += Math.Abs(dy * input[i]);
        }

        return g;
    }

    /// <summary>
    /// Every product of the direct convolution that does not read padding: the output, input and weight indices it joins.
    /// The window position is computed in 64 bits, so padding and stride up to int.MaxValue are exact here.
    /// </summary>
    private static IEnumerable<(int Output, int Input, int Weight)> Terms(ConvCase c)
    {
        for (int n = 0; n < c.N; n++)
        for (int co = 0; co < c.Cout; co++)
        for (int oy = 0; oy < c.OutH; oy++)
        for (int ox = 0; ox < c.OutW; ox++)
        for (int ci = 0; ci < c.Cin; ci++)
        for (int ky = 0; ky < c.KH; ky++)
        for (int kx = 0; kx < c.KW; kx++)
        {
            long iy = ((long)oy * c.StrideH) - c.PadH + ky, ix = ((long)ox * c.StrideW) - c.PadW + kx;
            if (iy >= 0 && iy < c.H && ix >= 0 && ix < c.W)
            {
                yield return (c.OutputIndex(n, co, oy, ox), c.InputIndex(n, ci, (int)iy, (int)ix), c.WeightIndex(co, ci, ky, kx));
            }
        }
    }

    internal sealed class Gradients(ConvCase c)
    {
        public double[] Input { get; } = new double[c.InputLength];
        public double[] InputMagnitude { get; } = new double[c.InputLength];
        public double[] Weight { get; } = new double[c.WeightLength];
        public double[] WeightMagnitude { get; } = new double[c.WeightLength];
        public double[] Bias { get; } = new double[c.Cout];
        public double[] BiasMagnitude { get; } = new double[c.Cout];
    }
}
