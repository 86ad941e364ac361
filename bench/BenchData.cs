using TorchSharp;

namespace NNPackSharp.Bench;

/// <summary>Benchmark inputs: uniform values in [-0.5, 0.5) for a shape, and the same values as a TorchSharp tensor.</summary>
internal static class BenchData
{
    public static float[] RandomValues(Random random, nint[] shape)
    {
        float[] values = new float[shape.Aggregate(1L, (a, b) => a * b)];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)(random.NextDouble() - 0.5);
        }

        return values;
    }

    public static torch.Tensor ToTorch(float[] values, nint[] shape) => torch.tensor(values, shape.Select(l => (long)l).ToArray());
}
