namespace NNPackSharp.CnnTraining;

/// <summary>Standard normal draws from a seeded <see cref="Random"/> (Box-Muller), for the images' noise and the weights' initialisation.</summary>
internal static class Gaussian
{
    /// <summary>One draw; 1 - NextDouble() keeps the logarithm's argument above 0.</summary>
    public static float Next(Random random) =>
        (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
}
