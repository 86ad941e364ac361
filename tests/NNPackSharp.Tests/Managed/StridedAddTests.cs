using NNPackSharp.Engines.Managed;

namespace NNPackSharp.Tests.Managed;

/// <summary>
/// col2im's stride-2 step (<see cref="StridedAdd"/>) against the element loop, float and double, every count up to a
/// few vectors past a whole block and every offset into a line: the even elements get their source added once, the odd
/// ones between (signed zeros among them) and everything past the last target keep their bits.
/// </summary>
public class StridedAddTests
{
    [Test]
    public unsafe void AddsOntoEveryOtherElementAndNothingElse()
    {
        var random = new Random(7);
        for (int count = 0; count <= 40; count++)
        {
            for (int offset = 0; offset < 4; offset++)
            {
                Check<float>(random, count, offset, i => (float)i);
                Check<double>(random, count, offset, i => i);
            }
        }
    }

    private static unsafe void Check<T>(Random random, int count, int offset, Func<double, T> from)
        where T : unmanaged, System.Numerics.IAdditionOperators<T, T, T>
    {
        // Room past the last target: a step that wrote beyond 2 * (count - 1) would show there.
        var destination = new T[offset + (2 * count) + 40];
        var source = new T[count + 16];
        for (int i = 0; i < destination.Length; i++)
        {
            // Signed zeros among the values: the odd elements between the targets must keep their bits.
            destination[i] = random.Next(4) == 0 ? from(-0.0) : from(random.Next(-1000, 1000));
        }

        for (int i = 0; i < source.Length; i++)
        {
            source[i] = from(random.Next(-1000, 1000));
        }

        var expected = (T[])destination.Clone();
        for (int i = 0; i < count; i++)
        {
            expected[offset + (2 * i)] += source[i];
        }

        // Sources past count are poison: a step that read them into a kept lane would change a target.
        for (int i = count; i < source.Length; i++)
        {
            source[i] = from(1e6);
        }

        fixed (T* d = destination, s = source)
        {
            StridedAdd.Stride2(d + offset, s, count);
        }

        // Bit for bit (NUnit's equality counts -0.0 equal to +0.0).
        Assert.That(Bits(destination), Is.EqualTo(Bits(expected)), $"{typeof(T).Name}, count {count}, offset {offset}");
    }

    private static unsafe ulong[] Bits<T>(T[] values)
        where T : unmanaged
    {
        var bits = new ulong[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            T value = values[i];
            bits[i] = sizeof(T) == 4 ? *(uint*)&value : *(ulong*)&value;
        }

        return bits;
    }
}
