/* Packing A and B panels, B from a strided matrix or straight from an image (implicit im2col, as is or transposed). */
#include <string.h>

#include "pack.h"

/* Per-column precomputation in the im2col packers covers one micro-panel: NR is at most this. */
#define MAX_NR 64

void nnps_pack_a(
	const struct nnps_sgemm_config* config, const float* a, size_t row_stride, size_t column_stride, size_t row0, size_t rows, size_t col0, size_t depth,
	float* packed)
{
	const size_t mr = config->mr;
	for (size_t p = 0; p < rows; p += mr) {
		const size_t valid = nnps_min(rows - p, mr);
		float* panel = packed + p * depth;
		if (column_stride == 1) {
			/* Row-major A (a kernel gradient's grad_output, a convolution's kernel): a panel is the transpose of mr
			 * contiguous rows, the table's transpose packer with mr for its panel width. */
			config->transpose_pack(a + (row0 + p) * row_stride + col0, row_stride, valid, mr, depth, panel);
		} else if (row_stride == 1 && valid == mr) {
			/* A transposed view (the kernel in the input gradient): a column's mr values are contiguous. */
			for (size_t k = 0; k < depth; k++) memcpy(panel + k * mr, a + (row0 + p) + (col0 + k) * column_stride, mr * sizeof(float));
		} else {
			for (size_t i = 0; i < mr; i++) {
				if (i >= valid) {
					for (size_t k = 0; k < depth; k++) panel[k * mr + i] = 0.0f;
					continue;
				}
				const float* source = a + (row0 + p + i) * row_stride + col0 * column_stride;
				for (size_t k = 0; k < depth; k++) panel[k * mr + i] = source[k * column_stride];
			}
		}
	}
}

/* Zeros columns [valid, nr) of a micro-panel's depth rows. */
static void zero_tail(float* panel, size_t depth, size_t valid, size_t nr) {
	if (valid == nr) return;
	for (size_t k = 0; k < depth; k++) memset(panel + k * nr + valid, 0, (nr - valid) * sizeof(float));
}

/* Rows of a row-major B packed per block of this many rows across all panels: a panel at a time would read nr floats
 * from each of depth rows a whole matrix row apart (a new page every few rows of a pointwise layer's image), which cost
 * the ResNet 1x1 layer's forward a third of its ukernel time; a block of rows is read front to back, a few rows at once. */
#define ROW_BLOCK 16

/* A streamed B (nnps_b_streamed) prefetches, with each panel row it packs, the same row `columns` further on: the
 * block the driver packs next, which then comes from L2 rather than memory (nnpack_ab_bench, one thread: ResNet 1x1's
 * forward 1.07x against the same blocks without it; into L1 instead of L2, 0.82x: a whole block does not fit). The
 * last block's prefetches may point past B: a prefetch never faults. */
static void pack_b_rows(const struct nnps_sgemm_config* config, const struct nnps_b_source* b, size_t row0, size_t depth, size_t col0, size_t columns, float* packed) {
	const size_t nr = config->nr, ahead = b->kind == nnps_b_streamed ? columns : 0;
	for (size_t k0 = 0; k0 < depth; k0 += ROW_BLOCK) {
		const size_t rows = nnps_min(depth - k0, ROW_BLOCK);
		for (size_t q = 0; q < columns; q += nr) {
			const size_t valid = nnps_min(columns - q, nr);
			const float* source = b->data + (row0 + k0) * b->row_stride + col0 + q;
			for (size_t k = 0; ahead != 0 && k < rows; k++) {
				for (size_t line = 0; line < nr; line += NNPS_FLOATS_PER_LINE) __builtin_prefetch(source + k * b->row_stride + ahead + line, 0, 2);
			}
			config->rows_pack(source, b->row_stride, valid, nr, rows, packed + q * depth + k0 * nr);
		}
	}
}

