/* Winograd F(6x6, 3x3) transforms, NEON (contract in ukernels.h): a block's 16 tiles as 4 groups of 4, one tile per
 * lane of a float32x4. Each tile row comes in as two 4-float loads (through a zeroed copy of its inside elements when
 * the row is clipped: NEON has no masked loads), and two 4x4 transposes turn 4 tile rows into the 8 lane vectors of
 * that row; the output runs the transposes backwards into 6-float stores (lane by lane where the tile is clipped).
 * The 1-D transforms factor B^T and A^T into sums and differences of symmetric pairs, as the AVX-512 ones do.
 * Advanced SIMD is base AArch64: no flags. */
#include <arm_neon.h>

#include "../ukernels.h"
#include "../winograd-f6x6k3x3-constants.h"

#define LANES NNPS_WINOGRAD_LANES
#define GROUP 4 /* tiles per float32x4 */

/* Rows r[0..3] of a 4x4 block become its columns. */
static inline void transpose4(float32x4_t r[4]) {
	const float32x4x2_t t01 = vtrnq_f32(r[0], r[1]), t23 = vtrnq_f32(r[2], r[3]);
	r[0] = vcombine_f32(vget_low_f32(t01.val[0]), vget_low_f32(t23.val[0]));
	r[1] = vcombine_f32(vget_low_f32(t01.val[1]), vget_low_f32(t23.val[1]));
	r[2] = vcombine_f32(vget_high_f32(t01.val[0]), vget_high_f32(t23.val[0]));
	r[3] = vcombine_f32(vget_high_f32(t01.val[1]), vget_high_f32(t23.val[1]));
}

/* c + a * b, c - a * b with a scalar b (fused, like the AVX-512 transforms' fmadd and fnmadd). */
static inline float32x4_t fma_n(float32x4_t c, float32x4_t a, float b) { return vfmaq_n_f32(c, a, b); }
static inline float32x4_t fms_n(float32x4_t c, float32x4_t a, float b) { return vfmsq_n_f32(c, a, b); }

/* w = B^T d for 8 vectors (one 1-D transform per lane). */
static inline void input_1d(const float32x4_t d[8], float32x4_t w[8]) {
	w[0] = fma_n(vsubq_f32(d[0], d[6]), vsubq_f32(d[4], d[2]), 5.25f);
	w[7] = fma_n(vsubq_f32(d[7], d[1]), vsubq_f32(d[3], d[5]), 5.25f);
	float32x4_t a = fms_n(vaddq_f32(d[2], d[6]), d[4], 4.25f);
	float32x4_t b = fms_n(vaddq_f32(d[1], d[5]), d[3], 4.25f);
	w[1] = vaddq_f32(a, b);
	w[2] = vsubq_f32(a, b);
	a = fms_n(fma_n(d[6], d[2], 0.25f), d[4], 1.25f);
	b = fma_n(fms_n(vmulq_n_f32(d[1], 0.5f), d[3], 2.5f), d[5], 2.0f);
	w[3] = vaddq_f32(a, b);
	w[4] = vsubq_f32(a, b);
	a = fms_n(fma_n(d[6], d[2], 4.0f), d[4], 5.0f);
	b = fma_n(fms_n(vmulq_n_f32(d[1], 2.0f), d[3], 2.5f), d[5], 0.5f);
	w[5] = vaddq_f32(a, b);
	w[6] = vsubq_f32(a, b);
}

/* o = A^T m for 8 vectors in, 6 out. */
static inline void output_1d(const float32x4_t m[8], float32x4_t o[6]) {
	const float32x4_t s12 = vaddq_f32(m[1], m[2]), d12 = vsubq_f32(m[1], m[2]);
	const float32x4_t s34 = vaddq_f32(m[3], m[4]), d34 = vsubq_f32(m[3], m[4]);
	const float32x4_t s56 = vaddq_f32(m[5], m[6]), d56 = vsubq_f32(m[5], m[6]);
	o[0] = vaddq_f32(vaddq_f32(m[0], s12), vaddq_f32(s34, s56));
	o[1] = fma_n(fma_n(d12, d34, 2.0f), d56, 0.5f);
	o[2] = fma_n(fma_n(s12, s34, 4.0f), s56, 0.25f);
	o[3] = fma_n(fma_n(d12, d34, 8.0f), d56, 0.125f);
	o[4] = fma_n(fma_n(s12, s34, 16.0f), s56, 0.0625f);
	o[5] = vaddq_f32(fma_n(fma_n(d12, d34, 32.0f), d56, 0.03125f), m[7]);
}

/* Where tile t's row `row` starts; the offset may point before the plane (a tile over the padding), so the address is
 * formed in integers and only the inside elements are ever touched. */
static inline float* row_address(const struct nnps_winograd_block* block, const float* plane, size_t row_stride, size_t t, size_t row) {
	return (float*) ((uintptr_t) plane + (uintptr_t) ((block->offset[t] + (ptrdiff_t) (row * row_stride)) * (ptrdiff_t) sizeof(float)));
}

/* The columns of tile t's row `row` that lie inside (none when the row is outside). */
static inline unsigned row_columns(const struct nnps_winograd_block* block, size_t t, size_t row) {
	return (block->rows[t] >> row) & 1 ? block->columns[t] : 0;
}

/* Tile t's row `row` as elements 0-3 and 4-7, zeros where it lies outside. */
static inline void load_row(const struct nnps_winograd_block* block, const float* plane, size_t row_stride, size_t t, size_t row, float32x4_t* low, float32x4_t* high) {
	const unsigned columns = row_columns(block, t, row);
	const float* source = row_address(block, plane, row_stride, t, row);
	if (columns == 0xFF) {
		*low = vld1q_f32(source);
		*high = vld1q_f32(source + 4);
		return;
	}
	float clipped[8] = { 0 };
	for (size_t x = 0; x < 8; x++) {
		if ((columns >> x) & 1) clipped[x] = source[x];
	}
	*low = vld1q_f32(clipped);
	*high = vld1q_f32(clipped + 4);
}

