/* SGEMM micro-kernel with A broadcast from image rows in place (contract in ukernels-gather.h), 6x16 tile, AVX2 + FMA:
 * the packed 6x16 kernel's loop, its six broadcasts per depth step taken from six rows of a padded image at a common
 * offset instead of a packed panel. */
#include <immintrin.h>
#include <stdint.h>

#include "../ukernels.h"

/* Eight set lanes then eight clear ones: the 8 lanes starting at (8 - valid) enable the first `valid` floats. */
static const int32_t lane_masks[16] = { -1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0 };

static inline void store_half(float* target, __m256 value, size_t valid, bool accumulate) {
	if (valid == 0) return;
	const __m256i mask = _mm256_loadu_si256((const __m256i*) (lane_masks + 8 - (valid < 8 ? valid : 8)));
	if (accumulate) value = _mm256_add_ps(value, _mm256_maskload_ps(target, mask));
	_mm256_maskstore_ps(target, mask, value);
}

/* `halves`: 1 where n <= 8, so that a narrow last panel computes only its left half. */
static inline __attribute__((always_inline)) void multiply(size_t rows, size_t halves, size_t m, size_t n, size_t pixel_rows, size_t columns,
	const float* const* a, size_t row_step, size_t column_step, const float* b, float* c, size_t ldc, bool accumulate)
{
	const float* a_rows[6];
#pragma GCC unroll 6
	for (size_t i = 0; i < rows; i++) a_rows[i] = a[i < m ? i : m - 1];
	__m256 acc[6][2];
#pragma GCC unroll 6
	for (size_t i = 0; i < rows; i++) acc[i][0] = acc[i][1] = _mm256_setzero_ps();
	for (size_t r = 0; r < pixel_rows; r++) {
		const size_t end = r * row_step + columns * column_step;
		for (size_t offset = r * row_step; offset < end; offset += column_step) {
			const __m256 b0 = _mm256_load_ps(b), b1 = halves == 2 ? _mm256_load_ps(b + 8) : b0;
#pragma GCC unroll 6
			for (size_t i = 0; i < rows; i++) {
				const __m256 ai = _mm256_broadcast_ss(a_rows[i] + offset);
				acc[i][0] = _mm256_fmadd_ps(ai, b0, acc[i][0]);
				if (halves == 2) acc[i][1] = _mm256_fmadd_ps(ai, b1, acc[i][1]);
			}
			b += 16;
		}
	}
#pragma GCC unroll 6
	for (size_t i = 0; i < rows; i++) {
		if (i >= m) break;
		store_half(c + i * ldc, acc[i][0], n, accumulate);
		if (halves == 2) store_half(c + i * ldc + 8, acc[i][1], n - 8, accumulate);
	}
}

void nnps_sgemm_gather_ukernel_6x16__avx2(size_t m, size_t n, size_t pixel_rows, size_t columns, const float* const* a, size_t row_step, size_t column_step,
	const float* b, float* c, size_t ldc, bool accumulate)
{
	NNPS_UKERNEL_BY_ROWS(multiply, 8, m, n, m, n, pixel_rows, columns, a, row_step, column_step, b, c, ldc, accumulate);
}
