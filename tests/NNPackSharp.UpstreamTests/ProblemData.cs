namespace NNPackSharp.UpstreamTests;

/// <summary>One convolution's sizes (symmetric padding, stride as NNPACK's output subsampling).</summary>
internal sealed record Shape(int N, int Cin, int Cout, int H, int W, int KH, int KW, int PadH, int PadW, int SH, int SW)
{
    public int OutH => ((H + (2 * PadH) - KH) / SH) + 1;

    public int OutW => ((W + (2 * PadW) - KW) / SW) + 1;

    public int OutputLength => N * Cout * OutH * OutW;
}

/// <summary>Random data for a shape and its double-precision reference output, with each element's term magnitude.</summary>
internal sealed class ProblemData
{
    private readonly Shape shape;
    private readonly double[] reference;
    private readonly double[] magnitude;

    public ProblemData(Shape s, int seed)
    {
        shape = s;
        var random = new Random(seed);
        Input = Random(random, s.N * s.Cin * s.H * s.W);
        Weight = Random(random, s.Cout * s.Cin * s.KH * s.KW);
        Bias = Random(random, s.Cout);
        reference = new double[s.OutputLength];
        magnitude = new double[s.OutputLength];
        for (int n = 0; n < s.N; n++)
        for (int o = 0; o < s.Cout; o++)
        for (int oy = 0; oy < s.OutH; oy++)
        for (int ox = 0; ox < s.OutW; ox++)
        {
            double sum = Bias[o], abs = Math.Abs(Bias[o]);
            for (int c = 0; c < s.Cin; c++)
            for (int ky = 0; ky < s.KH; ky++)
            for (int kx = 0; kx < s.KW; kx++)
            {
                int iy = (oy * s.SH) - s.PadH + ky, ix = (ox * s.SW) - s.PadW + kx;
                if (iy >= 0 && iy < s.H && ix >= 0 && ix < s.W)
                {
                    double term = (double)Input[(((n * s.Cin) + c) * s.H + iy) * s.W + ix] * Weight[(((o * s.Cin) + c) * s.KH + ky) * s.KW + kx];
                    sum += term;
                    abs += Math.Abs(term);
                }
            }

            int index = (((n * s.Cout) + o) * s.OutH + oy) * s.OutW + ox;
            reference[index] = sum;
            magnitude[index] = abs;
        }
    }

    public float[] Input { get; }

    public float[] Weight { get; }

    public float[] Bias { get; }

    public void AssertClose(float[] actual, string who)
    {
        for (int i = 0; i < actual.Length; i++)
        {
            double error = Math.Abs(actual[i] - reference[i]) / Math.Max(magnitude[i], float.Epsilon);
            if (!(error <= 1e-3))
            {
                Assert.Fail($"{who}, {shape}: element {i} is {actual[i]:R}, reference {reference[i]:R}, relative error {error:E2}");
            }
        }
    }

    private static float[] Random(Random random, int length) => Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
}
