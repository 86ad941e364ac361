/* BLIS's five loops: blocks of nc columns, kc depth (pack B) and mc rows (pack A), then mr x nr micro-tiles, partial
 * ones included, on the table's micro-kernel. The blocking comes from the hardware table. */
#include "pack.h"

/* The rows of A's blocks for an m-row product: equal blocks of at most a quarter more than mc, so no block is a thin
 * remainder whose tiles read every B micro-panel again from L2 or L3 for a few rows (128 rows in one block rather than
 * 126 + 2, 256 in 132 + 124 rather than 126 + 126 + 4). */
static size_t largest_row_block(const struct nnps_sgemm_config* config) {
	return config->mc + config->mc / 4;
}

static size_t row_block(const struct nnps_sgemm_config* config, size_t m) {
	return nnps_round_up(nnps_ceil_div(m, nnps_ceil_div(m, largest_row_block(config))), config->mr);
}

/* A block spans at most row_block rows and kc depth, B's at most nc columns; no more than the call's GEMMs need. */
static size_t packed_a_floats(const struct nnps_sgemm_config* config, size_t max_rows, size_t max_depth) {
	const size_t rows = nnps_min(nnps_round_up(max_rows, config->mr), nnps_round_up(largest_row_block(config), config->mr));
	return nnps_round_up(rows * nnps_min(max_depth, config->kc), NNPS_FLOATS_PER_LINE);
}

/* A streamed B's blocks: columns enough for this many bytes of packed panels, over the whole depth up to two kc where
 * A comes packed (so the block its packer prefetches is the next one packed; an A packed here has a kc-deep buffer).
 * The block and the prefetched one stay in L2 beside A and C; a kc x nc block (3.2 MB for ResNet 1x1's image) went out
 * to L3 and back, and its rows came from memory as the packer reached them (nnpack_ab_bench, one thread, 7-15 rounds:
 * ResNet 1x1's forward 1.03-1.07x, 1.06x on two threads; 128 KiB the same, 512 KiB 0.93x). */
#define STREAMED_BLOCK_BYTES (256 * 1024)

static size_t streamed_column_block(const struct nnps_sgemm_config* config, size_t depth_block) {
	return nnps_max(config->nr, nnps_round_down(STREAMED_BLOCK_BYTES / (depth_block * sizeof(float)), config->nr));
}

/* A kc x nc block, or a streamed B's block: at most the columns rounded to panels times two kc, and at most the block's
 * bytes unless one panel of that depth is larger. */
static size_t packed_b_floats(const struct nnps_sgemm_config* config, size_t max_columns, size_t max_depth) {
	const size_t blocked = nnps_round_up(nnps_min(max_columns, config->nc), config->nr) * nnps_min(max_depth, config->kc);
	const size_t depth = nnps_min(max_depth, 2 * config->kc);
	const size_t streamed = nnps_min(nnps_round_up(max_columns, config->nr) * depth, nnps_max(STREAMED_BLOCK_BYTES / sizeof(float), config->nr * depth));
	return nnps_round_up(nnps_max(blocked, streamed), NNPS_FLOATS_PER_LINE);
}

size_t nnps_gemm_buffer_floats(const struct nnps_sgemm_config* config, size_t max_rows, size_t max_columns, size_t max_depth) {
	return packed_a_floats(config, max_rows, max_depth) + packed_b_floats(config, max_columns, max_depth);
}

struct nnps_gemm_buffers nnps_gemm_buffers_carve(const struct nnps_sgemm_config* config, size_t max_rows, size_t max_columns, size_t max_depth, float* base) {
	(void) max_columns; /* B's panel comes last: its size does not move anything */
	return (struct nnps_gemm_buffers) { base, base + packed_a_floats(config, max_rows, max_depth) };
}

size_t nnps_packed_a_floats(const struct nnps_sgemm_config* config, size_t m, size_t k) {
	return nnps_round_up(nnps_round_up(m, config->mr) * k, NNPS_FLOATS_PER_LINE);
}

void nnps_pack_a_panels(
	const struct nnps_sgemm_config* config, const float* a, size_t row_stride, size_t column_stride, size_t m, size_t k,
	size_t first_panel, size_t panels, float* packed)
{
	const size_t row0 = first_panel * config->mr;
	if (row0 >= m) return;
	const size_t rows = nnps_min(m - row0, panels * config->mr);
	nnps_pack_a(config, a, row_stride, column_stride, row0, rows, 0, k, packed + row0 * k);
}

