/* Winograd F(6x6, 3x3) and F(4x4, 3x3) input and output transforms and the kernel gradient's grad_output transform,
 * AVX2 with FMA (contract in ukernels.h; the kernel-shaped ones are in winograd_kernels__avx2.c): a block's 16 tiles run as
 * two halves of 8, one tile per lane of a ymm. Each tile row comes in with one masked 8-float load per tile (the mask
 * clips it to the row's columns inside the image; masked-out elements are never touched, so a tile over the padding
 * reads nothing outside the image), and an 8x8 transpose turns the 8 tile rows into one vector per row element; the
 * output runs the transpose backwards into masked stores. F(4x4)'s 6- and 4-wide rows use the first 6 or 4 of the 8.
 * The 1-D transforms are the AVX-512 ones' sums and differences of symmetric pairs, on 8 lanes. */
#include <immintrin.h>

#include "../ukernels.h"
#include "../winograd-f4x4k3x3-constants.h"
#include "../winograd-f6x6k3x3-constants.h"

#define LANES NNPS_WINOGRAD_LANES
#define HALF 8

/* Rows r[0..7] of an 8x8 block become its columns. */
static inline void transpose8(__m256 r[8]) {
	const __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
	const __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
	const __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
	const __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
	const __m256 s0 = _mm256_shuffle_ps(t0, t2, 0x44), s1 = _mm256_shuffle_ps(t0, t2, 0xEE);
	const __m256 s2 = _mm256_shuffle_ps(t1, t3, 0x44), s3 = _mm256_shuffle_ps(t1, t3, 0xEE);
	const __m256 s4 = _mm256_shuffle_ps(t4, t6, 0x44), s5 = _mm256_shuffle_ps(t4, t6, 0xEE);
	const __m256 s6 = _mm256_shuffle_ps(t5, t7, 0x44), s7 = _mm256_shuffle_ps(t5, t7, 0xEE);
	r[0] = _mm256_permute2f128_ps(s0, s4, 0x20);
	r[1] = _mm256_permute2f128_ps(s1, s5, 0x20);
	r[2] = _mm256_permute2f128_ps(s2, s6, 0x20);
	r[3] = _mm256_permute2f128_ps(s3, s7, 0x20);
	r[4] = _mm256_permute2f128_ps(s0, s4, 0x31);
	r[5] = _mm256_permute2f128_ps(s1, s5, 0x31);
	r[6] = _mm256_permute2f128_ps(s2, s6, 0x31);
	r[7] = _mm256_permute2f128_ps(s3, s7, 0x31);
}

/* Lane t's row `row` as a load/store mask: its columns inside, or nothing when the row is outside. */
static inline __m256i row_mask(const struct nnps_winograd_block* block, size_t t, size_t row) {
	const int bits = (block->rows[t] >> row) & 1 ? block->columns[t] : 0;
	const __m256i bit = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
	return _mm256_cmpeq_epi32(_mm256_and_si256(_mm256_set1_epi32(bits), bit), bit);
}

/* Where lane t's row `row` starts (integer arithmetic: the offset may point before the plane). */
static inline float* row_address(const struct nnps_winograd_block* block, const float* plane, size_t row_stride, size_t t, size_t row) {
	return (float*) ((uintptr_t) plane + (uintptr_t) ((block->offset[t] + (ptrdiff_t) (row * row_stride)) * (ptrdiff_t) sizeof(float)));
}

/* Row y of tiles first .. first + 7: r[x] = element x of that row in every lane, zeros outside the masks. */
static inline void load_row(const struct nnps_winograd_block* block, const float* plane, size_t row_stride, size_t first, size_t y, __m256 r[8]) {
	for (size_t t = 0; t < HALF; t++) r[t] = _mm256_maskload_ps(row_address(block, plane, row_stride, first + t, y), row_mask(block, first + t, y));
	transpose8(r);
}

