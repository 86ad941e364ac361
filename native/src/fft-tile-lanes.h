/* The FFT tile transforms on blocks of NNPS_FFT_LANES tiles side by side, one tile per vector lane: the block's data
 * gathered lane by lane into a T x T array of vectors (zeros around each lane's rectangle), the 2-D real FFT by the
 * butterflies of fft-butterflies.h (rows first, then column frequencies), each point's lanes stored as one contiguous
 * row of V or M; the inverse likewise, cropped, scaled, + bias (and ReLU) while scattering back. Included by each ISA's
 * fft_tile file (scalar/, x86_64-avx2/, x86_64-avx512/), which gives the vectors their registers. */
#ifndef NNPS_FFT_TILE_LANES_H
#define NNPS_FFT_TILE_LANES_H

#include <string.h>

#include "fft-butterflies.h"

#define LANES NNPS_FFT_LANES

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

/* The forward 2-D transform: a real FFT along each row that holds data (rows without data stay zero), then down each
 * column frequency: 0 and T/2 are real columns (one real FFT each, the lower half of their spectrum the conjugate of
 * the upper), the others complex FFTs. Z is kept column-major so the second pass reads contiguous vectors. */
__attribute__((always_inline)) static inline void nnps_fft_forward_lanes(size_t tile, const struct nnps_fft_block* block, const float* plane, size_t row_stride, float* re, float* im, size_t stride) {
	const size_t half = tile / 2 + 1;
	nnps_fft_vec x[16][16], zr[9][16], zi[9][16], yr[16], yi[16];
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
	for (size_t i = 0; i < tile; i++) {
		if (i >= first && i < end) {
			nnps_fft_real(tile, x[i], 1, &zr[0][i], &zi[0][i], 16);
		} else {
			for (size_t v = 0; v < half; v++) zr[v][i] = zi[v][i] = (nnps_fft_vec){ 0 };
		}
	}
	for (size_t v = 0; v < half; v++) {
		if (v == 0 || v == half - 1) {
			nnps_fft_real(tile, zr[v], 1, yr, yi, 1);
			for (size_t u = half; u < tile; u++) yr[u] = yr[tile - u], yi[u] = -yi[tile - u];
		} else {
			nnps_fft_complex(tile, zr[v], zi[v], 1, yr, yi);
		}
		for (size_t u = 0; u < tile; u++) {
			memcpy(re + (u * half + v) * stride, &yr[u], sizeof yr[u]);
			memcpy(im + (u * half + v) * stride, &yi[u], sizeof yi[u]);
		}
	}
}

/* The inverse: down each column frequency (0 and T/2 by the real inverse, their values being real, the others by
 * complex inverse FFTs), then along each output row wanted the real inverse, cropped, scaled by 1 / T^2, + bias. */
__attribute__((always_inline)) static inline void nnps_fft_inverse_lanes(size_t tile, const float* re, const float* im, size_t stride, const struct nnps_fft_block* block, float* plane,
	size_t row_stride, float bias, bool relu)
{
	const size_t half = tile / 2 + 1;
	const float scale = 1.0f / (float) (tile * tile);
	size_t first, rows, first_column, columns;
	nnps_fft_span(block, &first, &rows, &first_column, &columns);
	nnps_fft_vec xr[9][16], xi[9][16], wr[9][16], wi[9][16], y[16][16];
	/* Loaded in point order first: the spectra come from memory, and one pass in address order lets the prefetchers
	 * run ahead (column by column the loads jumped and each waited for its line). */
	for (size_t u = 0; u < tile; u++) {
		for (size_t v = 0; v < half; v++) {
			memcpy(&xr[v][u], re + (u * half + v) * stride, sizeof xr[v][u]);
			memcpy(&xi[v][u], im + (u * half + v) * stride, sizeof xi[v][u]);
		}
	}
	for (size_t v = 0; v < half; v++) {
		if (v == 0 || v == half - 1) nnps_fft_real_inverse(tile, xr[v], xi[v], 1, wr[v], 1);
		else nnps_fft_complex(tile, xi[v], xr[v], 1, wi[v], wr[v]);
	}
	for (size_t i = 0; i < rows; i++) {
		nnps_fft_real_inverse(tile, &wr[0][i], &wi[0][i], 16, y[i], 1);
		for (size_t j = 0; j < columns; j++) y[i][j] = y[i][j] * scale + bias;
	}
	for (size_t t = 0; t < LANES; t++) {
		for (size_t i = 0; i < block->rows[t]; i++) {
			float* row = plane + block->offset[t] + (ptrdiff_t) (i * row_stride);
			for (size_t j = 0; j < block->columns[t]; j++) row[j] = relu && y[i][j][t] < 0.0f ? 0.0f : y[i][j][t];
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
