using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NNPackSharp.Bench.Protocol;

/// <summary>The FP32 FMA peak of one width, measured on one core and on several cores at once, in GFLOP/s.</summary>
internal sealed record PeakFigure(string Width, double PerCore, int Threads, double AllThreads);

/// <summary>
/// Measures the FP32 FMA peak in this run (the host, its clock and its neighbours change between runs, so a number
/// from a data sheet or another day is no denominator): 24 independent multiply-add chains, as
/// <c>native/bench/peak.c</c> does, enough to cover a 4-cycle FMA latency on two pipes several times over.
/// </summary>
/// <remarks>
/// The accumulators are 24 named locals, not an array, so the JIT keeps them in registers (an array would be a load
/// and a store per FMA, and the loop would time the store forwarding instead). 24 accumulators plus 2 operands fit the
/// 32 vector registers of AVX-512 (EVEX encodes ymm16-31 too). Without AVX-512 only 16 ymm registers exist, so the ymm
/// chains use 12 accumulators there. The method is compiled fully optimised at once
/// (<see cref="MethodImplOptions.AggressiveOptimization"/>): a tier-0 or OSR body could keep them on the stack.
/// Sanity: on Zen 5 zmm should come out at 16 lanes x 2 FLOP x 2 pipes = 64 FLOP per cycle (about 240 GFLOP/s at
/// 3.7 GHz; DEVELOPERS.md has 220-267 measured by peak.c) and ymm at half of it. A spill to the stack adds a load and
/// a store per FMA and shows up as both far below that.
/// </remarks>
internal static class FmaPeak
{
    /// <summary>Iterations of the peak measurement's chains: about 0.1 s per run.</summary>
    private const long PeakIterations = 10_000_000;

    /// <summary>True when the zmm chains can run (AVX-512F in hardware and not disabled for the JIT).</summary>
    public static bool HasZmm => Avx512F.IsSupported;

    /// <summary>True when the ymm chains can run (FMA3).</summary>
    public static bool HasYmm => Fma.IsSupported;

    /// <summary>
    /// Measures every width this CPU runs; per core and with <paramref name="threads"/> chain sets at once. With
    /// <paramref name="threadCpuTime"/> each chain set is timed by its thread's CPU time instead of the wall clock
    /// (to pair with other thread-CPU-time figures on a shared machine; never for protocol figures).
    /// </summary>
    public static IReadOnlyList<PeakFigure> Measure(int threads, bool threadCpuTime = false)
    {
        Func<long> clock = ThreadClock.Select(threadCpuTime);
        var figures = new List<PeakFigure>();
        if (HasZmm)
        {
            Func<int, double> zmm = _ => ZmmChains(PeakIterations);
            figures.Add(new PeakFigure("zmm", ConcurrentRuns.Best(1, zmm, clock), threads, ConcurrentRuns.Best(threads, zmm, clock)));
        }

        if (HasYmm)
        {
            Func<int, double> ymm = HasZmm ? _ => YmmChains24(PeakIterations) : _ => YmmChains12(PeakIterations);
            figures.Add(new PeakFigure("ymm", ConcurrentRuns.Best(1, ymm, clock), threads, ConcurrentRuns.Best(threads, ymm, clock)));
        }

        return figures;
    }

    /// <summary>
    /// The widest chains this CPU runs (the width <see cref="Measure"/> lists first), <paramref name="iterations"/>
    /// times on the calling thread; returns the FLOP done, or 0 without an FMA unit.
    /// </summary>
    public static double RunWidest(long iterations) =>
        HasZmm ? ZmmChains(iterations) : HasYmm ? YmmChains12(iterations) : 0;

    private static volatile float keep;