static void pack_b_strided(const struct nnps_sgemm_config* config, const struct nnps_b_source* b, size_t row0, size_t depth, size_t col0, size_t columns, float* packed) {
	const size_t nr = config->nr;
	if (b->column_stride == 1) {
		pack_b_rows(config, b, row0, depth, col0, columns, packed);
		return;
	}
	for (size_t q = 0; q < columns; q += nr) {
		const size_t valid = nnps_min(columns - q, nr);
		float* panel = packed + q * depth;
		if (b->row_stride == 1) {
			/* A transposed view (a fully connected layer's kernel, a kernel gradient's transformed input). */
			config->transpose_pack(b->data + row0 + (col0 + q) * b->column_stride, b->column_stride, valid, nr, depth, panel);
		} else {
			for (size_t j = 0; j < valid; j++) {
				const float* source = b->data + row0 * b->row_stride + (col0 + q + j) * b->column_stride;
				for (size_t k = 0; k < depth; k++) panel[k * nr + j] = source[k * b->row_stride];
			}
			zero_tail(panel, depth, valid, nr);
		}
	}
}

/* A micro-panel's columns cut into runs that stay on one output row (see nnps_im2col_pack_fn in ukernels.h). */
static size_t panel_runs(const struct nnps_b_source* b, size_t p0, size_t valid, struct nnps_im2col_run* runs) {
	const struct nnps_im2col* g = b->im2col;
	size_t count = 0;
	for (size_t j = 0; j < valid; count++) {
		const size_t p = p0 + j, pixel = p % g->output_plane, ox = pixel % g->output_width, length = nnps_min(valid - j, g->output_width - ox);
		runs[count] = (struct nnps_im2col_run) {
			j, length, b->data + p / g->output_plane * g->image_stride,
			(ptrdiff_t) ((pixel / g->output_width) * g->stride_height) - (ptrdiff_t) g->pad_top, (ptrdiff_t) (ox * g->stride_width) - (ptrdiff_t) g->pad_left,
		};
		j += length;
	}
	return count;
}

static void pack_b_im2col(const struct nnps_sgemm_config* config, const struct nnps_b_source* b, size_t row0, size_t depth, size_t col0, size_t columns, float* packed) {
	const struct nnps_im2col* g = b->im2col;
	const size_t nr = config->nr;
	struct nnps_im2col_run runs[MAX_NR];
	for (size_t q = 0; q < columns; q += nr) {
		const size_t valid = nnps_min(columns - q, nr);
		const struct nnps_im2col_panel panel = {
			runs, panel_runs(b, col0 + q, valid, runs), valid, nr, (ptrdiff_t) g->input_height, (ptrdiff_t) g->input_width,
			g->kernel_height, g->kernel_width, g->stride_width, g->phase_plane,
		};
		config->im2col_pack(&panel, row0, depth, packed + q * depth);
	}
}

/* The transpose: rows are pixels, cut into runs along output rows per block of at most MAX_RUNS_PIXELS rows (runs
 * are at least one pixel long), columns are kernel taps in panels of nr. */
#define MAX_RUNS_PIXELS 256
static void pack_b_im2col_transposed(const struct nnps_sgemm_config* config, const struct nnps_b_source* b, size_t row0, size_t depth, size_t col0, size_t columns, float* packed) {
	const struct nnps_im2col* g = b->im2col;
	const size_t nr = config->nr;
	struct nnps_im2col_run runs[MAX_RUNS_PIXELS];
	for (size_t k0 = 0; k0 < depth; k0 += MAX_RUNS_PIXELS) {
		const size_t rows = nnps_min(depth - k0, MAX_RUNS_PIXELS), count = panel_runs(b, row0 + k0, rows, runs);
		for (size_t q = 0; q < columns; q += nr) {
			const struct nnps_im2col_panel panel = {
				runs, count, nnps_min(columns - q, nr), nr, (ptrdiff_t) g->input_height, (ptrdiff_t) g->input_width,
				g->kernel_height, g->kernel_width, g->stride_width, g->phase_plane,
			};
			config->im2col_transposed_pack(&panel, col0 + q, rows, packed + q * depth + k0 * nr);
		}
	}
}

void nnps_pack_b(const struct nnps_sgemm_config* config, const struct nnps_b_source* b, size_t row0, size_t depth, size_t col0, size_t columns, float* packed) {
	switch (b->kind) {
		case nnps_b_im2col: pack_b_im2col(config, b, row0, depth, col0, columns, packed); break;
		case nnps_b_im2col_transposed: pack_b_im2col_transposed(config, b, row0, depth, col0, columns, packed); break;
		case nnps_b_streamed: pack_b_rows(config, b, row0, depth, col0, columns, packed); break;
		default: pack_b_strided(config, b, row0, depth, col0, columns, packed); break;
	}
}
