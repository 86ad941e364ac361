/* Dot-product micro-kernel, 4x6 tile, AVX-512: 24 zmm accumulators, each 16 lanes of one element's sum over p; per 16
 * floats of p, four loads of A and six of B for 24 FMAs (A's rows stream from L2 and B's from L1 under the driver's
 * blocking). The lanes are added once per call, in the same fixed tree for every element (see ukernels.h). */
#include <immintrin.h>

#include "../ukernels.h"

#define MR 4
#define NR 6
#define LANES 16

/* The lanes are added in four levels, each halving every element's partial sums the same way (lane l plus lane l + 8,
 * then l + 4, l + 2, l + 1), while packing the partials of two, then four elements into one register: 48 shuffles
 * and 24 adds for the 24 elements, then one permute and one masked store per row. Each element had its own tree
 * before (three horizontal adds per four elements) and a scalar write-back through the stack: a C loop of these calls
 * over L2-resident rows (64 x 147 tiles, the stem's kernel gradient) ran 78-91% of the FMA peak at depth 1008 with
 * that, 89-97% with this, no clear change at depth 256; nnpack_ab_bench (one thread, CPU time, 11 rounds): the stem,
 * ResNet 1x1 and the 1x1/2 projection's kernel gradients 1.01-1.02x. */

/* Level 1: lanes l and l + 8 of x summed in lanes 0-7, of y in lanes 8-15. */
static inline __m512 sum_halves(__m512 x, __m512 y) {
	return _mm512_add_ps(_mm512_shuffle_f32x4(x, y, _MM_SHUFFLE(1, 0, 1, 0)), _mm512_shuffle_f32x4(x, y, _MM_SHUFFLE(3, 2, 3, 2)));
}

/* Level 2: of two level-1 results (elements x, y and z, w), each element's 4 partials in its own quarter (x, y, z, w). */
static inline __m512 sum_quarters(__m512 s, __m512 t) {
	return _mm512_add_ps(_mm512_shuffle_f32x4(s, t, _MM_SHUFFLE(2, 0, 2, 0)), _mm512_shuffle_f32x4(s, t, _MM_SHUFFLE(3, 1, 3, 1)));
}

/* Levels 3 and 4 inside each quarter: lane 4q + t of the result is the sum of quarter q of u, v, w, x (t = 0..3). */
static inline __m512 sum_lanes(__m512 u, __m512 v, __m512 w, __m512 x) {
	const __m512 uv = _mm512_add_ps(_mm512_shuffle_ps(u, v, _MM_SHUFFLE(1, 0, 1, 0)), _mm512_shuffle_ps(u, v, _MM_SHUFFLE(3, 2, 3, 2)));
	const __m512 wx = _mm512_add_ps(_mm512_shuffle_ps(w, x, _MM_SHUFFLE(1, 0, 1, 0)), _mm512_shuffle_ps(w, x, _MM_SHUFFLE(3, 2, 3, 2)));
	return _mm512_add_ps(_mm512_shuffle_ps(uv, wx, _MM_SHUFFLE(2, 0, 2, 0)), _mm512_shuffle_ps(uv, wx, _MM_SHUFFLE(3, 1, 3, 1)));
}

/* The four rows' sums of one column, quarter i holding row i's partials. */
#define COLUMN_QUARTERS(j) sum_quarters(sum_halves(c0##j, c1##j), sum_halves(c2##j, c3##j))

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

	/* Lane 4i + j: element (i, j) for columns 0-3; lane 4i (4i + 1) of the second: column 4 (5) of row i. */
	const __m512 front = sum_lanes(COLUMN_QUARTERS(0), COLUMN_QUARTERS(1), COLUMN_QUARTERS(2), COLUMN_QUARTERS(3));
	const __m512 q4 = COLUMN_QUARTERS(4), q5 = COLUMN_QUARTERS(5);
	const __m512 back = sum_lanes(q4, q5, q4, q5);
	const __mmask8 columns = (__mmask8) ((1u << n) - 1u);
	for (size_t i = 0; i < m; i++) {
		/* Row i: front's lanes 4i..4i+3, then back's 4i and 4i + 1. */
		const __m512i index = _mm512_add_epi32(_mm512_setr_epi32(0, 1, 2, 3, 16, 17, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), _mm512_set1_epi32((int) (4 * i)));
		__m256 sums = _mm512_castps512_ps256(_mm512_permutex2var_ps(front, index, back));
		float* row = c + i * ldc;
		if (accumulate) sums = _mm256_add_ps(_mm256_maskz_loadu_ps(columns, row), sums);
		_mm256_mask_storeu_ps(row, columns, sums);
	}
}
