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
 *     C[i][j] = ((accumulate ? C[i][j] : 0) + sum over p < kc of A[i][p] * B[p][j]) (+ bias[i])      for i < m, j < n
 *
 * - a: a packed A micro-panel, kc groups of MR floats (a[p * MR + i] = A[i][p]); no alignment required. Rows i >= m
 *   are read and multiplied but never stored, so they may hold anything.
 * - b: a B micro-panel, kc rows of NR floats ldb apart (b[p * ldb + j] = B[p][j]): a packed panel (ldb = NR), or a
 *   full-width panel read in place from a row-major matrix (ldb its row stride); no alignment required. Columns
 *   j >= n are read but never stored.
 * - c: row i starts at c + i * ldc; no alignment required. Only the m x n corner is read (with accumulate) and
 *   written: partial tiles (1 <= m <= MR, 1 <= n <= NR, any ldc >= n) need no scratch tile.
 * - bias: NULL, or one float per row of the tile (bias[i] for i < m; rows past m not read), added last (after C's old
 *   value when accumulating): a convolution's bias, given with its product's last depth block, so that no pass over
 *   the output adds it afterwards; the same sum, in the same order, as adding it to the finished C.
 * - kc may be 0: then C's corner becomes 0 (or the bias), or stays as it is with accumulate (plus the bias).
 * - The sum over p runs in increasing p, the same way for every tile, so a kernel's results do not depend on m, n,
 *   ldc or where c lies: a partial tile is bit-identical to the same corner of a full one.
 */
typedef void (*nnps_sgemm_ukernel_fn)(size_t m, size_t n, size_t kc, const float* a, const float* b, size_t ldb, float* c, size_t ldc, bool accumulate, const float* bias);

NNPS_INTERNAL void nnps_sgemm_ukernel_6x32__avx512(size_t m, size_t n, size_t kc, const float* a, const float* b, size_t ldb, float* c, size_t ldc, bool accumulate, const float* bias);
NNPS_INTERNAL void nnps_sgemm_ukernel_6x16__avx2(size_t m, size_t n, size_t kc, const float* a, const float* b, size_t ldb, float* c, size_t ldc, bool accumulate, const float* bias);
NNPS_INTERNAL void nnps_sgemm_ukernel_8x12__neon(size_t m, size_t n, size_t kc, const float* a, const float* b, size_t ldb, float* c, size_t ldc, bool accumulate, const float* bias);
NNPS_INTERNAL void nnps_sgemm_ukernel_4x8__scalar(size_t m, size_t n, size_t kc, const float* a, const float* b, size_t ldb, float* c, size_t ldc, bool accumulate, const float* bias);

#include "ukernels-gather.h"

/* For 6-row kernels whose body is specialised by rows (AVX-512, AVX2): body(rows, ...) with rows the fewest of 2, 4
 * and 6 that cover m, each call with a constant so its loops unroll and the accumulators of rows never stored are not
 * computed. */
#define NNPS_UKERNEL_ROWS(body, m, ...) \
	do { \
		if ((m) <= 2) body(2, __VA_ARGS__); else if ((m) <= 4) body(4, __VA_ARGS__); else body(6, __VA_ARGS__); \
	} while (0)

/* The same by rows and halves: body(rows, halves, ...) with one half where n fits in half_width columns. */
#define NNPS_UKERNEL_BY_ROWS(body, half_width, m, n, ...) \
	do { \
		if ((n) <= (half_width)) NNPS_UKERNEL_ROWS(body, m, 1, __VA_ARGS__); else NNPS_UKERNEL_ROWS(body, m, 2, __VA_ARGS__); \
	} while (0)

