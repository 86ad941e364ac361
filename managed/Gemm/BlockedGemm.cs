using System.Numerics;
using System.Runtime.CompilerServices;

namespace NNPackSharp.Gemm;

/// <summary>
/// BLIS's five loops around the ukernel: columns of C in blocks of NC (B block in L3), depth in blocks of KC
/// (pack B), rows in blocks of MC (pack A, kept in L2), then the tiles, columns or rows outside (<see cref="RowsOutsideBytes"/>).
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

    public override void ComputeGatherTile(int m, T** a, nint images, nint imageStep, nint pixelRows, nint columns, nint rowStep, nint columnStep, T* b, T* c, nint ldc, bool accumulate) =>
        GatherUkernel<T, TVector, TOps>.Compute(m, a, images, imageStep, pixelRows, columns, rowStep, columnStep, b, c, ldc, accumulate);

    public override void ComputeTile(nint kc, T* packedA, T* packedB, T* c, nint ldc) => TKernel.Compute(kc, packedA, 1, TKernel.Rows, packedB, TKernel.Columns, c, ldc, accumulate: false, TKernel.Rows, bias: null);

    public override void Multiply<TSource>(int m, int n, int k, MatrixRef<T> a, in TSource b, int bColumn0, T* c, nint ldc, bool accumulate, GemmWorkspace<T> workspace, T* rowBias = null)
    {
        int mr = TileRows;
        int nr = TileColumns;
        // A stored B too: on the Zen 4 host its rows packed NC long streamed better (ResNet 1x1's pointwise product,
        // 64 x 3136 x 256, ran 0.89x whole-A there), but on the Zen 5 host the block (3.2 MB) went out to L3 between its
        // packing and its tiles: whole-A ran that product 1.27x (bench gemm, Vector512 12x32: 61% -> 78% of the peak; two
        // threads 1.34x), ResNet 1x1's input gradient 1.06x (bench/ab-managed.py, one thread), the other layers 0.99-1.03x.
        int wholeADepth = WholeADepth(m, k);
        if (wholeADepth > 0)
        {
            MultiplyWholeA(m, n, k, wholeADepth, a, b, bColumn0, c, ldc, accumulate, workspace, rowBias);
            return;
        }

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
                    APanels panelsA = PanelsOfA(a, ic, mc, pc, kc, n, packedA);
                    MultiplyPackedBlock(mc, nc, kc, panelsA, BPanels.Packed(packedB, kc, nr), c + (ic * ldc) + jc, ldc, add, edge, add || rowBias == null ? null : rowBias + ic);
                }
            }
        }
    }

    /// <summary>
    /// The depth blocks of <see cref="MultiplyWholeA{TSource}"/> for an m-row product, or 0 for the blocked order: KC
    /// where all of A's rows fit <see cref="WholeABytes"/> at that depth; else equal blocks as deep as fit, if at least
    /// <see cref="MinWholeADepth"/>. Double VGG conv3.2's 256 x 3136 x 2304 (1 MiB of A at KC 512) ran the blocked
    /// order at 72% of the double peak and whole-A at depth 256 at 80-81% (`bench gemm-blocking double`, 9 rounds).
    /// </summary>
    private int WholeADepth(int m, int k)
    {
        if ((long)m * Math.Min(depthBlock, k) * sizeof(T) <= WholeABytes)
        {
            return depthBlock;
        }

        long fitting = WholeABytes / ((long)m * sizeof(T));
        if (fitting < MinWholeADepth)
        {
            return 0;
        }

        int blocks = (int)((k + fitting - 1) / fitting);
        return (k + blocks - 1) / blocks;
    }

    /// <summary>
    /// The shallowest depth blocks the whole-A order takes: each depth block is one more pass over C, and 256 is the
    /// shallowest measured (above); a product that would need shallower ones keeps the blocked order.
    /// </summary>
    private const int MinWholeADepth = 256;

    /// <summary>
    /// The largest A block (all rows, one depth block) that <see cref="MultiplyWholeA{TSource}"/> keeps in L2, half of a
    /// 1 MiB one beside B's packed chunk. At 384 KiB, 128 rows of doubles and 256 rows of floats (512 KiB at KC 512)
    /// took the blocked order, whose KC x NC block of B went out to L3 between its packing and its tiles: `bench gemm`,
    /// 9 rounds, medians, one thread, Vector512 12x16 double on ResNet 3x3/2's 128 x 784 x 1152 73% (two runs) -> 83-88%
    /// of the peak; Vector512 12x32 on VGG conv3.2's 256 x 3136 x 2304 82% -> 82-85%, two threads 1.79x -> 1.93-1.96x
    /// of one. bench/ab-managed.py, 9 rounds: VGG conv3.2's forward 1.02x / 1.05x on one / two threads, its input
    /// gradient 1.01x, kernel gradient 1.01x.
    /// </summary>
    private const long WholeABytes = 512 << 10;

    /// <summary>
    /// The B columns packed at a time by <see cref="MultiplyWholeA{TSource}"/>, in bytes of packed panels: few enough to
    /// be in L2 with A when the tiles read them, and rows long enough that packing a stored B streams through its rows.
    /// </summary>
    private const long PackedBBytes = 256 << 10;

    /// <summary>
    /// The loop order for few rows (A's rows for one depth block fit in L2 together): A packed whole per depth block,
    /// then B a few panels at a time, each multiplied by all of A at once. The blocked order packs a B block of up to
    /// NC columns first (KC x NC: 2.4 MB for Inception's 128 x 1156 x 896 product, past L2), so every panel went out to
    /// L3 and came back for the tiles; here it is packed just before its tiles read it. For B packed from an image
    /// (implicit im2col), bench/ab-managed.py, forward, one thread, 9-11 rounds: AlexNet conv2 1.05-1.12x, ResNet 3x3/2
    /// 1.02-1.15x, the stem 1.04x, Inception 1x7 1.00-1.04x; for a stored B, see <see cref="Multiply{TSource}"/>.
    /// A stored row-major B (a pointwise layer's image, grad_output in the input gradient's product) is not packed at
    /// all: the ukernels read its full-width panels in place, rows a matrix row apart, and only a last partial panel is
    /// packed. Each B element meets only m / MR row tiles here, so packing it cost more than the ukernel's strided loads
    /// (`bench gemm 64 3136 256`, one thread: Vector512 12x32 78% -> 92% of the peak, Vector256 12x16 80% -> 90%,
    /// Vector128 12x8 73% -> 90%; bench/ab-managed.py, 9 rounds: ResNet 1x1's forward 1.19-1.21x on one and two threads,
    /// its input gradient 1.07x, the stem's 1.03x, the rest 1.00x).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void MultiplyWholeA<TSource>(int m, int n, int k, int wholeDepth, MatrixRef<T> a, in TSource b, int bColumn0, T* c, nint ldc, bool accumulate, GemmWorkspace<T> workspace, T* rowBias)
        where TSource : struct, IPanelSource<T>
    {
        int mr = TileRows, nr = TileColumns;
        int depth = Math.Min(wholeDepth, k);
        int chunk = (int)Math.Min(Math.Max(1, PackedBBytes / ((long)depth * nr * sizeof(T))) * nr, RoundUp(n, nr));
        T* packedA = workspace.PackedA.Ensure(RoundUp(m, mr) * depth);
        T* packedB = workspace.PackedB.Ensure(chunk * depth);
        T* edge = workspace.EdgeTile.Ensure(mr * nr);
        bool inPlace = b.InPlace(out T* origin, out nint bRowStride);
        for (int pc = 0; pc < k; pc += wholeDepth)
        {
            int kc = Math.Min(wholeDepth, k - pc);
            bool add = accumulate || pc > 0;
            APanels panelsA = PanelsOfA(a, 0, m, pc, kc, n, packedA);
            for (int jc = 0; jc < n; jc += chunk)
            {
                int nc = Math.Min(chunk, n - jc);
                BPanels panels;
                if (inPlace)
                {
                    // Only a last partial panel is packed: the full ones are read where they are.
                    int full = nc / nr * nr;
                    if (full < nc)
                    {
                        b.Pack(pc, kc, bColumn0 + jc + full, nc - full, nr, packedB);
                    }

                    panels = new BPanels(origin + (pc * bRowStride) + bColumn0 + jc, bRowStride, 1, full, packedB);
                }
                else
                {
                    b.Pack(pc, kc, bColumn0 + jc, nc, nr, packedB);
                    panels = BPanels.Packed(packedB, kc, nr);
                }

                MultiplyPackedBlock(m, nc, kc, panelsA, panels, c + jc, ldc, add, edge, add ? null : rowBias);
            }
        }
    }

    /// <summary>
    /// A's micro-panels for rows <c>[row0, row0 + rows)</c> and depth <c>[col0, col0 + kc)</c>. In a product of at most
    /// <see cref="InPlaceAColumns"/> columns a row-major A's full panels are read in place, only a last partial panel
    /// packed (into <paramref name="packedA"/>): packing each A element for so few multiply-adds cost a tenth of the
    /// product (`bench gemm 384 169 1728`, one thread: Vector512 12x32 80-82% -> 86-88% of the peak, Vector256 6x16 and
    /// 12x16 82-84% -> 85%; bench/ab-managed.py, forward, 7 rounds: 7x7x512's 392-column product 1.05x, Inception 7x1's
    /// kernel rows 1.07x, AlexNet conv3 1.02x). Wider products, and any other A, pack it: there the packing is amortised,
    /// and with every product's A read in place the stem's and VGG conv3.2's forward ran 0.98x, ResNet 3x3/2's 0.91x.
    /// </summary>
    private static APanels PanelsOfA(MatrixRef<T> a, int row0, int rows, int col0, int kc, int columns, T* packedA)
    {
        int mr = TKernel.Rows;
        if (a.KernelTaps != 0 || a.ColumnStride != 1 || columns > InPlaceAColumns)
        {
            Packing.PackA(a, row0, rows, col0, kc, mr, EdgeRows, packedA);
            return new APanels(null, 0, 0, 0, packedA, kc);
        }

        int full = rows / mr * mr;
        if (full < rows)
        {
            Packing.PackA(a, row0 + full, rows - full, col0, kc, mr, EdgeRows, packedA);
        }

        return new APanels(a.At(row0, col0), a.RowStride, 1, full, packedA, kc);
    }

    /// <summary>The widest product whose row-major A <see cref="PanelsOfA"/> reads in place.</summary>
    private const int InPlaceAColumns = 512;

    /// <summary>The rows of the edge kernel's tile where it is shorter than the main one, else the main tile's.</summary>
    private static int EdgeRows => Math.Min(TEdgeKernel.Rows, TKernel.Rows);

    /// <summary>
    /// The largest packed B block whose tiles run with rows outside columns: one that stays in L2 (a whole-A chunk, a
    /// narrow product). Each A micro-panel then stays in L1 while it meets every B micro-panel of the block, and C is
    /// written along its rows (bench/ab-managed.py, forward, one thread, 9 rounds, against columns outside: AlexNet conv2
    /// 1.07x, the stem 1.06-1.08x, ResNet 3x3/2 1.02x, Inception, 7x7x512 and VGG conv5 0.99-1.00x). A larger block keeps
    /// columns outside, each B micro-panel reused by all the row tiles while in L2: with rows outside, each A
    /// micro-panel streamed the whole block from L3 (`bench gemm 1024`: Vector512 89% of the peak and 63% on two
    /// threads, against 94% and 79%; Vector256 6x16 77% against 94%).
    /// </summary>
    private const long RowsOutsideBytes = 512 << 10;

    // Fully optimised from the first call: tier-0 and OSR bodies of this loop nest would run the hot tiles for a while.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MultiplyPackedBlock(int mc, int nc, int kc, in APanels panelsA, in BPanels panels, T* c, nint ldc, bool accumulate, T* edge, T* bias)
    {
        int mr = TKernel.Rows;
        int nr = TKernel.Columns;
        if ((long)nc * kc * sizeof(T) <= RowsOutsideBytes)
        {
            for (int ir = 0; ir < mc; ir += mr)
            {
                for (int jr = 0; jr < nc; jr += nr)
                {
                    Tile(ir, jr, mc, nc, kc, panelsA, panels.At(jr), panels.RowStride(jr), c, ldc, accumulate, edge, bias);
                }
            }

            return;
        }

        for (int jr = 0; jr < nc; jr += nr)
        {
            for (int ir = 0; ir < mc; ir += mr)
            {
                Tile(ir, jr, mc, nc, kc, panelsA, panels.At(jr), panels.RowStride(jr), c, ldc, accumulate, edge, bias);
            }
        }
    }

    /// <summary>
    /// The tile at rows <paramref name="ir"/> and columns <paramref name="jr"/> of a block: A's micro-panel from
    /// <paramref name="panelsA"/> (packed, or a full panel read in place), B's at <paramref name="panelB"/> with rows
    /// <paramref name="ldb"/> apart (packed, or a full-width panel read in place).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile(int ir, int jr, int mc, int nc, int kc, in APanels panelsA, T* panelB, nint ldb, T* c, nint ldc, bool accumulate, T* edge, T* bias)
    {
        int mr = TKernel.Rows;
        int nr = TKernel.Columns;
        int rows = Math.Min(mr, mc - ir);
        int columns = Math.Min(nr, nc - jr);
        T* tile = c + (ir * ldc) + jr;
        bool onEdgeKernel = rows <= EdgeRows && EdgeRows < mr;
        T* panelA = panelsA.At(ir, onEdgeKernel ? EdgeRows : mr, out nint lda, out nint aStep);

        // A partial column tile is computed into scratch, its valid part then copied; at most one register wide,
        // only that register's columns are computed (straight into C when they are all valid).
        bool half = columns <= TOps.Count && nr == 2 * TOps.Count;
        bool partial = columns < (half ? TOps.Count : nr);
        T* target = partial ? edge : tile;
        nint ldt = partial ? nr : ldc;
        bool add = accumulate && !partial;
        T* tileBias = bias == null ? null : bias + ir;

        // Rows past the tile's are neither computed by the edge kernel nor stored by either.
        if (half)
        {
            HalfWidthTile<T, TVector, TOps>.Compute(kc, panelA, lda, aStep, onEdgeKernel ? EdgeRows : mr, panelB, ldb, target, ldt, add, rows, tileBias);
        }
        else if (onEdgeKernel)
        {
            TEdgeKernel.Compute(kc, panelA, lda, aStep, panelB, ldb, target, ldt, add, rows, tileBias);
        }
        else
        {
            TKernel.Compute(kc, panelA, lda, aStep, panelB, ldb, target, ldt, add, rows, tileBias);
        }

        if (partial)
        {
            CopyEdge(edge, nr, tile, ldc, rows, columns, accumulate);
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

    /// <summary>
    /// Where a block's A micro-panels are: the panel at row <c>ir</c> below <paramref name="inPlaceRows"/> read in place
    /// at <c>inPlace + ir * lda</c> (element (i, k) at <c>i * lda + k * aStep</c>), from there on packed at
    /// <c>packed + (ir - inPlaceRows) * packedRowStep</c> (a packed panel's height apart along its depth).
    /// </summary>
    private readonly struct APanels(T* inPlace, nint lda, nint aStep, int inPlaceRows, T* packed, nint packedRowStep)
    {
        /// <summary>Panel <paramref name="ir"/>, whose packed height (where packed) is <paramref name="height"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public T* At(int ir, int height, out nint rowStride, out nint step)
        {
            if (ir < inPlaceRows)
            {
                rowStride = lda;
                step = aStep;
                return inPlace + (ir * lda);
            }

            rowStride = 1;
            step = height;
            return packed + ((ir - inPlaceRows) * packedRowStep);
        }
    }

    /// <summary>
    /// Where a block's B micro-panels are: the panel at column <c>jr</c> starts <c>jr * columnStep</c> elements after
    /// <paramref name="full"/>, rows <paramref name="fullRowStride"/> apart, for the first <paramref name="fullColumns"/>
    /// columns; past them, one packed partial panel at <paramref name="partial"/>, rows a panel's width apart.
    /// </summary>
    private readonly struct BPanels(T* full, nint fullRowStride, nint columnStep, int fullColumns, T* partial)
    {
        /// <summary>All panels packed, one after the other (<paramref name="kc"/> rows of <paramref name="nr"/> each).</summary>
        public static BPanels Packed(T* packed, int kc, int nr) => new(packed, nr, kc, int.MaxValue, null);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public T* At(int jr) => jr < fullColumns ? full + (jr * columnStep) : partial;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public nint RowStride(int jr) => jr < fullColumns ? fullRowStride : TKernel.Columns;
    }
}
