namespace NNPackSharp.Tests.Support;

/// <summary>
/// Double-precision references for the operators (fully connected, max pooling, softmax), written as plainly as
/// possible from their definitions; each returns the value and, where rounding accumulates, the sum of the magnitudes
/// of its terms for <see cref="Tolerance"/>.
/// </summary>
internal static class OperatorReference
{
    /// <summary><c>y[n,o] = sum_i x[n,i] w[o,i] + b[o]</c>.</summary>
    public static (double[] Value, double[] Magnitude) FullyConnected(int batch, int cin, int cout, double[] x, double[] w, double[]? b)
    {
        var value = new double[batch * cout];
        var magnitude = new double[batch * cout];
        for (int n = 0; n < batch; n++)
        {
            for (int o = 0; o < cout; o++)
            {
                double sum = b?[o] ?? 0, abs = Math.Abs(b?[o] ?? 0);
                for (int i = 0; i < cin; i++)
                {
                    sum += x[(n * cin) + i] * w[(o * cin) + i];
                    abs += Math.Abs(x[(n * cin) + i] * w[(o * cin) + i]);
                }

                value[(n * cout) + o] = sum;
                magnitude[(n * cout) + o] = abs;
            }
        }

        return (value, magnitude);
    }

    /// <summary>The fully connected gradients: dx = dy w, dw = dy^T x, db = column sums of dy; each with its magnitudes.</summary>
    public static (double[] Dx, double[] DxMag, double[] Dw, double[] DwMag, double[] Db, double[] DbMag) FullyConnectedBackward(
        int batch, int cin, int cout, double[] x, double[] w, double[] dy)
    {
        double[] dx = new double[batch * cin], dxMag = new double[batch * cin], dw = new double[cout * cin], dwMag = new double[cout * cin];
        double[] db = new double[cout], dbMag = new double[cout];
        for (int n = 0; n < batch; n++)
        {
            for (int o = 0; o < cout; o++)
            {
                double g = dy[(n * cout) + o];
                db[o] += g;
                dbMag[o] += Math.Abs(g);
                for (int i = 0; i < cin; i++)
                {
                    dx[(n * cin) + i] += g * w[(o * cin) + i];
                    dxMag[(n * cin) + i] += Math.Abs(g * w[(o * cin) + i]);
                    dw[(o * cin) + i] += g * x[(n * cin) + i];
                    dwMag[(o * cin) + i] += Math.Abs(g * x[(n * cin) + i]);
                }
            }
        }

        return (dx, dxMag, dw, dwMag, db, dbMag);
    }

    /// <summary>Max pooling by its definition: each window's covered taps (never padding), the first maximum in row-major order.</summary>
    public static (double[] Output, int[] ArgMax) MaxPool(PoolCase c, double[] x)
    {
        var output = new double[c.OutputLength];
        var argMax = new int[c.OutputLength];
        for (int plane = 0; plane < c.N * c.C; plane++)
        {
            for (int oy = 0; oy < c.OutH; oy++)
            {
                for (int ox = 0; ox < c.OutW; ox++)
                {
                    double best = double.NegativeInfinity;
                    int at = -1;
                    for (int ky = 0; ky < c.KH; ky++)
                    {
                        for (int kx = 0; kx < c.KW; kx++)
                        {
                            long y = ((long)oy * c.StrideH) - c.PadH + ky, xx = ((long)ox * c.StrideW) - c.PadW + kx;
                            if (y < 0 || y >= c.H || xx < 0 || xx >= c.W)
                            {
                                continue;
                            }

                            int index = (plane * c.H * c.W) + (int)(y * c.W) + (int)xx;
                            if (at < 0)
                            {
                                at = index; // the first covered tap, unless a later one beats -infinity
                            }

                            if (x[index] > best)
                            {
                                best = x[index];
                                at = index;
                            }
                        }
                    }

                    int o = (plane * c.OutH * c.OutW) + (oy * c.OutW) + ox;
                    output[o] = best;
                    argMax[o] = at;
                }
            }
        }

        return (output, argMax);
    }

    /// <summary>The max pooling input gradient: each output's gradient added at its window's arg-max.</summary>
    public static double[] MaxPoolBackward(PoolCase c, double[] x, double[] dy)
    {
        var dx = new double[c.InputLength];
        int[] argMax = MaxPool(c, x).ArgMax;
        for (int o = 0; o < argMax.Length; o++)
        {
            if (argMax[o] >= 0)
            {
                dx[argMax[o]] += dy[o];
            }
        }

        return dx;
    }

    /// <summary>Softmax along each row of <c>[rows, columns]</c>.</summary>
    public static double[] Softmax(int rows, int columns, double[] x)
    {
        var y = new double[x.Length];
        for (int r = 0; r < rows; r++)
        {
            var row = x.AsSpan(r * columns, columns);
            double max = double.NegativeInfinity, sum = 0;
            foreach (double v in row)
            {
                max = Math.Max(max, v);
            }

            for (int c = 0; c < columns; c++)
            {
                y[(r * columns) + c] = Math.Exp(row[c] - max);
                sum += y[(r * columns) + c];
            }

            for (int c = 0; c < columns; c++)
            {
                y[(r * columns) + c] /= sum;
            }
        }

        return y;
    }
}
