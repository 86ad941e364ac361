using System.Runtime.Intrinsics;
using NNPackSharp.Engines.Managed;
using NNPackSharp.Memory;
using NNPackSharp.Gemm;

namespace NNPackSharp.Tests.Managed;

/// <summary>
/// The GEMM of every register width this CPU runs (scalar, and each SIMD width up to the widest), exercised in this
/// one process: the GEMM itself on edge-heavy sizes and strided views, and whole convolutions on each width.
/// </summary>
public unsafe class GemmTests
{
    private static IEnumerable<TestCaseData> FloatWidths() => Gemms<float>.Supported.Select(g => new TestCaseData((int)g.Width).SetArgDisplayNames(g.ToString()));

    private static IEnumerable<TestCaseData> DoubleWidths() => Gemms<double>.Supported.Select(g => new TestCaseData((int)g.Width).SetArgDisplayNames(g.ToString()));

    [Test]
    public void TheWidestAcceleratedWidthIsChosen()
    {
        VectorWidth expected = Vector512.IsHardwareAccelerated ? VectorWidth.Vector512
            : Vector256.IsHardwareAccelerated ? VectorWidth.Vector256
            : Vector128.IsHardwareAccelerated ? VectorWidth.Vector128
            : VectorWidth.Scalar;
        Assert.Multiple(() =>
        {
            Assert.That(Gemms<float>.Best.Width, Is.EqualTo(expected));
            Assert.That(Gemms<double>.Best.Width, Is.EqualTo(expected));
            Assert.That(Gemms<Half>.Best.Width, Is.EqualTo(VectorWidth.Scalar), "Half has no SIMD ukernel");
            Assert.That(Gemms<float>.Supported.Select(g => g.Width), Does.Contain(VectorWidth.Scalar));
        });
        TestContext.Out.WriteLine("supported: " + string.Join(", ", Gemms<float>.Supported));
    }

    [TestCaseSource(nameof(FloatWidths))]
    public void FloatGemmMatchesNaive(int width) => CheckGemm(Gemms<float>.Get((VectorWidth)width));

    [TestCaseSource(nameof(DoubleWidths))]
    public void DoubleGemmMatchesNaive(int width) => CheckGemm(Gemms<double>.Get((VectorWidth)width));

    [TestCaseSource(nameof(FloatWidths))]
    public void FloatConvolutionOnEachWidth(int width) => CheckConvolutions<float>((VectorWidth)width, seed: width + 100);

    [TestCaseSource(nameof(DoubleWidths))]
    public void DoubleConvolutionOnEachWidth(int width) => CheckConvolutions<double>((VectorWidth)width, seed: width + 200);

    private static void CheckConvolutions<T>(VectorWidth width, int seed)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var engine = new ManagedEngine<T>(Gemms<T>.Get(width));
        int dataSeed = 0;
        foreach (ConvCase c in ConvCase.Random(seed, count: 40))
        {
            ConvRunner<T>.CheckAgainstReference(c, dataSeed++, engine);
        }
    }

    /// <summary>
    /// Sizes straddle the tile and block edges (MR, NR, KC = 256, MC = 120), in every transpose combination the
    /// engine uses, overwriting and accumulating, on one and two threads.
    /// </summary>
    private static void CheckGemm<T>(GemmForWidth<T> gemm)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var random = new Random(5);
        int[][] sizes = [[1, 1, 1], [5, 7, 3], [6, 32, 256], [7, 33, 257], [121, 65, 300], [13, 200, 1], [250, 3, 40]];
        foreach (int[] size in sizes)
        {
            foreach (bool transposeA in new[] { false, true })
            foreach (bool transposeB in new[] { false, true })
            foreach (bool accumulate in new[] { false, true })
            foreach (int threads in new[] { 1, 2 })
            {
                int m = size[0], n = size[1], k = size[2];
                T[] a = Random<T>(random, m * k), b = Random<T>(random, k * n), c = Random<T>(random, m * n);
                T[] expected = (T[])c.Clone();
                for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    double sum = accumulate ? double.CreateTruncating(c[(i * n) + j]) : 0;
                    for (int p = 0; p < k; p++)
                    {
                        T av = transposeA ? a[(p * m) + i] : a[(i * k) + p];
                        T bv = transposeB ? b[(j * k) + p] : b[(p * n) + j];
                        sum += double.CreateTruncating(av) * double.CreateTruncating(bv);
                    }

                    expected[(i * n) + j] = T.CreateTruncating(sum);
                }

                fixed (T* pa = a, pb = b, pc = c)
                {
                    MatrixRef<T> ma = transposeA ? MatrixRef<T>.RowMajor(pa, m).Transposed : MatrixRef<T>.RowMajor(pa, k);
                    MatrixRef<T> mb = transposeB ? MatrixRef<T>.RowMajor(pb, k).Transposed : MatrixRef<T>.RowMajor(pb, n);
                    GemmWorkspace<T> workspace = Pool<GemmWorkspace<T>>.Rent();
                    ParallelGemm.Multiply(gemm, m, n, k, ma, mb, pc, n, accumulate, threads, workspace);
                    Pool<GemmWorkspace<T>>.Return(workspace);
                }

                double tolerance = 8 * (k + 2) * Tolerance.Epsilon<T>();
                for (int i = 0; i < c.Length; i++)
                {
                    double error = Math.Abs(double.CreateTruncating(c[i]) - double.CreateTruncating(expected[i]));
                    Assert.That(error, Is.LessThanOrEqualTo(tolerance), $"{gemm} m={m} n={n} k={k} tA={transposeA} tB={transposeB} acc={accumulate} threads={threads} element {i}");
                }
            }
        }
    }

    private static T[] Random<T>(Random random, int length)
        where T : System.Numerics.IFloatingPointIeee754<T> =>
        ConvCase.RandomValues(random, length).Select(T.CreateTruncating).ToArray();
}
