using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NNPackSharp.Engines.Managed;

/// <summary>
/// One run of an im2col row with AVX-512 masked loads and stores: <c>target[j] = source[(j - first) * stride]</c> for
/// <c>j</c> in <c>[first, end)</c> and zeros for the rest of <c>[0, length)</c>, 16 floats per step, no per-element
/// bounds check. Masked-off lanes are neither read nor written (the hardware suppresses their faults), so a step may
/// straddle the run's padding or the end of the image. Masked loads are only for the ends of a plane: on Zen 5 they
/// made the batch-1 112x112 forward pass 20% slower than plain loads.
/// </summary>
internal static unsafe class MaskedRun
{
    /// <summary>Each lane its own index.</summary>
    internal static readonly Vector512<int> Lane = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    /// <summary>Lane t holds t / 2: the output column of a stride-2 window's float t.</summary>
    private static readonly Vector512<int> HalfLane = Vector512.Create(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);
    /// <summary>All-ones in the even lanes.</summary>
    private static readonly Vector512<int> EvenLane = Vector512.Create(-1, 0, -1, 0, -1, 0, -1, 0, -1, 0, -1, 0, -1, 0, -1, 0);
    /// <summary>The even lanes of two vectors, as a two-source permute's indices.</summary>
    internal static readonly Vector512<int> Even = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    /// <summary>The odd lanes of two vectors, as a two-source permute's indices.</summary>
    internal static readonly Vector512<int> Odd = Vector512.Create(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);

    /// <summary>True where the runs can be copied here: AVX-512 in hardware.</summary>
    public static bool IsSupported => Avx512F.IsSupported;

    /// <summary>True for the strides this copies (1 and 2; wider strides take the caller's element loop).</summary>
    public static bool Handles(int stride) => stride is 1 or 2;

    /// <summary>
    /// The run as described above; <paramref name="source"/> points at the value of column <paramref name="first"/>,
    /// and <c>[lowest, limit)</c> is memory that may be read (the channel's plane): a step whose 16 (or 32) source
    /// floats lie inside it takes plain loads and zeros the lanes outside the window with a blend, only the steps at
    /// the plane's ends take masked loads.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Copy(float* target, int length, int first, int end, float* source, int stride, float* lowest, float* limit)
    {
        if (stride == 1)
        {
            float* origin = source - first;
            for (int i = 0; i < length; i += 16)
            {
                float* at = origin + i;
                Vector512<float> values;
                if (i >= first && i + 16 <= end)
                {
                    values = Vector512.Load(at);
                }
                else
                {
                    values = LoadWindow(at, InRange(Lane + Vector512.Create(i), first, end), lowest, limit);
                }

                Store(target + i, values, length - i);
            }

            return;
        }

        // Stride 2: lane t of the two loads holds column i + t/2 (and i + 8 + t/2); the even lanes are kept.
        float* even = source - (2 * (nint)first);
        for (int i = 0; i < length; i += 16)
        {
            Vector512<int> low = HalfLane + Vector512.Create(i);
            Vector512<float> lowValues = LoadWindow(even + (2 * (nint)i), InRange(low, first, end) & EvenLane.AsSingle(), lowest, limit);
            Vector512<float> highValues = LoadWindow(even + (2 * (nint)i) + 16, InRange(low + Vector512.Create(8), first, end) & EvenLane.AsSingle(), lowest, limit);
            Store(target + i, Avx512F.PermuteVar16x32x2(lowValues, Even, highValues), length - i);
        }
    }

    /// <summary>
    /// The 16 floats at <paramref name="at"/>, zero outside <paramref name="window"/>: a plain load and a blend where all
    /// 16 lie inside <c>[lowest, limit)</c>, else a masked load (which never touches the masked-off lanes).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> LoadWindow(float* at, Vector512<float> window, float* lowest, float* limit) =>
        at >= lowest && at + 16 <= limit ? Vector512.ConditionalSelect(window, Vector512.Load(at), Vector512<float>.Zero)
            : Avx512F.MaskLoad(at, window, Vector512<float>.Zero);

    /// <summary><c>target[0, length) = 0</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Zero(float* target, int length)
    {
        for (int i = 0; i < length; i += 16)
        {
            Store(target + i, Vector512<float>.Zero, length - i);
        }
    }

    /// <summary>All-ones lanes where <c>first &lt;= column &lt; end</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> InRange(Vector512<int> column, int first, int end) =>
        (Vector512.GreaterThanOrEqual(column, Vector512.Create(first)) & Vector512.LessThan(column, Vector512.Create(end))).AsSingle();

    /// <summary>Stores the first <paramref name="count"/> lanes (all 16 when there are as many).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* target, Vector512<float> values, int count)
    {
        if (count >= 16)
        {
            values.Store(target);
        }
        else
        {
            Avx512F.MaskStore(target, Vector512.LessThan(Lane, Vector512.Create(count)).AsSingle(), values);
        }
    }
}
