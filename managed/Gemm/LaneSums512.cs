using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NNPackSharp.Gemm;

/// <summary>
/// The 16 lanes of each of a <see cref="DotProduct{T, TVector, TOps}"/> tile's 24 float accumulators added in four
/// levels shared by all of them: lane l plus lane l + 8 (two elements' halves packed into one register), then l + 4,
/// l + 2 and l + 1, each level halving the registers: 46 shuffles and 23 adds for the tile, where a
/// <c>Vector512.Sum</c> per element compiles to about 25 instructions (four quarters summed in 128-bit registers, then
/// three scalar adds; <c>DOTNET_JitDisasm</c>), 600 for the tile. The weight gradients on dot products ran 1.02-1.17x
/// with these (bench/ab-managed.py, one thread). Every element is summed by the same tree wherever it lies in the tile.
/// </summary>
internal static unsafe class LaneSums512
{
    public static bool IsSupported => Avx512F.IsSupported;

    /// <summary>Level 1: <c>[x's 8 lanes summed with the other 8 | y's likewise]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Halves(Vector512<float> x, Vector512<float> y) =>
        Avx512F.Shuffle4x128(x, y, 0b01_00_01_00) + Avx512F.Shuffle4x128(x, y, 0b11_10_11_10);

    /// <summary>
    /// Levels 2 to 4 from the 12 results of <see cref="Halves"/> (elements <c>2k</c> and <c>2k + 1</c> in
    /// <paramref name="h0"/>..<paramref name="h11"/>), and the 24 sums written to <paramref name="sums"/>[0..24) in
    /// element order (32 floats writable).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Finish(
        Vector512<float> h0, Vector512<float> h1, Vector512<float> h2, Vector512<float> h3, Vector512<float> h4, Vector512<float> h5,
        Vector512<float> h6, Vector512<float> h7, Vector512<float> h8, Vector512<float> h9, Vector512<float> h10, Vector512<float> h11,
        float* sums)
    {
        // Quarter q of q{j} holds element 4j + q's four partial lanes.
        Vector512<float> q0 = Quarters(h0, h1), q1 = Quarters(h2, h3), q2 = Quarters(h4, h5);
        Vector512<float> q3 = Quarters(h6, h7), q4 = Quarters(h8, h9), q5 = Quarters(h10, h11);

        // Quarter q of p{m}: element 8m + q in lanes 0-1, element 8m + 4 + q in lanes 2-3.
        Vector512<float> p0 = Pairs(q0, q1), p1 = Pairs(q2, q3), p2 = Pairs(q4, q5);

        // Lane 4q + k of the low sums holds element 4k + q (elements 0-15); of the high sums element 16 + 4k + q, k < 2.
        Vector512<float> low = Lanes(p0, p1), high = Lanes(p2, p2);
        Avx512F.PermuteVar16x32(low, Vector512.Create(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15)).Store(sums);
        Avx512F.PermuteVar16x32(high, Vector512.Create(0, 4, 8, 12, 1, 5, 9, 13, 0, 0, 0, 0, 0, 0, 0, 0)).Store(sums + 16);
    }

    /// <summary>
    /// A whole tile's sums (<paramref name="sums"/>, rows of 6) written to or added into <paramref name="c"/>, each row
    /// as 4 + 2 floats: the same adds as one element at a time, in fewer instructions.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write4x6(float* sums, float* c, nint ldc, bool accumulate)
    {
        for (int row = 0; row < 4; row++, sums += 6, c += ldc)
        {
            Vector128<float> left = Vector128.Load(sums), right = LoadPair(sums + 4);
            if (accumulate)
            {
                left += Vector128.Load(c);
                right += LoadPair(c + 4);
            }

            left.Store(c);
            Unsafe.WriteUnaligned(c + 4, right.AsDouble().ToScalar());
        }
    }

    /// <summary>Two floats into lanes 0 and 1 (one 8-byte load).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> LoadPair(float* source) => Vector128.CreateScalar(Unsafe.ReadUnaligned<double>(source)).AsSingle();

    /// <summary>Level 2: from <c>[a | b]</c> and <c>[c | d]</c> (8 lanes each) to <c>[a | b | c | d]</c> (4 lanes each).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Quarters(Vector512<float> x, Vector512<float> y) =>
        Avx512F.Shuffle4x128(x, y, 0b10_00_10_00) + Avx512F.Shuffle4x128(x, y, 0b11_01_11_01);

    /// <summary>Level 3, within each 128-bit quarter: <c>[x0 + x2, x1 + x3, y0 + y2, y1 + y3]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Pairs(Vector512<float> x, Vector512<float> y) =>
        Avx512F.Shuffle(x, y, 0b01_00_01_00) + Avx512F.Shuffle(x, y, 0b11_10_11_10);

    /// <summary>Level 4, within each 128-bit quarter: <c>[x0 + x1, x2 + x3, y0 + y1, y2 + y3]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Lanes(Vector512<float> x, Vector512<float> y) =>
        Avx512F.Shuffle(x, y, 0b10_00_10_00) + Avx512F.Shuffle(x, y, 0b11_01_11_01);
}
