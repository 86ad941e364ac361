/* The FFT tile transforms as loops over NNPS_FFT_LANES tiles side by side (the innermost loop of every step runs over
 * the lanes, so a compiler vectorises it at whatever width the including file is compiled for: one zmm register of
 * 16 floats with AVX-512's flags, SSE or NEON registers in the portable build). A plain DFT by the twiddle table rather
 * than a butterfly network: with T <= 16 it is a few hundred multiply-adds per tile, skips the rows and columns that
 * hold no data in any lane (kernels and gradient tiles are mostly padding), and costs well under the per-point GEMMs
 * once channels number in the tens. Included by scalar/fft_tile__scalar.c and x86_64-avx512/fft_tile__avx512.c only. */
#ifndef NNPS_FFT_TILE_LANES_H
#define NNPS_FFT_TILE_LANES_H

#include <string.h>

#include "ukernels.h"

#define LANES NNPS_FFT_LANES

/* cos and sin of 2 pi n / 16: the twiddles of T = 16; T = 8 takes every second one. */
static const float nnps_fft_cos16[16] = {
	1.0f, 0.92387953251128674f, 0.70710678118654752f, 0.38268343236508977f, 0.0f, -0.38268343236508977f, -0.70710678118654752f, -0.92387953251128674f,
	-1.0f, -0.92387953251128674f, -0.70710678118654752f, -0.38268343236508977f, 0.0f, 0.38268343236508977f, 0.70710678118654752f, 0.92387953251128674f,
};
static const float nnps_fft_sin16[16] = {
	0.0f, 0.38268343236508977f, 0.70710678118654752f, 0.92387953251128674f, 1.0f, 0.92387953251128674f, 0.70710678118654752f, 0.38268343236508977f,
	0.0f, -0.38268343236508977f, -0.70710678118654752f, -0.92387953251128674f, -1.0f, -0.92387953251128674f, -0.70710678118654752f, -0.38268343236508977f,
};

/* Index of the angle 2 pi n / tile in the 16-entry tables (tile a power of 2: no division in the inner loops). */
static inline size_t nnps_fft_twiddle(size_t n, size_t tile) { return (n & (tile - 1)) * (tile == 8 ? 2 : 1); }

/* The rows [*first, *end) and columns [*first_column, *end_column) that hold data in some lane. */
static inline void nnps_fft_span(const struct nnps_fft_block* block, size_t* first, size_t* end, size_t* first_column, size_t* end_column) {
	*first = *first_column = 16;
	*end = *end_column = 0;
	for (size_t t = 0; t < LANES; t++) {
		if (block->rows[t] == 0 || block->columns[t] == 0) continue;
		if (block->row0[t] < *first) *first = block->row0[t];
		if (block->row0[t] + block->rows[t] > *end) *end = block->row0[t] + block->rows[t];
		if (block->col0[t] < *first_column) *first_column = block->col0[t];
		if (block->col0[t] + block->columns[t] > *end_column) *end_column = block->col0[t] + block->columns[t];
	}
	if (*end == 0) *first = *first_column = 0;
}

/* Inlined into each entry point with its constant tile, so the twiddle indices fold and the loops unroll. */
__attribute__((always_inline)) static inline void nnps_fft_forward_lanes(size_t tile, const struct nnps_fft_block* block, const float* plane, size_t row_stride, float* re, float* im, size_t stride) {
	const size_t half = tile / 2 + 1;
	float x[16][16][LANES] __attribute__((aligned(64)));
	float zr[16][9][LANES] __attribute__((aligned(64))), zi[16][9][LANES] __attribute__((aligned(64)));
	size_t first, end, first_column, end_column;
	nnps_fft_span(block, &first, &end, &first_column, &end_column);
	for (size_t i = first; i < end; i++) memset(x[i], 0, sizeof x[i]);
	for (size_t t = 0; t < LANES; t++) {
		if (block->columns[t] == 0) continue;
		for (size_t i = 0; i < block->rows[t]; i++) {
			const float* row = plane + block->offset[t] + (ptrdiff_t) (i * row_stride);
			for (size_t j = 0; j < block->columns[t]; j++) x[block->row0[t] + i][block->col0[t] + j][t] = row[j];
		}
	}
	/* Along each row that holds data: the real DFT at column frequencies 0 .. tile/2. */
	for (size_t i = first; i < end; i++) {
		for (size_t v = 0; v < half; v++) {
			float r[LANES] = { 0 }, s[LANES] = { 0 };
			for (size_t j = first_column; j < end_column; j++) {
				const float c = nnps_fft_cos16[nnps_fft_twiddle(v * j, tile)], sn = nnps_fft_sin16[nnps_fft_twiddle(v * j, tile)];
				for (size_t t = 0; t < LANES; t++) r[t] += x[i][j][t] * c, s[t] -= x[i][j][t] * sn;
			}
			memcpy(zr[i][v], r, sizeof r);
			memcpy(zi[i][v], s, sizeof s);
		}
	}
	/* Down each column: the complex DFT over those rows; each point's lanes are one contiguous store. */
	for (size_t u = 0; u < tile; u++) {
		for (size_t v = 0; v < half; v++) {
			float r[LANES] = { 0 }, s[LANES] = { 0 };
			for (size_t i = first; i < end; i++) {
				const float c = nnps_fft_cos16[nnps_fft_twiddle(u * i, tile)], sn = nnps_fft_sin16[nnps_fft_twiddle(u * i, tile)];
				for (size_t t = 0; t < LANES; t++) r[t] += zr[i][v][t] * c + zi[i][v][t] * sn, s[t] += zi[i][v][t] * c - zr[i][v][t] * sn;
			}
			memcpy(re + (u * half + v) * stride, r, sizeof r);
			memcpy(im + (u * half + v) * stride, s, sizeof s);
		}
	}
}

