/* The kernel gradient's grad_output transform T = A g A^T of F(6x6, 3x3) and F(4x4, 3x3), AVX-512 (contract in
 * ukernels.h): the AVX2 transform's sums over A^T's nonzero entries on all 16 tiles of a block at once, the tiles'
 * rows moved in by winograd-tile-rows.h. It served this table from AVX2 at 8 tiles per vector, two halves a block,
 * each tile row's mask built lane by lane (8% of the batch-32 layer's kernel gradient in perf). */
#include <immintrin.h>

#include "../ukernels.h"
#include "../winograd-f4x4k3x3-constants.h"
#include "../winograd-f6x6k3x3-constants.h"
#include "winograd-tile-rows.h"

/* w[p] = sum over k < out of A[p][k] g[k] for p < tile, with A^T (out x tile, row-major; its zeros skipped, constants
 * at each call so the sums unroll). */
static inline __attribute__((always_inline)) void grad_output_1d(const __m512* g, __m512* w, size_t tile, size_t out, const float* at) {
	for (size_t p = 0; p < tile; p++) {
		__m512 sum = _mm512_setzero_ps();
		for (size_t k = 0; k < out; k++) {
			if (at[k * tile + p] != 0.0f) sum = _mm512_fmadd_ps(_mm512_set1_ps(at[k * tile + p]), g[k], sum);
		}
		w[p] = sum;
	}
}

static inline __attribute__((always_inline)) void grad_output_block(const struct nnps_winograd_block* block, const float* plane, size_t row_stride,
	float* transformed, size_t stride, size_t tile, size_t out, const float* at)
{
	struct nnps_winograd_lanes lanes;
	nnps_winograd_lanes_of(block, plane, &lanes);
	__m512 ga[6][8]; /* g A^T per tile row y: [y][column q] */
	for (size_t y = 0; y < out; y++) {
		__m512 r[8];
		nnps_winograd_load_row(&lanes, row_stride, y, r); /* r[x]: element x of row y (x < out inside, the rest zero) */
		grad_output_1d(r, ga[y], tile, out, at);
	}
	for (size_t q = 0; q < tile; q++) {
		__m512 column[6], w[8];
		for (size_t y = 0; y < out; y++) column[y] = ga[y][q];
		grad_output_1d(column, w, tile, out, at);
		for (size_t p = 0; p < tile; p++) _mm512_storeu_ps(transformed + (p * tile + q) * stride, w[p]);
	}
}

void nnps_winograd_f6x6k3x3_grad_output__avx512(
	const struct nnps_winograd_block* block, const float* plane, size_t row_stride, float* transformed, size_t stride)
{
	grad_output_block(block, plane, row_stride, transformed, stride, 8, 6, &nnps_winograd_f6x6k3x3_AT[0][0]);
}

void nnps_winograd_f4x4k3x3_grad_output__avx512(
	const struct nnps_winograd_block* block, const float* plane, size_t row_stride, float* transformed, size_t stride)
{
	grad_output_block(block, plane, row_stride, transformed, stride, 6, 4, &nnps_winograd_f4x4k3x3_AT[0][0]);
}
