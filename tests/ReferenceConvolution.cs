namespace NNPackSharp.Tests;

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
        for (int n = 0; n < c.N; n++)
        for (int co = 0; co < c.Cout; co++)
        for (int oy = 0; oy < c.OutH; oy++)
        for (int ox = 0; ox < c.OutW; ox++)
        {
            double sum = bias?[co] ?? 0, abs = Math.Abs(bias?[co] ?? 0);
            for (int ci = 0; ci < c.Cin; ci++)
            for (int ky = 0; ky < c.KH; ky++)
            for (int kx = 0; kx < c.KW; kx++)
            {
                int iy = (oy * c.StrideH) - c.PadH + ky, ix = (ox * c.StrideW) - c.PadW + kx;
                if (iy < 0 || iy >= c.H || ix < 0 || ix >= c.W)
                {
                    continue;
                }

                double term = input[c.InputIndex(n, ci, iy, ix)] * weight[c.WeightIndex(co, ci, ky, kx)];
                sum += term;
                abs += Math.Abs(term);
            }

            int o = c.OutputIndex(n, co, oy, ox);
            value[o] = sum;
            magnitude[o] = abs;
        }

        return (value, magnitude);
    }

    /// <summary>gradInput, gradWeight and gradBias by the chain rule over the same loops, each with its magnitude.</summary>
    public static Gradients Backward(ConvCase c, double[] input, double[] weight, double[] gradOutput)
    {
        var g = new Gradients(c);
        for (int n = 0; n < c.N; n++)
        for (int co = 0; co < c.Cout; co++)
        for (int oy = 0; oy < c.OutH; oy++)
        for (int ox = 0; ox < c.OutW; ox++)
        {
            double dy = gradOutput[c.OutputIndex(n, co, oy, ox)];
            g.Bias[co] += dy;
            g.BiasMagnitude[co] += Math.Abs(dy);
            for (int ci = 0; ci < c.Cin; ci++)
            for (int ky = 0; ky < c.KH; ky++)
            for (int kx = 0; kx < c.KW; kx++)
            {
                int iy = (oy * c.StrideH) - c.PadH + ky, ix = (ox * c.StrideW) - c.PadW + kx;
                if (iy < 0 || iy >= c.H || ix < 0 || ix >= c.W)
                {
                    continue;
                }

                int i = c.InputIndex(n, ci, iy, ix), w = c.WeightIndex(co, ci, ky, kx);
                g.Input[i] += dy * weight[w];
                g.InputMagnitude[i] += Math.Abs(dy * weight[w]);
                g.Weight[w] += dy * input[i];
                g.WeightMagnitude[w] += Math.Abs(dy * input[i]);
            }
        }

        return g;
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