    /// <summary>Runs the zmm chains; returns the FLOP it did (2 per lane per FMA).</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static double ZmmChains(long iterations)
    {
        Vector512<float> a = Vector512.Create(0.999999f), b = Vector512.Create(1e-7f);
        Vector512<float> c0 = Vector512.Create(0f), c1 = Vector512.Create(1f), c2 = Vector512.Create(2f), c3 = Vector512.Create(3f);
        Vector512<float> c4 = Vector512.Create(4f), c5 = Vector512.Create(5f), c6 = Vector512.Create(6f), c7 = Vector512.Create(7f);
        Vector512<float> c8 = Vector512.Create(8f), c9 = Vector512.Create(9f), c10 = Vector512.Create(10f), c11 = Vector512.Create(11f);
        Vector512<float> c12 = Vector512.Create(12f), c13 = Vector512.Create(13f), c14 = Vector512.Create(14f), c15 = Vector512.Create(15f);
        Vector512<float> c16 = Vector512.Create(16f), c17 = Vector512.Create(17f), c18 = Vector512.Create(18f), c19 = Vector512.Create(19f);
        Vector512<float> c20 = Vector512.Create(20f), c21 = Vector512.Create(21f), c22 = Vector512.Create(22f), c23 = Vector512.Create(23f);
        for (long n = 0; n < iterations; n++)
        {
            c0 = Avx512F.FusedMultiplyAdd(c0, a, b); c1 = Avx512F.FusedMultiplyAdd(c1, a, b); c2 = Avx512F.FusedMultiplyAdd(c2, a, b);
            c3 = Avx512F.FusedMultiplyAdd(c3, a, b); c4 = Avx512F.FusedMultiplyAdd(c4, a, b); c5 = Avx512F.FusedMultiplyAdd(c5, a, b);
            c6 = Avx512F.FusedMultiplyAdd(c6, a, b); c7 = Avx512F.FusedMultiplyAdd(c7, a, b); c8 = Avx512F.FusedMultiplyAdd(c8, a, b);
            c9 = Avx512F.FusedMultiplyAdd(c9, a, b); c10 = Avx512F.FusedMultiplyAdd(c10, a, b); c11 = Avx512F.FusedMultiplyAdd(c11, a, b);
            c12 = Avx512F.FusedMultiplyAdd(c12, a, b); c13 = Avx512F.FusedMultiplyAdd(c13, a, b); c14 = Avx512F.FusedMultiplyAdd(c14, a, b);
            c15 = Avx512F.FusedMultiplyAdd(c15, a, b); c16 = Avx512F.FusedMultiplyAdd(c16, a, b); c17 = Avx512F.FusedMultiplyAdd(c17, a, b);
            c18 = Avx512F.FusedMultiplyAdd(c18, a, b); c19 = Avx512F.FusedMultiplyAdd(c19, a, b); c20 = Avx512F.FusedMultiplyAdd(c20, a, b);
            c21 = Avx512F.FusedMultiplyAdd(c21, a, b); c22 = Avx512F.FusedMultiplyAdd(c22, a, b); c23 = Avx512F.FusedMultiplyAdd(c23, a, b);
        }

        Vector512<float> sum = ((c0 + c1) + (c2 + c3)) + ((c4 + c5) + (c6 + c7)) + ((c8 + c9) + (c10 + c11)) + ((c12 + c13) + (c14 + c15))
            + ((c16 + c17) + (c18 + c19)) + ((c20 + c21) + (c22 + c23));
        keep = Vector512.Sum(sum);
        return iterations * 24.0 * Vector512<float>.Count * 2;
    }

