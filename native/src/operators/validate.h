/* Every operator's argument checks, in upstream NNPACK's order (the first failure wins), then ours: sizes whose
 * products or padded extents would overflow are refused before anything is read or written. */
#ifndef NNPS_OPERATORS_VALIDATE_H
#define NNPS_OPERATORS_VALIDATE_H

#include "../convolution/convolution.h"

/* upstream_padding_rule: upstream's functions refuse a padding side as large as the kernel; our extensions do not. */
NNPS_INTERNAL enum nnp_status nnps_validate_convolution(
	enum nnps_function function, size_t batch_size, size_t input_channels, size_t output_channels,
	struct nnp_size input_size, struct nnp_padding padding, struct nnp_size kernel_size, struct nnp_size subsampling,
	enum nnp_activation activation, const void* activation_parameters, bool upstream_padding_rule);

NNPS_INTERNAL enum nnp_status nnps_validate_fully_connected(size_t batch_size, size_t input_channels, size_t output_channels);

/* upstream_padding_rule: a padding side as large as the window is nnp_status_invalid_input_padding (upstream's rule;
 * nnpsharp_max_pooling_output takes any padding, a window wholly in it giving -infinity). */
NNPS_INTERNAL enum nnp_status nnps_validate_max_pooling(
	size_t batch_size, size_t channels, struct nnp_size input_size, struct nnp_padding padding, struct nnp_size pooling_size, struct nnp_size pooling_stride,
	bool upstream_padding_rule);

/* Softmax (negative_slope NULL) and ReLU and its gradient (a finite, non-negative slope). */
NNPS_INTERNAL enum nnp_status nnps_validate_rows(size_t batch_size, size_t channels, const float* negative_slope);

/* The largest padded extent on an axis: coordinates (output position * stride + tap - padding) stay within ptrdiff_t. */
#define NNPS_MAX_EXTENT ((size_t) PTRDIFF_MAX / 4)

/* Output extent of a window sliding over padded_extent with the given size and stride (floor; padded_extent >= size). */
static inline size_t nnps_windows(size_t padded_extent, size_t size, size_t stride) { return (padded_extent - size) / stride + 1; }

#endif