struct pack_a_context {
	const struct nnps_sgemm_config* config;
	const float* a;
	size_t row_stride, column_stride, m, k, panels_per_task;
	float* packed;
};

static void pack_a_task(void* argument, size_t thread, size_t task) {
	(void) thread;
	const struct pack_a_context* context = argument;
	nnps_pack_a_panels(context->config, context->a, context->row_stride, context->column_stride, context->m, context->k,
		task * context->panels_per_task, context->panels_per_task, context->packed);
}

void nnps_pack_a_parallel(
	const struct nnps_sgemm_config* config, const float* a, size_t row_stride, size_t column_stride, size_t m, size_t k,
	float* packed, pthreadpool_t pool)
{
	const size_t panels = nnps_ceil_div(m, config->mr), threads = pthreadpool_get_threads_count(pool);
	const size_t per_task = nnps_ceil_div(panels, threads == 1 ? 1 : 2 * threads);
	const struct pack_a_context context = { config, a, row_stride, column_stride, m, k, per_task, packed };
	nnps_parallelize(pool, pack_a_task, (void*) &context, nnps_ceil_div(panels, per_task));
}

/* The largest B block (packed whole, or a packed V read in place) whose tiles run with rows outside columns: one that
 * stays in L2 (half of a 1 MiB one). Each A micro-panel then stays in L1 while it meets every B micro-panel, and C is
 * written along its rows (nnpack_ab_bench, one thread: VGG conv5 and AlexNet conv3 1.00-1.08x). A larger block keeps
 * columns outside, each B micro-panel reused by all the row tiles while in L2: with rows outside, each A micro-panel
 * streamed the whole block from L3, and nnpack_sgemm_bench's conv-shaped products fell from 80-84% of the peak to
 * 48-55%. */
#define ROWS_OUTSIDE_BYTES (512 * 1024)

/* How a block's B micro-panels reach the micro-kernel: packed into the buffer as a block, packed one at a time just
 * before their tiles, read from a packed V, or read in place from a row-major B. */
enum b_panels { b_packed_block, b_just_in_time, b_prepacked, b_in_place };

/* B micro-panel jr of a block (rows row0.., columns column0 + jr..) and its row stride: in place from a packed V or a
 * row-major B (its full-width panels, those before `full`), else from the packed buffer, whose first micro-panel
 * holds it when it was packed alone (just in time, or an in-place block's partial last panel). */
static inline const float* b_micro_panel(
	const struct nnps_b_source* b, enum b_panels panels, const float* packed_b, size_t row0, size_t column0, size_t jr, size_t kc, size_t nr, size_t full,
	size_t* ldb)
{
	*ldb = nr;
	switch (panels) {
		case b_prepacked: return b->data + (column0 + jr) / nr * b->row_stride + row0 * nr;
		case b_just_in_time: return packed_b;
		case b_in_place:
			if (jr >= full) return packed_b;
			*ldb = b->row_stride;
			return b->data + row0 * b->row_stride + column0 + jr;
		default: return packed_b + jr * kc;
	}
}

/* Slice `slice` of `slices` of a row-major B's block (rows row0.., columns col0..) asked for into L2: an in-place B's
 * next block, a slice with each row tile of the current one, so that its rows come from L2 rather than memory when
 * their tiles read them (as the streamed packer prefetches the block it packs next). A prefetch never faults. */
static void prefetch_block_slice(const struct nnps_b_source* b, size_t row0, size_t rows, size_t col0, size_t columns, size_t slice, size_t slices) {
	const size_t per = nnps_ceil_div(rows, slices), first = slice * per, end = nnps_min(rows, first + per);
	for (size_t r = first; r < end; r++) {
		/* Every line the row's columns touch, its last one too where the row starts off a line (a .NET array). */
		const float* row = b->data + (row0 + r) * b->row_stride + col0;
		const uintptr_t last = (uintptr_t) (row + columns - 1);
		for (uintptr_t line = (uintptr_t) row & ~(uintptr_t) (NNPS_ALIGNMENT - 1); line <= last; line += NNPS_ALIGNMENT) __builtin_prefetch((const void*) line, 0, 2);
	}
}

