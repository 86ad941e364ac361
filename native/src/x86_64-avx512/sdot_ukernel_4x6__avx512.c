/* Dot-product micro-kernel, 4x6 tile, AVX-512: 24 zmm accumulators, each 16 lanes of one element's sum over p; per 16
 * floats of p, four loads of A and six of B for 24 FMAs (A's rows stream from L2 and B's from L1 under the driver's
 * blocking). The lanes are added once per call, in a fixed tree (see ukernels.h). */
#include <immintrin.h>

#include "../ukernels.h"

#define MR 4
#define NR 6
#define LANES 16

/* The lane sums of v0..v3 as one 4-float vector { sum v0, sum v1, sum v2, sum v3 }, always added in the same order. */
static inline __m128 lane_sums4(__m512 v0, __m512 v1, __m512 v2, __m512 v3) {
	const __m256 h0 = _mm256_add_ps(_mm512_castps512_ps256(v0), _mm512_extractf32x8_ps(v0, 1));
	const __m256 h1 = _mm256_add_ps(_mm512_castps512_ps256(v1), _mm512_extractf32x8_ps(v1, 1));
	const __m256 h2 = _mm256_add_ps(_mm512_castps512_ps256(v2), _mm512_extractf32x8_ps(v2, 1));
	const __m256 h3 = _mm256_add_ps(_mm512_castps512_ps256(v3), _mm512_extractf32x8_ps(v3, 1));
	const __m256 pairs = _mm256_hadd_ps(_mm256_hadd_ps(h0, h1), _mm256_hadd_ps(h2, h3));
	return _mm_add_ps(_mm256_castps256_ps128(pairs), _mm256_extractf128_ps(pairs, 1));
}

/* Column j of one step: B's row j against the four rows of A in x0..x3. */
#define COLUMN(mask, j)                                                                                         \
	do {                                                                                                        \
		const __m512 y = _mm512_maskz_loadu_ps(mask, b##j + p);                                                 \
		c0##j = _mm512_fmadd_ps(x0, y, c0##j); c1##j = _mm512_fmadd_ps(x1, y, c1##j);                           \
		c2##j = _mm512_fmadd_ps(x2, y, c2##j); c3##j = _mm512_fmadd_ps(x3, y, c3##j);                           \
	} while (0)

/* One step of 16 lanes of p (masked for the tail): acc[i][j] += A[i][p..] * B[j][p..]. */
#define STEP(mask)                                                                                              \
	do {                                                                                                        \
		const __m512 x0 = _mm512_maskz_loadu_ps(mask, a0 + p), x1 = _mm512_maskz_loadu_ps(mask, a1 + p);         \
		const __m512 x2 = _mm512_maskz_loadu_ps(mask, a2 + p), x3 = _mm512_maskz_loadu_ps(mask, a3 + p);         \
		COLUMN(mask, 0); COLUMN(mask, 1); COLUMN(mask, 2); COLUMN(mask, 3); COLUMN(mask, 4); COLUMN(mask, 5);   \
	} while (0)

void nnps_sdot_ukernel_4x6__avx512(size_t m, size_t n, size_t k, const float* a, size_t lda, const float* b, size_t ldb, float* c, size_t ldc, bool accumulate) {
	/* Rows past m (columns past n) read row m - 1 (n - 1) again: their sums are computed and dropped, and no row
	 * outside the operands is touched. */
	const float* a0 = a;
	const float* a1 = a + (m > 1 ? 1 : 0) * lda;
	const float* a2 = a + (m > 2 ? 2 : m - 1) * lda;
	const float* a3 = a + (m > 3 ? 3 : m - 1) * lda;
	const float* b0 = b;
	const float* b1 = b + (n > 1 ? 1 : 0) * ldb;
	const float* b2 = b + (n > 2 ? 2 : n - 1) * ldb;
	const float* b3 = b + (n > 3 ? 3 : n - 1) * ldb;
	const float* b4 = b + (n > 4 ? 4 : n - 1) * ldb;
	const float* b5 = b + (n > 5 ? 5 : n - 1) * ldb;
	__m512 c00 = _mm512_setzero_ps(), c01 = c00, c02 = c00, c03 = c00, c04 = c00, c05 = c00;
	__m512 c10 = c00, c11 = c00, c12 = c00, c13 = c00, c14 = c00, c15 = c00;
	__m512 c20 = c00, c21 = c00, c22 = c00, c23 = c00, c24 = c00, c25 = c00;
	__m512 c30 = c00, c31 = c00, c32 = c00, c33 = c00, c34 = c00, c35 = c00;
	size_t p = 0;
	for (; p + LANES <= k; p += LANES) STEP((__mmask16) 0xFFFF);
	if (p < k) STEP((__mmask16) ((1u << (k - p)) - 1u));

	/* Per row, columns 0-3 in one tree, 4-5 with the next row's (the same tree for every element). */
	float sums[MR][NR];
	_mm_storeu_ps(sums[0], lane_sums4(c00, c01, c02, c03));
	_mm_storeu_ps(sums[1], lane_sums4(c10, c11, c12, c13));
	_mm_storeu_ps(sums[2], lane_sums4(c20, c21, c22, c23));
	_mm_storeu_ps(sums[3], lane_sums4(c30, c31, c32, c33));
	float tail[2][4];
	_mm_storeu_ps(tail[0], lane_sums4(c04, c05, c14, c15));
	_mm_storeu_ps(tail[1], lane_sums4(c24, c25, c34, c35));
	for (size_t i = 0; i < MR; i++) {
		sums[i][4] = tail[i / 2][(i % 2) * 2];
		sums[i][5] = tail[i / 2][(i % 2) * 2 + 1];
	}
	for (size_t i = 0; i < m; i++) {
		float* row = c + i * ldc;
		for (size_t j = 0; j < n; j++) row[j] = accumulate ? row[j] + sums[i][j] : sums[i][j];
	}
}
