/* SGEMM micro-kernel, 6x16 tile, AVX2+FMA: 12 ymm accumulators plus two B registers and a broadcast fit 16 registers. */
#include <immintrin.h>

#include "../common.h"

void nnps_sgemm_ukernel_6x16__avx2(size_t kc, const float* a, const float* b, float* c, size_t ldc, bool accumulate) {
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
	__m256 rows[12] = { c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51 };
	for (size_t i = 0; i < 6; i++) {
		float* row = c + i * ldc;
		__m256 left = rows[2 * i], right = rows[2 * i + 1];
		if (accumulate) {
			left = _mm256_add_ps(left, _mm256_loadu_ps(row));
			right = _mm256_add_ps(right, _mm256_loadu_ps(row + 8));
		}
		_mm256_storeu_ps(row, left);
		_mm256_storeu_ps(row + 8, right);
	}
}
