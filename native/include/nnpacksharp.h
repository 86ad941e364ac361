/*
 * NNPackSharp's extensions to the NNPACK C interface, exported by the same library. nnpack.h stays upstream's ABI;
 * everything here is ours and prefixed nnpsharp_.
 *
 *  - nnpsharp_convolution_*_strided: the training convolutions with a stride (output_subsampling, as in inference),
 *    and with any padding: a padding side may be as large as or larger than the kernel (upstream's functions refuse
 *    that with nnp_status_invalid_input_padding; these compute it, padding being zeros that are never stored);
 *  - nnpsharp_isa: the ISA level nnp_initialize chose.
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

/* The ISA level nnp_initialize chose: "avx512", "avx2", "neon", "scalar"; NULL before initialisation. */
NNP_API const char* nnpsharp_isa(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* NNPACKSHARP_H */
