/* The algorithm choice. auto: direct (implicit GEMM on the image itself) for pointwise convolutions, Winograd where
 * it pays off, implicit GEMM otherwise. */
#include "algorithm.h"
#include "winograd.h"

/* auto's choice of Winograd: 3x3 stride-1 layers with at least 16 channels each way and at least 256 output tiles of
 * 6x6 in the call. With fewer channels or tiles, transforming the kernel and the tiles costs more than the 5x fewer
 * multiplications save (measured: 167 vs 104 GFLOP/s at 4x256x56x56, but 53 vs 102 at 8x192x13x13). */
static bool winograd_pays_off(enum nnps_function function, const struct nnps_conv* g) {
	const bool gradient = function == nnps_function_input_gradient;
	const size_t height = gradient ? g->input_height : g->output_height, width = gradient ? g->input_width : g->output_width;
	const size_t tiles = g->batch * nnps_ceil_div(height, 6) * nnps_ceil_div(width, 6);
	return nnps_winograd_applies(function, g) && g->input_channels >= 16 && g->output_channels >= 16 && tiles >= 256;
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
