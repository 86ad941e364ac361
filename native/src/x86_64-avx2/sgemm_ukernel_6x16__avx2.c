/* SGEMM micro-kernel, 6x16 tile, AVX2 + FMA: 12 ymm accumulators plus two B registers and a broadcast fit the 16
 * registers. Partial tiles load and store through lane masks (vmaskmov), so the driver never needs a scratch tile. */
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

/* A tile at most 8 columns wide: the left half only, so the FMA units do not spend half their work on zero columns. */
static void left_half(size_t m, size_t n, size_t kc, const float* a, const float* b, float* c, size_t ldc, bool accumulate, const float* bias) {
	__m256 c0 = _mm256_setzero_ps(), c1 = _mm256_setzero_ps(), c2 = _mm256_setzero_ps();
	__m256 c3 = _mm256_setzero_ps(), c4 = _mm256_setzero_ps(), c5 = _mm256_setzero_ps();
	for (size_t k = 0; k < kc; k++) {
		const __m256 b0 = _mm256_load_ps(b);
		c0 = _mm256_fmadd_ps(_mm256_broadcast_ss(a + 0), b0, c0);
		c1 = _mm256_fmadd_ps(_mm256_broadcast_ss(a + 1), b0, c1);
		c2 = _mm256_fmadd_ps(_mm256_broadcast_ss(a + 2), b0, c2);
		c3 = _mm256_fmadd_ps(_mm256_broadcast_ss(a + 3), b0, c3);
		c4 = _mm256_fmadd_ps(_mm256_broadcast_ss(a + 4), b0, c4);
		c5 = _mm256_fmadd_ps(_mm256_broadcast_ss(a + 5), b0, c5);
		a += 6;
		b += 16;
	}
	const __m256 rows[6] = { c0, c1, c2, c3, c4, c5 };
	for (size_t i = 0; i < m; i++) store_half(c + i * ldc, rows[i], n, accumulate, bias == NULL ? NULL : bias + i);
}

void nnps_sgemm_ukernel_6x16__avx2(size_t m, size_t n, size_t kc, const float* a, const float* b, float* c, size_t ldc, bool accumulate, const float* bias) {
	if (n <= 8) {
		left_half(m, n, kc, a, b, c, ldc, accumulate, bias);
		return;
	}
	__m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps(), c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
	__m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps(), c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
	__m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps(), c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
	for (size_t k = 0; k < kc; k++) {
		const __m256 b0 = _mm256_load_ps(b);
		const __m256 b1 = _mm256_load_ps(b + 8);
		__m256 ai = _mm256_broadcast_ss(a + 0);
		c00 = _mm256_fmadd_ps(ai, b0, c00);
		c01 = _mm256_fmadd_ps(ai, b1, c01);
		ai = _mm256_broadcast_ss(a + 1);
		c10 = _mm256_fmadd_ps(ai, b0, c10);
		c11 = _mm256_fmadd_ps(ai, b1, c11);
		ai = _mm256_broadcast_ss(a + 2);
		c20 = _mm256_fmadd_ps(ai, b0, c20);
		c21 = _mm256_fmadd_ps(ai, b1, c21);
		ai = _mm256_broadcast_ss(a + 3);
		c30 = _mm256_fmadd_ps(ai, b0, c30);
		c31 = _mm256_fmadd_ps(ai, b1, c31);
		ai = _mm256_broadcast_ss(a + 4);
		c40 = _mm256_fmadd_ps(ai, b0, c40);
		c41 = _mm256_fmadd_ps(ai, b1, c41);
		ai = _mm256_broadcast_ss(a + 5);
		c50 = _mm256_fmadd_ps(ai, b0, c50);
		c51 = _mm256_fmadd_ps(ai, b1, c51);
		a += 6;
		b += 16;
	}
	const __m256 rows[12] = { c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51 };
	const size_t right = n > 8 ? n - 8 : 0;
	for (size_t i = 0; i < m; i++) {
		store_half(c + i * ldc, rows[2 * i], n, accumulate, bias == NULL ? NULL : bias + i);
		store_half(c + i * ldc + 8, rows[2 * i + 1], right, accumulate, bias == NULL ? NULL : bias + i);
	}
}
