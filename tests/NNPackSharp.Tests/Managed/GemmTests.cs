using System.Runtime.Intrinsics;
using NNPackSharp.Engines.Managed;
using NNPackSharp.Memory;
using NNPackSharp.Gemm;

namespace NNPackSharp.Tests.Managed;

/// <summary>
/// Every GEMM variant this CPU runs (scalar, and each SIMD width up to the widest with both the 6-row and the 12-row
/// tile), exercised in this one process: the GEMM itself on edge-heavy sizes and strided views, and whole
/// convolutions on each variant.
/// </summary>
public unsafe class GemmTests
{
    private static IEnumerable<TestCaseData> FloatVariants() => Gemms<float>.Supported.Select((g, index) => new TestCaseData(index).SetArgDisplayNames(g.ToString()));

    private static IEnumerable<TestCaseData> DoubleVariants() => Gemms<double>.Supported.Select((g, index) => new TestCaseData(index).SetArgDisplayNames(g.ToString()));

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
            bool arm64 = System.Runtime.Intrinsics.Arm.AdvSimd.Arm64.IsSupported;
            bool tall = arm64 ? expected != VectorWidth.Scalar : expected == VectorWidth.Vector512 && System.Runtime.Intrinsics.X86.Avx512F.VL.IsSupported;
            Assert.That(Gemms<float>.Best.TileRows, Is.EqualTo(tall ? 12 : 6), "12-row tiles on Arm64 and at Vector512 on x64, 6-row ones at narrower x64 widths");
        });
        TestContext.Out.WriteLine("supported: " + string.Join(", ", Gemms<float>.Supported));
    }

    /// <summary>
    /// The threads' slabs of C tile it exactly, start on granule (tile) boundaries, and hold an equal share to within a
    /// granule each (ResNet 3x3/2's 784 columns in 32-column panels: 384 + 400, not 416 + 368).
    /// </summary>
    [Test]
    public void SlabsCoverTheExtentInNearlyEqualShares()
    {
        Assert.That(ParallelGemm.SlabStart(1, 2, 784, 32), Is.EqualTo(384));
        foreach (int granule in new[] { 1, 2, 6, 12, 16, 32 })
        for (int extent = 1; extent <= 400; extent++)
        {
            int units = (extent + granule - 1) / granule;
            for (int slabs = 1; slabs <= Math.Min(units, 7); slabs++)
            {
                double share = (double)extent / slabs;
                Assert.That(ParallelGemm.SlabStart(0, slabs, extent, granule), Is.Zero);
                Assert.That(ParallelGemm.SlabStart(slabs, slabs, extent, granule), Is.EqualTo(extent));
                for (int slab = 0; slab < slabs; slab++)
                {
                    int start = ParallelGemm.SlabStart(slab, slabs, extent, granule), end = ParallelGemm.SlabStart(slab + 1, slabs, extent, granule);
                    Assert.That(start % granule, Is.Zero, $"extent {extent}, granule {granule}, slab {slab} of {slabs}");
                    Assert.That(end - start, Is.InRange(share - granule, share + granule), $"extent {extent}, granule {granule}, slab {slab} of {slabs}");
                }
            }
        }

        Assert.That(ParallelGemm.SlabStart(int.MaxValue - 1, int.MaxValue, int.MaxValue, 1), Is.EqualTo(int.MaxValue - 1), "64-bit arithmetic at the largest extent");
    }

    [TestCaseSource(nameof(FloatVariants))]
    public void FloatGemmMatchesNaive(int variant) => CheckGemm(Gemms<float>.Supported[variant]);

    [TestCaseSource(nameof(DoubleVariants))]
    public void DoubleGemmMatchesNaive(int variant) => CheckGemm(Gemms<double>.Supported[variant]);

    [TestCaseSource(nameof(FloatVariants))]
    public void FloatConvolutionOnEachVariant(int variant) => CheckConvolutions<float>(variant, seed: variant + 100);

    [TestCaseSource(nameof(DoubleVariants))]
    public void DoubleConvolutionOnEachVariant(int variant) => CheckConvolutions<double>(variant, seed: variant + 200);

    private static void CheckConvolutions<T>(int variant, int seed)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var engine = new ManagedEngine<T>(Gemms<T>.Supported[variant]);
        int dataSeed = 0;
        foreach (ConvCase c in ConvCase.Random(seed, count: 40))
        {
            ConvRunner<T>.CheckAgainstReference(c, dataSeed++, engine);
        }
    }

    /// <summary>
    /// Sizes straddle the tile and block edges (MR = 6 or 12 with its 6-row edge tile, NR, a last column panel of at most
    /// one register (<see cref="HalfWidthTile{T,TVector,TOps}"/>), KC = 512, MC = 120), in every transpose combination the
    /// engine uses, overwriting and accumulating, on one and two threads.
    /// </summary>
    private static void CheckGemm<T>(GemmForWidth<T> gemm)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var random = new Random(5);
        int[][] sizes = [[1, 1, 1], [5, 7, 3], [6, 32, 256], [7, 33, 257], [12, 64, 513], [25, 17, 31], [121, 65, 300], [13, 200, 1], [250, 3, 40], [64, 47, 1030],
            [13, 48, 70], [7, 24, 33], [19, 12, 9], [30, 16, 20], // column remainders of exactly one register: 16, 8 and 4 lanes
            [200, 37, 700], [300, 37, 700]]; // A too large for whole-A at KC: whole-A in shallower depth blocks (double 200 rows, float 300), or blocked
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