__attribute__((always_inline)) static inline void nnps_fft_inverse_lanes(size_t tile, const float* re, const float* im, size_t stride, const struct nnps_fft_block* block, float* plane,
	size_t row_stride, float bias, bool relu)
{
	const size_t half = tile / 2 + 1;
	const float scale = 1.0f / (float) (tile * tile);
	size_t first, rows, first_column, columns;
	nnps_fft_span(block, &first, &rows, &first_column, &columns);
	float y[16][16][LANES] __attribute__((aligned(64)));
	for (size_t i = 0; i < rows; i++) {
		/* Row i of the inverse column DFTs, at every column frequency. */
		float wr[9][LANES] __attribute__((aligned(64))), wi[9][LANES] __attribute__((aligned(64)));
		for (size_t v = 0; v < half; v++) {
			float r[LANES] = { 0 }, s[LANES] = { 0 };
			for (size_t u = 0; u < tile; u++) {
				const float c = nnps_fft_cos16[nnps_fft_twiddle(u * i, tile)], sn = nnps_fft_sin16[nnps_fft_twiddle(u * i, tile)];
				const float *xr = re + (u * half + v) * stride, *xi = im + (u * half + v) * stride;
				for (size_t t = 0; t < LANES; t++) r[t] += xr[t] * c - xi[t] * sn, s[t] += xr[t] * sn + xi[t] * c;
			}
			memcpy(wr[v], r, sizeof r);
			memcpy(wi[v], s, sizeof s);
		}
		/* The real inverse along the row: frequencies 1 .. tile/2 - 1 stand for their conjugate mirrors too. */
		for (size_t j = 0; j < columns; j++) {
			float sum[LANES];
			const float nyquist = (j & 1) != 0 ? -1.0f : 1.0f;
			for (size_t t = 0; t < LANES; t++) sum[t] = wr[0][t] + nyquist * wr[tile / 2][t];
			for (size_t v = 1; v < tile / 2; v++) {
				const float c = 2.0f * nnps_fft_cos16[nnps_fft_twiddle(v * j, tile)], sn = 2.0f * nnps_fft_sin16[nnps_fft_twiddle(v * j, tile)];
				for (size_t t = 0; t < LANES; t++) sum[t] += wr[v][t] * c - wi[v][t] * sn;
			}
			for (size_t t = 0; t < LANES; t++) {
				const float value = sum[t] * scale + bias;
				y[i][j][t] = relu && value < 0.0f ? 0.0f : value;
			}
		}
	}
	for (size_t t = 0; t < LANES; t++) {
		for (size_t i = 0; i < block->rows[t]; i++) {
			float* row = plane + block->offset[t] + (ptrdiff_t) (i * row_stride);
			for (size_t j = 0; j < block->columns[t]; j++) row[j] = y[i][j][t];
		}
	}
}

#undef LANES

/* The table's four entry points for one ISA's file: each tile size's transforms with their tile a constant. */
#define NNPS_FFT_DEFINE_TRANSFORMS(suffix) \
	void nnps_fft8x8_forward__##suffix(const struct nnps_fft_block* block, const float* plane, size_t row_stride, float* re, float* im, size_t stride) { \
		nnps_fft_forward_lanes(8, block, plane, row_stride, re, im, stride); \
	} \
	void nnps_fft8x8_inverse__##suffix(const float* re, const float* im, size_t stride, const struct nnps_fft_block* block, float* plane, size_t row_stride, \
		float bias, bool relu) { \
		nnps_fft_inverse_lanes(8, re, im, stride, block, plane, row_stride, bias, relu); \
	} \
	void nnps_fft16x16_forward__##suffix(const struct nnps_fft_block* block, const float* plane, size_t row_stride, float* re, float* im, size_t stride) { \
		nnps_fft_forward_lanes(16, block, plane, row_stride, re, im, stride); \
	} \
	void nnps_fft16x16_inverse__##suffix(const float* re, const float* im, size_t stride, const struct nnps_fft_block* block, float* plane, size_t row_stride, \
		float bias, bool relu) { \
		nnps_fft_inverse_lanes(16, re, im, stride, block, plane, row_stride, bias, relu); \
	}

#endif