/*
 * Implicit im2col packing of one B micro-panel (the convolution's B operand read straight from the image): rows
 * row0 .. row0 + depth of the im2col matrix, row r = (channel c, tap ky, kx) with r = (c * kernel_height + ky) *
 * kernel_width + kx, written to panel[(r - row0) * nr + j] for the nr columns j of the panel. The columns come as
 * runs along one output row each: column first + t of a run reads image[c][y + ky][x + kx + t * stride_width], zero
 * where that lies outside [0, height) x [0, width); columns from `valid` to nr are zero. Runs longer than one column
 * have stride_width <= the padded width, so x + kx + t * stride_width stays far inside ptrdiff_t (validation bounds
 * padded extents by PTRDIFF_MAX / 4). `panel` is aligned to NNPS_ALIGNMENT bytes; only its depth x nr floats are
 * written and only the image's own elements are read. An ISA's packer serves its own table's nr.
 */
struct nnps_im2col_run {
	size_t first, length;  /* columns [first, first + length) of the panel */
	const float* image;    /* channel 0 of the run's image */
	ptrdiff_t y, x;        /* the window origin of its first column, padding subtracted */
};
struct nnps_im2col_panel {
	const struct nnps_im2col_run* runs;
	size_t count, valid, nr;
	ptrdiff_t height, width;
	size_t kernel_height, kernel_width, stride_width;
	/* 0, or the image is a phase-split copy of a stride-2 convolution's input (convolution/phase-split.c): each
	 * channel two planes of phase_plane floats, the even and the odd columns of the padded input, and tap (c, ky, kx)
	 * reads plane 2c + (kx & 1) at column x + (kx >> 1) + t * stride_width (stride_width is then 1). */
	size_t phase_plane;
};

/* Where tap (channel, kx) starts reading in an image of `plane`-float channels, or in its phase split (phase_plane
 * nonzero, see above): its plane's offset from channel 0, and its column shift. */
static inline size_t nnps_tap_plane(size_t plane, size_t phase_plane, size_t channel, size_t kx, size_t* column) {
	if (phase_plane == 0) {
		*column = kx;
		return channel * plane;
	}
	*column = kx >> 1;
	return (2 * channel + (kx & 1)) * phase_plane;
}

/* nnps_tap_plane for a panel's image. */
static inline size_t nnps_im2col_tap_plane(const struct nnps_im2col_panel* panel, size_t channel, size_t kx, size_t* column) {
	return nnps_tap_plane((size_t) (panel->height * panel->width), panel->phase_plane, channel, kx, column);
}
typedef void (*nnps_im2col_pack_fn)(const struct nnps_im2col_panel* panel, size_t row0, size_t depth, float* packed);

/*
 * The transposed layout (the kernel gradient's B): rows are pixels, columns kernel taps. The panel's rows 0 .. depth
 * come as runs along one output row each (`first` and `length` count rows; column origin x, row origin y, image as
 * above), its columns are the taps tap0 .. tap0 + valid: panel[k * nr + j] = image[c][y + ky][x + kx + t *
 * stride_width] for row k = first + t of a run and tap tap0 + j = (c, ky, kx), zero outside the image and for
 * columns valid .. nr. The same bounds as above hold; `runs` cover rows [0, depth) in order.
 */
typedef void (*nnps_im2col_transposed_pack_fn)(const struct nnps_im2col_panel* panel, size_t tap0, size_t depth, float* packed);

NNPS_INTERNAL void nnps_im2col_transposed_pack__avx512(const struct nnps_im2col_panel* panel, size_t tap0, size_t depth, float* packed);
NNPS_INTERNAL void nnps_im2col_transposed_pack__avx2(const struct nnps_im2col_panel* panel, size_t tap0, size_t depth, float* packed);
NNPS_INTERNAL void nnps_im2col_transposed_pack__scalar(const struct nnps_im2col_panel* panel, size_t tap0, size_t depth, float* packed);

/* B micro-panel from a transposed matrix (a fully connected layer's kernel, the transformed inputs of a kernel
 * gradient), or with nr = the table's mr an A micro-panel from a row-major matrix (A's rows are then the `valid`
 * columns): packed[k * nr + j] = source[j * stride + k] for j < valid, k < depth, zeros in columns [valid, nr).
 * `packed` is aligned to 64 bytes for B panels (nr = the table's nr); A panels may start anywhere. Nothing outside
 * source's `valid` columns of `depth` floats is read. */
