/*
 * The contract between the portable layers and the per-ISA folders: the signatures of the GEMM micro-kernels
 * ("ukernels") and of the Winograd tile transforms, what each computes and what it may assume. An ISA folder includes
 * this header and nothing of the layers above it; runtime/hardware.c puts its functions into that ISA's table.
 * Names say what a function computes, its tile and its ISA: sgemm_ukernel_6x32__avx512.
 */
#ifndef NNPS_UKERNELS_H
#define NNPS_UKERNELS_H

#include <stdbool.h>
#include <stddef.h>

#include "runtime/util.h"

/*
 * SGEMM micro-kernel with an MR x NR tile (MR and NR are the kernel's, listed in its hardware table entry):
 *
 *     C[i][j] = (accumulate ? C[i][j] : 0) + sum over p < kc of A[i][p] * B[p][j]      for i < m, j < n
 *
 * - a: a packed A micro-panel, kc groups of MR floats (a[p * MR + i] = A[i][p]); no alignment required. Rows i >= m
 *   are read and multiplied but never stored, so they may hold anything.
 * - b: a packed B micro-panel, kc groups of NR floats (b[p * NR + j] = B[p][j]), aligned to NNPS_ALIGNMENT bytes.
 *   Columns j >= n are read but never stored.
 * - c: row i starts at c + i * ldc; no alignment required. Only the m x n corner is read (with accumulate) and
 *   written: partial tiles (1 <= m <= MR, 1 <= n <= NR, any ldc >= n) need no scratch tile.
 * - kc may be 0: then C's corner becomes 0, or stays as it is with accumulate.
 * - The sum over p runs in increasing p, the same way for every tile, so a kernel's results do not depend on m, n,
 *   ldc or where c lies: a partial tile is bit-identical to the same corner of a full one.
 */
typedef void (*nnps_sgemm_ukernel_fn)(size_t m, size_t n, size_t kc, const float* a, const float* b, float* c, size_t ldc, bool accumulate);

NNPS_INTERNAL void nnps_sgemm_ukernel_6x32__avx512(size_t m, size_t n, size_t kc, const float* a, const float* b, float* c, size_t ldc, bool accumulate);
NNPS_INTERNAL void nnps_sgemm_ukernel_6x16__avx2(size_t m, size_t n, size_t kc, const float* a, const float* b, float* c, size_t ldc, bool accumulate);
NNPS_INTERNAL void nnps_sgemm_ukernel_8x12__neon(size_t m, size_t n, size_t kc, const float* a, const float* b, float* c, size_t ldc, bool accumulate);
NNPS_INTERNAL void nnps_sgemm_ukernel_4x8__scalar(size_t m, size_t n, size_t kc, const float* a, const float* b, float* c, size_t ldc, bool accumulate);

/*
 * Winograd F(6x6, 3x3) transforms (interpolation points 0, +-1, +-2, +-1/2 and infinity). The 64 transformed values of
 * a tile are indexed by `point` (= row * 8 + column of the 8x8 transform).
 * - kernel: U = G k G^T for one 3x3 kernel k (row-major, 9 floats); value `point` written at [point * stride].
 * - input:  V = B^T d B for NNPS_WINOGRAD_LANES tiles at once, side by side in lanes: tiles[(y * 8 + x) * LANES + t]
 *   is element (y, x) of tile t (zeros where a tile leaves the image); value `point` of tile t is written at
 *   [point * stride + t], so each point's store is LANES consecutive floats (one cache line), not a scatter.
 * - output: Y = A^T M A for LANES tiles at once: product `point` of tile t read at [point * stride + t], the 6x6 result
 *   written to tiles[(i * 6 + j) * LANES + t].
 * Every lane is computed alike, so a tile's result does not depend on its lane or its neighbours.
 */
#define NNPS_WINOGRAD_LANES 16

typedef void (*nnps_winograd_kernel_transform_fn)(const float kernel[9], float* transformed, size_t stride);
typedef void (*nnps_winograd_input_transform_fn)(const float* tiles, float* transformed, size_t stride);
typedef void (*nnps_winograd_output_transform_fn)(const float* products, size_t stride, float* tiles);

NNPS_INTERNAL void nnps_winograd_f6x6k3x3_kernel__scalar(const float kernel[9], float* transformed, size_t stride);
NNPS_INTERNAL void nnps_winograd_f6x6k3x3_input__scalar(const float* tiles, float* transformed, size_t stride);
NNPS_INTERNAL void nnps_winograd_f6x6k3x3_output__scalar(const float* products, size_t stride, float* tiles);

#endif
