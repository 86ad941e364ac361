/*
 * NNPackSharp's extensions to the NNPACK C interface, exported by the same library. nnpack.h stays upstream's ABI;
 * everything here is ours and prefixed nnpsharp_.
 *
 *  - nnpsharp_convolution_*_strided: the training convolutions with a stride (output_subsampling, as in inference),
 *    and with any padding: a padding side may be as large as or larger than the kernel (upstream's functions refuse
 *    that with nnp_status_invalid_input_padding; these compute it, padding being zeros that are never stored);
 *  - nnpsharp_max_pooling_output: max pooling with the output size given (Arraymancer's floor count, or any up to
 *    upstream's ceil count) and any padding;
 *  - nnpsharp_fully_connected_inference_ieee_f16f32: nnp_fully_connected_inference_f16f32 with IEEE binary16 weights;
 *  - nnpsharp_isa: the ISA level nnp_initialize chose;
 *  - nnpsharp_convolution_algorithm_wt6x6: Winograd F(4x4, 3x3) on 6x6 tiles, an algorithm value beyond upstream's.
 *
 * nnp_convolution_algorithm_auto goes beyond upstream's fixed rules too: the first call of a shape times the algorithms
 * that can compute it on the call's data and keeps the fastest for the process (the environment variable
 * NNPACKSHARP_AUTO=static, read by nnp_initialize, keeps the static rules); a size query under auto reports the
 * largest workspace among them. See the README.
 */
#ifndef NNPACKSHARP_H
#define NNPACKSHARP_H

#include "nnpack.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The training functions with a stride (output_subsampling, as in inference) and any padding; output size
 * oh = (top + height + bottom - kh) / stride.height + 1, which must be at least 1 (else nnp_status_invalid_input_size).
 * With a stride of 1x1 and padding below the kernel size they equal the unstrided functions.
 */
NNP_API enum nnp_status nnpsharp_convolution_output_strided(
	enum nnp_convolution_algorithm algorithm,
	size_t batch_size, size_t input_channels, size_t output_channels,
	struct nnp_size input_size, struct nnp_padding input_padding, struct nnp_size kernel_size,
	struct nnp_size output_subsampling,
	const float* input, const float* kernel, const float* bias, float* output,
	void* workspace_buffer, size_t* workspace_size,
	enum nnp_activation activation, const void* activation_parameters,
	pthreadpool_t threadpool, struct nnp_profile* profile);

NNP_API enum nnp_status nnpsharp_convolution_input_gradient_strided(
	enum nnp_convolution_algorithm algorithm,
	size_t batch_size, size_t input_channels, size_t output_channels,
	struct nnp_size input_size, struct nnp_padding input_padding, struct nnp_size kernel_size,
	struct nnp_size output_subsampling,
	const float* grad_output, const float* kernel, float* grad_input,
	void* workspace_buffer, size_t* workspace_size,
	enum nnp_activation activation, const void* activation_parameters,
	pthreadpool_t threadpool, struct nnp_profile* profile);

NNP_API enum nnp_status nnpsharp_convolution_kernel_gradient_strided(
	enum nnp_convolution_algorithm algorithm,
	size_t batch_size, size_t input_channels, size_t output_channels,
	struct nnp_size input_size, struct nnp_padding input_padding, struct nnp_size kernel_size,
	struct nnp_size output_subsampling,
	const float* input, const float* grad_output, float* grad_kernel,
	void* workspace_buffer, size_t* workspace_size,
	enum nnp_activation activation, const void* activation_parameters,
	pthreadpool_t threadpool, struct nnp_profile* profile);

/*
 * Winograd F(4x4, 3x3) on 6x6 input tiles (interpolation points 0, +-1, +-2 and infinity), for small maps where
 * wt8x8's 8x8 tiles would mostly cover padding (a 7x7 map: 2.9 multiplications per output against wt8x8's 5.2). Any
 * function or algorithm argument takes it where nnp_convolution_algorithm_wt8x8 is allowed, under the same rules (3x3
 * kernel, stride 1, top and left padding at most 2; the kernel gradient returns nnp_status_unsupported_algorithm).
 * Accuracy: error relative to the largest term's magnitude below 1e-5 (wt8x8's bound is 1e-3). Auto chooses it by
 * cost. A kernel stored by inference's precompute strategy with it is refused (nnp_status_invalid_transform_strategy)
 * by a reuse call that asks for wt8x8, and the other way round. A macro, not an enumerator, so upstream's enum
 * nnp_convolution_algorithm stays as it is; the value lies far past upstream's (0..6).
 */
#define nnpsharp_convolution_algorithm_wt6x6 ((enum nnp_convolution_algorithm) 0x100)

/*
 * Max pooling computing the first output_size.height x output_size.width windows of nnp_max_pooling_output's (window
 * (oy, ox) covers padded rows oy * stride.height + [0, pooling_size.height), likewise columns): output_size at least
 * 1x1 and at most upstream's ceil((top + height + bottom - pool) / stride) + 1 count on each axis, else
 * nnp_status_invalid_input_size, so floor((top + height + bottom - pool) / stride) + 1 gives Arraymancer's maxpool2d.
 * Any padding, unlike upstream: a window wholly in padding gives -infinity, as does one holding only NaN (NaN never
 * wins a window). Output [batch][channels][output_size.height][output_size.width].
 */
NNP_API enum nnp_status nnpsharp_max_pooling_output(
	size_t batch_size, size_t channels, struct nnp_size input_size, struct nnp_padding input_padding,
	struct nnp_size pooling_size, struct nnp_size pooling_stride, struct nnp_size output_size,
	const float* input, float* output, pthreadpool_t threadpool);

/*
 * nnp_fully_connected_inference_f16f32 with the kernel in IEEE binary16 (C's _Float16, .NET's Half): exponent 31 is
 * infinity or NaN, where upstream's reads ARM's alternative half precision (exponent 31 a normal number, up to 131008).
 * The two agree on every other value.
 */
NNP_API enum nnp_status nnpsharp_fully_connected_inference_ieee_f16f32(
	size_t input_channels, size_t output_channels, const float* input, const void* kernel, float* output, pthreadpool_t threadpool);

/* The ISA level nnp_initialize chose: "avx512", "avx2", "neon", "scalar"; NULL before initialisation. */
NNP_API const char* nnpsharp_isa(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* NNPACKSHARP_H */
