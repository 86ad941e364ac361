using NNPackSharp.Gemm;

namespace NNPackSharp.Tests.Managed;

/// <summary>
/// <see cref="Packing.PackA{T}"/> on a <see cref="MatrixRef{T}.RotatedKernels"/> view (the transposed layer's weight,
/// never written out) against the same panels packed from the explicitly rotated weight: random channel counts, kernels
/// of 1 to 49 taps, depth blocks that start and end inside a kernel, row blocks at any offset with full, partial and
/// edge-height panels; float (the AVX transposes) and double (the scalar loop).
/// </summary>
public unsafe class RotatedKernelPackingTests
{
    [Test]
    public void FloatMatchesTheRotatedWeight() => Check<float>(seed: 61);

    [Test]
    public void DoubleMatchesTheRotatedWeight() => Check<double>(seed: 62);

    private static void Check<T>(int seed)
        where T : unmanaged, System.Numerics.INumber<T>
    {
        var random = new Random(seed);
        for (int trial = 0; trial < 300; trial++)
        {
            int outputChannels = random.Next(1, 9), inputChannels = random.Next(1, 40);
            int kh = random.Next(1, 8), kw = random.Next(1, 8), taps = kh * kw;
            int depth = outputChannels * taps;
            T[] weight = new T[outputChannels * inputChannels * taps];
            for (int i = 0; i < weight.Length; i++)
            {
                weight[i] = T.CreateTruncating(random.Next(1, 1 << 20));
            }

            // A[ci, co*taps + t] = W[co, ci, taps-1-t], written out.
            T[] rotated = new T[inputChannels * depth];
            for (int co = 0; co < outputChannels; co++)
            {
                for (int ci = 0; ci < inputChannels; ci++)
                {
                    for (int t = 0; t < taps; t++)
                    {
                        rotated[(ci * depth) + (co * taps) + t] = weight[(((co * inputChannels) + ci) * taps) + (taps - 1 - t)];
                    }
                }
            }

            int row0 = random.Next(inputChannels), rows = random.Next(1, inputChannels - row0 + 1);
            int col0 = random.Next(depth), columns = random.Next(1, depth - col0 + 1);
            int panelRows = random.Next(2) == 0 ? 12 : 6, edgeRows = random.Next(2) == 0 ? 6 : panelRows;
            int panels = (rows + panelRows - 1) / panelRows;
            T[] expected = new T[panels * panelRows * columns], actual = new T[expected.Length];
            fixed (T* w = weight, r = rotated, e = expected, a = actual)
            {
                Packing.PackA(MatrixRef<T>.RowMajor(r, depth), row0, rows, col0, columns, panelRows, edgeRows, e);
                Packing.PackA(MatrixRef<T>.RotatedKernels(w, inputChannels, taps), row0, rows, col0, columns, panelRows, edgeRows, a);
            }

            Assert.That(actual, Is.EqualTo(expected), $"trial {trial}: Cout {outputChannels}, Cin {inputChannels}, kernel {kh}x{kw}, rows {row0}+{rows}, depth {col0}+{columns}, panels of {panelRows}/{edgeRows}");
        }
    }
}
