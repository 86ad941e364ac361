/* Winograd F(6x6, 3x3) input and output transforms, AVX-512 (contract in ukernels.h): 16 tiles in the lanes of a zmm,
 * their rows moved in and out by winograd-tile-rows.h (masked 8-float loads, masked 6-float stores). The 1-D
 * transforms factor B^T and A^T into sums and differences of symmetric pairs (as NNPACK's and the literature's
 * F(6x6, 3x3) do), 26 and 20 operations per 8 points instead of the 8x8 products. */
#include <immintrin.h>

#include "../ukernels.h"
#include "../winograd-f6x6k3x3-constants.h"
#include "winograd-tile-rows.h"

#define LANES NNPS_WINOGRAD_LANES

/* w = B^T d for 8 vectors (one 1-D transform per lane). */
static inline void input_1d(const __m512 d[8], __m512 w[8]) {
	const __m512 c525 = _mm512_set1_ps(5.25f), c425 = _mm512_set1_ps(4.25f), c125 = _mm512_set1_ps(1.25f), c25 = _mm512_set1_ps(2.5f);
	const __m512 c4 = _mm512_set1_ps(4.0f), c5 = _mm512_set1_ps(5.0f), c2 = _mm512_set1_ps(2.0f), c05 = _mm512_set1_ps(0.5f), c025 = _mm512_set1_ps(0.25f);
	w[0] = _mm512_fmadd_ps(c525, _mm512_sub_ps(d[4], d[2]), _mm512_sub_ps(d[0], d[6]));
	w[7] = _mm512_fmadd_ps(c525, _mm512_sub_ps(d[3], d[5]), _mm512_sub_ps(d[7], d[1]));
	__m512 a = _mm512_fnmadd_ps(c425, d[4], _mm512_add_ps(d[2], d[6]));
	__m512 b = _mm512_fnmadd_ps(c425, d[3], _mm512_add_ps(d[1], d[5]));
	w[1] = _mm512_add_ps(a, b);
	w[2] = _mm512_sub_ps(a, b);
	a = _mm512_fnmadd_ps(c125, d[4], _mm512_fmadd_ps(c025, d[2], d[6]));
	b = _mm512_fmadd_ps(c2, d[5], _mm512_fnmadd_ps(c25, d[3], _mm512_mul_ps(c05, d[1])));
	w[3] = _mm512_add_ps(a, b);
	w[4] = _mm512_sub_ps(a, b);
	a = _mm512_fnmadd_ps(c5, d[4], _mm512_fmadd_ps(c4, d[2], d[6]));
	b = _mm512_fmadd_ps(c05, d[5], _mm512_fnmadd_ps(c25, d[3], _mm512_mul_ps(c2, d[1])));
	w[5] = _mm512_add_ps(a, b);
	w[6] = _mm512_sub_ps(a, b);
}

/* o = A^T m for 8 vectors in, 6 out. */
static inline void output_1d(const __m512 m[8], __m512 o[6]) {
	const __m512 s12 = _mm512_add_ps(m[1], m[2]), d12 = _mm512_sub_ps(m[1], m[2]);
	const __m512 s34 = _mm512_add_ps(m[3], m[4]), d34 = _mm512_sub_ps(m[3], m[4]);
	const __m512 s56 = _mm512_add_ps(m[5], m[6]), d56 = _mm512_sub_ps(m[5], m[6]);
	o[0] = _mm512_add_ps(_mm512_add_ps(m[0], s12), _mm512_add_ps(s34, s56));
	o[1] = _mm512_fmadd_ps(_mm512_set1_ps(0.5f), d56, _mm512_fmadd_ps(_mm512_set1_ps(2.0f), d34, d12));
	o[2] = _mm512_fmadd_ps(_mm512_set1_ps(0.25f), s56, _mm512_fmadd_ps(_mm512_set1_ps(4.0f), s34, s12));
	o[3] = _mm512_fmadd_ps(_mm512_set1_ps(0.125f), d56, _mm512_fmadd_ps(_mm512_set1_ps(8.0f), d34, d12));
	o[4] = _mm512_fmadd_ps(_mm512_set1_ps(0.0625f), s56, _mm512_fmadd_ps(_mm512_set1_ps(16.0f), s34, s12));
	o[5] = _mm512_add_ps(_mm512_fmadd_ps(_mm512_set1_ps(0.03125f), d56, _mm512_fmadd_ps(_mm512_set1_ps(32.0f), d34, d12)), m[7]);
}

