/* FFT kernel gradient: over the same output tiles as the forward pass, grad_kernel's spectrum at each point is
 * sum over images and tiles of conj(DFT(grad_output tile)) * DFT(input tile) (a circular cross-correlation, exact for
 * the kH x kW lags kept, since a tile's outputs plus the kernel span the tile). Per group of images: the input
 * tiles' spectra (per input channel), grad_output's (per output channel), then per point one real GEMM accumulating
 * into G; after the last group the inverse DFT of each kernel's G, cropped. */
#include <string.h>

#include "fft.h"

#define LANES NNPS_FFT_LANES

/* Columns (tiles) per group: the GEMMs' depth is twice this. */
#define TARGET_COLUMNS 512

struct plan {
	struct nnps_fft_tiling tiling;
	size_t group_images, width, thread_floats;
	/* X [points][ci][2 * width]: real parts in columns 0 .. width - 1, imaginary parts after them (B, read transposed);
	 * D [points][2co][2 * width]: row o = [Re | Im] of grad_output's spectrum, row co + o = [-Im | Re] (A), so
	 * G [points][2co][ci] = D X^T holds Re (rows o) and Im (rows co + o) of sum conj(D) X. */
	size_t x_offset, d_offset, g_offset, floats;
};

static bool make_plan(enum nnps_fft_variant variant, const struct nnps_conv* g, const struct nnps_sgemm_config* config, size_t threads, struct plan* plan) {
	plan->tiling = nnps_fft_tiling_of(variant, g);
	const size_t tiles = plan->tiling.tiles, points = plan->tiling.points;
	plan->group_images = nnps_clamp(nnps_ceil_div(TARGET_COLUMNS, tiles), 1, g->batch);
	plan->width = nnps_round_up(plan->group_images * tiles, LANES); /* whole blocks of lanes */
	size_t co2, depth, buffers_offset;
	if (__builtin_mul_overflow(g->output_channels, 2, &co2) || __builtin_mul_overflow(plan->width, 2, &depth)) return false;
	plan->thread_floats = nnps_gemm_buffer_floats(config, co2, g->input_channels, depth);
	plan->floats = 0;
	return nnps_fft_reserve(&plan->floats, &buffers_offset, threads, plan->thread_floats, 1) &&
		nnps_fft_reserve(&plan->floats, &plan->x_offset, points, g->input_channels, depth) && nnps_fft_reserve(&plan->floats, &plan->d_offset, points, co2, depth) &&
		nnps_fft_reserve(&plan->floats, &plan->g_offset, points * co2 * g->input_channels + LANES, 1, 1); /* (+ the lanes past ci the inverse reads) */
}

struct transform_context {
	const struct nnps_conv* g;
	const struct plan* plan;
	size_t first_image, columns;
	nnps_fft_forward_fn forward;
	const float* input;
	const float* grad_output;
	float* x;
	float* d;
};

/* X's row of input channel c: its tiles' spectra (lanes past the group's columns get zeros, which add nothing). */
static void input_task(void* argument, size_t thread, size_t c) {
	(void) thread;
	const struct transform_context* context = argument;
	const struct nnps_conv* g = context->g;
	const size_t width = context->plan->width, stride = g->input_channels * 2 * width;
	const float* plane = context->input + context->first_image * nnps_conv_input_image(g) + c * nnps_conv_input_plane(g);
	float* re = context->x + c * 2 * width;
	for (size_t column0 = 0; column0 < width; column0 += LANES) {
		struct nnps_fft_block block;
		nnps_fft_describe_inputs(g, &context->plan->tiling, column0, context->columns, &block);
		context->forward(&block, plane, g->input_width, re + column0, re + width + column0, stride);
	}
}

/* D's rows o and co + o: grad_output's tile spectra of output channel o, and their mirror [-Im | Re]. */
static void grad_output_task(void* argument, size_t thread, size_t o) {
	(void) thread;
	const struct transform_context* context = argument;
	const struct nnps_conv* g = context->g;
	const size_t width = context->plan->width, co = g->output_channels, stride = 2 * co * 2 * width;
	const float* plane = context->grad_output + context->first_image * nnps_conv_output_image(g) + o * nnps_conv_output_plane(g);
	float* re = context->d + o * 2 * width;
	float* mirror = context->d + (co + o) * 2 * width;
	for (size_t column0 = 0; column0 < width; column0 += LANES) {
		struct nnps_fft_block block;
		nnps_fft_describe_outputs(g, &context->plan->tiling, column0, context->columns, &block);
		context->forward(&block, plane, g->output_width, re + column0, re + width + column0, stride);
	}
	for (size_t p = 0; p < context->plan->tiling.points; p++) {
		for (size_t column = 0; column < width; column++) {
			mirror[p * stride + column] = -re[p * stride + width + column];
			mirror[p * stride + width + column] = re[p * stride + column];
		}
	}
}

