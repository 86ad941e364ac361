/* The algorithm choice. auto: direct (implicit GEMM on the image itself) for pointwise convolutions, the cheaper of
 * Winograd F(6x6, 3x3), Winograd F(4x4, 3x3) and implicit GEMM by a cost model for 3x3 stride-1 layers, FFT 16x16 for
 * stride-1 kernels of 7 to 16 on each side, implicit GEMM otherwise. */
#include "nnpacksharp.h"
#include "algorithm.h"

/*
 * auto's cost model, in multiply-adds per (output channel, input channel) pair of the call:
 *
 *   implicit GEMM        9 * batch * height * width
 *   Winograd F(m x m)    points * (GEMM_PENALTY * tiles + KERNEL_COLUMNS) + TRANSFORM_WEIGHT * points * tiles * (1/ci + 1/co)
 *
 * where tiles counts the m x m output tiles of the whole batch (the map rounded up to whole tiles: the wasted area),
 * points = (m + 2)^2 (64 or 36). GEMM_PENALTY: the per-point GEMMs are narrower and shallower than implicit GEMM's one;
 * KERNEL_COLUMNS: transforming the kernel, writing U and streaming it from memory into the GEMMs costs about as much as
 * that many columns of the GEMM per point; TRANSFORM_WEIGHT: each transformed input or output value costs about that
 * many multiply-adds (the 1-D transforms, the stores and the reloads). Fitted to CPU-time A/Bs on Zen 5 with the
 * AVX-512 transforms, one thread (13x13, 14x14 and 7x7 maps at 192-512 channels; see DEVELOPERS.md). Ties go to the
 * path listed first: implicit GEMM, then F(6x6), then F(4x4).
 */
#define GEMM_PENALTY 1.1
#define KERNEL_COLUMNS 60.0
#define TRANSFORM_WEIGHT 4.0
#define IMPLICIT_GEMM_TAPS 9.0

/* The map a Winograd run tiles: the output's, or for the input gradient (a convolution of grad_output) grad_input's. */
static void winograd_map(enum nnps_function function, const struct nnps_conv* g, size_t* height, size_t* width) {
	const bool gradient = function == nnps_function_input_gradient;
	*height = gradient ? g->input_height : g->output_height;
	*width = gradient ? g->input_width : g->output_width;
}

static double winograd_cost(enum nnps_winograd_variant variant, enum nnps_function function, const struct nnps_conv* g) {
	size_t height, width;
	winograd_map(function, g, &height, &width);
	const size_t out = nnps_winograd_output_tile(variant);
	const double tiles = (double) g->batch * (double) nnps_ceil_div(height, out) * (double) nnps_ceil_div(width, out);
	const double points = (double) nnps_winograd_points(variant);
	const double per_value = 1.0 / (double) g->input_channels + 1.0 / (double) g->output_channels;
	return points * (GEMM_PENALTY * tiles + KERNEL_COLUMNS) + TRANSFORM_WEIGHT * points * tiles * per_value;
}

/*
 * The FFT under auto: ft16x16 where both kernel sides are 7 to 16 (stride 1, >= 16 channels each way), every function.
 * Measured (thread CPU time, A/B tool, one thread, against implicit GEMM): a 7x7 kernel (N16, 64 -> 64, 28x28, pad 3)
 * forward 1.60x, input gradient 1.44x, kernel gradient 1.97x; ft8x8 there 0.51x (2x2 output tiles). Upstream's rule
 * (ft8x8 for 5x5) loses here: AlexNet conv2 (5x5, 27x27, 64 -> 192) ft8x8 forward 0.82x at N8 and 1.20x at N128,
 * input gradient 0.74x, kernel gradient 0.84x at N128; ft16x16 0.90x forward. So 5x5 stays on implicit GEMM until the
 * FFT's transforms get cheaper (DEVELOPERS.md, FFT).
 */
static bool fft16x16_wins(enum nnps_function function, const struct nnps_conv* g) {
	return nnps_fft_applies(nnps_fft16x16, function, g) && g->kernel_height >= 7 && g->kernel_width >= 7 && g->input_channels >= 16 &&
		g->output_channels >= 16;
}

/* auto on a layer Winograd can compute: the cheapest by the model; below 16 channels either way implicit GEMM (the
 * transforms then outweigh the multiplications they save). */
static enum nnps_algorithm cheapest(enum nnps_function function, const struct nnps_conv* g) {
	if (!nnps_winograd_applies(function, g) || g->input_channels < 16 || g->output_channels < 16) return nnps_algorithm_implicit_gemm;
	size_t height, width;
	winograd_map(function, g, &height, &width);
	const double implicit = IMPLICIT_GEMM_TAPS * (double) g->batch * (double) height * (double) width;
	const double f6x6 = winograd_cost(nnps_winograd_f6x6k3x3, function, g), f4x4 = winograd_cost(nnps_winograd_f4x4k3x3, function, g);
	if (f4x4 < f6x6 && f4x4 < implicit) return nnps_algorithm_winograd_f4x4k3x3;
	return f6x6 < implicit ? nnps_algorithm_winograd_f6x6k3x3 : nnps_algorithm_implicit_gemm;
}

enum nnp_status nnps_choose_algorithm(
	enum nnp_convolution_algorithm requested, enum nnps_function function, const struct nnps_conv* g, enum nnps_algorithm* chosen)
{
	if (requested == nnpsharp_convolution_algorithm_wt6x6) {
		*chosen = nnps_algorithm_winograd_f4x4k3x3;
		return nnps_winograd_applies(function, g) ? nnp_status_success : nnp_status_unsupported_algorithm;
	}
	switch (requested) {
		case nnp_convolution_algorithm_auto:
			*chosen = fft16x16_wins(function, g) ? nnps_algorithm_fft16x16 : cheapest(function, g);
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
			*chosen = nnps_algorithm_fft8x8;
			return nnps_fft_applies(nnps_fft8x8, function, g) ? nnp_status_success : nnp_status_unsupported_algorithm;
		case nnp_convolution_algorithm_ft16x16:
			*chosen = nnps_algorithm_fft16x16;
			return nnps_fft_applies(nnps_fft16x16, function, g) ? nnp_status_success : nnp_status_unsupported_algorithm;
		case nnp_convolution_algorithm_wt8x8_fp16:
			return nnp_status_unsupported_algorithm;
		default:
			return nnp_status_invalid_algorithm;
	}
}
