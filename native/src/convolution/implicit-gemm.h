/*
 * Implicit GEMM: the convolution as GEMMs whose B operand is packed straight from the image (no im2col buffer).
 * A pointwise convolution's B is the image itself ("direct"). Each function has a workspace query (floats, false on
 * overflow) and a run that carves that workspace; the runs are deterministic: every output element is owned by one
 * task, which sums in a fixed order.
 */
#ifndef NNPS_CONVOLUTION_IMPLICIT_GEMM_H
#define NNPS_CONVOLUTION_IMPLICIT_GEMM_H

#include "convolution.h"

/* output[n][o] = kernel[o] * im2col(input[n]) (+ bias[o]), then relu if asked: output and inference. The kernel is
 * packed here (the workspace has room for it) or given packed (packed_kernel, from nnps_implicit_gemm_pack_kernel;
 * kernel is then unused, and the workspace was sized with kernel_packed). */
NNPS_INTERNAL bool nnps_implicit_gemm_output_workspace(const struct nnps_conv* g, const struct nnps_sgemm_config* config, size_t threads, bool kernel_packed, size_t* floats);
NNPS_INTERNAL void nnps_implicit_gemm_output(
	const struct nnps_conv* g, const struct nnps_sgemm_config* config, const float* input, const float* kernel, const float* packed_kernel,
	const float* bias, bool relu, float* output, float* workspace, pthreadpool_t pool);

/* The kernel packed as the output GEMM's A: its floats (false on overflow), and the packing into `packed`. */
NNPS_INTERNAL bool nnps_implicit_gemm_kernel_floats(const struct nnps_conv* g, const struct nnps_sgemm_config* config, size_t* floats);
NNPS_INTERNAL void nnps_implicit_gemm_pack_kernel(const struct nnps_conv* g, const struct nnps_sgemm_config* config, const float* kernel, float* packed, pthreadpool_t pool);

/* relu over `rows` rows of n floats, ldc apart: the output paths' last step (the micro-kernels add the bias as they
 * store the product: perf, the ResNet stem's forward, one thread: a pass adding it was 5% of the call;
 * nnpack_ab_bench 1.03-1.04x without it). */
static inline void nnps_relu_rows(float* out, size_t rows, size_t ldc, size_t n) {
	for (size_t o = 0; o < rows; o++) {
		float* row = out + o * ldc;
		for (size_t j = 0; j < n; j++) row[j] = row[j] > 0.0f ? row[j] : 0.0f;
	}
}

/* The output path's case of a kernel one column wide (kh x 1) at stride 1 without side padding (column-kernel.c):
 * kh pointwise products of row-shifted images over the rows each kernel row reaches, its kernel packed as kh
 * matrices (one per kernel row). nnps_implicit_gemm_output and its kernel functions take it where it applies. */
NNPS_INTERNAL bool nnps_column_kernel_applies(const struct nnps_conv* g);
NNPS_INTERNAL bool nnps_column_kernel_floats(const struct nnps_conv* g, const struct nnps_sgemm_config* config, size_t* floats);
NNPS_INTERNAL void nnps_column_kernel_pack(const struct nnps_conv* g, const struct nnps_sgemm_config* config, const float* kernel, float* packed, pthreadpool_t pool);
NNPS_INTERNAL bool nnps_column_kernel_workspace(const struct nnps_conv* g, const struct nnps_sgemm_config* config, size_t threads, bool kernel_packed, size_t* floats);
NNPS_INTERNAL void nnps_column_kernel_output(
	const struct nnps_conv* g, const struct nnps_sgemm_config* config, const float* input, const float* kernel, const float* packed_kernel,
	const float* bias, bool relu, float* output, float* workspace, pthreadpool_t pool);

/* grad_input as a stride-1 convolution of grad_output with the kernel rotated by 180 degrees, channels swapped,
 * padded by k - 1 - p: the output path (shared chunks for small maps included) with no column buffer and no col2im.
 * Applies to stride 1 with top/left padding below the kernel size. */
NNPS_INTERNAL bool nnps_implicit_gemm_input_gradient_applies(const struct nnps_conv* g);
NNPS_INTERNAL bool nnps_implicit_gemm_input_gradient_workspace(const struct nnps_conv* g, const struct nnps_sgemm_config* config, size_t threads, size_t* floats);
NNPS_INTERNAL void nnps_implicit_gemm_input_gradient(
	const struct nnps_conv* g, const struct nnps_sgemm_config* config, const float* grad_output, const float* kernel, float* grad_input,
	float* workspace, pthreadpool_t pool);

/* grad_kernel = sum over images of grad_output[n] * im2col(input[n])^T. */
NNPS_INTERNAL bool nnps_implicit_gemm_kernel_gradient_workspace(const struct nnps_conv* g, const struct nnps_sgemm_config* config, size_t threads, size_t* floats);
NNPS_INTERNAL void nnps_implicit_gemm_kernel_gradient(
	const struct nnps_conv* g, const struct nnps_sgemm_config* config, const float* input, const float* grad_output, float* grad_kernel,
	float* workspace, pthreadpool_t pool);

/* Output rows [oy0, oy0 + rows) of the im2col matrix of one image (stride 1 along the rows, as a phase split makes
 * it) into out[tap][pixel], `rows * output_width` pixels per tap, zeros for padding: per tap and row one copy of a
 * contiguous run of the image. */
NNPS_INTERNAL void nnps_im2col_gather_rows(const struct nnps_im2col* im2col, const float* image, size_t channels, size_t oy0, size_t rows, float* out);

/* A 1x1 convolution's kernel gradient as dot products of rows, on the table's dot ukernel where it has one:
 * grad_kernel[o][c] = sum over images and pixels of grad_output[n][o][p] * input[n][c][p], a pointwise layer's rows
 * read where they lie (no packing, no workspace), a strided or padded one's decimated a block at a time into each
 * thread's workspace (decimation.h); deterministic and independent of the thread count. */
NNPS_INTERNAL bool nnps_pointwise_kernel_gradient_applies(const struct nnps_conv* g, const struct nnps_sgemm_config* config);
NNPS_INTERNAL bool nnps_pointwise_kernel_gradient_workspace(const struct nnps_conv* g, const struct nnps_sgemm_config* config, size_t threads, size_t* floats);
NNPS_INTERNAL void nnps_pointwise_kernel_gradient(
	const struct nnps_conv* g, const struct nnps_sgemm_config* config, const float* input, const float* grad_output, float* grad_kernel,
	float* workspace, pthreadpool_t pool);

#endif
