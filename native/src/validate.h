/* Argument checks in upstream NNPACK's order: the first failure wins. */
#ifndef NNPS_VALIDATE_H
#define NNPS_VALIDATE_H

#include "common.h"

/* The largest padded extent on an axis: coordinates (output position * stride + tap - padding) stay within ptrdiff_t. */
#define NNPS_MAX_EXTENT ((size_t) PTRDIFF_MAX / 4)

enum nnps_function { nnps_function_output, nnps_function_input_gradient, nnps_function_kernel_gradient, nnps_function_inference };

NNPS_INTERNAL enum nnp_status nnps_validate(
	enum nnps_function function, size_t batch_size, size_t input_channels, size_t output_channels,
	struct nnp_size input_size, struct nnp_padding padding, struct nnp_size kernel_size, struct nnp_size subsampling,
	enum nnp_activation activation, const void* activation_parameters, bool upstream_padding_rule);

#endif
