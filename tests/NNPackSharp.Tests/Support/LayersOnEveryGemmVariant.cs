using NNPackSharp.Engines.Managed;
using NNPackSharp.Gemm;

namespace NNPackSharp.Tests.Support;

/// <summary>
/// A managed-engine path's own layers (<see cref="Layers"/>: shapes that take it, which the random shapes rarely do)
/// against the double reference on every GEMM variant, one and two threads, float and double.
/// </summary>
public abstract class LayersOnEveryGemmVariant
{
    /// <summary>The layers, each checked forward and backward by <see cref="ConvRunner{T}.CheckAgainstReference"/>.</summary>
    private protected abstract IReadOnlyList<ConvCase> Layers { get; }

    [TestCaseSource(nameof(FloatCases))]
    public void FloatMatchesReference(int variant, int threads) => Check<float>(variant, threads);

    [TestCaseSource(nameof(DoubleCases))]
    public void DoubleMatchesReference(int variant, int threads) => Check<double>(variant, threads);

    private static IEnumerable<TestCaseData> FloatCases() => GemmVariantCases.OnOneAndTwoThreads<float>();

    private static IEnumerable<TestCaseData> DoubleCases() => GemmVariantCases.OnOneAndTwoThreads<double>();

    private void Check<T>(int variant, int threads)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        Convolution.MaxDegreeOfParallelism = threads;
        var engine = new ManagedEngine<T>(Gemms<T>.Supported[variant]);
        int seed = 0;
        foreach (ConvCase c in Layers)
        {
            ConvRunner<T>.CheckAgainstReference(c, seed++, engine);
        }
    }
}
