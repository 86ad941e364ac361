/*
 * NNPackSharp's native library: the NNPACK C interface, written from the interface facts (names, values, struct
 * layouts, argument order), so that code built against upstream NNPACK's header links against this library and
 * code built against this header links against upstream. This header is upstream's ABI and nothing else: our
 * extensions (nnpsharp_*) are declared in nnpacksharp.h.
 *
 * Beyond upstream, behind the same functions:
 *  - initialises on any x86-64 (AVX-512, AVX2+FMA or baseline SSE2) and where the CPU hides its cache sizes;
 *  - accepts implicit_gemm and direct in the training functions too, not only in inference.
 * The environment variable NNPACKSHARP_ISA (avx512, avx2, scalar) caps the ISA level chosen by nnp_initialize.
 */
#ifndef NNPACK_H
#define NNPACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#define NNP_API __declspec(dllexport)
#else
#define NNP_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Thread pool: the pthreadpool library's interface, implemented by this library with its own threads. */
typedef struct pthreadpool* pthreadpool_t;

/* Creates a pool of `threads_count` threads (0: one per logical processor); NULL on failure. */
NNP_API pthreadpool_t pthreadpool_create(size_t threads_count);
/* Threads in the pool, counting the caller; 1 for a NULL pool. */
NNP_API size_t pthreadpool_get_threads_count(pthreadpool_t threadpool);
NNP_API void pthreadpool_destroy(pthreadpool_t threadpool);

enum nnp_status {
	nnp_status_success = 0,
	nnp_status_invalid_batch_size = 2,
	nnp_status_invalid_channels = 3,
	nnp_status_invalid_input_channels = 4,
	nnp_status_invalid_output_channels = 5,
	nnp_status_invalid_input_size = 10,
	nnp_status_invalid_input_stride = 11,
	nnp_status_invalid_input_padding = 12,
	nnp_status_invalid_kernel_size = 13,
	nnp_status_invalid_pooling_size = 14,
	nnp_status_invalid_pooling_stride = 15,
	nnp_status_invalid_algorithm = 16,
	nnp_status_invalid_transform_strategy = 17,
	nnp_status_invalid_output_subsampling = 13,
	nnp_status_invalid_activation = 14,
	nnp_status_invalid_activation_parameters = 15,
	nnp_status_unsupported_input_size = 20,
	nnp_status_unsupported_input_stride = 21,
	nnp_status_unsupported_input_padding = 22,
	nnp_status_unsupported_kernel_size = 23,
	nnp_status_unsupported_pooling_size = 24,
	nnp_status_unsupported_pooling_stride = 25,
	nnp_status_unsupported_algorithm = 26,
	nnp_status_unsupported_transform_strategy = 27,
	nnp_status_unsupported_activation = 28,
	nnp_status_unsupported_activation_parameters = 29,
	nnp_status_uninitialized = 50,
	nnp_status_unsupported_hardware = 51,
	nnp_status_out_of_memory = 52,
	nnp_status_insufficient_buffer = 53,
	nnp_status_misaligned_buffer = 54,
};

enum nnp_activation {
	nnp_activation_identity = 0,
	nnp_activation_relu = 1,
};

enum nnp_convolution_algorithm {
	nnp_convolution_algorithm_auto = 0,
	nnp_convolution_algorithm_ft8x8 = 1,
	nnp_convolution_algorithm_ft16x16 = 2,
	nnp_convolution_algorithm_wt8x8 = 3,
	nnp_convolution_algorithm_implicit_gemm = 4,
	nnp_convolution_algorithm_direct = 5,
	nnp_convolution_algorithm_wt8x8_fp16 = 6,
};

enum nnp_convolution_transform_strategy {
	nnp_convolution_transform_strategy_compute = 1,
	nnp_convolution_transform_strategy_precompute = 2,
	nnp_convolution_transform_strategy_reuse = 3,
};

/* Sizes: width first. */
struct nnp_size {
	size_t width;
	size_t height;
};

/* Padding, clockwise from the top. */
struct nnp_padding {
	size_t top;
	size_t right;
	size_t bottom;
	size_t left;
};

/* Seconds spent in each phase of a call. */
struct nnp_profile {
	double total;
	double input_transform;
	double kernel_transform;
	double output_transform;
	double block_multiplication;
};

NNP_API enum nnp_status nnp_initialize(void);
NNP_API enum nnp_status nnp_deinitialize(void);

/*
 * Layouts: input [batch][input_channels][height][width], kernel [output_channels][input_channels][kh][kw],
 * output [batch][output_channels][oh][ow] with oh = top + height + bottom - kh + 1 (training) or
 * (top + height + bottom - kh) / subsampling.height + 1 (inference); bias [output_channels], read unconditionally.
 * Workspace: buffer NULL and size non-NULL -> the needed bytes are written to *workspace_size and nothing is
 * computed; both NULL -> the call allocates for itself; a buffer smaller than the need -> insufficient_buffer;
 * a buffer not 64-byte aligned -> misaligned_buffer.
 */