/* The inverse: r[x] = element x of row i in every lane, stored where the masks allow. */
static inline void store_row(const struct nnps_winograd_block* block, float* plane, size_t row_stride, size_t first, size_t i, __m256 r[8]) {
	transpose8(r);
	for (size_t t = 0; t < HALF; t++) _mm256_maskstore_ps(row_address(block, plane, row_stride, first + t, i), row_mask(block, first + t, i), r[t]);
}

/* y = max(0, y + bias) with relu (NaN stays NaN, as in the portable transforms), else y + bias. */
static inline __m256 finish(__m256 y, __m256 bias, bool relu) {
	const __m256 value = _mm256_add_ps(y, bias);
	return relu ? _mm256_max_ps(_mm256_setzero_ps(), value) : value;
}

/* ---- F(6x6, 3x3) ---- */

static inline void input_1d_f6(const __m256* d, __m256* w) {
	const __m256 c525 = _mm256_set1_ps(5.25f), c425 = _mm256_set1_ps(4.25f), c125 = _mm256_set1_ps(1.25f), c25 = _mm256_set1_ps(2.5f);
	const __m256 c4 = _mm256_set1_ps(4.0f), c5 = _mm256_set1_ps(5.0f), c2 = _mm256_set1_ps(2.0f), c05 = _mm256_set1_ps(0.5f), c025 = _mm256_set1_ps(0.25f);
	w[0] = _mm256_fmadd_ps(c525, _mm256_sub_ps(d[4], d[2]), _mm256_sub_ps(d[0], d[6]));
	w[7] = _mm256_fmadd_ps(c525, _mm256_sub_ps(d[3], d[5]), _mm256_sub_ps(d[7], d[1]));
	__m256 a = _mm256_fnmadd_ps(c425, d[4], _mm256_add_ps(d[2], d[6]));
	__m256 b = _mm256_fnmadd_ps(c425, d[3], _mm256_add_ps(d[1], d[5]));
	w[1] = _mm256_add_ps(a, b);
	w[2] = _mm256_sub_ps(a, b);
	a = _mm256_fnmadd_ps(c125, d[4], _mm256_fmadd_ps(c025, d[2], d[6]));
	b = _mm256_fmadd_ps(c2, d[5], _mm256_fnmadd_ps(c25, d[3], _mm256_mul_ps(c05, d[1])));
	w[3] = _mm256_add_ps(a, b);
	w[4] = _mm256_sub_ps(a, b);
	a = _mm256_fnmadd_ps(c5, d[4], _mm256_fmadd_ps(c4, d[2], d[6]));
	b = _mm256_fmadd_ps(c05, d[5], _mm256_fnmadd_ps(c25, d[3], _mm256_mul_ps(c2, d[1])));
	w[5] = _mm256_add_ps(a, b);
	w[6] = _mm256_sub_ps(a, b);
}

static inline void output_1d_f6(const __m256* m, __m256* o) {
	const __m256 s12 = _mm256_add_ps(m[1], m[2]), d12 = _mm256_sub_ps(m[1], m[2]);
	const __m256 s34 = _mm256_add_ps(m[3], m[4]), d34 = _mm256_sub_ps(m[3], m[4]);
	const __m256 s56 = _mm256_add_ps(m[5], m[6]), d56 = _mm256_sub_ps(m[5], m[6]);
	o[0] = _mm256_add_ps(_mm256_add_ps(m[0], s12), _mm256_add_ps(s34, s56));
	o[1] = _mm256_fmadd_ps(_mm256_set1_ps(0.5f), d56, _mm256_fmadd_ps(_mm256_set1_ps(2.0f), d34, d12));
	o[2] = _mm256_fmadd_ps(_mm256_set1_ps(0.25f), s56, _mm256_fmadd_ps(_mm256_set1_ps(4.0f), s34, s12));
	o[3] = _mm256_fmadd_ps(_mm256_set1_ps(0.125f), d56, _mm256_fmadd_ps(_mm256_set1_ps(8.0f), d34, d12));
	o[4] = _mm256_fmadd_ps(_mm256_set1_ps(0.0625f), s56, _mm256_fmadd_ps(_mm256_set1_ps(16.0f), s34, s12));
	o[5] = _mm256_add_ps(_mm256_fmadd_ps(_mm256_set1_ps(0.03125f), d56, _mm256_fmadd_ps(_mm256_set1_ps(32.0f), d34, d12)), m[7]);
}