    /// <summary>The ymm chains with 24 accumulators, for CPUs with 32 vector registers (AVX-512).</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static double YmmChains24(long iterations)
    {
        Vector256<float> a = Vector256.Create(0.999999f), b = Vector256.Create(1e-7f);
        Vector256<float> c0 = Vector256.Create(0f), c1 = Vector256.Create(1f), c2 = Vector256.Create(2f), c3 = Vector256.Create(3f);
        Vector256<float> c4 = Vector256.Create(4f), c5 = Vector256.Create(5f), c6 = Vector256.Create(6f), c7 = Vector256.Create(7f);
        Vector256<float> c8 = Vector256.Create(8f), c9 = Vector256.Create(9f), c10 = Vector256.Create(10f), c11 = Vector256.Create(11f);
        Vector256<float> c12 = Vector256.Create(12f), c13 = Vector256.Create(13f), c14 = Vector256.Create(14f), c15 = Vector256.Create(15f);
        Vector256<float> c16 = Vector256.Create(16f), c17 = Vector256.Create(17f), c18 = Vector256.Create(18f), c19 = Vector256.Create(19f);
        Vector256<float> c20 = Vector256.Create(20f), c21 = Vector256.Create(21f), c22 = Vector256.Create(22f), c23 = Vector256.Create(23f);
        for (long n = 0; n < iterations; n++)
        {
            c0 = Fma.MultiplyAdd(c0, a, b); c1 = Fma.MultiplyAdd(c1, a, b); c2 = Fma.MultiplyAdd(c2, a, b); c3 = Fma.MultiplyAdd(c3, a, b);
            c4 = Fma.MultiplyAdd(c4, a, b); c5 = Fma.MultiplyAdd(c5, a, b); c6 = Fma.MultiplyAdd(c6, a, b); c7 = Fma.MultiplyAdd(c7, a, b);
            c8 = Fma.MultiplyAdd(c8, a, b); c9 = Fma.MultiplyAdd(c9, a, b); c10 = Fma.MultiplyAdd(c10, a, b); c11 = Fma.MultiplyAdd(c11, a, b);
            c12 = Fma.MultiplyAdd(c12, a, b); c13 = Fma.MultiplyAdd(c13, a, b); c14 = Fma.MultiplyAdd(c14, a, b); c15 = Fma.MultiplyAdd(c15, a, b);
            c16 = Fma.MultiplyAdd(c16, a, b); c17 = Fma.MultiplyAdd(c17, a, b); c18 = Fma.MultiplyAdd(c18, a, b); c19 = Fma.MultiplyAdd(c19, a, b);
            c20 = Fma.MultiplyAdd(c20, a, b); c21 = Fma.MultiplyAdd(c21, a, b); c22 = Fma.MultiplyAdd(c22, a, b); c23 = Fma.MultiplyAdd(c23, a, b);
        }

        Vector256<float> sum = ((c0 + c1) + (c2 + c3)) + ((c4 + c5) + (c6 + c7)) + ((c8 + c9) + (c10 + c11)) + ((c12 + c13) + (c14 + c15))
            + ((c16 + c17) + (c18 + c19)) + ((c20 + c21) + (c22 + c23));
        keep = Vector256.Sum(sum);
        return iterations * 24.0 * Vector256<float>.Count * 2;
    }

    /// <summary>The ymm chains with 12 accumulators, for AVX2 CPUs (16 vector registers: 24 would spill).</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static double YmmChains12(long iterations)
    {
        Vector256<float> a = Vector256.Create(0.999999f), b = Vector256.Create(1e-7f);
        Vector256<float> c0 = Vector256.Create(0f), c1 = Vector256.Create(1f), c2 = Vector256.Create(2f), c3 = Vector256.Create(3f);
        Vector256<float> c4 = Vector256.Create(4f), c5 = Vector256.Create(5f), c6 = Vector256.Create(6f), c7 = Vector256.Create(7f);
        Vector256<float> c8 = Vector256.Create(8f), c9 = Vector256.Create(9f), c10 = Vector256.Create(10f), c11 = Vector256.Create(11f);
        for (long n = 0; n < iterations; n++)
        {
            c0 = Fma.MultiplyAdd(c0, a, b); c1 = Fma.MultiplyAdd(c1, a, b); c2 = Fma.MultiplyAdd(c2, a, b); c3 = Fma.MultiplyAdd(c3, a, b);
            c4 = Fma.MultiplyAdd(c4, a, b); c5 = Fma.MultiplyAdd(c5, a, b); c6 = Fma.MultiplyAdd(c6, a, b); c7 = Fma.MultiplyAdd(c7, a, b);
            c8 = Fma.MultiplyAdd(c8, a, b); c9 = Fma.MultiplyAdd(c9, a, b); c10 = Fma.MultiplyAdd(c10, a, b); c11 = Fma.MultiplyAdd(c11, a, b);
        }

        Vector256<float> sum = ((c0 + c1) + (c2 + c3)) + ((c4 + c5) + (c6 + c7)) + ((c8 + c9) + (c10 + c11));
        keep = Vector256.Sum(sum);
        return iterations * 12.0 * Vector256<float>.Count * 2;
    }
}
