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
    private const int SixLines = 6;

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
                for (int k = 0; k < depth; k += Block)
                {
                    Transpose8x8((float*)source + (j * lineStride) + k, lineStride, (float*)panel + (k * panelStep) + j, panelStep, Math.Min(Block, depth - k));
                }
            }

            // Six lines left (a 6-row panel, the ukernel's tile below AVX-512): 6x8 blocks, 16 + 8 bytes stored per k
            // (element by element, its last two lines had held AlexNet conv3's 384 x 169 x 1728 GEMM at 77% of the peak
            // at Vector256).
            if (lines - j == SixLines)
            {
                for (int k = 0; k < depth; k += Block)
                {
                    Transpose6x8((float*)source + (j * lineStride) + k, lineStride, (float*)panel + (k * panelStep) + j, panelStep, Math.Min(Block, depth - k));
                }

                j += SixLines;
            }

            // Four lines left (a 12-row panel's last four): 4x8 blocks, one 128-bit store per k.
            if (j + HalfBlock <= lines)
            {
                for (int k = 0; k < depth; k += Block)
                {
                    Transpose4x8((float*)source + (j * lineStride) + k, lineStride, (float*)panel + (k * panelStep) + j, panelStep, Math.Min(Block, depth - k));
                }

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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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

    /// <summary>
    /// Rows <c>source + r*sourceStride</c> (4 rows of <paramref name="depth"/> floats, 1 to 8) become columns of the
    /// <paramref name="depth"/> rows of 4 at <c>destination + r*destinationStride</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose4x8(float* source, nint sourceStride, float* destination, nint destinationStride, int depth)
    {
        Vector256<float> r0 = Row(source, depth), r1 = Row(source + sourceStride, depth);
        Vector256<float> r2 = Row(source + (2 * sourceStride), depth), r3 = Row(source + (3 * sourceStride), depth);

        // As the first half of Transpose8x8: each 128-bit half of u_i then holds column i (low) and column i + 4 (high).
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1), t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE), u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
        Sse.Store(destination, u0.GetLower());
        if (depth == Block)
        {
            Sse.Store(destination + destinationStride, u1.GetLower());
            Sse.Store(destination + (2 * destinationStride), u2.GetLower());
            Sse.Store(destination + (3 * destinationStride), u3.GetLower());
            Sse.Store(destination + (4 * destinationStride), u0.GetUpper());
            Sse.Store(destination + (5 * destinationStride), u1.GetUpper());
            Sse.Store(destination + (6 * destinationStride), u2.GetUpper());
            Sse.Store(destination + (7 * destinationStride), u3.GetUpper());
            return;
        }

        StoreIf(1, depth, destination, destinationStride, u1.GetLower());
        StoreIf(2, depth, destination, destinationStride, u2.GetLower());
        StoreIf(3, depth, destination, destinationStride, u3.GetLower());
        StoreIf(4, depth, destination, destinationStride, u0.GetUpper());
        StoreIf(5, depth, destination, destinationStride, u1.GetUpper());
        StoreIf(6, depth, destination, destinationStride, u2.GetUpper());
    }

    /// <summary>
    /// Rows <c>source + r*sourceStride</c> (<paramref name="depth"/> floats each, 1 to 8) become columns of the
    /// <paramref name="depth"/> rows of 8 at <c>destination + r*destinationStride</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* source, nint sourceStride, float* destination, nint destinationStride, int depth)
    {
        Vector256<float> r0 = Row(source, depth), r1 = Row(source + sourceStride, depth);
        Vector256<float> r2 = Row(source + (2 * sourceStride), depth), r3 = Row(source + (3 * sourceStride), depth);
        Vector256<float> r4 = Row(source + (4 * sourceStride), depth), r5 = Row(source + (5 * sourceStride), depth);
        Vector256<float> r6 = Row(source + (6 * sourceStride), depth), r7 = Row(source + (7 * sourceStride), depth);
        Transpose8x8(r0, r1, r2, r3, r4, r5, r6, r7, destination, destinationStride, depth);
    }

    /// <summary>
    /// Rows <paramref name="r0"/> to <paramref name="r7"/> (lanes past <paramref name="depth"/> unused) become columns
    /// of the <paramref name="depth"/> rows of 8 at <c>destination + r*destinationStride</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Transpose8x8(
        Vector256<float> r0, Vector256<float> r1, Vector256<float> r2, Vector256<float> r3, Vector256<float> r4, Vector256<float> r5, Vector256<float> r6,
        Vector256<float> r7, float* destination, nint destinationStride, int depth)
    {
        Transpose(r0, r1, r2, r3, r4, r5, r6, r7, out Vector256<float> o0, out Vector256<float> o1, out Vector256<float> o2, out Vector256<float> o3,
            out Vector256<float> o4, out Vector256<float> o5, out Vector256<float> o6, out Vector256<float> o7);
        Avx.Store(destination, o0);
        if (depth == Block)
        {
            Avx.Store(destination + destinationStride, o1);
            Avx.Store(destination + (2 * destinationStride), o2);
            Avx.Store(destination + (3 * destinationStride), o3);
            Avx.Store(destination + (4 * destinationStride), o4);
            Avx.Store(destination + (5 * destinationStride), o5);
            Avx.Store(destination + (6 * destinationStride), o6);
            Avx.Store(destination + (7 * destinationStride), o7);
            return;
        }

        StoreIf(1, depth, destination, destinationStride, o1);
        StoreIf(2, depth, destination, destinationStride, o2);
        StoreIf(3, depth, destination, destinationStride, o3);
        StoreIf(4, depth, destination, destinationStride, o4);
        StoreIf(5, depth, destination, destinationStride, o5);
        StoreIf(6, depth, destination, destinationStride, o6);
    }

    /// <summary>
    /// Rows <c>source + r*sourceStride</c> (6 rows of <paramref name="depth"/> floats, 1 to 8) become columns of the
    /// <paramref name="depth"/> rows of 6 at <c>destination + r*destinationStride</c>: each stored as 4 + 2 floats, so
    /// nothing past a row's six is written.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose6x8(float* source, nint sourceStride, float* destination, nint destinationStride, int depth)
    {
        Vector256<float> r0 = Row(source, depth), r1 = Row(source + sourceStride, depth);
        Vector256<float> r2 = Row(source + (2 * sourceStride), depth), r3 = Row(source + (3 * sourceStride), depth);
        Vector256<float> r4 = Row(source + (4 * sourceStride), depth), r5 = Row(source + (5 * sourceStride), depth);
        Transpose(r0, r1, r2, r3, r4, r5, Vector256<float>.Zero, Vector256<float>.Zero, out Vector256<float> o0, out Vector256<float> o1, out Vector256<float> o2,
            out Vector256<float> o3, out Vector256<float> o4, out Vector256<float> o5, out Vector256<float> o6, out Vector256<float> o7);
        StoreSix(0, depth, destination, destinationStride, o0);
        StoreSix(1, depth, destination, destinationStride, o1);
        StoreSix(2, depth, destination, destinationStride, o2);
        StoreSix(3, depth, destination, destinationStride, o3);
        StoreSix(4, depth, destination, destinationStride, o4);
        StoreSix(5, depth, destination, destinationStride, o5);
        StoreSix(6, depth, destination, destinationStride, o6);
        StoreSix(7, depth, destination, destinationStride, o7);
    }

    /// <summary>The 8x8 transpose in registers: <c>o_i</c> holds lane i of <c>r0</c> to <c>r7</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose(
        Vector256<float> r0, Vector256<float> r1, Vector256<float> r2, Vector256<float> r3, Vector256<float> r4, Vector256<float> r5, Vector256<float> r6,
        Vector256<float> r7, out Vector256<float> o0, out Vector256<float> o1, out Vector256<float> o2, out Vector256<float> o3, out Vector256<float> o4,
        out Vector256<float> o5, out Vector256<float> o6, out Vector256<float> o7)
    {
        // Pairs of rows interleaved, then pairs of pairs: each 128-bit half then holds one 4x4 block transposed.
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1), t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5), t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE), u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE), u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);

        // The low halves of rows 0-3 and 4-7 make output rows 0-3, the high halves rows 4-7.
        o0 = Avx.Permute2x128(u0, u4, 0x20);
        o1 = Avx.Permute2x128(u1, u5, 0x20);
        o2 = Avx.Permute2x128(u2, u6, 0x20);
        o3 = Avx.Permute2x128(u3, u7, 0x20);
        o4 = Avx.Permute2x128(u0, u4, 0x31);
        o5 = Avx.Permute2x128(u1, u5, 0x31);
        o6 = Avx.Permute2x128(u2, u6, 0x31);
        o7 = Avx.Permute2x128(u3, u7, 0x31);
    }

    /// <summary>Lanes 0-5 of <paramref name="value"/> as output row <paramref name="row"/> when it is one of the first <paramref name="depth"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreSix(int row, int depth, float* destination, nint destinationStride, Vector256<float> value)
    {
        if (row < depth)
        {
            float* target = destination + (row * destinationStride);
            Sse.Store(target, value.GetLower());
            Sse.StoreLow(target + HalfBlock, value.GetUpper());
        }
    }

    /// <summary>
    /// The first <paramref name="depth"/> floats of a line (a short kernel's taps, or the tail of a longer line) in a
    /// register; the masked load never touches the memory past them, which may be past the end of the source.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Row(float* line, int depth) =>
        depth == Block ? Avx.LoadVector256(line) : Avx.MaskLoad(line, Vector256.LessThan(Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7), Vector256.Create(depth)).AsSingle());

    /// <summary>Stores output row <paramref name="row"/> of a short transpose when it is one of the first <paramref name="depth"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreIf(int row, int depth, float* destination, nint destinationStride, Vector256<float> value)
    {
        if (row < depth)
        {
            Avx.Store(destination + (row * destinationStride), value);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreIf(int row, int depth, float* destination, nint destinationStride, Vector128<float> value)
    {
        if (row < depth)
        {
            Sse.Store(destination + (row * destinationStride), value);
        }
    }
}