typedef void (*nnps_transpose_pack_fn)(const float* source, size_t stride, size_t valid, size_t nr, size_t depth, float* packed);
/* B micro-panel from a row-major matrix (a pointwise convolution's image, Winograd's and the FFT's transformed
 * inputs): packed[k * nr + j] = source[k * stride + j] for j < valid, k < depth, zeros in columns [valid, nr). */
typedef void (*nnps_rows_pack_fn)(const float* source, size_t stride, size_t valid, size_t nr, size_t depth, float* packed);
NNPS_INTERNAL void nnps_rows_pack__avx512(const float* source, size_t stride, size_t valid, size_t nr, size_t depth, float* packed);
NNPS_INTERNAL void nnps_rows_pack__avx2(const float* source, size_t stride, size_t valid, size_t nr, size_t depth, float* packed);
NNPS_INTERNAL void nnps_rows_pack__scalar(const float* source, size_t stride, size_t valid, size_t nr, size_t depth, float* packed);

/*
 * Dot-product micro-kernel with an MR x NR tile (the table's dot_mr x dot_nr): the product of two row-major operands
 * that share their contiguous dimension (an "NT" GEMM), read where they lie, with no packing:
 *
 *     C[i][j] = (accumulate ? C[i][j] : 0) + sum over p < k of A[i][p] * B[j][p]      for i < m, j < n
 *
 * - 1 <= m <= MR and 1 <= n <= NR; k may be 0 (C's corner becomes 0, or stays as it is with accumulate).
 * - a: row i starts at a + i * lda; b: row j at b + j * ldb; no alignment required. Only rows i < m of A and j < n of
 *   B are read, and of each only its first k floats.
 * - c: row i starts at c + i * ldc; only the m x n corner is read (with accumulate) and written.
 * - The sum over p runs in vector lanes (lane l takes p = l, l + W, l + 2W, ... in increasing order), then the lanes
 *   are added in a fixed tree, the same way for every element and tile: results do not depend on m, n, the strides or
 *   where the operands lie.
 */
typedef void (*nnps_sdot_ukernel_fn)(size_t m, size_t n, size_t k, const float* a, size_t lda, const float* b, size_t ldb, float* c, size_t ldc, bool accumulate);
NNPS_INTERNAL void nnps_sdot_ukernel_4x6__avx512(size_t m, size_t n, size_t k, const float* a, size_t lda, const float* b, size_t ldb, float* c, size_t ldc, bool accumulate);
NNPS_INTERNAL void nnps_transpose_pack__avx512(const float* source, size_t stride, size_t valid, size_t nr, size_t depth, float* packed);
NNPS_INTERNAL void nnps_transpose_pack__avx2(const float* source, size_t stride, size_t valid, size_t nr, size_t depth, float* packed);
NNPS_INTERNAL void nnps_transpose_pack__scalar(const float* source, size_t stride, size_t valid, size_t nr, size_t depth, float* packed);

NNPS_INTERNAL void nnps_im2col_pack__avx512(const struct nnps_im2col_panel* panel, size_t row0, size_t depth, float* packed);
NNPS_INTERNAL void nnps_im2col_pack__avx2(const struct nnps_im2col_panel* panel, size_t row0, size_t depth, float* packed);
NNPS_INTERNAL void nnps_im2col_pack__scalar(const struct nnps_im2col_panel* panel, size_t row0, size_t depth, float* packed);

