/* The algorithm choice. auto: direct (implicit GEMM on the image itself) for pointwise convolutions, the cheaper of
 * Winograd F(6x6, 3x3), Winograd F(4x4, 3x3) and implicit GEMM by a cost model for 3x3 stride-1 layers (for the kernel
 * gradient F(4x4)-sized tiles, see below), the FFTs by the same model on stride-1 kernels from 4x4 (see below), implicit
 * GEMM otherwise; by default measured among the candidates the model puts within reach (operators/measured-auto.h). */
#include <math.h>

#include "nnpacksharp.h"
#include "algorithm.h"

/*
 * auto's cost model, in multiply-adds per (output channel, input channel) pair of the call:
 *
 *   implicit GEMM        kH * kW * batch * height * width  (9 on the 3x3 layers Winograd computes)
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
 * The FFT under auto, forward and input gradient, in the same units (the run's input channels ci and output channels
 * co are swapped for the input gradient, a convolution of grad_output):
 *
 *   FFT (T x T tiles)    points * tiles * (FFT_GEMM + FFT_INPUT_WEIGHT / co + FFT_OUTPUT_WEIGHT / ci) + points * FFT_KERNEL_COLUMNS
 *
 * tiles counting the (T - k + 1)-sided output tiles of the batch, points = T * (T/2 + 1). FFT_GEMM: three real
 * multiply-adds per point (the 3-multiplication complex product) at Winograd's GEMM_PENALTY; the input transform
 * (gathering the tiles, the butterflies, three planes stored, B packed once per point for only co rows of A) costs
 * far more per value than the inverse (which stores only the cropped output tile); FFT_KERNEL_COLUMNS: the kernel's
 * spectra (three packed matrices per point) written and streamed. Fitted to thread-CPU-time A/Bs against implicit GEMM
 * on AlexNet conv2 (N8, 5x5, 27x27, 64 -> 192; one thread; Zen 5): ft16x16 forward 1.81x, input gradient 1.28x,
 * ft8x8 forward 1.62x, input gradient 1.24x; the model then gives ft16x16 2.6x on N128 (measured 2.19x before the
 * 3-multiplication product) and keeps ft8x8 off 7x7 kernels (2x2 output tiles; measured 0.51x).
 * The kernel gradient (fft-kernel-gradient.c: per point the three products summed over the batch) has no model:
 * ft16x16 at FFT16X16_KERNEL_GRADIENT of implicit GEMM on kernels from 5x5 (measured 1.25x on AlexNet conv2 N8, 1.41x
 * N128, 4.1x under auto on a 7x7 kernel), ft8x8 a candidate the measured auto times (FFT_UNPROVEN; 1.03-1.07x there).
 */
#define FFT_GEMM 3.3
#define FFT_INPUT_WEIGHT 320.0
#define FFT_OUTPUT_WEIGHT 20.0
#define FFT_KERNEL_COLUMNS 180.0
#define FFT16X16_KERNEL_GRADIENT 0.8
#define FFT_UNPROVEN 1.2

static double fft_cost(enum nnps_fft_variant variant, enum nnps_function function, const struct nnps_conv* g) {
	size_t height, width;
	winograd_map(function, g, &height, &width);
	const size_t tile = nnps_fft_tile(variant);
	const double tiles = (double) g->batch * (double) nnps_ceil_div(height, tile - g->kernel_height + 1) * (double) nnps_ceil_div(width, tile - g->kernel_width + 1);
	const bool gradient = function == nnps_function_input_gradient;
	const double ci = (double) (gradient ? g->output_channels : g->input_channels), co = (double) (gradient ? g->input_channels : g->output_channels);
	const double points = (double) nnps_fft_points(variant);
	return points * tiles * (FFT_GEMM + FFT_INPUT_WEIGHT / co + FFT_OUTPUT_WEIGHT / ci) + points * FFT_KERNEL_COLUMNS;
}

static void fft_costs(enum nnps_function function, const struct nnps_conv* g, double costs[nnps_algorithm_count]) {
	if (g->input_channels < 16 || g->output_channels < 16 || g->kernel_height < 4 || g->kernel_width < 4) return;
	const double implicit = costs[nnps_algorithm_implicit_gemm];
	const bool kernel_gradient = function == nnps_function_kernel_gradient;
	if (nnps_fft_applies(nnps_fft8x8, function, g)) costs[nnps_algorithm_fft8x8] = kernel_gradient ? FFT_UNPROVEN * implicit : fft_cost(nnps_fft8x8, function, g);
	if (nnps_fft_applies(nnps_fft16x16, function, g)) {
		const bool large = g->kernel_height >= 5 && g->kernel_width >= 5;
		costs[nnps_algorithm_fft16x16] = !kernel_gradient ? fft_cost(nnps_fft16x16, function, g) : (large ? FFT16X16_KERNEL_GRADIENT : FFT_UNPROVEN) * implicit;
	}
}

/* The model's cost of each algorithm on g, in the order of enum nnps_algorithm; INFINITY where it does not apply or
 * auto never takes it: Winograd below 16 channels either way (the transforms then outweigh the multiplications they
 * save). */
static void model_costs(enum nnps_function function, const struct nnps_conv* g, double costs[nnps_algorithm_count]) {
	for (size_t i = 0; i < nnps_algorithm_count; i++) costs[i] = INFINITY;
	size_t height, width;
	winograd_map(function, g, &height, &width);
	costs[nnps_algorithm_implicit_gemm] = (double) (g->kernel_height * g->kernel_width) * (double) g->batch * (double) height * (double) width;
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
