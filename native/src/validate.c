#include <math.h>

#include "validate.h"

enum nnp_status nnps_validate(
	enum nnps_function function, size_t batch_size, size_t input_channels, size_t output_channels,
	struct nnp_size input_size, struct nnp_padding padding, struct nnp_size kernel_size, struct nnp_size subsampling,
	enum nnp_activation activation, const void* activation_parameters, bool upstream_padding_rule)
{
	if (!nnps_hardware.initialized) return nnp_status_uninitialized;
	if (batch_size == 0) return nnp_status_invalid_batch_size;
	if (input_channels == 0) return nnp_status_invalid_input_channels;
	if (output_channels == 0) return nnp_status_invalid_output_channels;
	if (input_size.height == 0 || input_size.width == 0) return nnp_status_invalid_input_size;
	/* Upstream's functions: a padding side must be smaller than the kernel on its axis (so an empty kernel fails here
	 * too). Our nnpsharp_* extensions take any padding. */
	if (upstream_padding_rule && (padding.top >= kernel_size.height || padding.bottom >= kernel_size.height || padding.left >= kernel_size.width || padding.right >= kernel_size.width)) {
		return nnp_status_invalid_input_padding;
	}
	if (kernel_size.height == 0 || kernel_size.width == 0) return nnp_status_invalid_kernel_size;
	if (subsampling.height == 0 || subsampling.width == 0) return nnp_status_invalid_output_subsampling;
	switch (activation) {
		case nnp_activation_identity:
			if (activation_parameters != NULL) return nnp_status_invalid_activation_parameters;
			break;
		case nnp_activation_relu:
			if (activation_parameters != NULL) {
				const float slope = *(const float*) activation_parameters;
				if (!isfinite(slope) || slope < 0.0f) return nnp_status_invalid_activation_parameters;
			}
			break;
		default:
			return nnp_status_invalid_activation;
	}
	const bool forward = function == nnps_function_output || function == nnps_function_inference;
	if (forward && activation_parameters != NULL) return nnp_status_unsupported_activation_parameters;
	if (!forward && activation != nnp_activation_identity) return nnp_status_unsupported_activation;
	/* Beyond upstream: the padded input must fit a signed index (any padding reaches here through the extensions),
	 * and an input smaller than the kernel even with padding has no output at all. */
	size_t padded_height, padded_width;
	if (__builtin_add_overflow(padding.top, input_size.height, &padded_height) || __builtin_add_overflow(padded_height, padding.bottom, &padded_height) ||
		__builtin_add_overflow(padding.left, input_size.width, &padded_width) || __builtin_add_overflow(padded_width, padding.right, &padded_width) ||
		padded_height > NNPS_MAX_EXTENT || padded_width > NNPS_MAX_EXTENT) {
		return nnp_status_invalid_input_size;
	}
	if (padded_height < kernel_size.height || padded_width < kernel_size.width) return nnp_status_invalid_input_size;
	return nnp_status_success;
}
