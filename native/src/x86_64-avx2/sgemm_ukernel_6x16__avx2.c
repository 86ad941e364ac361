/* SGEMM micro-kernel, 6x16 tile, AVX2 + FMA: 12 ymm accumulators plus two B registers and a broadcast fit the 16
 * registers. Partial tiles load and store through lane masks (vmaskmov), so the driver never needs a scratch tile; short
 * and narrow ones compute only the rows and the half they store. */
#include <immintrin.h>
#include <stdint.h>

#include "../ukernels.h"

/* Eight set lanes then eight clear ones: the 8 lanes starting at (8 - valid) enable the first `valid` floats. */
static const int32_t lane_masks[16] = { -1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0 };

/* bias: NULL, or the row's bias. */
static inline void store_half(float* target, __m256 value, size_t valid, bool accumulate, const float* bias) {
	if (valid >= 8) {
		if (accumulate) value = _mm256_add_ps(value, _mm256_loadu_ps(target));
		if (bias != NULL) value = _mm256_add_ps(value, _mm256_set1_ps(*bias));
		_mm256_storeu_ps(target, value);
	} else if (valid > 0) {
		const __m256i mask = _mm256_loadu_si256((const __m256i*) (lane_masks + 8 - valid));
		if (accumulate) value = _mm256_add_ps(value, _mm256_maskload_ps(target, mask));
		if (bias != NULL) value = _mm256_add_ps(value, _mm256_set1_ps(*bias));
		_mm256_maskstore_ps(target, mask, value);
	}
}

/* The tile's first `rows` rows (a constant at each call, so the loops unroll and the accumulators stay in registers):
 * the last row tile of 64 or 128 output channels (4 or 2 rows) skips the multiply-adds of rows it never stores (3% of
 * such products). Each kept row's sums are the 6-row body's, so a partial tile stays bit-identical to a full tile's
 * corner. `halves`: 1 for a tile at most 8 columns wide, whose right half would be zero columns. */
static inline __attribute__((always_inline)) void multiply(size_t rows, size_t halves, size_t m, size_t n, size_t kc, const float* a, const float* b, size_t ldb,
	float* c, size_t ldc, bool accumulate, const float* bias)
{
	/* The tile's rows of C, asked for now so that the write-back after the depth loop finds them in L1 rather than
	 * waiting on L2 or L3, where they went between depth blocks, and the row's last float for a C that starts off a
	 * line (as in the AVX-512 kernel). */
	for (size_t i = 0; i < m; i++) {
		_mm_prefetch((const char*) (c + i * ldc), _MM_HINT_T0);
		if (halves == 2) _mm_prefetch((const char*) (c + i * ldc + 8), _MM_HINT_T0);
		_mm_prefetch((const char*) (c + i * ldc + n - 1), _MM_HINT_T0);
	}
	__m256 acc[6][2];
#pragma GCC unroll 6
	for (size_t i = 0; i < rows; i++) {
#pragma GCC unroll 2
		for (size_t h = 0; h < halves; h++) acc[i][h] = _mm256_setzero_ps();
	}
	for (size_t k = 0; k < kc; k++) {
		const __m256 b0 = _mm256_loadu_ps(b);
		const __m256 b1 = halves == 2 ? _mm256_loadu_ps(b + 8) : b0;
#pragma GCC unroll 6
		for (size_t i = 0; i < rows; i++) {
			const __m256 ai = _mm256_broadcast_ss(a + i);
			acc[i][0] = _mm256_fmadd_ps(ai, b0, acc[i][0]);
			if (halves == 2) acc[i][1] = _mm256_fmadd_ps(ai, b1, acc[i][1]);
		}
		a += 6;
		b += ldb;
	}
	const size_t right = n > 8 ? n - 8 : 0;
#pragma GCC unroll 6
	for (size_t i = 0; i < rows; i++) {
		if (i >= m) break;
		store_half(c + i * ldc, acc[i][0], n, accumulate, bias == NULL ? NULL : bias + i);
		if (halves == 2) store_half(c + i * ldc + 8, acc[i][1], right, accumulate, bias == NULL ? NULL : bias + i);
	}
}

void nnps_sgemm_ukernel_6x16__avx2(size_t m, size_t n, size_t kc, const float* a, const float* b, size_t ldb, float* c, size_t ldc, bool accumulate, const float* bias) {
	NNPS_UKERNEL_BY_ROWS(multiply, 8, m, n, m, n, kc, a, b, ldb, c, ldc, accumulate, bias);
}