struct multiply_context {
	const struct nnps_conv* g;
	const struct plan* plan;
	const struct nnps_sgemm_config* config;
	bool accumulate;
	const float* x;
	const float* d;
	float* spectrum;
	float* thread_buffers;
};

/* G[point] (+)= D[point] (2co x 2width) * X[point]^T (2width x ci): one task per point, so each element of G is summed
 * by one task in group order whatever the thread count. */
static void multiply_task(void* argument, size_t thread, size_t point) {
	const struct multiply_context* context = argument;
	const size_t co2 = 2 * context->g->output_channels, ci = context->g->input_channels, depth = 2 * context->plan->width;
	const struct nnps_b_source b = { nnps_b_strided, context->x + point * ci * depth, 1, depth, NULL };
	const struct nnps_gemm_buffers buffers = nnps_gemm_buffers_carve(context->config, co2, ci, depth, context->thread_buffers + thread * context->plan->thread_floats);
	nnps_sgemm(context->config, co2, ci, depth, context->d + point * co2 * depth, depth, 1, &b, 0, 0, context->spectrum + point * co2 * ci, ci, context->accumulate,
		&buffers);
}

struct inverse_context {
	const struct nnps_conv* g;
	const struct plan* plan;
	nnps_fft_inverse_fn inverse;
	const float* spectrum;
	float* grad_kernel;
};

static void inverse_task(void* argument, size_t thread, size_t o) {
	(void) thread;
	const struct inverse_context* context = argument;
	const struct nnps_conv* g = context->g;
	const size_t ci = g->input_channels, co = g->output_channels, taps = g->kernel_height * g->kernel_width;
	for (size_t c0 = 0; c0 < ci; c0 += LANES) {
		struct nnps_fft_block block;
		memset(&block, 0, sizeof block);
		for (size_t t = 0; t < LANES && c0 + t < ci; t++) {
			block.offset[t] = (ptrdiff_t) (t * taps);
			block.rows[t] = (uint8_t) g->kernel_height, block.columns[t] = (uint8_t) g->kernel_width;
		}
		context->inverse(context->spectrum + o * ci + c0, context->spectrum + (co + o) * ci + c0, 2 * co * ci, &block,
			context->grad_kernel + (o * ci + c0) * taps, g->kernel_width, 0.0f, false);
	}
}

bool nnps_fft_kernel_gradient_workspace(enum nnps_fft_variant variant, const struct nnps_conv* g, const struct nnps_isa_table* isa, size_t threads, size_t* floats) {
	struct plan plan;
	if (!make_plan(variant, g, &isa->sgemm, threads, &plan)) return false;
	*floats = plan.floats;
	return true;
}

void nnps_fft_kernel_gradient(enum nnps_fft_variant variant, const struct nnps_conv* g, const struct nnps_isa_table* isa, const float* input,
	const float* grad_output, float* grad_kernel, float* workspace, pthreadpool_t pool, struct nnp_profile* profile)
{
	struct plan plan;
	make_plan(variant, g, &isa->sgemm, pthreadpool_get_threads_count(pool), &plan);
	const struct nnps_fft_transforms* transforms = nnps_fft_transforms_of(variant, isa);
	float *x = workspace + plan.x_offset, *d = workspace + plan.d_offset, *spectrum = workspace + plan.g_offset;
	/* The lanes past the last kernel that the inverse reads (and discards) after G. */
	memset(spectrum + plan.tiling.points * 2 * g->output_channels * g->input_channels, 0, LANES * sizeof(float));
	/* Profile phases: input_transform the input tiles, output_transform grad_output's tiles, block_multiplication the
	 * GEMMs, kernel_transform the inverse into grad_kernel. */
	struct nnp_profile phases = { 0 };
	for (size_t first = 0; first < g->batch; first += plan.group_images) {
		const size_t columns = nnps_min(plan.group_images, g->batch - first) * plan.tiling.tiles;
		double start = nnps_now_seconds();
		const struct transform_context transform = { g, &plan, first, columns, transforms->forward, input, grad_output, x, d };
		nnps_parallelize(pool, input_task, (void*) &transform, g->input_channels);
		phases.input_transform += nnps_now_seconds() - start;
		start = nnps_now_seconds();
		nnps_parallelize(pool, grad_output_task, (void*) &transform, g->output_channels);
		phases.output_transform += nnps_now_seconds() - start;
		start = nnps_now_seconds();
		const struct multiply_context products = { g, &plan, &isa->sgemm, first != 0, x, d, spectrum, workspace };
		nnps_parallelize(pool, multiply_task, (void*) &products, plan.tiling.points);
		phases.block_multiplication += nnps_now_seconds() - start;
	}
	const double start = nnps_now_seconds();
	const struct inverse_context inverse = { g, &plan, transforms->inverse, spectrum, grad_kernel };
	nnps_parallelize(pool, inverse_task, (void*) &inverse, g->output_channels);
	phases.kernel_transform = nnps_now_seconds() - start;
	*profile = phases;
}
