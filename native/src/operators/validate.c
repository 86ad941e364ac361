/* Argument checks of every operator: upstream's order first, then the size checks that keep index arithmetic in range. */
#include <math.h>

#include "validate.h"

static bool fits_bytes(size_t a, size_t b, size_t c, size_t d) {
	size_t floats, bytes;
	return nnps_product4(a, b, c, d, &floats) && !__builtin_mul_overflow(floats, sizeof(float), &bytes) && bytes <= (size_t) PTRDIFF_MAX;
}

/* *padded = before + extent + after, false when it overflows or passes NNPS_MAX_EXTENT. */
static bool padded_extent(size_t before, size_t extent, size_t after, size_t* padded) {
	return !__builtin_add_overflow(before, extent, padded) && !__builtin_add_overflow(*padded, after, padded) && *padded <= NNPS_MAX_EXTENT;
}

static enum nnp_status validate_activation(enum nnp_activation activation, const void* activation_parameters) {
	switch (activation) {
		case nnp_activation_identity:
			return activation_parameters != NULL ? nnp_status_invalid_activation_parameters : nnp_status_success;
		case nnp_activation_relu:
			if (activation_parameters != NULL) {
				const float slope = *(const float*) activation_parameters;
				if (!isfinite(slope) || slope < 0.0f) return nnp_status_invalid_activation_parameters;
			}
			return nnp_status_success;
		default:
			return nnp_status_invalid_activation;
	}
}

enum nnp_status nnps_validate_convolution(
	enum nnps_function function, size_t batch_size, size_t input_channels, size_t output_channels,
	struct nnp_size input_size, struct nnp_padding padding, struct nnp_size kernel_size, struct nnp_size subsampling,
	enum nnp_activation activation, const void* activation_parameters, bool upstream_padding_rule)
{
	if (!nnps_hardware.initialized) return nnp_status_uninitialized;
	if (batch_size == 0) return nnp_status_invalid_batch_size;
	if (input_channels == 0) return nnp_status_invalid_input_channels;
	if (output_channels == 0) return nnp_status_invalid_output_channels;
	if (input_size.height == 0 || input_size.width == 0) return nnp_status_invalid_input_size;
	/* (An empty kernel fails here too under upstream's rule, as it does upstream.) */
	if (upstream_padding_rule && (padding.top >= kernel_size.height || padding.bottom >= kernel_size.height ||
		padding.left >= kernel_size.width || padding.right >= kernel_size.width)) {
		return nnp_status_invalid_input_padding;
	}
	if (kernel_size.height == 0 || kernel_size.width == 0) return nnp_status_invalid_kernel_size;
	if (subsampling.height == 0 || subsampling.width == 0) return nnp_status_invalid_output_subsampling;
	const enum nnp_status activation_status = validate_activation(activation, activation_parameters);
	if (activation_status != nnp_status_success) return activation_status;
	const bool forward = function == nnps_function_output || function == nnps_function_inference;
	if (forward && activation_parameters != NULL) return nnp_status_unsupported_activation_parameters;
	if (!forward && activation != nnp_activation_identity) return nnp_status_unsupported_activation;

	/* Beyond upstream: the padded input must hold the kernel (else there is no output at all) and fit a signed index,
	 * and every tensor's size in bytes must fit too. */
	size_t padded_height, padded_width;
	if (!padded_extent(padding.top, input_size.height, padding.bottom, &padded_height) || !padded_extent(padding.left, input_size.width, padding.right, &padded_width) ||
		padded_height < kernel_size.height || padded_width < kernel_size.width) {
		return nnp_status_invalid_input_size;
	}
	const size_t output_height = nnps_windows(padded_height, kernel_size.height, subsampling.height);
	const size_t output_width = nnps_windows(padded_width, kernel_size.width, subsampling.width);
	if (!fits_bytes(batch_size, input_channels, input_size.height, input_size.width) || !fits_bytes(batch_size, output_channels, output_height, output_width)) {
		return nnp_status_invalid_input_size;
	}
	if (!fits_bytes(output_channels, input_channels, kernel_size.height, kernel_size.width)) return nnp_status_invalid_kernel_size;
	return nnp_status_success;
}

enum nnp_status nnps_validate_fully_connected(size_t batch_size, size_t input_channels, size_t output_channels) {
	if (!nnps_hardware.initialized) return nnp_status_uninitialized;
	if (batch_size == 0) return nnp_status_invalid_batch_size;
	if (input_channels == 0) return nnp_status_invalid_input_channels;
	if (output_channels == 0) return nnp_status_invalid_output_channels;
	if (!fits_bytes(batch_size, input_channels, 1, 1)) return nnp_status_invalid_input_channels;
	if (!fits_bytes(output_channels, input_channels, 1, 1) || !fits_bytes(batch_size, output_channels, 1, 1)) return nnp_status_invalid_output_channels;
	return nnp_status_success;
}

enum nnp_status nnps_validate_max_pooling(
	size_t batch_size, size_t channels, struct nnp_size input_size, struct nnp_padding padding, struct nnp_size pooling_size, struct nnp_size pooling_stride,
	bool upstream_padding_rule)
{
	if (!nnps_hardware.initialized) return nnp_status_uninitialized;
	if (batch_size == 0) return nnp_status_invalid_batch_size;
	if (channels == 0) return nnp_status_invalid_channels;
	if (input_size.height == 0 || input_size.width == 0) return nnp_status_invalid_input_size;
	if (pooling_size.height == 0 || pooling_size.width == 0) return nnp_status_invalid_pooling_size;
	if (pooling_stride.height == 0 || pooling_stride.width == 0) return nnp_status_invalid_pooling_stride;
	/* A padding side as large as the window could leave a window wholly in padding. */
	if (upstream_padding_rule &&
		(padding.top >= pooling_size.height || padding.bottom >= pooling_size.height || padding.left >= pooling_size.width || padding.right >= pooling_size.width)) {
		return nnp_status_invalid_input_padding;
	}
	size_t padded_height, padded_width;
	if (!padded_extent(padding.top, input_size.height, padding.bottom, &padded_height) || !padded_extent(padding.left, input_size.width, padding.right, &padded_width) ||
		!fits_bytes(batch_size, channels, input_size.height, input_size.width) || !fits_bytes(batch_size, channels, padded_height, padded_width)) {
		return nnp_status_invalid_input_size;
	}
	return nnp_status_success;
}

enum nnp_status nnps_validate_rows(size_t batch_size, size_t channels, const float* negative_slope) {
	if (!nnps_hardware.initialized) return nnp_status_uninitialized;
	if (batch_size == 0) return nnp_status_invalid_batch_size;
	if (channels == 0) return nnp_status_invalid_channels;
	if (!fits_bytes(batch_size, channels, 1, 1)) return nnp_status_invalid_channels;
	if (negative_slope != NULL && (!isfinite(*negative_slope) || *negative_slope < 0.0f)) return nnp_status_invalid_activation_parameters;
	return nnp_status_success;
}
