/* The algorithm choice. auto: direct (implicit GEMM on the image itself) for pointwise convolutions, Winograd where
 * it pays off, implicit GEMM otherwise. */
#include "algorithm.h"
#include "winograd.h"

/* auto's choice of Winograd: 3x3 stride-1 layers with at least 16 channels each way, at least 64 output tiles of 6x6
 * in the call, and at least half of the tiles' area inside the output map. Measured on Zen 5 with the AVX-512
 * transforms (CPU-time A/B against implicit GEMM, one thread): 13x13 and 14x14 maps at batch 8 (72 tiles, 52% and
 * 60% of the area used) ran 1.10-1.26x faster with Winograd, 7x7 maps (34% used) 0.55-0.67x, 56x56 1.7x. */
static bool winograd_pays_off(enum nnps_function function, const struct nnps_conv* g) {
	const bool gradient = function == nnps_function_input_gradient;
	const size_t height = gradient ? g->input_height : g->output_height, width = gradient ? g->input_width : g->output_width;
	const size_t tiles_per_image = nnps_ceil_div(height, 6) * nnps_ceil_div(width, 6), tiles = g->batch * tiles_per_image;
	const bool half_used = 2 * height * width >= 36 * tiles_per_image;
	return nnps_winograd_applies(function, g) && g->input_channels >= 16 && g->output_channels >= 16 && tiles >= 64 && half_used;
}

enum nnp_status nnps_choose_algorithm(
	enum nnp_convolution_algorithm requested, enum nnps_function function, const struct nnps_conv* g, enum nnps_algorithm* chosen)
{
	switch (requested) {
		case nnp_convolution_algorithm_auto:
			*chosen = winograd_pays_off(function, g) ? nnps_algorithm_winograd_f6x6k3x3 : nnps_algorithm_implicit_gemm;
			return nnp_status_success;
		case nnp_convolution_algorithm_implicit_gemm:
			*chosen = nnps_algorithm_implicit_gemm;
			return nnp_status_success;
		case nnp_convolution_algorithm_direct:
			*chosen = nnps_algorithm_implicit_gemm;
			return nnps_conv_is_pointwise(g) ? nnp_status_success : nnp_status_unsupported_algorithm;
		case nnp_convolution_algorithm_wt8x8:
			*chosen = nnps_algorithm_winograd_f6x6k3x3;
			return nnps_winograd_applies(function, g) ? nnp_status_success : nnp_status_unsupported_algorithm;
		case nnp_convolution_algorithm_ft8x8:
		case nnp_convolution_algorithm_ft16x16:
		case nnp_convolution_algorithm_wt8x8_fp16:
			return nnp_status_unsupported_algorithm;
		default:
			return nnp_status_invalid_algorithm;
	}
}
