/* BLIS-style SGEMM driver: blocks of NC columns, KC depth (pack B) and MC rows (pack A), then MR x NR micro-tiles.
 * B may be the implicit im2col matrix of an image: packing reads the image directly (implicit GEMM), so no
 * column buffer is ever materialised. Partial panels are zero-padded and partial tiles computed into scratch. */
#include <string.h>

#include "common.h"

#define DEPTH_BLOCK 256
#define ROW_PANELS 20
#define COLUMN_BLOCK 4096

static size_t round_up(size_t value, size_t multiple) { return (value + multiple - 1) / multiple * multiple; }

static size_t row_block(const struct nnps_sgemm_kernel* kernel) { return ROW_PANELS * kernel->mr; }
static size_t column_block(const struct nnps_sgemm_kernel* kernel) { return COLUMN_BLOCK / kernel->nr * kernel->nr; }

/* The packed-B block spans at most one column block, and no more than the widest GEMM asks for. */
static size_t packed_b_floats(const struct nnps_sgemm_kernel* kernel, size_t max_columns) {
	const size_t columns = round_up(max_columns < column_block(kernel) ? max_columns : column_block(kernel), kernel->nr);
	return round_up(DEPTH_BLOCK * columns, NNPS_ALIGNMENT / sizeof(float));
}

size_t nnps_gemm_buffer_floats(const struct nnps_sgemm_kernel* kernel, size_t max_columns) {
	const size_t floats_per_line = NNPS_ALIGNMENT / sizeof(float);
	return round_up(row_block(kernel) * DEPTH_BLOCK, floats_per_line) + packed_b_floats(kernel, max_columns) +
		round_up((size_t) kernel->mr * kernel->nr, floats_per_line);
}

void nnps_gemm_buffers_carve(const struct nnps_sgemm_kernel* kernel, size_t max_columns, float* base, struct nnps_gemm_buffers* buffers) {
	buffers->packed_a = base;
	buffers->packed_b = buffers->packed_a + round_up(row_block(kernel) * DEPTH_BLOCK, NNPS_ALIGNMENT / sizeof(float));
	buffers->edge = buffers->packed_b + packed_b_floats(kernel, max_columns);
}

/* A[row0.., col0..] into panels of mr rows: per k, mr values. */
static void pack_a(const float* a, size_t rs, size_t cs, size_t row0, size_t rows, size_t col0, size_t depth, size_t mr, float* dst) {
	for (size_t p = 0; p < rows; p += mr) {
		const size_t valid = rows - p < mr ? rows - p : mr;
		float* panel = dst + p * depth;
		if (rs == 1 && valid == mr) {
			/* A transposed view (the weight in the input gradient): a column's mr values are contiguous. */
			for (size_t k = 0; k < depth; k++) memcpy(panel + k * mr, a + (row0 + p) + (col0 + k) * cs, mr * sizeof(float));
			continue;
		}
		for (size_t i = 0; i < mr; i++) {
			if (i >= valid) {
				for (size_t k = 0; k < depth; k++) panel[k * mr + i] = 0.0f;
				continue;
			}
			const float* source = a + (row0 + p + i) * rs + col0 * cs;
			for (size_t k = 0; k < depth; k++) panel[k * mr + i] = source[k * cs];
		}
	}
}

static void pack_b_strided(const struct nnps_b_source* b, size_t row0, size_t depth, size_t col0, size_t columns, size_t nr, float* dst) {
	for (size_t q = 0; q < columns; q += nr) {
		const size_t valid = columns - q < nr ? columns - q : nr;
		float* panel = dst + q * depth;
		for (size_t k = 0; k < depth; k++) {
			const float* source = b->data + (row0 + k) * b->row_stride + (col0 + q) * b->column_stride;
			float* row = panel + k * nr;
			if (b->column_stride == 1) {
				memcpy(row, source, valid * sizeof(float));
			} else {
				for (size_t j = 0; j < valid; j++) row[j] = source[j * b->column_stride];
			}
			for (size_t j = valid; j < nr; j++) row[j] = 0.0f;
		}
	}
}

/* im2col: row r = (channel, ky, kx), column p = (oy, ox); element = image[channel][oy*sh - top + ky][ox*sw - left + kx] or 0. */
static void pack_b_im2col(const struct nnps_b_source* b, size_t row0, size_t depth, size_t col0, size_t columns, size_t nr, float* dst) {
	const struct nnps_conv* g = b->conv;
	const ptrdiff_t height = (ptrdiff_t) g->input_height, width = (ptrdiff_t) g->input_width;
	const size_t taps = g->kernel_height * g->kernel_width;
	ptrdiff_t base_y[64], base_x[64];
	for (size_t q = 0; q < columns; q += nr) {
		const size_t valid = columns - q < nr ? columns - q : nr;
		for (size_t j = 0; j < valid; j++) {
			const size_t p = col0 + q + j;
			base_y[j] = (ptrdiff_t) ((p / g->output_width) * g->stride_height) - (ptrdiff_t) g->pad_top;
			base_x[j] = (ptrdiff_t) ((p % g->output_width) * g->stride_width) - (ptrdiff_t) g->pad_left;
		}
		float* panel = dst + q * depth;
		for (size_t k = 0; k < depth; k++) {
			const size_t r = row0 + k, channel = r / taps, tap = r % taps;
			const ptrdiff_t ky = (ptrdiff_t) (tap / g->kernel_width), kx = (ptrdiff_t) (tap % g->kernel_width);
			const float* plane = b->data + channel * (size_t) (height * width);
			float* row = panel + k * nr;
			for (size_t j = 0; j < valid; j++) {
				const ptrdiff_t iy = base_y[j] + ky, ix = base_x[j] + kx;
				row[j] = (iy >= 0 && iy < height && ix >= 0 && ix < width) ? plane[iy * width + ix] : 0.0f;
			}
			for (size_t j = valid; j < nr; j++) row[j] = 0.0f;
		}
	}
}