/* ---- F(4x4, 3x3) (its matrices: scalar/winograd_f4x4k3x3__scalar.c) ---- */

static inline void input_1d_f4(const __m256* d, __m256* w) {
	const __m256 c2 = _mm256_set1_ps(2.0f), c4 = _mm256_set1_ps(4.0f), c5 = _mm256_set1_ps(5.0f);
	const __m256 s12 = _mm256_add_ps(d[1], d[2]), r12 = _mm256_sub_ps(d[1], d[2]), s34 = _mm256_add_ps(d[3], d[4]), r43 = _mm256_sub_ps(d[4], d[3]);
	const __m256 r42 = _mm256_sub_ps(d[4], d[2]), r31 = _mm256_sub_ps(d[3], d[1]);
	w[0] = _mm256_fnmadd_ps(c5, d[2], _mm256_fmadd_ps(c4, d[0], d[4]));
	w[1] = _mm256_fnmadd_ps(c4, s12, s34);
	w[2] = _mm256_fmadd_ps(c4, r12, r43);
	w[3] = _mm256_fmadd_ps(c2, r31, r42);
	w[4] = _mm256_fnmadd_ps(c2, r31, r42);
	w[5] = _mm256_fnmadd_ps(c5, d[3], _mm256_fmadd_ps(c4, d[1], d[5]));
}

static inline void output_1d_f4(const __m256* m, __m256* o) {
	const __m256 s12 = _mm256_add_ps(m[1], m[2]), r12 = _mm256_sub_ps(m[1], m[2]), s34 = _mm256_add_ps(m[3], m[4]), r34 = _mm256_sub_ps(m[3], m[4]);
	o[0] = _mm256_add_ps(_mm256_add_ps(m[0], s12), s34);
	o[1] = _mm256_fmadd_ps(_mm256_set1_ps(2.0f), r34, r12);
	o[2] = _mm256_fmadd_ps(_mm256_set1_ps(4.0f), s34, s12);
	o[3] = _mm256_add_ps(_mm256_fmadd_ps(_mm256_set1_ps(8.0f), r34, r12), m[5]);
}

/* ---- the blocks of either tile size ---- */

/* V = B^T d B of a block, with the tile size's 1-D input transform (inlined: tile and transform are constants). */
static inline __attribute__((always_inline)) void input_block(const struct nnps_winograd_block* block, const float* plane, size_t row_stride,
	float* transformed, size_t stride, size_t tile, void (*input_1d)(const __m256*, __m256*))
{
	for (size_t h = 0; h < LANES; h += HALF) {
		__m256 db[8][8]; /* d B per tile row y: [y][column j] */
		for (size_t y = 0; y < tile; y++) {
			__m256 r[8];
			load_row(block, plane, row_stride, h, y, r);
			input_1d(r, db[y]);
		}
		for (size_t j = 0; j < tile; j++) {
			__m256 column[8], w[8];
			for (size_t y = 0; y < tile; y++) column[y] = db[y][j];
			input_1d(column, w);
			for (size_t i = 0; i < tile; i++) _mm256_storeu_ps(transformed + (i * tile + j) * stride + h, w[i]);
		}
	}
}

/* Y = A^T M A (+ bias, relu) of a block, with the tile size's 1-D output transform (tile in, out out). */
static inline __attribute__((always_inline)) void output_block(const float* products, size_t stride, const struct nnps_winograd_block* block,
	float* plane, size_t row_stride, float bias, bool relu, size_t tile, size_t out, void (*output_1d)(const __m256*, __m256*))
{
	const __m256 bias_vector = _mm256_set1_ps(bias);
	for (size_t h = 0; h < LANES; h += HALF) {
		__m256 am[8][8]; /* A^T M per column j: [j][row i] */
		for (size_t j = 0; j < tile; j++) {
			__m256 m[8];
			for (size_t k = 0; k < tile; k++) m[k] = _mm256_loadu_ps(products + (k * tile + j) * stride + h);
			output_1d(m, am[j]);
		}
		for (size_t i = 0; i < out; i++) {
			__m256 m[8], r[8];
			for (size_t j = 0; j < tile; j++) m[j] = am[j][i];
			output_1d(m, r);
			for (size_t j = 0; j < out; j++) r[j] = finish(r[j], bias_vector, relu);
			for (size_t j = out; j < 8; j++) r[j] = _mm256_setzero_ps();
			store_row(block, plane, row_stride, h, i, r);
		}
	}
}

