/* The gather SGEMM micro-kernel's contract (part of ukernels.h, which includes it). */
#ifndef NNPS_UKERNELS_GATHER_H
#define NNPS_UKERNELS_GATHER_H

#include <stdbool.h>
#include <stddef.h>

#include "runtime/util.h"

/*
 * SGEMM micro-kernel with A read in place from image rows, for a kernel gradient computed tap by tap
 * (convolution/kernel-gradient-gather.c), tiles of up to 6 rows x NR columns (the table's nr: 32 for AVX-512, 16 for AVX2):
 *
 *     C[i][j] = (accumulate ? C[i][j] : 0) + sum over q of a[i][r * row_step + x * column_step] * b[q * NR + j]
 *
 * for i < m, j < n, over the depth q = r * columns + x, r < pixel_rows, x < columns, in increasing q.
 * - a: m row pointers (an image's rows seen through one kernel tap each: rows of a padded input, any stride); rows
 *   i >= m are not read.
 * - b: a packed B micro-panel (kernel-gradient terms: NR output channels per depth step), aligned to 64 bytes;
 *   columns j >= n are read but never stored.
 * - c: row i at c + i * ldc, no alignment; only the m x n corner is read (accumulate) and written.
 */
typedef void (*nnps_sgemm_gather_ukernel_fn)(size_t m, size_t n, size_t pixel_rows, size_t columns, const float* const* a, size_t row_step,
	size_t column_step, const float* b, float* c, size_t ldc, bool accumulate);

NNPS_INTERNAL void nnps_sgemm_gather_ukernel_6x32__avx512(size_t m, size_t n, size_t pixel_rows, size_t columns, const float* const* a, size_t row_step,
	size_t column_step, const float* b, float* c, size_t ldc, bool accumulate);
NNPS_INTERNAL void nnps_sgemm_gather_ukernel_6x16__avx2(size_t m, size_t n, size_t pixel_rows, size_t columns, const float* const* a, size_t row_step,
	size_t column_step, const float* b, float* c, size_t ldc, bool accumulate);

#endif
