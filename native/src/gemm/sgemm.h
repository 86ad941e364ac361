/* The SGEMM driver: BLIS's loops around the table's micro-kernel, with B read from a strided matrix or straight from
 * an image as its (implicit) im2col matrix, so convolutions never materialise a column buffer. */
#ifndef NNPS_GEMM_SGEMM_H
#define NNPS_GEMM_SGEMM_H

#include "../runtime/hardware.h"
#include "../runtime/threadpool.h"

/* The window geometry an implicit im2col matrix is read with: row r = (channel, ky, kx) of the kernel, column
 * p = (image, oy, ox) of the output; element = images[image][channel][oy * stride_height - pad_top + ky]
 * [ox * stride_width - pad_left + kx], zero outside the image. Columns run through one image's output plane, then the
 * next image's (image_stride floats further on), so small maps can share one GEMM. */
struct nnps_im2col {
	size_t input_height, input_width;
	size_t kernel_height, kernel_width;
	size_t pad_top, pad_left;
	size_t stride_height, stride_width;
	size_t output_width, output_plane;
	size_t image_stride;
	size_t phase_plane; /* 0, or the image is a phase-split copy (nnps_im2col_panel) */
};

/* The B operand of a GEMM: a strided matrix, the im2col matrix of one image [C][H][W] as is or transposed, a matrix
 * already in the micro-kernel's panels (nnps_b_packed: element (r, j) at data[j / nr * row_stride + r * nr + j % nr],
 * row_stride being one panel's floats; its GEMMs start at whole panels, b_col0 a multiple of nr), or a row-major
 * matrix that the GEMM reads once, from memory (nnps_b_streamed: a pointwise layer's image, grad_output in col2im's
 * GEMM; row_stride apart, the driver packs it in L2-sized blocks and prefetches each block's successor). */
enum nnps_b_kind { nnps_b_strided, nnps_b_im2col, nnps_b_im2col_transposed, nnps_b_packed, nnps_b_streamed };
struct nnps_b_source {
	enum nnps_b_kind kind;
	const float* data;
	size_t row_stride, column_stride;   /* nnps_b_strided; nnps_b_streamed (column_stride 1); nnps_b_packed: row_stride only */
	const struct nnps_im2col* im2col;   /* nnps_b_im2col, nnps_b_im2col_transposed */
};

/* The buffers one thread packs into, carved from its share of the workspace. */
struct nnps_gemm_buffers {
	float* packed_a;
	float* packed_b;
};

/* Floats one thread's buffers need for GEMMs of at most max_rows x max_columns with depth max_depth; a multiple of
 * NNPS_FLOATS_PER_LINE, so consecutive threads' buffers stay aligned. */
NNPS_INTERNAL size_t nnps_gemm_buffer_floats(const struct nnps_sgemm_config* config, size_t max_rows, size_t max_columns, size_t max_depth);
NNPS_INTERNAL struct nnps_gemm_buffers nnps_gemm_buffers_carve(const struct nnps_sgemm_config* config, size_t max_rows, size_t max_columns, size_t max_depth, float* base);

/* A packed once and shared by many GEMMs (the weights of a convolution, read by every image and thread): rows of A in
 * panels of mr rows over the whole depth k, k-major inside a panel (mr values per k), zero rows past m. Any row panel
 * and depth block is then one contiguous micro-panel, so the GEMM packs no A at all. */
NNPS_INTERNAL size_t nnps_packed_a_floats(const struct nnps_sgemm_config* config, size_t m, size_t k);
/* Packs row panels [first_panel, first_panel + panels) of strided A (m x k) into `packed` (the whole packed matrix). */
NNPS_INTERNAL void nnps_pack_a_panels(
	const struct nnps_sgemm_config* config, const float* a, size_t row_stride, size_t column_stride, size_t m, size_t k,
	size_t first_panel, size_t panels, float* packed);

/* Packs all of A on the pool, row panels split among the threads: one phase before the GEMMs that share it. */
NNPS_INTERNAL void nnps_pack_a_parallel(
	const struct nnps_sgemm_config* config, const float* a, size_t row_stride, size_t column_stride, size_t m, size_t k,
	float* packed, pthreadpool_t pool);

/* C[m,n] (+)= A[m,k] * B[k,n] on the calling thread. A is strided (row_stride_a, column_stride_a); B is read from
 * rows b_row0.. and columns b_col0.. of `b`; m, n, k >= 1 and within what `buffers` were carved for. */
NNPS_INTERNAL void nnps_sgemm(
	const struct nnps_sgemm_config* config, size_t m, size_t n, size_t k,
	const float* a, size_t row_stride_a, size_t column_stride_a,
	const struct nnps_b_source* b, size_t b_row0, size_t b_col0,
	float* c, size_t ldc, bool accumulate, const struct nnps_gemm_buffers* buffers);

/* The same with A prepacked (nnps_pack_a_panels): packed_a points at the panel of A's first row here, and the packed
 * matrix is packed_depth deep (this GEMM uses its first k columns). buffers need no A space (carve with max_rows 0).
 * row_bias: NULL, or m floats, row_bias[i] added to C's row i as the micro-kernels store the last depth block (a
 * convolution's bias, with no pass over the output afterwards). */
NNPS_INTERNAL void nnps_sgemm_packed_a(
	const struct nnps_sgemm_config* config, size_t m, size_t n, size_t k,
	const float* packed_a, size_t packed_depth,
	const struct nnps_b_source* b, size_t b_row0, size_t b_col0,
	float* c, size_t ldc, bool accumulate, const float* row_bias, const struct nnps_gemm_buffers* buffers);

/* The depth a caller of nnps_sdot takes at a time, at least: a block of A's rows (64 rows x this: 256 KiB) stays in L2
 * while B's rows pass NR at a time from L1, and the dot ukernel adds its lanes once per 64 steps of 16 (the pointwise
 * kernel gradient takes longer blocks where A's rows are few: pointwise-kernel-gradient.c). */
#define NNPS_SDOT_DEPTH 1024

/* C[m,n] (+)= A[m,k] * B[n,k]^T on the table's dot ukernel (config->dot_ukernel, not NULL), the calling thread, no
 * packing: both operands row-major along k (lda, ldb). Depth chunk by chunk, in each tile by tile, the tiles of the
 * operand with fewer rows inside: each element is summed by one ukernel call per chunk, chunks in order, so the result
 * depends on k alone, not on m, n or where the block starts. m, n, k >= 1. */
NNPS_INTERNAL void nnps_sdot(
	const struct nnps_sgemm_config* config, size_t m, size_t n, size_t k, const float* a, size_t lda, const float* b, size_t ldb,
	float* c, size_t ldc, bool accumulate);

#endif
