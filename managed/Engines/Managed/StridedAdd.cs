using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NNPackSharp.Engines.Managed;

/// <summary>
/// <c>destination[i * 2] += source[i]</c> for <c>i</c> in <c>[0, count)</c>: col2im's step for a stride of 2 across.
/// With AVX-512 a vector of sources is spread over the even elements of two destination vectors (-0.0 in the odd ones)
/// and added, floats and doubles alike as 32-bit lanes (a double two of them); only elements
/// <c>destination[0 .. 2 * (count - 1)]</c> are read and written, the last block under a lane mask, since the next
/// element may be another thread's channel. An element loop there took a third of the ResNet stem's input gradient and
/// a quarter of ResNet 3x3/2's (perf, one thread). Each element gets the same single addition either way.
/// </summary>
internal static unsafe class StridedAdd
{
    /// <summary>Per element width (1 or 2 lanes): the 16 source lanes spread over two vectors, indices 16 (and 17) the filler's -0.0.</summary>
    private static readonly Vector512<int>[] SpreadLow =
    [
        Vector512.Create(0, 16, 1, 16, 2, 16, 3, 16, 4, 16, 5, 16, 6, 16, 7, 16),
        Vector512.Create(0, 1, 16, 17, 2, 3, 16, 17, 4, 5, 16, 17, 6, 7, 16, 17),
    ];

    private static readonly Vector512<int>[] SpreadHigh =
    [
        Vector512.Create(8, 16, 9, 16, 10, 16, 11, 16, 12, 16, 13, 16, 14, 16, 15, 16),
        Vector512.Create(8, 9, 16, 17, 10, 11, 16, 17, 12, 13, 16, 17, 14, 15, 16, 17),
    ];

    /// <summary>Adds <paramref name="source"/>'s <paramref name="count"/> elements onto every second element of <paramref name="destination"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Stride2<T>(T* destination, T* source, int count)
        where T : unmanaged, IAdditionOperators<T, T, T>
    {
        if (Avx512F.IsSupported && typeof(T) == typeof(float))
        {
            Spread((float*)destination, (float*)source, count, lanesPerElement: 1);
        }
        else if (Avx512F.IsSupported && typeof(T) == typeof(double))
        {
            Spread((float*)destination, (float*)source, count, lanesPerElement: 2);
        }
        else
        {
            for (int i = 0; i < count; i++)
            {
                destination[(nint)i * 2] += source[i];
            }
        }
    }

    /// <summary>The spread in 32-bit lanes; the additions in the element's own type. Inlined, so that each call's
    /// element width is a constant.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Spread(float* destination, float* source, int count, int lanesPerElement)
    {
        Vector512<int> low = SpreadLow[lanesPerElement - 1], high = SpreadHigh[lanesPerElement - 1], lane = Vector512<int>.Indices;
        // The odd elements get -0.0, which leaves every value's bits as they were (+0.0 would turn a -0.0 into +0.0).
        Vector512<float> zero = Vector512<float>.Zero, filler = lanesPerElement == 1 ? Vector512.Create(-0.0f) : Vector512.Create(-0.0).AsSingle();
        long lanes = (long)count * lanesPerElement;
        long i = 0;
        // A whole block writes destination lanes [2i, 2i + 32): past the last target unless one more element remains.
        for (; i + 16 + lanesPerElement <= lanes; i += 16)
        {
            Vector512<float> values = Vector512.Load(source + i);
            float* at = destination + (2 * i);
            Add(at, Avx512F.PermuteVar16x32x2(values, low, filler), lanesPerElement);
            Add(at + 16, Avx512F.PermuteVar16x32x2(values, high, filler), lanesPerElement);
        }

        int rest = (int)(lanes - i);
        if (rest > 0)
        {
            // Lane t of the pair belongs to destination element t / lanesPerElement: kept where that is even and its
            // source element (half of it) is among the rest.
            Vector512<int> element = lane >> (lanesPerElement - 1), elementHigh = (lane + Vector512.Create(16)) >> (lanesPerElement - 1);
            Vector512<int> restElements = Vector512.Create(rest / lanesPerElement);
            Vector512<float> keepLow = (Vector512.Equals(element & Vector512<int>.One, Vector512<int>.Zero) & Vector512.LessThan(element >> 1, restElements)).AsSingle();
            Vector512<float> keepHigh = (Vector512.Equals(elementHigh & Vector512<int>.One, Vector512<int>.Zero) & Vector512.LessThan(elementHigh >> 1, restElements)).AsSingle();
            Vector512<float> values = Avx512F.MaskLoad(source + i, Vector512.LessThan(lane, Vector512.Create(rest)).AsSingle(), zero);
            float* at = destination + (2 * i);
            Avx512F.MaskStore(at, keepLow, Sum(Avx512F.MaskLoad(at, keepLow, zero), Avx512F.PermuteVar16x32x2(values, low, filler), lanesPerElement));
            if (rest > 8)
            {
                Avx512F.MaskStore(at + 16, keepHigh, Sum(Avx512F.MaskLoad(at + 16, keepHigh, zero), Avx512F.PermuteVar16x32x2(values, high, filler), lanesPerElement));
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add(float* at, Vector512<float> spread, int lanesPerElement) => Sum(Vector512.Load(at), spread, lanesPerElement).Store(at);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Sum(Vector512<float> a, Vector512<float> b, int lanesPerElement) =>
        lanesPerElement == 1 ? a + b : (a.AsDouble() + b.AsDouble()).AsSingle();
}
