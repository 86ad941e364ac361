using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NNPackSharp.Gemm;

/// <summary>
/// Packs a panel whose source lines run along the depth (a transposed view: the weight gradient's im2col columns, a
/// row-major A): <c>panel[k*width + j] = line_j[k]</c>. Element by element that is a store per element into a
/// different cache line; here 8x8 blocks are transposed in registers (AVX, float) so every load and store is a whole
/// vector. Other types and CPUs take a scalar loop ordered so that both sides stay within a few cache lines.
/// </summary>
internal static unsafe class PanelTranspose
{
    private const int Block = 8;
    private const int HalfBlock = 4;

    /// <summary>
    /// Writes <c>panel[k*width + j] = source[j*lineStride + k*step]</c> for <c>k &lt; depth</c>, <c>j &lt; lines</c>,
    /// and zeros for <c>lines &lt;= j &lt; width</c>.
    /// </summary>
    public static void Pack<T>(T* source, nint lineStride, int lines, int depth, int width, T* panel, nint step)
        where T : unmanaged =>
        PackRows(source, lineStride, step, lines, depth, width, panel, width);

    /// <summary>
    /// As <see cref="Pack{T}"/> with the depth reversed and the source read forward:
    /// <c>panel[(depth-1-k)*width + j] = source[j*lineStride + k]</c> (a rotated kernel's taps).
    /// </summary>
    public static void PackReversed<T>(T* source, nint lineStride, int lines, int depth, int width, T* panel)
        where T : unmanaged =>
        PackRows(source, lineStride, 1, lines, depth, width, panel + ((nint)(depth - 1) * width), -(nint)width);

    /// <summary>The packers' common body: panel row k at <c>panel + k*panelStep</c>, which may run backwards.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackRows<T>(T* source, nint lineStride, nint step, int lines, int depth, int width, T* panel, nint panelStep)
        where T : unmanaged
    {
        int j = 0;
        if (typeof(T) == typeof(float) && Avx.IsSupported && step == 1)
        {
            for (; j + Block <= lines; j += Block)
            {
                int k = 0;
                for (; k + Block <= depth; k += Block)
                {
                    Transpose8x8((float*)source + (j * lineStride) + k, lineStride, (float*)panel + (k * panelStep) + j, panelStep);
                }

                Scalar(source + (j * lineStride), lineStride, step, Block, k, depth, panelStep, panel + j);
            }

            // Four lines left (a 12-row panel's last four): 4x8 blocks, one 128-bit store per k.
            if (j + HalfBlock <= lines)
            {
                int k = 0;
                for (; k + Block <= depth; k += Block)
                {
                    Transpose4x8((float*)source + (j * lineStride) + k, lineStride, (float*)panel + (k * panelStep) + j, panelStep);
                }

                Scalar(source + (j * lineStride), lineStride, step, HalfBlock, k, depth, panelStep, panel + j);
                j += HalfBlock;
            }
        }

        Scalar(source + (j * lineStride), lineStride, step, lines - j, 0, depth, panelStep, panel + j);
        for (int k = 0; lines < width && k < depth; k++)
        {
            new Span<T>(panel + (k * panelStep) + lines, width - lines).Clear();
        }
    }

    /// <summary><c>panel[k*panelStep + j] = source[j*lineStride + k*step]</c> for <c>j &lt; lines</c>, <c>first &lt;= k &lt; end</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a rotated 3x3 kernel's ninth tap comes here on every call
    private static void Scalar<T>(T* source, nint lineStride, nint step, int lines, int first, int end, nint panelStep, T* panel)
        where T : unmanaged
    {
        for (int k0 = first; k0 < end; k0 += Block)
        {
            int k1 = Math.Min(end, k0 + Block);
            for (int j = 0; j < lines; j++)
            {
                T* line = source + (j * lineStride);
                for (int k = k0; k < k1; k++)
                {
                    panel[(k * panelStep) + j] = line[k * step];
                }
            }
        }
    }

    /// <summary>Rows <c>source + r*sourceStride</c> (4 rows of 8 floats) become columns of the 8 rows of 4 at <c>destination + r*destinationStride</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose4x8(float* source, nint sourceStride, float* destination, nint destinationStride)
    {
        Vector256<float> r0 = Avx.LoadVector256(source), r1 = Avx.LoadVector256(source + sourceStride);
        Vector256<float> r2 = Avx.LoadVector256(source + (2 * sourceStride)), r3 = Avx.LoadVector256(source + (3 * sourceStride));

        // As the first half of Transpose8x8: each 128-bit half of u_i then holds column i (low) and column i + 4 (high).
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1), t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE), u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
        Sse.Store(destination, u0.GetLower());
        Sse.Store(destination + destinationStride, u1.GetLower());
        Sse.Store(destination + (2 * destinationStride), u2.GetLower());
        Sse.Store(destination + (3 * destinationStride), u3.GetLower());
        Sse.Store(destination + (4 * destinationStride), u0.GetUpper());
        Sse.Store(destination + (5 * destinationStride), u1.GetUpper());
        Sse.Store(destination + (6 * destinationStride), u2.GetUpper());
        Sse.Store(destination + (7 * destinationStride), u3.GetUpper());
    }

    /// <summary>Rows <c>source + r*sourceStride</c> (8 floats each) become columns of the 8 rows at <c>destination + r*destinationStride</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* source, nint sourceStride, float* destination, nint destinationStride)
    {
        Vector256<float> r0 = Avx.LoadVector256(source), r1 = Avx.LoadVector256(source + sourceStride);
        Vector256<float> r2 = Avx.LoadVector256(source + (2 * sourceStride)), r3 = Avx.LoadVector256(source + (3 * sourceStride));
        Vector256<float> r4 = Avx.LoadVector256(source + (4 * sourceStride)), r5 = Avx.LoadVector256(source + (5 * sourceStride));
        Vector256<float> r6 = Avx.LoadVector256(source + (6 * sourceStride)), r7 = Avx.LoadVector256(source + (7 * sourceStride));

        // Pairs of rows interleaved, then pairs of pairs: each 128-bit half then holds one 4x4 block transposed.
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1), t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5), t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE), u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE), u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);

        // The low halves of rows 0-3 and 4-7 make output rows 0-3, the high halves rows 4-7.
        Avx.Store(destination, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(destination + destinationStride, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(destination + (2 * destinationStride), Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(destination + (3 * destinationStride), Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(destination + (4 * destinationStride), Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(destination + (5 * destinationStride), Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(destination + (6 * destinationStride), Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(destination + (7 * destinationStride), Avx.Permute2x128(u3, u7, 0x31));
    }
}