/*
 * Winograd F(6x6, 3x3) transforms (interpolation points 0, +-1, +-2, +-1/2 and infinity). The 64 transformed values of
 * a tile are indexed by `point` (= row * 8 + column of the 8x8 transform).
 * - kernel: U = G k G^T for NNPS_WINOGRAD_LANES 3x3 kernels side by side: kernels[i * LANES + t] is element i
 *   (row-major) of lane t's kernel; value `point` of lane t written at [point * stride + t] for every lane.
 * - input and output work on a block of NNPS_WINOGRAD_LANES tiles side by side in lanes, described by a
 *   struct nnps_winograd_block: lane t's tile starts at plane[offset[t]] (rows row_stride floats apart; the offset
 *   may point before the plane where the tile overlaps the padding), and bit i of rows[t] / columns[t] says that its
 *   row / column i lies inside the image (input) or the output (output). Nothing outside those rows and columns is
 *   read (input) or written (output); a lane with no rows is unused.
 * - input:  V = B^T d B of each lane's 8x8 tile d (zeros outside the image); value `point` of lane t written at
 *   [point * stride + t] for every lane (unused lanes get 0), so each point's store is one cache line, not a scatter.
 * - output: Y = A^T M A (+ bias, then max(0, .) with relu) of each lane's 6x6 tile, product `point` of lane t read at
 *   [point * stride + t] (every lane is read, so unused lanes need finite values), element (i, j) written at
 *   plane[offset[t] + i * row_stride + j] where row i and column j are inside.
 * Every lane is computed alike, so a tile's result does not depend on its lane or its neighbours.
 */
#define NNPS_WINOGRAD_LANES 16

struct nnps_winograd_block {
	ptrdiff_t offset[NNPS_WINOGRAD_LANES];
	uint8_t rows[NNPS_WINOGRAD_LANES];
	uint8_t columns[NNPS_WINOGRAD_LANES];
};

typedef void (*nnps_winograd_kernel_transform_fn)(const float* kernels, float* transformed, size_t stride);
typedef void (*nnps_winograd_input_transform_fn)(const struct nnps_winograd_block* block, const float* plane, size_t row_stride, float* transformed, size_t stride);
typedef void (*nnps_winograd_output_transform_fn)(
	const float* products, size_t stride, const struct nnps_winograd_block* block, float* plane, size_t row_stride, float bias, bool relu);

NNPS_INTERNAL void nnps_winograd_f6x6k3x3_kernel__scalar(const float* kernels, float* transformed, size_t stride);
NNPS_INTERNAL void nnps_winograd_f6x6k3x3_kernel__avx512(const float* kernels, float* transformed, size_t stride);
NNPS_INTERNAL void nnps_winograd_f6x6k3x3_input__scalar(const struct nnps_winograd_block* block, const float* plane, size_t row_stride, float* transformed, size_t stride);
NNPS_INTERNAL void nnps_winograd_f6x6k3x3_output__scalar(
	const float* products, size_t stride, const struct nnps_winograd_block* block, float* plane, size_t row_stride, float bias, bool relu);
NNPS_INTERNAL void nnps_winograd_f6x6k3x3_input__avx512(const struct nnps_winograd_block* block, const float* plane, size_t row_stride, float* transformed, size_t stride);
NNPS_INTERNAL void nnps_winograd_f6x6k3x3_output__avx512(
	const float* products, size_t stride, const struct nnps_winograd_block* block, float* plane, size_t row_stride, float bias, bool relu);
NNPS_INTERNAL void nnps_winograd_f6x6k3x3_kernel__avx2(const float* kernels, float* transformed, size_t stride);
NNPS_INTERNAL void nnps_winograd_f6x6k3x3_input__avx2(const struct nnps_winograd_block* block, const float* plane, size_t row_stride, float* transformed, size_t stride);
NNPS_INTERNAL void nnps_winograd_f6x6k3x3_output__avx2(
	const float* products, size_t stride, const struct nnps_winograd_block* block, float* plane, size_t row_stride, float bias, bool relu);
NNPS_INTERNAL void nnps_winograd_f6x6k3x3_kernel__neon(const float* kernels, float* transformed, size_t stride);
NNPS_INTERNAL void nnps_winograd_f6x6k3x3_input__neon(const struct nnps_winograd_block* block, const float* plane, size_t row_stride, float* transformed, size_t stride);
NNPS_INTERNAL void nnps_winograd_f6x6k3x3_output__neon(
	const float* products, size_t stride, const struct nnps_winograd_block* block, float* plane, size_t row_stride, float bias, bool relu);

