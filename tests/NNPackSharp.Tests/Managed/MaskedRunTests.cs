using System.Runtime.InteropServices;
using NNPackSharp.Engines.Managed;

namespace NNPackSharp.Tests.Managed;

/// <summary>
/// The AVX-512 im2col run copy against an element loop: every run length up to two and a half vectors, every valid
/// window inside it, strides 1 and 2, the target's neighbours untouched, and the source flush against an inaccessible
/// page on Linux (after its last value, then before its first), with the readable region the window itself (masked
/// loads) or the whole page (plain loads and blends): a load outside the region would fault there and end the run.
/// </summary>
public unsafe class MaskedRunTests
{
    private const float Guard = -7.5f;

    [TestCase(1)]
    [TestCase(2)]
    public void CopiesExactlyTheValidWindowAndZerosTheRest(int stride)
    {
        if (!MaskedRun.IsSupported)
        {
            Assert.Ignore("AVX-512 is not available to the JIT here (the element loop runs instead; the no-avx512 legs test it).");
        }

        for (int length = 1; length <= 40; length++)
        {
            for (int first = 0; first < length; first++)
            {
                for (int end = first + 1; end <= length; end++)
                {
                    Check(length, first, end, stride);
                }
            }
        }
    }

    [Test]
    public void ZeroWritesOnlyItsLength()
    {
        if (!MaskedRun.IsSupported)
        {
            Assert.Ignore("AVX-512 is not available to the JIT here.");
        }

        for (int length = 1; length <= 40; length++)
        {
            float[] target = Enumerable.Repeat(Guard, length + 32).ToArray();
            fixed (float* t = target)
            {
                MaskedRun.Zero(t + 16, length);
            }

            Assert.That(target[16..(16 + length)], Is.All.EqualTo(0f), $"length {length}");
            Assert.That(target[..16].Concat(target[(16 + length)..]), Is.All.EqualTo(Guard), $"length {length}: a neighbour was written");
        }
    }

    private static void Check(int length, int first, int end, int stride)
    {
        // The window reads source[0, count): placed flush against the page after it, then against the page before it.
        int count = ((end - first - 1) * stride) + 1;
        foreach ((bool flushEnd, bool wholePage) in new[] { (true, false), (false, false), (true, true), (false, true) })
        {
            float* source = GuardedPage.Floats(count, flushEnd);
            float* lowest = wholePage ? GuardedPage.Start : source;
            float* limit = wholePage ? GuardedPage.Start + (GuardedPage.Bytes / sizeof(float)) : source + count;
            for (int i = 0; i < count; i++)
            {
                source[i] = i + 1;
            }

            float[] target = Enumerable.Repeat(Guard, length + 32).ToArray();
            fixed (float* t = target)
            {
                MaskedRun.Copy(t + 16, length, first, end, source, stride, lowest, limit);
            }

            for (int j = 0; j < length; j++)
            {
                float expected = j >= first && j < end ? source[(j - first) * stride] : 0f;
                if (target[16 + j] != expected)
                {
                    Assert.Fail($"length {length}, window [{first}, {end}), stride {stride}: target[{j}] = {target[16 + j]}, expected {expected}");
                }
            }

            Assert.That(target[..16].Concat(target[(16 + length)..]), Is.All.EqualTo(Guard), $"length {length}, window [{first}, {end}), stride {stride}: a neighbour was written");
        }
    }

    /// <summary>One readable page between two inaccessible ones (Linux), or plain memory elsewhere.</summary>
    private static class GuardedPage
    {
        private const int PageSize = 4096;
        private const int ProtNone = 0, ProtReadWrite = 3, MapPrivateAnonymous = 0x22;
        private static readonly byte* Middle = Map();

        /// <summary>Size of the readable page in bytes.</summary>
        public const int Bytes = PageSize;

        /// <summary>The readable page's start (as a region a copy may read, its blends then read past the window).</summary>
        public static float* Start => (float*)Middle;

        /// <summary>Room for <paramref name="count"/> floats that end at the next page (or start right after the previous one).</summary>
        public static float* Floats(int count, bool flushEnd) => flushEnd ? (float*)(Middle + PageSize) - count : (float*)Middle;

        private static byte* Map()
        {
            if (!OperatingSystem.IsLinux())
            {
                return (byte*)NativeMemory.AlignedAlloc(3 * PageSize, PageSize) + PageSize;
            }

            byte* pages = (byte*)mmap(null, 3 * PageSize, ProtNone, MapPrivateAnonymous, -1, 0);
            if (pages == (byte*)-1 || mprotect(pages + PageSize, PageSize, ProtReadWrite) != 0)
            {
                throw new InvalidOperationException("mmap/mprotect of the guard pages failed");
            }

            return pages + PageSize;
        }

        [DllImport("libc", SetLastError = true)]
        private static extern void* mmap(void* address, nuint length, int protection, int flags, int fd, nint offset);

        [DllImport("libc", SetLastError = true)]
        private static extern int mprotect(void* address, nuint length, int protection);
    }
}
