/* One convolution call as its entry point received it, and the skeleton that runs it (convolution.c). */
#ifndef NNPS_OPERATORS_CONVOLUTION_REQUEST_H
#define NNPS_OPERATORS_CONVOLUTION_REQUEST_H

#include "nnpack.h"
#include "../convolution/convolution.h"

/* One call, as its entry point received it. Only the operands of `function` are set. */
struct request {
	enum nnps_function function;
	enum nnp_convolution_algorithm algorithm;
	enum nnp_convolution_transform_strategy transform_strategy; /* inference */
	size_t batch_size, input_channels, output_channels;
	struct nnp_size input_size, kernel_size, subsampling;
	struct nnp_padding padding;
	const float* input;        /* output, inference, kernel gradient */
	const float* kernel;       /* output, inference, input gradient */
	const float* bias;         /* output, inference; NULL for none */
	const float* grad_output;  /* input and kernel gradients */
	float* output;             /* output, inference */
	float* grad_input;         /* input gradient */
	float* grad_kernel;        /* kernel gradient */
	void* workspace_buffer;
	size_t* workspace_size;
	enum nnp_activation activation;
	const void* activation_parameters;
	pthreadpool_t threadpool;
	struct nnp_profile* profile;
	bool upstream_padding_rule; /* upstream's functions; our extensions take any padding */
};

/* validate -> choose the algorithm -> size the workspace -> run on the pool -> profile. */
NNPS_INTERNAL enum nnp_status nnps_convolution_run(const struct request* r);

#endif
