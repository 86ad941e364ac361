/* SGEMM micro-kernel, 6x32 tile, AVX-512: 12 zmm accumulators, two B loads and six broadcasts per k. Partial tiles
 * store through write masks, so the driver never needs a scratch tile; short and narrow ones compute only the rows and
 * the half (or the ymm quarter) they store. */
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

/* The tile's first `rows` rows (a constant at each call, so the loops unroll and the accumulators stay in registers):
 * the last row tile of 64 or 128 output channels (4 or 2 rows) skips the multiply-adds of rows it never stores, which
 * a 6-row body spent on them (3% of such products). Each kept row's sums are the 6-row body's, so a partial tile stays
 * bit-identical to a full tile's corner. `halves`: 1 for a tile at most 16 columns wide (the tail of an output plane,
 * e.g. 9 of 169), whose right half would be zero columns. */
static inline __attribute__((always_inline)) void multiply(size_t rows, size_t halves, size_t m, size_t n, size_t kc, const float* a, const float* b, size_t ldb,
	float* c, size_t ldc, bool accumulate, const float* bias)
{
	/* The tile's rows of C (two lines each), asked for now so that the write-back after the depth loop finds them in
	 * L1: between depth blocks C leaves the cache, and the loads of its write-back waited on L2 or L3 (ab_bench, one
	 * thread, implicit GEMM pinned: ResNet 1x1 forward 1.08x, VGG conv5's kernel gradient 1.29x; VGG conv5's forward,
	 * ResNet 1x1's kernel gradient, AlexNet conv3's and Inception 7x1's both 0.99-1.02x). The row's last float too:
	 * where C starts off a line (a .NET array's elements start 16 bytes past one) a row spans three lines, and the
	 * third's miss held up the stores (nnpack_ab_bench, one thread, NNPS_AB_B_OFFSET=16 against aligned operands: the
	 * ResNet stem's forward 0.90-0.95x without it, 1.00x with it; through .NET 1.08x). */
	for (size_t i = 0; i < m; i++) {
		_mm_prefetch((const char*) (c + i * ldc), _MM_HINT_T0);
		if (halves == 2) _mm_prefetch((const char*) (c + i * ldc + 16), _MM_HINT_T0);
		_mm_prefetch((const char*) (c + i * ldc + n - 1), _MM_HINT_T0);
	}
	__m512 acc[6][2];
#pragma GCC unroll 6
	for (size_t i = 0; i < rows; i++) {
#pragma GCC unroll 2
		for (size_t h = 0; h < halves; h++) acc[i][h] = _mm512_setzero_ps();
	}
	for (size_t k = 0; k < kc; k++) {
		const __m512 b0 = _mm512_loadu_ps(b);
		const __m512 b1 = halves == 2 ? _mm512_loadu_ps(b + 16) : b0;
#pragma GCC unroll 6
		for (size_t i = 0; i < rows; i++) {
			const __m512 ai = _mm512_set1_ps(a[i]);
			acc[i][0] = _mm512_fmadd_ps(ai, b0, acc[i][0]);
			if (halves == 2) acc[i][1] = _mm512_fmadd_ps(ai, b1, acc[i][1]);
		}
		a += 6;
		b += ldb;
	}
	if (rows == 6 && m == 6 && n == 32) {
		/* Full tile: unmasked. */
#pragma GCC unroll 6
		for (size_t i = 0; i < 6; i++) store_row(c + i * ldc, acc[i][0], acc[i][1], 0xFFFF, 0xFFFF, accumulate, bias == NULL ? NULL : bias + i);
		return;
	}
	const __mmask16 left = column_mask(n), right = halves == 2 && n > 16 ? column_mask(n - 16) : 0;
#pragma GCC unroll 6
	for (size_t i = 0; i < rows; i++) {
		if (i >= m) break;
		store_row(c + i * ldc, acc[i][0], halves == 2 ? acc[i][1] : _mm512_setzero_ps(), left, right, accumulate, bias == NULL ? NULL : bias + i);
	}
}

/* A tile at most 8 columns wide (the tail of a 17 x 17 plane: 1 of 289) in ymm: at half the zmm's cost per FMA where
 * 512-bit FMAs issue at half rate (Zen 4), where the left half computed 16 columns for it. The same sums as the
 * 16-column body's first 8 lanes. */
static inline __attribute__((always_inline)) void multiply_quarter(size_t rows, size_t m, size_t n, size_t kc, const float* a, const float* b, size_t ldb,
	float* c, size_t ldc, bool accumulate, const float* bias)
{
	for (size_t i = 0; i < m; i++) {
		_mm_prefetch((const char*) (c + i * ldc), _MM_HINT_T0);
		_mm_prefetch((const char*) (c + i * ldc + n - 1), _MM_HINT_T0);
	}
	__m256 acc[6];
#pragma GCC unroll 6
	for (size_t i = 0; i < rows; i++) acc[i] = _mm256_setzero_ps();
	for (size_t k = 0; k < kc; k++) {
		const __m256 b0 = _mm256_loadu_ps(b);
#pragma GCC unroll 6
		for (size_t i = 0; i < rows; i++) acc[i] = _mm256_fmadd_ps(_mm256_set1_ps(a[i]), b0, acc[i]);
		a += 6;
		b += ldb;
	}
	const __mmask8 mask = (__mmask8) ((1u << n) - 1u);
#pragma GCC unroll 6
	for (size_t i = 0; i < rows; i++) {
		if (i >= m) break;
		float* row = c + i * ldc;
		__m256 value = acc[i];
		if (accumulate) value = _mm256_add_ps(value, _mm256_maskz_loadu_ps(mask, row));
		if (bias != NULL) value = _mm256_add_ps(value, _mm256_set1_ps(bias[i]));
		_mm256_mask_storeu_ps(row, mask, value);
	}
}

void nnps_sgemm_ukernel_6x32__avx512(size_t m, size_t n, size_t kc, const float* a, const float* b, size_t ldb, float* c, size_t ldc, bool accumulate, const float* bias) {
	if (n <= 8) {
		NNPS_UKERNEL_ROWS(multiply_quarter, m, m, n, kc, a, b, ldb, c, ldc, accumulate, bias);
		return;
	}
	NNPS_UKERNEL_BY_ROWS(multiply, 16, m, n, m, n, kc, a, b, ldb, c, ldc, accumulate, bias);
}