#define G nnps_winograd_f6x6k3x3_G

/* The same products in the same order as the portable transform, one lane per kernel. */
void nnps_winograd_f6x6k3x3_kernel__avx512(const float* kernels, float* transformed, size_t stride) {
	__m512 k[9], gk[8][3];
	for (size_t i = 0; i < 9; i++) k[i] = _mm512_loadu_ps(kernels + i * LANES);
	for (size_t i = 0; i < 8; i++) {
		for (size_t x = 0; x < 3; x++) {
			gk[i][x] = _mm512_add_ps(_mm512_add_ps(_mm512_mul_ps(_mm512_set1_ps(G[i][0]), k[x]), _mm512_mul_ps(_mm512_set1_ps(G[i][1]), k[3 + x])),
				_mm512_mul_ps(_mm512_set1_ps(G[i][2]), k[6 + x]));
		}
	}
	for (size_t i = 0; i < 8; i++) {
		for (size_t j = 0; j < 8; j++) {
			const __m512 u = _mm512_add_ps(_mm512_add_ps(_mm512_mul_ps(gk[i][0], _mm512_set1_ps(G[j][0])), _mm512_mul_ps(gk[i][1], _mm512_set1_ps(G[j][1]))),
				_mm512_mul_ps(gk[i][2], _mm512_set1_ps(G[j][2])));
			_mm512_storeu_ps(transformed + (i * 8 + j) * stride, u);
		}
	}
}

void nnps_winograd_f6x6k3x3_input__avx512(const struct nnps_winograd_block* block, const float* plane, size_t row_stride, float* transformed, size_t stride) {
	struct nnps_winograd_lanes lanes;
	nnps_winograd_lanes_of(block, plane, &lanes);
	__m512 rows_transformed[8][8]; /* (d B) per tile row y: [y][column j] */
	for (size_t y = 0; y < 8; y++) {
		__m512 r[8];
		nnps_winograd_load_row(&lanes, row_stride, y, r); /* r[x]: element x of row y in every lane */
		input_1d(r, rows_transformed[y]);
	}
	for (size_t j = 0; j < 8; j++) {
		__m512 column[8], w[8];
		for (size_t y = 0; y < 8; y++) column[y] = rows_transformed[y][j];
		input_1d(column, w);
		for (size_t i = 0; i < 8; i++) _mm512_storeu_ps(transformed + (i * 8 + j) * stride, w[i]);
	}
}

void nnps_winograd_f6x6k3x3_output__avx512(
	const float* products, size_t stride, const struct nnps_winograd_block* block, float* plane, size_t row_stride, float bias, bool relu)
{
	struct nnps_winograd_lanes lanes;
	nnps_winograd_lanes_of(block, plane, &lanes);
	__m512 columns_transformed[8][6]; /* A^T M per column j: [j][row i] */
	for (size_t j = 0; j < 8; j++) {
		__m512 m[8];
		for (size_t k = 0; k < 8; k++) m[k] = _mm512_loadu_ps(products + (k * 8 + j) * stride);
		output_1d(m, columns_transformed[j]);
	}
	const __m512 bias_vector = _mm512_set1_ps(bias), zero = _mm512_setzero_ps();
	for (size_t i = 0; i < 6; i++) {
		__m512 m[8], r[8];
		for (size_t j = 0; j < 8; j++) m[j] = columns_transformed[j][i];
		output_1d(m, r);
		for (size_t j = 0; j < 6; j++) {
			r[j] = _mm512_add_ps(r[j], bias_vector);
			if (relu) r[j] = _mm512_max_ps(zero, r[j]); /* NaN stays NaN, as in the portable transform */
		}
		r[6] = r[7] = zero;
		nnps_winograd_store_row(&lanes, row_stride, i, r);
	}
}