/* Elements 0-5 of tile t's row `row` from low (0-3) and high (4-5), only where they lie inside. */
static inline void store_row(const struct nnps_winograd_block* block, float* plane, size_t row_stride, size_t t, size_t row, float32x4_t low, float32x4_t high) {
	const unsigned columns = row_columns(block, t, row) & 0x3F;
	float* target = row_address(block, plane, row_stride, t, row);
	if (columns == 0) return;
	if (columns == 0x3F) {
		vst1q_f32(target, low);
		vst1_f32(target + 4, vget_low_f32(high));
		return;
	}
	float values[8];
	vst1q_f32(values, low);
	vst1q_f32(values + 4, high);
	for (size_t x = 0; x < 6; x++) {
		if ((columns >> x) & 1) target[x] = values[x];
	}
}

/* The same products in the same order as the portable transform, one lane per kernel (unfused, where GCC may fuse
 * the portable one's: the two agree to rounding, not bit for bit). */
void nnps_winograd_f6x6k3x3_kernel__neon(const float* kernels, float* transformed, size_t stride) {
	const float (*G)[3] = nnps_winograd_f6x6k3x3_G;
	for (size_t g = 0; g < LANES; g += GROUP) {
		float32x4_t k[9], gk[8][3];
		for (size_t i = 0; i < 9; i++) k[i] = vld1q_f32(kernels + i * LANES + g);
		for (size_t i = 0; i < 8; i++) {
			for (size_t x = 0; x < 3; x++) gk[i][x] = vaddq_f32(vaddq_f32(vmulq_n_f32(k[x], G[i][0]), vmulq_n_f32(k[3 + x], G[i][1])), vmulq_n_f32(k[6 + x], G[i][2]));
		}
		for (size_t i = 0; i < 8; i++) {
			for (size_t j = 0; j < 8; j++) {
				const float32x4_t u = vaddq_f32(vaddq_f32(vmulq_n_f32(gk[i][0], G[j][0]), vmulq_n_f32(gk[i][1], G[j][1])), vmulq_n_f32(gk[i][2], G[j][2]));
				vst1q_f32(transformed + (i * 8 + j) * stride + g, u);
			}
		}
	}
}

void nnps_winograd_f6x6k3x3_input__neon(const struct nnps_winograd_block* block, const float* plane, size_t row_stride, float* transformed, size_t stride) {
	for (size_t g = 0; g < LANES; g += GROUP) {
		if ((block->rows[g] | block->rows[g + 1] | block->rows[g + 2] | block->rows[g + 3]) == 0) {
			/* Four unused lanes (a block's tail): V's columns there are zeros, as the portable transform writes them. */
			for (size_t point = 0; point < 64; point++) vst1q_f32(transformed + point * stride + g, vdupq_n_f32(0.0f));
			continue;
		}
		float32x4_t rows_transformed[8][8]; /* (d B) per tile row y: [y][column j] */
		for (size_t y = 0; y < 8; y++) {
			float32x4_t low[4], high[4], r[8];
			for (size_t t = 0; t < GROUP; t++) load_row(block, plane, row_stride, g + t, y, &low[t], &high[t]);
			transpose4(low);
			transpose4(high);
			for (size_t x = 0; x < 4; x++) {
				r[x] = low[x]; /* element x of row y in every lane */
				r[4 + x] = high[x];
			}
			input_1d(r, rows_transformed[y]);
		}
		for (size_t j = 0; j < 8; j++) {
			float32x4_t column[8], w[8];
			for (size_t y = 0; y < 8; y++) column[y] = rows_transformed[y][j];
			input_1d(column, w);
			for (size_t i = 0; i < 8; i++) vst1q_f32(transformed + (i * 8 + j) * stride + g, w[i]);
		}
	}
}

void nnps_winograd_f6x6k3x3_output__neon(
	const float* products, size_t stride, const struct nnps_winograd_block* block, float* plane, size_t row_stride, float bias, bool relu)
{
	const float32x4_t bias_vector = vdupq_n_f32(bias), zero = vdupq_n_f32(0.0f);
	for (size_t g = 0; g < LANES; g += GROUP) {
		if ((block->rows[g] | block->rows[g + 1] | block->rows[g + 2] | block->rows[g + 3]) == 0) continue;
		float32x4_t columns_transformed[8][6]; /* A^T M per column j: [j][row i] */
		for (size_t j = 0; j < 8; j++) {
			float32x4_t m[8];
			for (size_t k = 0; k < 8; k++) m[k] = vld1q_f32(products + (k * 8 + j) * stride + g);
			output_1d(m, columns_transformed[j]);
		}
		for (size_t i = 0; i < 6; i++) {
			float32x4_t m[8], r[6];
			for (size_t j = 0; j < 8; j++) m[j] = columns_transformed[j][i];
			output_1d(m, r);
			for (size_t j = 0; j < 6; j++) {
				r[j] = vaddq_f32(r[j], bias_vector);
				/* Only negatives become zero: NaN and -0 stay, as in the portable transform. */
				if (relu) r[j] = vbslq_f32(vcltq_f32(r[j], zero), zero, r[j]);
			}
			float32x4_t low[4] = { r[0], r[1], r[2], r[3] }, high[4] = { r[4], r[5], zero, zero };
			transpose4(low); /* low[t], high[t]: row i of tile g + t */
			transpose4(high);
			for (size_t t = 0; t < GROUP; t++) store_row(block, plane, row_stride, g + t, i, low[t], high[t]);
		}
	}
}
