/* Winograd F(4x4, 3x3) input and output transforms, AVX-512 (contract in ukernels.h): 16 tiles in the lanes of a zmm.
 * Tile rows move in and out as the F(6x6) ones do (winograd-tile-rows.h): a masked load of each tile's 6-float row,
 * columns 6 and 7 masked off, and masked 4-float stores. These replaced 36 gathers and 16 scatters per block (64-bit
 * indices, 8 lanes each), which took the transforms to 18% of AlexNet conv3's forward on Zen 5 (perf, one thread).
 * The 1-D transforms (the kernel's too: 16 kernels in lanes) are the portable ones' sums and differences of symmetric
 * pairs, with fused multiply-adds. */
#include <immintrin.h>

#include "../ukernels.h"
#include "winograd-tile-rows.h"

#define TILE 6
#define OUT 4

/* w = B^T d (the matrix is in scalar/winograd_f4x4k3x3__scalar.c). */
static inline void input_1d(const __m512 d[TILE], __m512 w[TILE]) {
	const __m512 c2 = _mm512_set1_ps(2.0f), c4 = _mm512_set1_ps(4.0f), c5 = _mm512_set1_ps(5.0f);
	const __m512 s12 = _mm512_add_ps(d[1], d[2]), r12 = _mm512_sub_ps(d[1], d[2]), s34 = _mm512_add_ps(d[3], d[4]), r43 = _mm512_sub_ps(d[4], d[3]);
	const __m512 r42 = _mm512_sub_ps(d[4], d[2]), r31 = _mm512_sub_ps(d[3], d[1]);
	w[0] = _mm512_fnmadd_ps(c5, d[2], _mm512_fmadd_ps(c4, d[0], d[4]));
	w[1] = _mm512_fnmadd_ps(c4, s12, s34);
	w[2] = _mm512_fmadd_ps(c4, r12, r43);
	w[3] = _mm512_fmadd_ps(c2, r31, r42);
	w[4] = _mm512_fnmadd_ps(c2, r31, r42);
	w[5] = _mm512_fnmadd_ps(c5, d[3], _mm512_fmadd_ps(c4, d[1], d[5]));
}

/* o = A^T m, 6 in, 4 out. */
static inline void output_1d(const __m512 m[TILE], __m512 o[OUT]) {
	const __m512 s12 = _mm512_add_ps(m[1], m[2]), r12 = _mm512_sub_ps(m[1], m[2]), s34 = _mm512_add_ps(m[3], m[4]), r34 = _mm512_sub_ps(m[3], m[4]);
	o[0] = _mm512_add_ps(_mm512_add_ps(m[0], s12), s34);
	o[1] = _mm512_fmadd_ps(_mm512_set1_ps(2.0f), r34, r12);
	o[2] = _mm512_fmadd_ps(_mm512_set1_ps(4.0f), s34, s12);
	o[3] = _mm512_add_ps(_mm512_fmadd_ps(_mm512_set1_ps(8.0f), r34, r12), m[5]);
}

/* u = G k, 3 in, 6 out (G in scalar/winograd_f4x4k3x3__scalar.c). */
static inline void kernel_1d(__m512 k0, __m512 k1, __m512 k2, __m512 u[TILE]) {
	const __m512 s02 = _mm512_add_ps(k0, k2), sixth = _mm512_set1_ps(-1.0f / 6);
	const __m512 outer = _mm512_fmadd_ps(_mm512_set1_ps(1.0f / 24), k0, _mm512_mul_ps(_mm512_set1_ps(1.0f / 6), k2));
	const __m512 middle = _mm512_mul_ps(_mm512_set1_ps(1.0f / 12), k1);
	u[0] = _mm512_mul_ps(_mm512_set1_ps(0.25f), k0);
	u[1] = _mm512_mul_ps(sixth, _mm512_add_ps(s02, k1));
	u[2] = _mm512_mul_ps(sixth, _mm512_sub_ps(s02, k1));
	u[3] = _mm512_add_ps(outer, middle);
	u[4] = _mm512_sub_ps(outer, middle);
	u[5] = k2;
}

void nnps_winograd_f4x4k3x3_kernel__avx512(const float* kernels, float* transformed, size_t stride) {
	__m512 k[9], gk[3][TILE]; /* G k: column x, row i */
	for (size_t i = 0; i < 9; i++) k[i] = _mm512_loadu_ps(kernels + i * NNPS_WINOGRAD_LANES);
	for (size_t x = 0; x < 3; x++) kernel_1d(k[x], k[3 + x], k[6 + x], gk[x]);
	for (size_t i = 0; i < TILE; i++) {
		__m512 u[TILE];
		kernel_1d(gk[0][i], gk[1][i], gk[2][i], u);
		for (size_t j = 0; j < TILE; j++) _mm512_storeu_ps(transformed + (i * TILE + j) * stride, u[j]);
	}
}

void nnps_winograd_f4x4k3x3_input__avx512(const struct nnps_winograd_block* block, const float* plane, size_t row_stride, float* transformed, size_t stride) {
	struct nnps_winograd_lanes lanes;
	nnps_winograd_lanes_of(block, plane, &lanes);
	__m512 db[TILE][TILE]; /* d B: row y, column j */
	for (size_t y = 0; y < TILE; y++) {
		__m512 r[8];
		nnps_winograd_load_row(&lanes, row_stride, y, r); /* r[x]: element x of row y in every lane (r[6], r[7] zero) */
		input_1d(r, db[y]);
	}
	for (size_t j = 0; j < TILE; j++) {
		__m512 column[TILE], w[TILE];
		for (size_t y = 0; y < TILE; y++) column[y] = db[y][j];
		input_1d(column, w);
		for (size_t i = 0; i < TILE; i++) _mm512_storeu_ps(transformed + (i * TILE + j) * stride, w[i]);
	}
}

void nnps_winograd_f4x4k3x3_output__avx512(
	const float* products, size_t stride, const struct nnps_winograd_block* block, float* plane, size_t row_stride, float bias, bool relu)
{
	struct nnps_winograd_lanes lanes;
	nnps_winograd_lanes_of(block, plane, &lanes);
	__m512 am[TILE][OUT]; /* A^T M per column j: [j][row i] */
	for (size_t j = 0; j < TILE; j++) {
		__m512 m[TILE];
		for (size_t k = 0; k < TILE; k++) m[k] = _mm512_loadu_ps(products + (k * TILE + j) * stride);
		output_1d(m, am[j]);
	}
	const __m512 bias_vector = _mm512_set1_ps(bias), zero = _mm512_setzero_ps();
	for (size_t i = 0; i < OUT; i++) {
		__m512 m[TILE], r[8];
		for (size_t j = 0; j < TILE; j++) m[j] = am[j][i];
		output_1d(m, r);
		for (size_t j = 0; j < OUT; j++) {
			r[j] = _mm512_add_ps(r[j], bias_vector);
			if (relu) r[j] = _mm512_max_ps(zero, r[j]); /* NaN stays NaN, as in the portable transform */
		}
		r[4] = r[5] = r[6] = r[7] = zero;
		nnps_winograd_store_row(&lanes, row_stride, i, r);
	}
}
