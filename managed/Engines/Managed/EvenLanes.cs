using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NNPackSharp.Engines.Managed;

/// <summary>
/// <c>target[i] = source[2 * i]</c> for a prefix of <c>i</c>, 16 floats per step: two AVX-512 loads of 32 source
/// floats and one two-source permute keeping the even lanes. A stride-2 im2col row copied one float at a time was a
/// quarter of the ResNet stem's forward pass.
/// </summary>
internal static unsafe class EvenLanes
{
    private static readonly Vector512<int> Even = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);

    /// <summary>Copies whole steps while their source floats lie before <paramref name="limit"/>; returns how many elements it copied (a multiple of 16, at most <paramref name="count"/>).</summary>
    public static int Copy(float* source, float* target, int count, float* limit)
    {
        if (!Avx512F.IsSupported)
        {
            return 0;
        }

        int i = 0;
        for (; i + 16 <= count && source + (2 * (nint)i) + 32 <= limit; i += 16)
        {
            Vector512<float> low = Vector512.Load(source + (2 * (nint)i)), high = Vector512.Load(source + (2 * (nint)i) + 16);
            Avx512F.PermuteVar16x32x2(low, Even, high).Store(target + i);
        }

        return i;
    }
}