void nnps_winograd_f6x6k3x3_input__avx2(const struct nnps_winograd_block* block, const float* plane, size_t row_stride, float* transformed, size_t stride) {
	input_block(block, plane, row_stride, transformed, stride, 8, input_1d_f6);
}

void nnps_winograd_f6x6k3x3_output__avx2(
	const float* products, size_t stride, const struct nnps_winograd_block* block, float* plane, size_t row_stride, float bias, bool relu)
{
	output_block(products, stride, block, plane, row_stride, bias, relu, 8, 6, output_1d_f6);
}

void nnps_winograd_f4x4k3x3_input__avx2(const struct nnps_winograd_block* block, const float* plane, size_t row_stride, float* transformed, size_t stride) {
	input_block(block, plane, row_stride, transformed, stride, 6, input_1d_f4);
}

void nnps_winograd_f4x4k3x3_output__avx2(
	const float* products, size_t stride, const struct nnps_winograd_block* block, float* plane, size_t row_stride, float bias, bool relu)
{
	output_block(products, stride, block, plane, row_stride, bias, relu, 6, 4, output_1d_f4);
}

/* ---- the kernel gradient's T = A g A^T ---- */

/* w[p] = sum over k < out of A[p][k] g[k] for p < tile, with A^T (out x tile, row-major). */
static inline __attribute__((always_inline)) void grad_output_1d(const __m256* g, __m256* w, size_t tile, size_t out, const float* at) {
	for (size_t p = 0; p < tile; p++) {
		__m256 sum = _mm256_setzero_ps();
		for (size_t k = 0; k < out; k++) {
			if (at[k * tile + p] != 0.0f) sum = _mm256_fmadd_ps(_mm256_set1_ps(at[k * tile + p]), g[k], sum);
		}
		w[p] = sum;
	}
}

static inline __attribute__((always_inline)) void grad_output_block(const struct nnps_winograd_block* block, const float* plane, size_t row_stride,
	float* transformed, size_t stride, size_t tile, size_t out, const float* at)
{
	for (size_t h = 0; h < LANES; h += HALF) {
		__m256 ga[8][8]; /* g A^T per tile row y: [y][column q] */
		for (size_t y = 0; y < out; y++) {
			__m256 r[8];
			load_row(block, plane, row_stride, h, y, r);
			grad_output_1d(r, ga[y], tile, out, at);
		}
		for (size_t q = 0; q < tile; q++) {
			__m256 column[8], w[8];
			for (size_t y = 0; y < out; y++) column[y] = ga[y][q];
			grad_output_1d(column, w, tile, out, at);
			for (size_t p = 0; p < tile; p++) _mm256_storeu_ps(transformed + (p * tile + q) * stride + h, w[p]);
		}
	}
}

void nnps_winograd_f6x6k3x3_grad_output__avx2(
	const struct nnps_winograd_block* block, const float* plane, size_t row_stride, float* transformed, size_t stride)
{
	grad_output_block(block, plane, row_stride, transformed, stride, 8, 6, &nnps_winograd_f6x6k3x3_AT[0][0]);
}

void nnps_winograd_f4x4k3x3_grad_output__avx2(
	const struct nnps_winograd_block* block, const float* plane, size_t row_stride, float* transformed, size_t stride)
{
	grad_output_block(block, plane, row_stride, transformed, stride, 6, 4, &nnps_winograd_f4x4k3x3_AT[0][0]);
}
