using System.Numerics;
using System.Runtime.CompilerServices;

namespace NNPackSharp.Gemm;

/// <summary>
/// BLIS's five loops around the ukernel: columns of C in blocks of NC (B block in L3), depth in blocks of KC
/// (pack B), rows in blocks of MC (pack A, kept in L2), then NR-wide and MR-high tiles (B micro-panel in L1).
/// The last rows of C, where fewer than MR remain, run on <typeparamref name="TEdgeKernel"/> when its shorter tile
/// holds them (64 output channels: five 12-row tiles and one 6-row tile compute 66 rows, not 72); a kernel that is
/// its own edge kernel runs every row tile itself.
/// </summary>
internal sealed unsafe class BlockedGemm<T, TVector, TOps, TKernel, TEdgeKernel> : GemmForWidth<T>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TVector : struct
    where TOps : IVectorOps<T, TVector>
    where TKernel : IUkernel<T>
    where TEdgeKernel : IUkernel<T>
{
    private readonly int depthBlock;
    private readonly int rowBlock;
    private readonly int columnBlockTarget;

    public BlockedGemm(VectorWidth width, GemmBlocking blocking)
    {
        Width = width;
        Blocking = blocking;
        depthBlock = Math.Max(1, blocking.Depth);
        rowBlock = Math.Max(1, blocking.Rows / TKernel.Rows) * TKernel.Rows;
        columnBlockTarget = blocking.Columns; // in tiles when multiplying: the tile width of a type this CPU cannot vectorise throws
    }

    /// <inheritdoc />
    public override GemmBlocking Blocking { get; }

    public override VectorWidth Width { get; }

    public override bool IsSupported => TOps.IsSupported;

    public override int TileRows => TKernel.Rows;

    public override int TileColumns => TKernel.Columns;

    /// <inheritdoc />
    public override GemmForWidth<T> WithBlocking(GemmBlocking blocking) => new BlockedGemm<T, TVector, TOps, TKernel, TEdgeKernel>(Width, blocking);

    public override void MultiplyDot(int m, int n, int depth, T* a, nint lda, T* b, nint ldb, T* c, nint ldc, bool accumulate) =>
        DotProduct<T, TVector, TOps>.Multiply(m, n, depth, a, lda, b, ldb, c, ldc, accumulate);

    public override void ComputeTile(nint kc, T* packedA, T* packedB, T* c, nint ldc) => TKernel.Compute(kc, packedA, packedB, c, ldc, accumulate: false, TKernel.Rows);

    public override void Multiply<TSource>(int m, int n, int k, MatrixRef<T> a, in TSource b, int bColumn0, T* c, nint ldc, bool accumulate, GemmWorkspace<T> workspace)
    {
        int mr = TileRows;
        int nr = TileColumns;
        int columnBlock = Math.Max(1, columnBlockTarget / nr) * nr;
        int maxColumns = RoundUp(Math.Min(columnBlock, n), nr);
        T* packedA = workspace.PackedA.Ensure(rowBlock * Math.Min(depthBlock, k));
        T* packedB = workspace.PackedB.Ensure(maxColumns * Math.Min(depthBlock, k));
        T* edge = workspace.EdgeTile.Ensure(mr * nr);

        for (int jc = 0; jc < n; jc += columnBlock)
        {
            int nc = Math.Min(columnBlock, n - jc);
            for (int pc = 0; pc < k; pc += depthBlock)
            {
                int kc = Math.Min(depthBlock, k - pc);
                bool add = accumulate || pc > 0;
                b.Pack(pc, kc, bColumn0 + jc, nc, nr, packedB);
                for (int ic = 0; ic < m; ic += rowBlock)
                {
                    int mc = Math.Min(rowBlock, m - ic);
                    Packing.PackA(a, ic, mc, pc, kc, mr, EdgeRows, packedA);
                    MultiplyPackedBlock(mc, nc, kc, packedA, packedB, c + (ic * ldc) + jc, ldc, add, edge);
                }
            }
        }
    }

    /// <summary>The rows of the edge kernel's tile where it is shorter than the main one, else the main tile's.</summary>
    private static int EdgeRows => Math.Min(TEdgeKernel.Rows, TKernel.Rows);

    // Fully optimised from the first call: tier-0 and OSR bodies of this loop nest would run the hot tiles for a while.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MultiplyPackedBlock(int mc, int nc, int kc, T* packedA, T* packedB, T* c, nint ldc, bool accumulate, T* edge)
    {
        int mr = TKernel.Rows;
        int nr = TKernel.Columns;
        for (int jr = 0; jr < nc; jr += nr)
        {
            int columns = Math.Min(nr, nc - jr);
            T* panelB = packedB + ((nint)jr * kc);
            for (int ir = 0; ir < mc; ir += mr)
            {
                int rows = Math.Min(mr, mc - ir);
                T* panelA = packedA + ((nint)ir * kc);
                T* tile = c + (ir * ldc) + jr;
                bool onEdgeKernel = rows <= EdgeRows && EdgeRows < mr;

                // A partial column tile is computed into scratch, its valid part then copied; at most one register wide,
                // only that register's columns are computed (straight into C when they are all valid).
                bool half = columns <= TOps.Count && nr == 2 * TOps.Count;
                bool partial = columns < (half ? TOps.Count : nr);
                T* target = partial ? edge : tile;
                nint ldt = partial ? nr : ldc;
                bool add = accumulate && !partial;

                // Rows past the tile's are neither computed by the edge kernel nor stored by either.
                if (half)
                {
                    HalfWidthTile<T, TVector, TOps>.Compute(kc, panelA, onEdgeKernel ? EdgeRows : mr, panelB, target, ldt, add, rows);
                }
                else if (onEdgeKernel)
                {
                    TEdgeKernel.Compute(kc, panelA, panelB, target, ldt, add, rows);
                }
                else
                {
                    TKernel.Compute(kc, panelA, panelB, target, ldt, add, rows);
                }

                if (partial)
                {
                    CopyEdge(edge, nr, tile, ldc, rows, columns, accumulate);
                }
            }
        }
    }

    /// <summary>Writes the valid part of a full tile computed into scratch back to C.</summary>
    private static void CopyEdge(T* edge, int nr, T* c, nint ldc, int rows, int columns, bool accumulate)
    {
        for (int i = 0; i < rows; i++)
        {
            Span<T> destination = new(c + (i * ldc), columns);
            ReadOnlySpan<T> source = new(edge + ((nint)i * nr), columns);
            if (accumulate)
            {
                System.Numerics.Tensors.TensorPrimitives.Add(destination, source, destination);
            }
            else
            {
                source.CopyTo(destination);
            }
        }
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;
}
