/* SGEMM micro-kernel with A broadcast from image rows in place (contract in ukernels-gather.h), 6x32 tile, AVX-512:
 * the packed 6x32 kernel's loop, its six broadcasts per depth step taken from six rows of a padded image at a common
 * offset instead of a packed panel. */
#include <immintrin.h>

#include "../ukernels.h"

static inline __mmask16 column_mask(size_t n) { return n >= 16 ? (__mmask16) 0xFFFF : (__mmask16) ((1u << n) - 1u); }

/* `halves`: 1 where n <= 16, so that a narrow last panel (16 or 33 output channels) computes only its left half. */
static inline __attribute__((always_inline)) void multiply(size_t rows, size_t halves, size_t m, size_t n, size_t pixel_rows, size_t columns, const float* const* a,
	size_t row_step, size_t column_step, const float* b, float* c, size_t ldc, bool accumulate)
{
	const float* a_rows[6];
#pragma GCC unroll 6
	for (size_t i = 0; i < rows; i++) a_rows[i] = a[i < m ? i : m - 1];
	__m512 acc[6][2];
#pragma GCC unroll 6
	for (size_t i = 0; i < rows; i++) acc[i][0] = acc[i][1] = _mm512_setzero_ps();
	for (size_t r = 0; r < pixel_rows; r++) {
		const size_t end = r * row_step + columns * column_step;
		for (size_t offset = r * row_step; offset < end; offset += column_step) {
			const __m512 b0 = _mm512_load_ps(b), b1 = halves == 2 ? _mm512_load_ps(b + 16) : b0;
#pragma GCC unroll 6
			for (size_t i = 0; i < rows; i++) {
				const __m512 ai = _mm512_set1_ps(a_rows[i][offset]);
				acc[i][0] = _mm512_fmadd_ps(ai, b0, acc[i][0]);
				if (halves == 2) acc[i][1] = _mm512_fmadd_ps(ai, b1, acc[i][1]);
			}
			b += 32;
		}
	}
	const __mmask16 left = column_mask(n), right = n > 16 ? column_mask(n - 16) : 0;
#pragma GCC unroll 6
	for (size_t i = 0; i < rows; i++) {
		if (i >= m) break;
		float* row = c + i * ldc;
		__m512 l = acc[i][0], h = halves == 2 ? acc[i][1] : _mm512_setzero_ps();
		if (accumulate) {
			l = _mm512_add_ps(l, _mm512_maskz_loadu_ps(left, row));
			h = _mm512_add_ps(h, _mm512_maskz_loadu_ps(right, row + 16));
		}
		_mm512_mask_storeu_ps(row, left, l);
		_mm512_mask_storeu_ps(row + 16, right, h);
	}
}

void nnps_sgemm_gather_ukernel_6x32__avx512(size_t m, size_t n, size_t pixel_rows, size_t columns, const float* const* a, size_t row_step, size_t column_step,
	const float* b, float* c, size_t ldc, bool accumulate)
{
	NNPS_UKERNEL_BY_ROWS(multiply, 16, m, n, m, n, pixel_rows, columns, a, row_step, column_step, b, c, ldc, accumulate);
}
