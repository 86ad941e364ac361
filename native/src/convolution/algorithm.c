/* The algorithm choice. auto: direct (implicit GEMM on the image itself) for pointwise convolutions, the cheaper of
 * Winograd F(6x6, 3x3), Winograd F(4x4, 3x3) and implicit GEMM by a cost model for 3x3 stride-1 layers (for the kernel
 * gradient F(4x4)-sized tiles, see below), FFT 16x16 for stride-1 kernels of 7 to 16 on each side, implicit GEMM
 * otherwise; by default measured among the candidates the model puts within reach (operators/measured-auto.h). */
#include <math.h>

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
 *
 * The kernel gradient takes Winograd on F(4x4)-sized tiles (F(3x3, 4x4)) on every 3x3 stride-1 layer with at least
 * 16 channels each way, without a model: its GEMMs run over the whole batch's tiles, so they are deep and wide, and
 * in CPU-time A/Bs against implicit GEMM (Zen 5, one thread, ab_bench's layers, 5 rounds) it won on every such layer
 * tried: VGG conv3.2 2.13x, VGG conv5 2.03x, 7x7x512 N16 1.90x (N8 1.47x), batch-32 28x28x64 1.38x, AlexNet conv3
 * 1.33x (at the avx2 cap 1.7-2.8x), and 1.0-1.6x at 16-32 channels (wall clock). F(6x6)-sized tiles (wt8x8) were
 * faster only on VGG conv3.2 (2.21x; VGG conv5 1.37x, AlexNet conv3 0.92x, 7x7x512 0.86x) and are less accurate.
 */
#define GEMM_PENALTY 1.1
#define KERNEL_COLUMNS 60.0
#define TRANSFORM_WEIGHT 4.0
#define IMPLICIT_GEMM_TAPS 9.0
/* The kernel gradient's Winograd against implicit GEMM, as fractions of its cost (from the A/Bs above). */
#define KERNEL_GRADIENT_F4X4 0.6
#define KERNEL_GRADIENT_F6X6 0.7

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
 * input gradient 0.74x, kernel gradient 0.84x at N128; ft16x16 0.90x forward. So the static choice keeps 5x5 on
 * implicit GEMM, and both FFT sizes stay candidates the measured auto times (FFT_UNPROVEN: within reach, never first)
 * on kernels from 4x4 up, where they may win (ft8x8 at N128 on AlexNet conv2).
 */
#define FFT16X16_LARGE_KERNEL 0.6
#define FFT_UNPROVEN 1.2

static void fft_costs(enum nnps_function function, const struct nnps_conv* g, double costs[nnps_algorithm_count]) {
	if (g->input_channels < 16 || g->output_channels < 16 || g->kernel_height < 4 || g->kernel_width < 4) return;
	const double implicit = costs[nnps_algorithm_implicit_gemm];
	if (nnps_fft_applies(nnps_fft8x8, function, g)) costs[nnps_algorithm_fft8x8] = FFT_UNPROVEN * implicit;
	if (nnps_fft_applies(nnps_fft16x16, function, g)) {
		const bool large = g->kernel_height >= 7 && g->kernel_width >= 7;
		costs[nnps_algorithm_fft16x16] = (large ? FFT16X16_LARGE_KERNEL : FFT_UNPROVEN) * implicit;
	}
}

/* The model's cost of each algorithm on g, in the order of enum nnps_algorithm; INFINITY where it does not apply or
 * auto never takes it: Winograd below 16 channels either way (the transforms then outweigh the multiplications they
 * save). */
static void model_costs(enum nnps_function function, const struct nnps_conv* g, double costs[nnps_algorithm_count]) {
	for (size_t i = 0; i < nnps_algorithm_count; i++) costs[i] = INFINITY;
	size_t height, width;
	winograd_map(function, g, &height, &width);
	costs[nnps_algorithm_implicit_gemm] = IMPLICIT_GEMM_TAPS * (double) g->batch * (double) height * (double) width;
	fft_costs(function, g, costs);
	if (!nnps_winograd_applies(g) || g->input_channels < 16 || g->output_channels < 16) return;
	if (function == nnps_function_kernel_gradient) {
		/* No model, the measured rule above: F(4x4)-sized tiles first; F(6x6)-sized ones stay a candidate for the
		 * measured auto (ahead on VGG conv3.2). */
		costs[nnps_algorithm_winograd_f4x4k3x3] = KERNEL_GRADIENT_F4X4 * costs[nnps_algorithm_implicit_gemm];
		costs[nnps_algorithm_winograd_f6x6k3x3] = KERNEL_GRADIENT_F6X6 * costs[nnps_algorithm_implicit_gemm];
		return;
	}
	costs[nnps_algorithm_winograd_f6x6k3x3] = winograd_cost(nnps_winograd_f6x6k3x3, function, g);
	costs[nnps_algorithm_winograd_f4x4k3x3] = winograd_cost(nnps_winograd_f4x4k3x3, function, g);
}

/* auto's static choice: the cheapest by the model (ties to the lowest enumerator: implicit GEMM, F(6x6), F(4x4), the FFTs). */
static enum nnps_algorithm cheapest(const double costs[nnps_algorithm_count]) {
	size_t best = nnps_algorithm_implicit_gemm;
	for (size_t i = 0; i < nnps_algorithm_count; i++) if (costs[i] < costs[best]) best = i;
	return (enum nnps_algorithm) best;
}

size_t nnps_auto_candidates(enum nnps_function function, const struct nnps_conv* g, enum nnps_algorithm candidates[nnps_algorithm_count]) {
	double costs[nnps_algorithm_count];
	model_costs(function, g, costs);
	const enum nnps_algorithm first = cheapest(costs);
	size_t count = 0;
	candidates[count++] = first;
	for (size_t i = 0; i < nnps_algorithm_count; i++) {
		if (i != (size_t) first && costs[i] <= NNPS_AUTO_REACH * costs[first]) candidates[count++] = (enum nnps_algorithm) i;
	}
	return count;
}

enum nnp_status nnps_choose_algorithm(
	enum nnp_convolution_algorithm requested, enum nnps_function function, const struct nnps_conv* g, enum nnps_algorithm* chosen)
{
	if (requested == nnpsharp_convolution_algorithm_wt6x6) {
		*chosen = nnps_algorithm_winograd_f4x4k3x3;
		return nnps_winograd_applies(g) ? nnp_status_success : nnp_status_unsupported_algorithm;
	}
	switch (requested) {
		case nnp_convolution_algorithm_auto: {
			double costs[nnps_algorithm_count];
			model_costs(function, g, costs);
			*chosen = cheapest(costs);
			return nnp_status_success;
		}
		case nnp_convolution_algorithm_implicit_gemm:
			*chosen = nnps_algorithm_implicit_gemm;
			return nnp_status_success;
		case nnp_convolution_algorithm_direct:
			*chosen = nnps_algorithm_implicit_gemm;
			return nnps_conv_is_pointwise(g) ? nnp_status_success : nnp_status_unsupported_algorithm;
		case nnp_convolution_algorithm_wt8x8:
			*chosen = nnps_algorithm_winograd_f6x6k3x3;
			return nnps_winograd_applies(g) ? nnp_status_success : nnp_status_unsupported_algorithm;
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