NNP_API enum nnp_status nnp_convolution_output(
	enum nnp_convolution_algorithm algorithm,
	size_t batch_size, size_t input_channels, size_t output_channels,
	struct nnp_size input_size, struct nnp_padding input_padding, struct nnp_size kernel_size,
	const float* input, const float* kernel, const float* bias, float* output,
	void* workspace_buffer, size_t* workspace_size,
	enum nnp_activation activation, const void* activation_parameters,
	pthreadpool_t threadpool, struct nnp_profile* profile);

NNP_API enum nnp_status nnp_convolution_input_gradient(
	enum nnp_convolution_algorithm algorithm,
	size_t batch_size, size_t input_channels, size_t output_channels,
	struct nnp_size input_size, struct nnp_padding input_padding, struct nnp_size kernel_size,
	const float* grad_output, const float* kernel, float* grad_input,
	void* workspace_buffer, size_t* workspace_size,
	enum nnp_activation activation, const void* activation_parameters,
	pthreadpool_t threadpool, struct nnp_profile* profile);

NNP_API enum nnp_status nnp_convolution_kernel_gradient(
	enum nnp_convolution_algorithm algorithm,
	size_t batch_size, size_t input_channels, size_t output_channels,
	struct nnp_size input_size, struct nnp_padding input_padding, struct nnp_size kernel_size,
	const float* input, const float* grad_output, float* grad_kernel,
	void* workspace_buffer, size_t* workspace_size,
	enum nnp_activation activation, const void* activation_parameters,
	pthreadpool_t threadpool, struct nnp_profile* profile);

NNP_API enum nnp_status nnp_convolution_inference(
	enum nnp_convolution_algorithm algorithm,
	enum nnp_convolution_transform_strategy transform_strategy,
	size_t input_channels, size_t output_channels,
	struct nnp_size input_size, struct nnp_padding input_padding, struct nnp_size kernel_size,
	struct nnp_size output_subsampling,
	const float* input, const float* kernel, const float* bias, float* output,
	void* workspace_buffer, size_t* workspace_size,
	enum nnp_activation activation, const void* activation_parameters,
	pthreadpool_t threadpool, struct nnp_profile* profile);

/* Fully connected layer: output[batch][output_channels] = input[batch][input_channels] * kernel[output_channels][input_channels]^T. */
NNP_API enum nnp_status nnp_fully_connected_output(
	size_t batch_size, size_t input_channels, size_t output_channels,
	const float* input, const float* kernel, float* output,
	pthreadpool_t threadpool, struct nnp_profile* profile);

/* Fully connected layer for one input vector: output[output_channels] = kernel * input. */
NNP_API enum nnp_status nnp_fully_connected_inference(
	size_t input_channels, size_t output_channels,
	const float* input, const float* kernel, float* output,
	pthreadpool_t threadpool);

/* As nnp_fully_connected_inference with an FP16 kernel in the ARM alternative format (no infinities or NaNs:
 * exponent 31 encodes normal numbers up to 131008). */
NNP_API enum nnp_status nnp_fully_connected_inference_f16f32(
	size_t input_channels, size_t output_channels,
	const float* input, const void* kernel, float* output,
	pthreadpool_t threadpool);

/*
 * Max pooling: output[batch][channels][oh][ow] with oh = ceil((top + height + bottom - pooling.height) / stride.height) + 1
 * (likewise ow). Padding is ignored by the filter (it only shapes the output); a window that covers no input gives
 * -infinity. Beyond upstream (2x2 filters, stride 2 only), any filter size and stride is accepted.
 */
NNP_API enum nnp_status nnp_max_pooling_output(
	size_t batch_size, size_t channels,
	struct nnp_size input_size, struct nnp_padding input_padding,
	struct nnp_size pooling_size, struct nnp_size pooling_stride,
	const float* input, float* output,
	pthreadpool_t threadpool);

/* Softmax over the channels of each row: output[batch][channels]; output may equal input. */
NNP_API enum nnp_status nnp_softmax_output(
	size_t batch_size, size_t channels,
	const float* input, float* output,
	pthreadpool_t threadpool);

/* (Leaky) ReLU: output = input > 0 ? input : input * negative_slope; output may equal input. */
NNP_API enum nnp_status nnp_relu_output(
	size_t batch_size, size_t channels,
	const float* input, float* output, float negative_slope,
	pthreadpool_t threadpool);

/* Its gradient: grad_input = input > 0 ? grad_output : grad_output * negative_slope. */
NNP_API enum nnp_status nnp_relu_input_gradient(
	size_t batch_size, size_t channels,
	const float* grad_output, const float* input, float* grad_input, float negative_slope,
	pthreadpool_t threadpool);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* NNPACK_H */