/*
 * Winograd F(4x4, 3x3) transforms (points 0, +-1, +-2 and infinity): the same contract on 6x6 input tiles, 4x4 output
 * tiles and 36 points (= row * 6 + column); bits 0..5 of rows / columns describe an input tile, bits 0..3 an output
 * tile.
 */
NNPS_INTERNAL void nnps_winograd_f4x4k3x3_kernel__scalar(const float* kernels, float* transformed, size_t stride);
NNPS_INTERNAL void nnps_winograd_f4x4k3x3_input__scalar(const struct nnps_winograd_block* block, const float* plane, size_t row_stride, float* transformed, size_t stride);
NNPS_INTERNAL void nnps_winograd_f4x4k3x3_output__scalar(
	const float* products, size_t stride, const struct nnps_winograd_block* block, float* plane, size_t row_stride, float bias, bool relu);
NNPS_INTERNAL void nnps_winograd_f4x4k3x3_kernel__avx512(const float* kernels, float* transformed, size_t stride);
NNPS_INTERNAL void nnps_winograd_f4x4k3x3_input__avx512(const struct nnps_winograd_block* block, const float* plane, size_t row_stride, float* transformed, size_t stride);
NNPS_INTERNAL void nnps_winograd_f4x4k3x3_output__avx512(
	const float* products, size_t stride, const struct nnps_winograd_block* block, float* plane, size_t row_stride, float bias, bool relu);
NNPS_INTERNAL void nnps_winograd_f4x4k3x3_kernel__avx2(const float* kernels, float* transformed, size_t stride);
NNPS_INTERNAL void nnps_winograd_f4x4k3x3_input__avx2(const struct nnps_winograd_block* block, const float* plane, size_t row_stride, float* transformed, size_t stride);
NNPS_INTERNAL void nnps_winograd_f4x4k3x3_output__avx2(
	const float* products, size_t stride, const struct nnps_winograd_block* block, float* plane, size_t row_stride, float bias, bool relu);

/*
 * The kernel gradient by Winograd (either tile size): the roles of F(m x m, 3x3) swap to F(3x3, m x m) on the same
 * (m + 2)^2 tile, dW = G^T [ (A g A^T) .* (B^T d B) ] G for an input tile d and the m x m grad_output tile g at the
 * same place, where B^T, G and A^T are the forward matrices (the trilinear form sum_p A[p][k] G[p][i] B^T[p][j] is
 * the correlation [j == i + k], symmetric in k and i). d's transform is the forward input transform.
 * - grad_output: T = A g A^T of each lane's m x m tile g (zeros outside its masks, bits 0 .. m-1 of rows / columns),
 *   the input transform's contract otherwise (same block, same point layout).
 * - grad_kernel: dW = G^T M G of `count` (<= LANES) lanes, product `point` of lane t read at [point * stride + t]
 *   (every lane is read, so unused lanes need finite values), element i (row-major) of lane t written at
 *   grad_kernels[t * 9 + i] for t < count: 16 consecutive (output, input) channel pairs of a [co][ci][3][3] gradient.
 */
typedef void (*nnps_winograd_kernel_gradient_transform_fn)(const float* products, size_t stride, float* grad_kernels, size_t count);

NNPS_INTERNAL void nnps_winograd_f6x6k3x3_grad_output__scalar(
	const struct nnps_winograd_block* block, const float* plane, size_t row_stride, float* transformed, size_t stride);
NNPS_INTERNAL void nnps_winograd_f6x6k3x3_grad_kernel__scalar(const float* products, size_t stride, float* grad_kernels, size_t count);
NNPS_INTERNAL void nnps_winograd_f4x4k3x3_grad_output__scalar(
	const struct nnps_winograd_block* block, const float* plane, size_t row_stride, float* transformed, size_t stride);
NNPS_INTERNAL void nnps_winograd_f4x4k3x3_grad_kernel__scalar(const float* products, size_t stride, float* grad_kernels, size_t count);
NNPS_INTERNAL void nnps_winograd_f6x6k3x3_grad_output__avx512(
	const struct nnps_winograd_block* block, const float* plane, size_t row_stride, float* transformed, size_t stride);
