using System.Runtime.Intrinsics;
using NNPackSharp.Engine;
using NNPackSharp.Memory;
using NNPackSharp.Gemm;

namespace NNPackSharp.Tests;

/// <summary>
/// Every GEMM kernel this CPU runs (scalar, and each SIMD width up to the widest), exercised in this one process:
/// the GEMM itself on edge-heavy sizes and strided views, and whole convolutions on each kernel.
/// </summary>
public unsafe class GemmKernelTests
{
    private static IEnumerable<TestCaseData> FloatKernels() => GemmKernels<float>.Supported.Select(k => new TestCaseData((int)k.Kind).SetArgDisplayNames(k.ToString()));

    private static IEnumerable<TestCaseData> DoubleKernels() => GemmKernels<double>.Supported.Select(k => new TestCaseData((int)k.Kind).SetArgDisplayNames(k.ToString()));

    [Test]
    public void TheWidestAcceleratedWidthIsChosen()
    {
        GemmKernelKind expected = Vector512.IsHardwareAccelerated ? GemmKernelKind.Vector512
            : Vector256.IsHardwareAccelerated ? GemmKernelKind.Vector256
            : Vector128.IsHardwareAccelerated ? GemmKernelKind.Vector128
            : GemmKernelKind.Scalar;
        Assert.Multiple(() =>
        {
            Assert.That(GemmKernels<float>.Best.Kind, Is.EqualTo(expected));
            Assert.That(GemmKernels<double>.Best.Kind, Is.EqualTo(expected));
            Assert.That(GemmKernels<Half>.Best.Kind, Is.EqualTo(GemmKernelKind.Scalar), "Half has no SIMD kernel");
            Assert.That(GemmKernels<float>.Supported.Select(k => k.Kind), Does.Contain(GemmKernelKind.Scalar));
        });
        TestContext.Out.WriteLine("supported: " + string.Join(", ", GemmKernels<float>.Supported));
    }

    [TestCaseSource(nameof(FloatKernels))]
    public void FloatGemmMatchesNaive(int kind) => CheckGemm(GemmKernels<float>.Get((GemmKernelKind)kind));

    [TestCaseSource(nameof(DoubleKernels))]
    public void DoubleGemmMatchesNaive(int kind) => CheckGemm(GemmKernels<double>.Get((GemmKernelKind)kind));

    [TestCaseSource(nameof(FloatKernels))]
    public void FloatConvolutionOnKernel(int kind) => CheckConvolutions<float>((GemmKernelKind)kind, seed: kind + 100);

    [TestCaseSource(nameof(DoubleKernels))]
    public void DoubleConvolutionOnKernel(int kind) => CheckConvolutions<double>((GemmKernelKind)kind, seed: kind + 200);

    private static void CheckConvolutions<T>(GemmKernelKind kind, int seed)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var engine = new ManagedConv2D<T>(GemmKernels<T>.Get(kind));
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
    private static void CheckGemm<T>(GemmKernel<T> kernel)
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
                    ParallelGemm.Multiply(kernel, m, n, k, ma, mb, pc, n, accumulate, threads, workspace);
                    Pool<GemmWorkspace<T>>.Return(workspace);
                }

                double tolerance = 8 * (k + 2) * Tolerance.Epsilon<T>();
                for (int i = 0; i < c.Length; i++)
                {
                    double error = Math.Abs(double.CreateTruncating(c[i]) - double.CreateTruncating(expected[i]));
                    Assert.That(error, Is.LessThanOrEqualTo(tolerance), $"{kernel} m={m} n={n} k={k} tA={transposeA} tB={transposeB} acc={accumulate} threads={threads} element {i}");
                }
            }
        }
    }

    private static T[] Random<T>(Random random, int length)
        where T : System.Numerics.IFloatingPointIeee754<T> =>
        ConvCase.RandomValues(random, length).Select(T.CreateTruncating).ToArray();
}
