/* Winograd F(4x4, 3x3) input and output transforms, AVX-512 (contract in ukernels.h): 16 tiles in the lanes of a zmm.
 * A 6x6 tile row does not fill the 8-float halves the F(6x6) transpose works on, so each tile element comes in with a
 * masked gather of the 16 lanes (64-bit indices: a lane's offset may lie anywhere in the batch) and the output leaves
 * by masked scatters; the masks clip every lane to its rows and columns inside the image or output, so nothing else
 * is touched. 36 gathers and 16 scatters per block stay small next to the 36 GEMMs over the channels. The 1-D
 * transforms (the kernel's too: 16 kernels in lanes) are the portable ones' sums and differences of symmetric pairs,
 * with fused multiply-adds. */
#include <immintrin.h>

#include "../ukernels.h"

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

/* Lanes whose bit `bit` is set in bits[0..15] (a block's rows or columns). */
static inline __mmask16 lanes_with(const uint8_t bits[NNPS_WINOGRAD_LANES], size_t bit) {
	return _mm_test_epi8_mask(_mm_loadu_si128((const __m128i*) bits), _mm_set1_epi8((char) (1u << bit)));
}

/* Lanes 0-7 and 8-15 of a block's tile offsets, as 64-bit gather and scatter indices. */
struct offsets {
	__m512i low, high;
};

static inline struct offsets load_offsets(const struct nnps_winograd_block* block) {
	return (struct offsets) { _mm512_loadu_si512(block->offset), _mm512_loadu_si512(block->offset + 8) };
}

/* Element `shift` floats past every lane's tile start, zero where `mask` is clear. */
static inline __m512 gather(const float* plane, struct offsets offsets, ptrdiff_t shift, __mmask16 mask) {
	const __m512i step = _mm512_set1_epi64(shift);
	const __m256 low = _mm512_mask_i64gather_ps(_mm256_setzero_ps(), (__mmask8) mask, _mm512_add_epi64(offsets.low, step), plane, sizeof(float));
	const __m256 high = _mm512_mask_i64gather_ps(_mm256_setzero_ps(), (__mmask8) (mask >> 8), _mm512_add_epi64(offsets.high, step), plane, sizeof(float));
	return _mm512_insertf32x8(_mm512_castps256_ps512(low), high, 1);
}

static inline void scatter(float* plane, struct offsets offsets, ptrdiff_t shift, __mmask16 mask, __m512 values) {
	const __m512i step = _mm512_set1_epi64(shift);
	_mm512_mask_i64scatter_ps(plane, (__mmask8) mask, _mm512_add_epi64(offsets.low, step), _mm512_castps512_ps256(values), sizeof(float));
	_mm512_mask_i64scatter_ps(plane, (__mmask8) (mask >> 8), _mm512_add_epi64(offsets.high, step), _mm512_extractf32x8_ps(values, 1), sizeof(float));
}

void nnps_winograd_f4x4k3x3_input__avx512(const struct nnps_winograd_block* block, const float* plane, size_t row_stride, float* transformed, size_t stride) {
	const struct offsets offsets = load_offsets(block);
	__mmask16 columns[TILE];
	for (size_t x = 0; x < TILE; x++) columns[x] = lanes_with(block->columns, x);
	__m512 db[TILE][TILE]; /* d B: row y, column j */
	for (size_t y = 0; y < TILE; y++) {
		const __mmask16 row = lanes_with(block->rows, y);
		__m512 d[TILE];
		for (size_t x = 0; x < TILE; x++) d[x] = gather(plane, offsets, (ptrdiff_t) (y * row_stride + x), row & columns[x]);
		input_1d(d, db[y]);
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
	__m512 am[TILE][OUT]; /* A^T M per column j: [j][row i] */
	for (size_t j = 0; j < TILE; j++) {
		__m512 m[TILE];
		for (size_t k = 0; k < TILE; k++) m[k] = _mm512_loadu_ps(products + (k * TILE + j) * stride);
		output_1d(m, am[j]);
	}
	const struct offsets offsets = load_offsets(block);
	__mmask16 columns[OUT];
	for (size_t j = 0; j < OUT; j++) columns[j] = lanes_with(block->columns, j);
	const __m512 bias_vector = _mm512_set1_ps(bias), zero = _mm512_setzero_ps();
	for (size_t i = 0; i < OUT; i++) {
		const __mmask16 row = lanes_with(block->rows, i);
		__m512 m[TILE], y[OUT];
		for (size_t j = 0; j < TILE; j++) m[j] = am[j][i];
		output_1d(m, y);
		for (size_t j = 0; j < OUT; j++) {
			__m512 value = _mm512_add_ps(y[j], bias_vector);
			if (relu) value = _mm512_max_ps(zero, value); /* NaN stays NaN, as in the portable transform */
			scatter(plane, offsets, (ptrdiff_t) (i * row_stride + j), row & columns[j], value);
		}
	}
}