NNPS_INTERNAL void nnps_winograd_f4x4k3x3_grad_output__avx512(
	const struct nnps_winograd_block* block, const float* plane, size_t row_stride, float* transformed, size_t stride);
NNPS_INTERNAL void nnps_winograd_f6x6k3x3_grad_output__avx2(
	const struct nnps_winograd_block* block, const float* plane, size_t row_stride, float* transformed, size_t stride);
NNPS_INTERNAL void nnps_winograd_f6x6k3x3_grad_kernel__avx2(const float* products, size_t stride, float* grad_kernels, size_t count);
NNPS_INTERNAL void nnps_winograd_f4x4k3x3_grad_output__avx2(
	const struct nnps_winograd_block* block, const float* plane, size_t row_stride, float* transformed, size_t stride);
NNPS_INTERNAL void nnps_winograd_f4x4k3x3_grad_kernel__avx2(const float* products, size_t stride, float* grad_kernels, size_t count);

/*
 * FFT tile transforms, tile side T = 8 or 16 (ft8x8, ft16x16), on blocks of NNPS_FFT_LANES tiles side by side: a real
 * T x T tile's 2-D DFT at its T * (T/2 + 1) non-redundant points, point = u * (T/2 + 1) + v for row frequency u < T
 * and column frequency v <= T/2 (the others are the conjugates of these). Lane t's tile holds data in rows
 * row0[t] .. row0[t] + rows[t] - 1 and columns col0[t] .. col0[t] + columns[t] - 1 (at most T), whose first element
 * is plane[offset[t]], rows row_stride floats apart; a lane with no rows or columns is unused.
 * - forward: the spectrum of each lane's tile (zeros outside its data; unused lanes get zeros), point p of lane t
 *   written at re[p * stride + t] and im[p * stride + t], so each point's store is one contiguous row of lanes.
 * - inverse: the real tile with the spectrum read likewise (every lane is read, so unused lanes need finite values),
 *   divided by T * T; elements (i, j) for i < rows[t], j < columns[t] (row0, col0 are 0) written at
 *   plane[offset[t] + i * row_stride + j] as value + bias, then max(0, .) with relu; nothing else written.
 * Every lane is computed alike, so a tile's result does not depend on its lane or its neighbours.
 */
#define NNPS_FFT_LANES 16

struct nnps_fft_block {
	ptrdiff_t offset[NNPS_FFT_LANES];
	uint8_t row0[NNPS_FFT_LANES], rows[NNPS_FFT_LANES], col0[NNPS_FFT_LANES], columns[NNPS_FFT_LANES];
};

typedef void (*nnps_fft_forward_fn)(const struct nnps_fft_block* block, const float* plane, size_t row_stride, float* re, float* im, size_t stride);
typedef void (*nnps_fft_inverse_fn)(const float* re, const float* im, size_t stride, const struct nnps_fft_block* block, float* plane, size_t row_stride, float bias,
	bool relu);

#define NNPS_FFT_TRANSFORMS(suffix) \
	NNPS_INTERNAL void nnps_fft8x8_forward__##suffix(const struct nnps_fft_block* block, const float* plane, size_t row_stride, float* re, float* im, size_t stride); \
	NNPS_INTERNAL void nnps_fft8x8_inverse__##suffix(const float* re, const float* im, size_t stride, const struct nnps_fft_block* block, float* plane, \
		size_t row_stride, float bias, bool relu); \
	NNPS_INTERNAL void nnps_fft16x16_forward__##suffix(const struct nnps_fft_block* block, const float* plane, size_t row_stride, float* re, float* im, size_t stride); \
	NNPS_INTERNAL void nnps_fft16x16_inverse__##suffix(const float* re, const float* im, size_t stride, const struct nnps_fft_block* block, float* plane, \
		size_t row_stride, float bias, bool relu);
