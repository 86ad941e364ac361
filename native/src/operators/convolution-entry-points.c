/* The convolution entry points: upstream's four and our three strided extensions, each stating its operands by name. */
#include "nnpacksharp.h"
#include "convolution-request.h"

static const struct nnp_size unit_stride = { 1, 1 };

#define NNPS_CONVOLUTION_REQUEST(fn, stride, upstream) \
	.function = (fn), .algorithm = algorithm, .batch_size = batch_size, .input_channels = input_channels, .output_channels = output_channels, \
	.input_size = input_size, .kernel_size = kernel_size, .subsampling = (stride), .padding = input_padding, \
	.workspace_buffer = workspace_buffer, .workspace_size = workspace_size, .activation = activation, .activation_parameters = activation_parameters, \
	.threadpool = threadpool, .profile = profile, .upstream_padding_rule = (upstream)

enum nnp_status nnp_convolution_output(
	enum nnp_convolution_algorithm algorithm, size_t batch_size, size_t input_channels, size_t output_channels,
	struct nnp_size input_size, struct nnp_padding input_padding, struct nnp_size kernel_size,
	const float* input, const float* kernel, const float* bias, float* output,
	void* workspace_buffer, size_t* workspace_size, enum nnp_activation activation, const void* activation_parameters,
	pthreadpool_t threadpool, struct nnp_profile* profile)
{
	const struct request r = { NNPS_CONVOLUTION_REQUEST(nnps_function_output, unit_stride, true), .input = input, .kernel = kernel, .bias = bias, .output = output };
	return nnps_convolution_run(&r);
}

enum nnp_status nnpsharp_convolution_output_strided(
	enum nnp_convolution_algorithm algorithm, size_t batch_size, size_t input_channels, size_t output_channels,
	struct nnp_size input_size, struct nnp_padding input_padding, struct nnp_size kernel_size, struct nnp_size output_subsampling,
	const float* input, const float* kernel, const float* bias, float* output,
	void* workspace_buffer, size_t* workspace_size, enum nnp_activation activation, const void* activation_parameters,
	pthreadpool_t threadpool, struct nnp_profile* profile)
{
	const struct request r = { NNPS_CONVOLUTION_REQUEST(nnps_function_output, output_subsampling, false), .input = input, .kernel = kernel, .bias = bias, .output = output };
	return nnps_convolution_run(&r);
}

enum nnp_status nnp_convolution_input_gradient(
	enum nnp_convolution_algorithm algorithm, size_t batch_size, size_t input_channels, size_t output_channels,
	struct nnp_size input_size, struct nnp_padding input_padding, struct nnp_size kernel_size,
	const float* grad_output, const float* kernel, float* grad_input,
	void* workspace_buffer, size_t* workspace_size, enum nnp_activation activation, const void* activation_parameters,
	pthreadpool_t threadpool, struct nnp_profile* profile)
{
	const struct request r = { NNPS_CONVOLUTION_REQUEST(nnps_function_input_gradient, unit_stride, true), .grad_output = grad_output, .kernel = kernel, .grad_input = grad_input };
	return nnps_convolution_run(&r);
}

enum nnp_status nnpsharp_convolution_input_gradient_strided(
	enum nnp_convolution_algorithm algorithm, size_t batch_size, size_t input_channels, size_t output_channels,
	struct nnp_size input_size, struct nnp_padding input_padding, struct nnp_size kernel_size, struct nnp_size output_subsampling,
	const float* grad_output, const float* kernel, float* grad_input,
	void* workspace_buffer, size_t* workspace_size, enum nnp_activation activation, const void* activation_parameters,
	pthreadpool_t threadpool, struct nnp_profile* profile)
{
	const struct request r = {
		NNPS_CONVOLUTION_REQUEST(nnps_function_input_gradient, output_subsampling, false), .grad_output = grad_output, .kernel = kernel, .grad_input = grad_input,
	};
	return nnps_convolution_run(&r);
}

enum nnp_status nnp_convolution_kernel_gradient(
	enum nnp_convolution_algorithm algorithm, size_t batch_size, size_t input_channels, size_t output_channels,
	struct nnp_size input_size, struct nnp_padding input_padding, struct nnp_size kernel_size,
	const float* input, const float* grad_output, float* grad_kernel,
	void* workspace_buffer, size_t* workspace_size, enum nnp_activation activation, const void* activation_parameters,
	pthreadpool_t threadpool, struct nnp_profile* profile)
{
	const struct request r = { NNPS_CONVOLUTION_REQUEST(nnps_function_kernel_gradient, unit_stride, true), .input = input, .grad_output = grad_output, .grad_kernel = grad_kernel };
	return nnps_convolution_run(&r);
}

enum nnp_status nnpsharp_convolution_kernel_gradient_strided(
	enum nnp_convolution_algorithm algorithm, size_t batch_size, size_t input_channels, size_t output_channels,
	struct nnp_size input_size, struct nnp_padding input_padding, struct nnp_size kernel_size, struct nnp_size output_subsampling,
	const float* input, const float* grad_output, float* grad_kernel,
	void* workspace_buffer, size_t* workspace_size, enum nnp_activation activation, const void* activation_parameters,
	pthreadpool_t threadpool, struct nnp_profile* profile)
{
	const struct request r = {
		NNPS_CONVOLUTION_REQUEST(nnps_function_kernel_gradient, output_subsampling, false), .input = input, .grad_output = grad_output, .grad_kernel = grad_kernel,
	};
	return nnps_convolution_run(&r);
}

enum nnp_status nnp_convolution_inference(
	enum nnp_convolution_algorithm algorithm, enum nnp_convolution_transform_strategy transform_strategy,
	size_t input_channels, size_t output_channels,
	struct nnp_size input_size, struct nnp_padding input_padding, struct nnp_size kernel_size, struct nnp_size output_subsampling,
	const float* input, const float* kernel, const float* bias, float* output,
	void* workspace_buffer, size_t* workspace_size, enum nnp_activation activation, const void* activation_parameters,
	pthreadpool_t threadpool, struct nnp_profile* profile)
{
	const size_t batch_size = 1;
	const struct request r = {
		NNPS_CONVOLUTION_REQUEST(nnps_function_inference, output_subsampling, true), .transform_strategy = transform_strategy,
		.input = input, .kernel = kernel, .bias = bias, .output = output,
	};
	return nnps_convolution_run(&r);
}