/* The loops, A either packed here per (kc, mc) block (packed_a NULL) or read from a whole prepacked matrix; row_bias
 * (NULL or m floats) goes to the micro-kernels with the last depth block. */
static void multiply(
	const struct nnps_sgemm_config* config, size_t m, size_t n, size_t k,
	const float* a, size_t row_stride_a, size_t column_stride_a, const float* packed_a, size_t packed_depth,
	const struct nnps_b_source* b, size_t b_row0, size_t b_col0,
	float* c, size_t ldc, bool accumulate, const float* row_bias, const struct nnps_gemm_buffers* buffers)
{
	const size_t mr = config->mr, nr = config->nr, mc_block = row_block(config, m);
	const bool row_major_b = b->kind == nnps_b_streamed || (b->kind == nnps_b_strided && b->column_stride == 1);
	/* A matrix read once with one block of A rows (a pointwise layer's image, grad_output in col2im's GEMM, a caller's
	 * row-major B in the plain SGEMM): each B element meets only m / mr row tiles, all in one pass, so its full-width
	 * micro-panels are read in place, rows a matrix row apart, in a streamed B's blocks (the same depth blocks as
	 * packed, so the same sums), the next block prefetched a slice per tile; only a block's partial last panel is
	 * packed. nnpack_sgemm_bench, one thread: ResNet 1x1's 64 x 3136 x 256 80-84% of the peak -> 84-90%;
	 * nnpack_ab_bench against packing, 9 rounds: ResNet 1x1's forward 1.04-1.08x on one and two threads with aligned
	 * operands, 1.05-1.14x with operands 16 bytes past a line (0.96x with the next block prefetched in one burst per
	 * row tile rather than a slice per tile). Not for the transformed inputs of FFT and Winograd (strided B beside a
	 * prepacked A), made just before in L2 and read over short depths: in place the odd 17->33 layer's FFT forward ran
	 * 0.94x and the 7x7-kernel layer's 0.96-0.98x. */
	const bool read_once = (b->kind == nnps_b_streamed || (row_major_b && packed_a == NULL)) && m <= mc_block;
	/* Its rows must start on a cache line, or each 32-float row segment spans three lines: with a B 16 bytes past one
	 * (a .NET array's elements) in place ran ResNet 1x1's forward 0.85x. A B whose rows all start equally far past a
	 * line multiplies its first columns up to the next line alone (a partial panel, packed), the rest in place. Rows a
	 * stride apart that is no multiple of a line start at every offset, and are packed (Inception 7x1's 128 x 289 x 896
	 * in nnpack_sgemm_bench: 74% of the peak in place, 81% packed). */
	const uintptr_t misalignment = read_once ? (uintptr_t) (b->data + b_row0 * b->row_stride + b_col0) % NNPS_ALIGNMENT : 0;
	const bool rows_alike = b->row_stride * sizeof(float) % NNPS_ALIGNMENT == 0;
	if (read_once && rows_alike && misalignment != 0 && misalignment % sizeof(float) == 0) {
		const size_t lead = (NNPS_ALIGNMENT - misalignment) / sizeof(float);
		if (lead < n) {
			multiply(config, m, lead, k, a, row_stride_a, column_stride_a, packed_a, packed_depth, b, b_row0, b_col0, c, ldc, accumulate, row_bias, buffers);
			multiply(config, m, n - lead, k, a, row_stride_a, column_stride_a, packed_a, packed_depth, b, b_row0, b_col0 + lead, c + lead, ldc, accumulate,
				row_bias, buffers);
			return;
		}
	}
	const bool in_place = read_once && ((rows_alike && misalignment == 0) || n < nr);
	const bool streamed = b->kind == nnps_b_streamed;
	/* Depth blocks of equal size (784 = 4 x 196, not 3 x 256 + 16): a thin last block would pay a whole C-tile
	 * load and store for a few multiply-adds. A streamed B's blocks: STREAMED_BLOCK_BYTES above. */
	const size_t depth_block = streamed && packed_a != NULL && k <= 2 * config->kc ? k : nnps_ceil_div(k, nnps_ceil_div(k, config->kc));
	/* A strided B read in place over several depth blocks takes whole nc blocks: in a streamed B's narrow blocks each
	 * depth block's A was packed again for every column block (ResNet 3x3/2's 128 x 784 x 1152 in nnpack_sgemm_bench,
	 * five runs each way: 87-88% of the peak -> 90-93%). With one depth block A is packed once anyway (a_block_kept
	 * below), and the narrow blocks keep each A micro-panel in L1 across a block's B panels (ResNet 1x1's 64 x 3136 x
	 * 256: 91-93%, 89-91% in whole blocks). */
	const size_t column_block = streamed || (in_place && k <= depth_block) ? streamed_column_block(config, depth_block) : config->nc;
	/* With one block of A rows there is no reuse of a packed B block across A blocks: each B micro-panel is packed
	 * just before its tiles, into the first micro-panel of the buffer, so it is written and read in L1 instead of
	 * round-tripping a whole kc x nc block through L2 and L3. Not for a row-major B (a pointwise layer's image): a
	 * micro-panel alone reads nr floats from each of kc rows a whole image row apart, and packing the block in row
	 * order (pack.c) ran ResNet 1x1's forward faster than the round trip costs. */
	const bool prepacked_b = b->kind == nnps_b_packed;
	const bool just_in_time = m <= mc_block && !row_major_b && !prepacked_b;
	const enum b_panels panels = prepacked_b ? b_prepacked : in_place ? b_in_place : just_in_time ? b_just_in_time : b_packed_block;
	/* One depth block and one row block: A's only block, packed for the first column block, serves every later one
	 * (ResNet 1x1's 64 x 3136 x 256 read in place in column blocks of 256 packed all of A thirteen times). */
	const bool a_block_kept = packed_a == NULL && k <= depth_block && m <= mc_block;
	for (size_t jc = 0; jc < n; jc += column_block) {
		const size_t nc = nnps_min(n - jc, column_block);
		for (size_t pc = 0; pc < k; pc += depth_block) {
			const size_t kc = nnps_min(k - pc, depth_block);
			const bool add = accumulate || pc != 0;
			/* The bias, with the last depth block (a convolution's products have depth 1 or more). */
			const float* block_bias = row_bias != NULL && pc + kc == k ? row_bias : NULL;
			const size_t full = nnps_round_down(nc, nr);
			/* A block too large for L2 (its tiles then run with columns outside, below) is packed a micro-panel at a
			 * time as the first row block's tiles reach it, so that those tiles read it from L1 while it is written, not
			 * back from L3 after the whole block was packed; the other row blocks read it from the buffer. A row-major B
			 * asks for the next micro-panel's lines a slice per tile, as its rows are a matrix row apart. With the equal
			 * row blocks, nnpack_sgemm_bench, one thread, 9 rounds, two runs each way: VGG conv3.2's 256 x 3136 x 2304
			 * 83-84% of the peak -> 88% (A packed once 83-84% -> 86-87%), the other shapes within a point; the same
			 * without the prefetch 81%. The convolutions' implicit GEMM (nnpack_ab_bench, implicit_gemm pinned,
			 * AlexNet conv3, VGG conv3.2, VGG conv5, 14x14x512 batch 1): 0.98-1.04x, the same bits. */
			const bool packed_in_first_pass = panels == b_packed_block && m > mc_block && kc * nc * sizeof(float) > ROWS_OUTSIDE_BYTES;
			if (panels == b_packed_block && !packed_in_first_pass) nnps_pack_b(config, b, b_row0 + pc, kc, b_col0 + jc, nc, buffers->packed_b);
			if (panels == b_in_place && full < nc) nnps_pack_b(config, b, b_row0 + pc, kc, b_col0 + jc + full, nc - full, buffers->packed_b);
			/* The block the loops take next, which a streamed B read in place prefetches while this one's tiles run: it
			 * comes from memory (a pointwise layer's images). A caller's strided B may lie in cache already, and there
			 * the prefetches only waited for fill buffers (nnpack_sgemm_bench, ResNet 1x1's 64 x 3136 x 256 with B warm
			 * in L3: 87-89% of the peak without them, 82% with). */
			const size_t next_pc = pc + kc < k ? pc + kc : 0, next_jc = pc + kc < k ? jc : jc + nc;
			const bool prefetch_next = panels == b_in_place && streamed && next_jc < n;
			for (size_t ic = 0; ic < m; ic += mc_block) {
				const size_t mc = nnps_min(m - ic, mc_block);
				/* A micro-panel: mr rows x kc, contiguous either way; consecutive ones are panel_stride apart. */
				const float* a_panels;
				size_t panel_stride;
				if (packed_a == NULL) {
					if (!(a_block_kept && jc > 0)) nnps_pack_a(config, a, row_stride_a, column_stride_a, ic, mc, pc, kc, buffers->packed_a);
					a_panels = buffers->packed_a;
					panel_stride = mr * kc;
				} else {
					a_panels = packed_a + ic * packed_depth + pc * mr;
					panel_stride = mr * packed_depth;
				}
				if (!just_in_time && kc * nc * sizeof(float) <= ROWS_OUTSIDE_BYTES) {
					const size_t panels_b = nnps_ceil_div(nc, nr);
					for (size_t ir = 0; ir < mc; ir += mr) {
						for (size_t jr = 0; jr < nc; jr += nr) {
							if (prefetch_next) {
								prefetch_block_slice(b, b_row0 + next_pc, nnps_min(k - next_pc, depth_block), b_col0 + next_jc, nnps_min(n - next_jc, column_block),
									ir / mr * panels_b + jr / nr, nnps_ceil_div(mc, mr) * panels_b);
							}
							size_t ldb;
							const float* panel_b = b_micro_panel(b, panels, buffers->packed_b, b_row0 + pc, b_col0 + jc, jr, kc, nr, full, &ldb);
							config->ukernel(nnps_min(mr, mc - ir), nnps_min(nr, nc - jr), kc, a_panels + ir / mr * panel_stride, panel_b, ldb,
								c + (ic + ir) * ldc + jc + jr, ldc, add, block_bias == NULL ? NULL : block_bias + ic + ir);
						}
					}
					continue;
				}
				const bool first_pass = packed_in_first_pass && ic == 0;
				for (size_t jr = 0; jr < nc; jr += nr) {
					if (just_in_time || first_pass) {
						nnps_pack_b(config, b, b_row0 + pc, kc, b_col0 + jc + jr, nnps_min(nr, nc - jr), buffers->packed_b + (first_pass ? jr * kc : 0));
					}
					size_t ldb;
					const float* panel_b = b_micro_panel(b, panels, buffers->packed_b, b_row0 + pc, b_col0 + jc, jr, kc, nr, full, &ldb);
					const bool prefetch_panel = first_pass && row_major_b && jr + nr < nc;
					for (size_t ir = 0; ir < mc; ir += mr) {
						if (prefetch_panel) prefetch_block_slice(b, b_row0 + pc, kc, b_col0 + jc + jr + nr, nnps_min(nr, nc - jr - nr), ir / mr, nnps_ceil_div(mc, mr));
						config->ukernel(nnps_min(mr, mc - ir), nnps_min(nr, nc - jr), kc, a_panels + ir / mr * panel_stride, panel_b, ldb,
							c + (ic + ir) * ldc + jc + jr, ldc, add, block_bias == NULL ? NULL : block_bias + ic + ir);
					}
				}
			}
		}
	}
}

void nnps_sgemm(
	const struct nnps_sgemm_config* config, size_t m, size_t n, size_t k,
	const float* a, size_t row_stride_a, size_t column_stride_a,
	const struct nnps_b_source* b, size_t b_row0, size_t b_col0,
	float* c, size_t ldc, bool accumulate, const struct nnps_gemm_buffers* buffers)
{
	multiply(config, m, n, k, a, row_stride_a, column_stride_a, NULL, 0, b, b_row0, b_col0, c, ldc, accumulate, NULL, buffers);
}

void nnps_sgemm_packed_a(
	const struct nnps_sgemm_config* config, size_t m, size_t n, size_t k,
	const float* packed_a, size_t packed_depth,
	const struct nnps_b_source* b, size_t b_row0, size_t b_col0,
	float* c, size_t ldc, bool accumulate, const float* row_bias, const struct nnps_gemm_buffers* buffers)
{
	multiply(config, m, n, k, NULL, 0, 0, packed_a, packed_depth, b, b_row0, b_col0, c, ldc, accumulate, row_bias, buffers);
}