/* The transpose of the im2col matrix: row p = (oy, ox), column r = (channel, ky, kx). */
static void pack_b_im2col_transposed(const struct nnps_b_source* b, size_t row0, size_t depth, size_t col0, size_t columns, size_t nr, float* dst) {
	const struct nnps_conv* g = b->conv;
	const ptrdiff_t height = (ptrdiff_t) g->input_height, width = (ptrdiff_t) g->input_width;
	const size_t taps = g->kernel_height * g->kernel_width;
	size_t plane_offset[64];
	ptrdiff_t tap_y[64], tap_x[64];
	for (size_t q = 0; q < columns; q += nr) {
		const size_t valid = columns - q < nr ? columns - q : nr;
		for (size_t j = 0; j < valid; j++) {
			const size_t r = col0 + q + j, tap = r % taps;
			plane_offset[j] = (r / taps) * (size_t) (height * width);
			tap_y[j] = (ptrdiff_t) (tap / g->kernel_width) - (ptrdiff_t) g->pad_top;
			tap_x[j] = (ptrdiff_t) (tap % g->kernel_width) - (ptrdiff_t) g->pad_left;
		}
		float* panel = dst + q * depth;
		for (size_t k = 0; k < depth; k++) {
			const size_t p = row0 + k;
			const ptrdiff_t oy = (ptrdiff_t) ((p / g->output_width) * g->stride_height), ox = (ptrdiff_t) ((p % g->output_width) * g->stride_width);
			float* row = panel + k * nr;
			for (size_t j = 0; j < valid; j++) {
				const ptrdiff_t iy = oy + tap_y[j], ix = ox + tap_x[j];
				row[j] = (iy >= 0 && iy < height && ix >= 0 && ix < width) ? b->data[plane_offset[j] + (size_t) (iy * width + ix)] : 0.0f;
			}
			for (size_t j = valid; j < nr; j++) row[j] = 0.0f;
		}
	}
}

static void pack_b(const struct nnps_b_source* b, size_t row0, size_t depth, size_t col0, size_t columns, size_t nr, float* dst) {
	switch (b->kind) {
		case nnps_b_im2col: pack_b_im2col(b, row0, depth, col0, columns, nr, dst); break;
		case nnps_b_im2col_transposed: pack_b_im2col_transposed(b, row0, depth, col0, columns, nr, dst); break;
		default: pack_b_strided(b, row0, depth, col0, columns, nr, dst); break;
	}
}

void nnps_sgemm(
	const struct nnps_sgemm_kernel* kernel, size_t m, size_t n, size_t k,
	const float* a, size_t row_stride_a, size_t column_stride_a,
	const struct nnps_b_source* b, size_t b_row0, size_t b_col0,
	float* c, size_t ldc, bool accumulate, const struct nnps_gemm_buffers* buffers)
{
	const size_t mr = kernel->mr, nr = kernel->nr, mc_max = row_block(kernel), nc_max = column_block(kernel);
	for (size_t jc = 0; jc < n; jc += nc_max) {
		const size_t nc = n - jc < nc_max ? n - jc : nc_max;
		for (size_t pc = 0; pc < k; pc += DEPTH_BLOCK) {
			const size_t kc = k - pc < DEPTH_BLOCK ? k - pc : DEPTH_BLOCK;
			const bool add = accumulate || pc != 0;
			pack_b(b, b_row0 + pc, kc, b_col0 + jc, nc, nr, buffers->packed_b);
			for (size_t ic = 0; ic < m; ic += mc_max) {
				const size_t mc = m - ic < mc_max ? m - ic : mc_max;
				pack_a(a, row_stride_a, column_stride_a, ic, mc, pc, kc, mr, buffers->packed_a);
				for (size_t jr = 0; jr < nc; jr += nr) {
					const size_t columns = nc - jr < nr ? nc - jr : nr;
					for (size_t ir = 0; ir < mc; ir += mr) {
						const size_t rows = mc - ir < mr ? mc - ir : mr;
						float* tile = c + (ic + ir) * ldc + jc + jr;
						const float* panel_a = buffers->packed_a + ir * kc;
						const float* panel_b = buffers->packed_b + jr * kc;
						if (rows == mr && columns == nr) {
							kernel->ukernel(kc, panel_a, panel_b, tile, ldc, add);
							continue;
						}
						kernel->ukernel(kc, panel_a, panel_b, buffers->edge, nr, false);
						for (size_t i = 0; i < rows; i++) {
							for (size_t j = 0; j < columns; j++) {
								const float value = buffers->edge[i * nr + j];
								tile[i * ldc + j] = add ? tile[i * ldc + j] + value : value;
							}
						}
					}
				}
			}
		}
	}
}
