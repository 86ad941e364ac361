/* Internal declarations shared by the operators, the GEMM driver and the per-ISA micro-kernels. */
#ifndef NNPS_COMMON_H
#define NNPS_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nnpacksharp.h"

#define NNPS_INTERNAL __attribute__((visibility("hidden")))
#define NNPS_ALIGNMENT 64

/* Micro-kernel: C[mr, nr] (+)= A[mr, kc] * B[kc, nr] from packed panels (A: mr values per k; B: nr values per k). */
typedef void (*nnps_sgemm_ukernel_fn)(size_t kc, const float* a, const float* b, float* c, size_t ldc, bool accumulate);

struct nnps_sgemm_kernel {
	nnps_sgemm_ukernel_fn ukernel;
	uint32_t mr;
	uint32_t nr;
	const char* name;
};

/* What nnp_initialize found: the chosen ISA level, its GEMM micro-kernel and the cache sizes blocking is sized by. */
struct nnps_hardware {
	bool initialized;
	const char* isa;
	struct nnps_sgemm_kernel sgemm;
	size_t l1_bytes;
	size_t l2_bytes;
	size_t l3_bytes;
};

NNPS_INTERNAL extern struct nnps_hardware nnps_hardware;

/* Micro-kernels, one per ISA folder. Names: what they compute, tile, ISA. */
NNPS_INTERNAL void nnps_sgemm_ukernel_6x32__avx512(size_t kc, const float* a, const float* b, float* c, size_t ldc, bool accumulate);
NNPS_INTERNAL void nnps_sgemm_ukernel_6x16__avx2(size_t kc, const float* a, const float* b, float* c, size_t ldc, bool accumulate);
NNPS_INTERNAL void nnps_sgemm_ukernel_4x8__scalar(size_t kc, const float* a, const float* b, float* c, size_t ldc, bool accumulate);

/* One convolution, padding and stride resolved: output size oh x ow. */
struct nnps_conv {
	size_t batch, input_channels, output_channels;
	size_t input_height, input_width;
	size_t kernel_height, kernel_width;
	size_t pad_top, pad_left;
	size_t stride_height, stride_width;
	size_t output_height, output_width;
};

static inline size_t nnps_patch_length(const struct nnps_conv* g) { return g->input_channels * g->kernel_height * g->kernel_width; }
static inline size_t nnps_output_plane(const struct nnps_conv* g) { return g->output_height * g->output_width; }
static inline size_t nnps_input_image(const struct nnps_conv* g) { return g->input_channels * g->input_height * g->input_width; }
static inline bool nnps_is_pointwise(const struct nnps_conv* g) {
	return g->kernel_height == 1 && g->kernel_width == 1 && g->stride_height == 1 && g->stride_width == 1 && g->pad_top == 0 && g->pad_left == 0 &&
		g->output_height == g->input_height && g->output_width == g->input_width;
}

/* Thread pool (threadpool.c): runs task(context, thread_index, i) for i in [0, range) on every thread of the pool. */
typedef void (*nnps_task_fn)(void* context, size_t thread_index, size_t index);
NNPS_INTERNAL void nnps_parallelize(pthreadpool_t pool, nnps_task_fn task, void* context, size_t range);

/* The B operand of a GEMM: a strided matrix, or the im2col matrix of one image (as is or transposed), read while packing. */
enum nnps_b_kind { nnps_b_strided, nnps_b_im2col, nnps_b_im2col_transposed };
struct nnps_b_source {
	enum nnps_b_kind kind;
	const float* data;  /* the matrix, or the image [C][H][W] */
	size_t row_stride, column_stride;
	const struct nnps_conv* conv;
};

/* Buffers one thread's GEMM packs into. */
struct nnps_gemm_buffers {
	float* packed_a;
	float* packed_b;
	float* edge;
};

/* Floats one thread's nnps_gemm_buffers need for GEMMs at most max_columns wide; a multiple of 16 (64 bytes). */
NNPS_INTERNAL size_t nnps_gemm_buffer_floats(const struct nnps_sgemm_kernel* kernel, size_t max_columns);
NNPS_INTERNAL void nnps_gemm_buffers_carve(const struct nnps_sgemm_kernel* kernel, size_t max_columns, float* base, struct nnps_gemm_buffers* buffers);

/* C[m,n] (+)= A[m,k] * B[k,n]; A strided (row_stride_a, column_stride_a); single-threaded. */
NNPS_INTERNAL void nnps_sgemm(
	const struct nnps_sgemm_kernel* kernel, size_t m, size_t n, size_t k,
	const float* a, size_t row_stride_a, size_t column_stride_a,
	const struct nnps_b_source* b, size_t b_row0, size_t b_col0,
	float* c, size_t ldc, bool accumulate, const struct nnps_gemm_buffers* buffers);

#endif