NNPS_FFT_TRANSFORMS(scalar)
NNPS_FFT_TRANSFORMS(avx2)
NNPS_FFT_TRANSFORMS(avx512)
#undef NNPS_FFT_TRANSFORMS

/*
 * The other operators' loops (vector-ops-lanes.h), one set per ISA table, on NNPS_VECTOR_LANES lanes in every build.
 * relu: output[i] = input[i] > 0 ? input[i] : input[i] * slope, with slope 0 max(input[i], +0) keeping NaN (output may
 * be input). relu_gradient: grad_input[i] = input[i] > 0 ? grad_output[i] : grad_output[i] * slope, with slope 0 exactly
 * +0 where input[i] <= 0 (or NaN). softmax_row: output = e^(input - max) / sum (output may be
 * input). max_into: accumulator[i] = row[i] > accumulator[i] ? row[i] : accumulator[i] (max pooling's rows; a NaN
 * never wins). max_columns: out[j] = the greatest of row[j * stride + kx], kx < width, for j < n (the same rule; it
 * reads row[0 .. (n - 1) * stride + width) and, for stride 1 or 2, up to 2 * NNPS_VECTOR_LANES floats more: the caller's
 * row has that slack). dot_rows: y[o] = kernel[o][0..columns) . x for o < rows, the kernel float or half precision:
 * NNPACK's (ARM's alternative format, exponent 31 a normal number) or, with `ieee`, IEEE binary16 (infinity and NaN).
 * fold_pairs, fold_every_other: col2im's stride-2 fold rows (contract in fold-lanes.h).
 */
#define NNPS_VECTOR_LANES 16

typedef void (*nnps_relu_fn)(const float* input, float* output, size_t n, float slope);
typedef void (*nnps_relu_gradient_fn)(const float* grad_output, const float* input, float* grad_input, size_t n, float slope);
typedef void (*nnps_softmax_row_fn)(const float* input, float* output, size_t n);
typedef void (*nnps_max_into_fn)(float* accumulator, const float* row, size_t n);
typedef void (*nnps_max_columns_fn)(const float* row, size_t stride, size_t width, size_t n, float* out);
typedef void (*nnps_dot_rows_fn)(const float* kernel, size_t rows, size_t columns, const float* x, float* y);
typedef void (*nnps_dot_rows_half_fn)(const uint16_t* kernel, size_t rows, size_t columns, const float* x, float* y, bool ieee);
typedef void (*nnps_fold_pairs_fn)(float* line, const float* even, const float* odd, size_t n);
typedef void (*nnps_fold_every_other_fn)(float* line, const float* source, size_t n);

#define NNPS_VECTOR_OPS(suffix) \
	NNPS_INTERNAL void nnps_relu__##suffix(const float* input, float* output, size_t n, float slope); \
	NNPS_INTERNAL void nnps_relu_gradient__##suffix(const float* grad_output, const float* input, float* grad_input, size_t n, float slope); \
	NNPS_INTERNAL void nnps_softmax_row__##suffix(const float* input, float* output, size_t n); \
	NNPS_INTERNAL void nnps_max_into__##suffix(float* accumulator, const float* row, size_t n); \
	NNPS_INTERNAL void nnps_max_columns__##suffix(const float* row, size_t stride, size_t width, size_t n, float* out); \
	NNPS_INTERNAL void nnps_dot_rows__##suffix(const float* kernel, size_t rows, size_t columns, const float* x, float* y); \
	NNPS_INTERNAL void nnps_dot_rows_half__##suffix(const uint16_t* kernel, size_t rows, size_t columns, const float* x, float* y, bool ieee); \
	NNPS_INTERNAL void nnps_fold_pairs__##suffix(float* line, const float* even, const float* odd, size_t n); \
	NNPS_INTERNAL void nnps_fold_every_other__##suffix(float* line, const float* source, size_t n);
NNPS_VECTOR_OPS(scalar)
NNPS_VECTOR_OPS(avx2)
NNPS_VECTOR_OPS(avx512)
#undef NNPS_VECTOR_OPS

#endif
