using NNPackSharp.Gemm;

namespace NNPackSharp.Tests.Support;

/// <summary>Test cases for every GEMM variant this CPU runs, each on one and on two threads.</summary>
internal static class GemmVariantCases
{
    /// <summary>(variant index into <see cref="Gemms{T}.Supported"/>, thread count), named after the variant.</summary>
    public static IEnumerable<TestCaseData> OnOneAndTwoThreads<T>()
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T> =>
        from variant in Enumerable.Range(0, Gemms<T>.Supported.Count)
        from threads in new[] { 1, 2 }
        select new TestCaseData(variant, threads).SetArgDisplayNames($"{Gemms<T>.Supported[variant]} threads {threads}");
}
