/* SGEMM micro-kernel, 6x32 tile, AVX-512: 12 zmm accumulators, two B loads and six broadcasts per k. Partial tiles
 * store through write masks, so the driver never needs a scratch tile. */
#include <immintrin.h>

#include "../ukernels.h"

static inline __mmask16 column_mask(size_t n) { return n >= 16 ? (__mmask16) 0xFFFF : (__mmask16) ((1u << n) - 1u); }

/* bias: NULL, or the row's bias. */
static inline void store_row(float* row, __m512 left, __m512 right, __mmask16 mask_left, __mmask16 mask_right, bool accumulate, const float* bias) {
	if (accumulate) {
		left = _mm512_add_ps(left, _mm512_maskz_loadu_ps(mask_left, row));
		right = _mm512_add_ps(right, _mm512_maskz_loadu_ps(mask_right, row + 16));
	}
	if (bias != NULL) {
		const __m512 value = _mm512_set1_ps(*bias);
		left = _mm512_add_ps(left, value);
		right = _mm512_add_ps(right, value);
	}
	_mm512_mask_storeu_ps(row, mask_left, left);
	_mm512_mask_storeu_ps(row + 16, mask_right, right);
}

/* A tile at most 16 columns wide (the tail of an output plane, e.g. 9 of 169): the left half only, so the FMA units
 * do not spend half their work on zero columns. Six chains do not quite cover the FMA latency, but beat wasting half. */
static void left_half(size_t m, size_t n, size_t kc, const float* a, const float* b, float* c, size_t ldc, bool accumulate, const float* bias) {
	__m512 c0 = _mm512_setzero_ps(), c1 = _mm512_setzero_ps(), c2 = _mm512_setzero_ps();
	__m512 c3 = _mm512_setzero_ps(), c4 = _mm512_setzero_ps(), c5 = _mm512_setzero_ps();
	for (size_t k = 0; k < kc; k++) {
		const __m512 b0 = _mm512_load_ps(b);
		c0 = _mm512_fmadd_ps(_mm512_set1_ps(a[0]), b0, c0);
		c1 = _mm512_fmadd_ps(_mm512_set1_ps(a[1]), b0, c1);
		c2 = _mm512_fmadd_ps(_mm512_set1_ps(a[2]), b0, c2);
		c3 = _mm512_fmadd_ps(_mm512_set1_ps(a[3]), b0, c3);
		c4 = _mm512_fmadd_ps(_mm512_set1_ps(a[4]), b0, c4);
		c5 = _mm512_fmadd_ps(_mm512_set1_ps(a[5]), b0, c5);
		a += 6;
		b += 32;
	}
	const __mmask16 mask = column_mask(n);
	const __m512 rows[6] = { c0, c1, c2, c3, c4, c5 };
	for (size_t i = 0; i < m; i++) store_row(c + i * ldc, rows[i], _mm512_setzero_ps(), mask, 0, accumulate, bias == NULL ? NULL : bias + i);
}

void nnps_sgemm_ukernel_6x32__avx512(size_t m, size_t n, size_t kc, const float* a, const float* b, float* c, size_t ldc, bool accumulate, const float* bias) {
	if (n <= 16) {
		left_half(m, n, kc, a, b, c, ldc, accumulate, bias);
		return;
	}
	/* The tile's rows of C (two lines each), asked for now so that the write-back after the depth loop finds them in
	 * L1: between depth blocks C leaves the cache, and the loads of its write-back waited on L2 or L3 (ab_bench, one
	 * thread, implicit GEMM pinned: ResNet 1x1 forward 1.08x, VGG conv5's kernel gradient 1.29x; VGG conv5's forward,
	 * ResNet 1x1's kernel gradient, AlexNet conv3's and Inception 7x1's both 0.99-1.02x). */
	for (size_t i = 0; i < m; i++) {
		_mm_prefetch((const char*) (c + i * ldc), _MM_HINT_T0);
		_mm_prefetch((const char*) (c + i * ldc + 16), _MM_HINT_T0);
	}
	__m512 c00 = _mm512_setzero_ps(), c01 = _mm512_setzero_ps(), c10 = _mm512_setzero_ps(), c11 = _mm512_setzero_ps();
	__m512 c20 = _mm512_setzero_ps(), c21 = _mm512_setzero_ps(), c30 = _mm512_setzero_ps(), c31 = _mm512_setzero_ps();
	__m512 c40 = _mm512_setzero_ps(), c41 = _mm512_setzero_ps(), c50 = _mm512_setzero_ps(), c51 = _mm512_setzero_ps();
	for (size_t k = 0; k < kc; k++) {
		const __m512 b0 = _mm512_load_ps(b);
		const __m512 b1 = _mm512_load_ps(b + 16);
		__m512 ai = _mm512_set1_ps(a[0]);
		c00 = _mm512_fmadd_ps(ai, b0, c00);
		c01 = _mm512_fmadd_ps(ai, b1, c01);
		ai = _mm512_set1_ps(a[1]);
		c10 = _mm512_fmadd_ps(ai, b0, c10);
		c11 = _mm512_fmadd_ps(ai, b1, c11);
		ai = _mm512_set1_ps(a[2]);
		c20 = _mm512_fmadd_ps(ai, b0, c20);
		c21 = _mm512_fmadd_ps(ai, b1, c21);
		ai = _mm512_set1_ps(a[3]);
		c30 = _mm512_fmadd_ps(ai, b0, c30);
		c31 = _mm512_fmadd_ps(ai, b1, c31);
		ai = _mm512_set1_ps(a[4]);
		c40 = _mm512_fmadd_ps(ai, b0, c40);
		c41 = _mm512_fmadd_ps(ai, b1, c41);
		ai = _mm512_set1_ps(a[5]);
		c50 = _mm512_fmadd_ps(ai, b0, c50);
		c51 = _mm512_fmadd_ps(ai, b1, c51);
		a += 6;
		b += 32;
	}
	if (m == 6 && n == 32) {
		/* Full tile: unmasked, unrolled. */
		store_row(c, c00, c01, 0xFFFF, 0xFFFF, accumulate, bias == NULL ? NULL : bias + 0);
		store_row(c + ldc, c10, c11, 0xFFFF, 0xFFFF, accumulate, bias == NULL ? NULL : bias + 1);
		store_row(c + 2 * ldc, c20, c21, 0xFFFF, 0xFFFF, accumulate, bias == NULL ? NULL : bias + 2);
		store_row(c + 3 * ldc, c30, c31, 0xFFFF, 0xFFFF, accumulate, bias == NULL ? NULL : bias + 3);
		store_row(c + 4 * ldc, c40, c41, 0xFFFF, 0xFFFF, accumulate, bias == NULL ? NULL : bias + 4);
		store_row(c + 5 * ldc, c50, c51, 0xFFFF, 0xFFFF, accumulate, bias == NULL ? NULL : bias + 5);
		return;
	}
	const __mmask16 left = column_mask(n), right = n > 16 ? column_mask(n - 16) : 0;
	const __m512 rows[12] = { c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51 };
	for (size_t i = 0; i < m; i++) store_row(c + i * ldc, rows[2 * i], rows[2 * i + 1], left, right, accumulate, bias == NULL ? NULL : bias + i);
}
