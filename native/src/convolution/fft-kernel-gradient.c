/* FFT kernel gradient: over the same output tiles as the forward pass, grad_kernel's spectrum at each point is
 * sum over images and tiles of conj(DFT(grad_output tile)) * DFT(input tile) (a circular cross-correlation, exact for
 * the kH x kW lags kept, since a tile's outputs plus the kernel span the tile). Per group of images: the input
 * tiles' spectra (per input channel), grad_output's (per output channel), then per point the complex product as three
 * real GEMMs (NNPS_FFT_PRODUCTS) accumulating into G; after the last group the inverse DFT of each kernel's G, cropped. */
#include <string.h>

#include "fft.h"

#define LANES NNPS_FFT_LANES

/* Columns (tiles) per group: the GEMMs' depth. */
#define TARGET_COLUMNS 512

struct plan {
	struct nnps_fft_tiling tiling;
	size_t group_images, width, thread_floats;
	/* sum conj(D) X over tiles, D grad_output's spectra, X the input's, with P = Re D, Q = -Im D (conj D = P + iQ):
	 * X [3][ci][points][width] (Xr, Xi, Xr + Xi; B, read transposed), D [3][co][points][width] (P, Q, P + Q; A),
	 * G [points][3][co][ci] (T1 = P Xr^T, T2 = Q Xi^T, T3 = (P + Q)(Xr + Xi)^T), folded after the last group into
	 * Re = T1 - T2 (over T1) and Im = T3 - T1 - T2 (over T2). Channel-major spectra: each channel's transform writes one
	 * sequential run. */
	size_t x_offset, d_offset, g_offset, floats;
};

static bool make_plan(enum nnps_fft_variant variant, const struct nnps_conv* g, const struct nnps_sgemm_config* config, size_t threads, struct plan* plan) {
	plan->tiling = nnps_fft_tiling_of(variant, g);
	const size_t tiles = plan->tiling.tiles, points = plan->tiling.points;
	plan->group_images = nnps_clamp(nnps_ceil_div(TARGET_COLUMNS, tiles), 1, g->batch);
	plan->width = nnps_round_up(plan->group_images * tiles, LANES); /* whole blocks of lanes */
	size_t co3, ci3, products, buffers_offset;
	if (__builtin_mul_overflow(g->output_channels, NNPS_FFT_PRODUCTS, &co3) || __builtin_mul_overflow(g->input_channels, NNPS_FFT_PRODUCTS, &ci3) ||
		!nnps_product4(points, co3, g->input_channels, 1, &products) || __builtin_add_overflow(products, LANES, &products)) return false;
	plan->thread_floats = nnps_gemm_buffer_floats(config, g->output_channels, g->input_channels, plan->width);
	plan->floats = 0;
	return nnps_fft_reserve(&plan->floats, &buffers_offset, threads, plan->thread_floats, 1) &&
		nnps_fft_reserve(&plan->floats, &plan->x_offset, ci3, points, plan->width) && nnps_fft_reserve(&plan->floats, &plan->d_offset, co3, points, plan->width) &&
		nnps_fft_reserve(&plan->floats, &plan->g_offset, products, 1, 1); /* (+ the lanes past ci the inverse reads) */
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

/* X's runs of input channel c: its tiles' spectra (lanes past the group's columns get zeros, which add nothing) and
 * their sum Xr + Xi. */
static void input_task(void* argument, size_t thread, size_t c) {
	(void) thread;
	const struct transform_context* context = argument;
	const struct nnps_conv* g = context->g;
	const size_t width = context->plan->width, ci = g->input_channels, run = context->plan->tiling.points * width;
	const float* plane = context->input + context->first_image * nnps_conv_input_image(g) + c * nnps_conv_input_plane(g);
	float *re = context->x + c * run, *im = re + ci * run, *sum = im + ci * run;
	for (size_t column0 = 0; column0 < width; column0 += LANES) {
		struct nnps_fft_block block;
		nnps_fft_describe_inputs(g, &context->plan->tiling, column0, context->columns, &block);
		context->forward(&block, plane, g->input_width, re + column0, im + column0, width);
	}
	for (size_t i = 0; i < run; i++) sum[i] = re[i] + im[i];
}

/* D's runs of output channel o: P = Re, Q = -Im of grad_output's tile spectra, and P + Q. */
static void grad_output_task(void* argument, size_t thread, size_t o) {
	(void) thread;
	const struct transform_context* context = argument;
	const struct nnps_conv* g = context->g;
	const size_t width = context->plan->width, co = g->output_channels, run = context->plan->tiling.points * width;
	const float* plane = context->grad_output + context->first_image * nnps_conv_output_image(g) + o * nnps_conv_output_plane(g);
	float *p = context->d + o * run, *q = p + co * run, *sum = q + co * run;
	for (size_t column0 = 0; column0 < width; column0 += LANES) {
		struct nnps_fft_block block;
		nnps_fft_describe_outputs(g, &context->plan->tiling, column0, context->columns, &block);
		context->forward(&block, plane, g->output_width, p + column0, q + column0, width);
	}
	for (size_t i = 0; i < run; i++) {
		const float im = q[i];
		q[i] = -im, sum[i] = p[i] - im;
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

/* T_k[point] (+)= D_k[point] (co x width) * X_k[point]^T (width x ci): one task per point and product, so each element
 * of G is summed by one task in group order whatever the thread count. */
static void multiply_task(void* argument, size_t thread, size_t task) {
	const struct multiply_context* context = argument;
	const size_t co = context->g->output_channels, ci = context->g->input_channels, width = context->plan->width;
	const size_t point = task / NNPS_FFT_PRODUCTS, product = task % NNPS_FFT_PRODUCTS, run = context->plan->tiling.points * width;
	const struct nnps_b_source b = { nnps_b_strided, context->x + product * ci * run + point * width, 1, run, NULL };
	const struct nnps_gemm_buffers buffers = nnps_gemm_buffers_carve(context->config, co, ci, width, context->thread_buffers + thread * context->plan->thread_floats);
	nnps_sgemm(context->config, co, ci, width, context->d + product * co * run + point * width, run, 1, &b, 0, 0,
		context->spectrum + (point * NNPS_FFT_PRODUCTS + product) * co * ci, ci, context->accumulate, &buffers);
}

struct inverse_context {
	const struct nnps_conv* g;
	const struct plan* plan;
	nnps_fft_inverse_fn inverse;
	float* spectrum;
	float* grad_kernel;
};

/* Point p's T1, T2, T3 into Re (over T1) and Im (over T2); a phase of its own, since each kernel's inverse also reads
 * (and discards) the lanes past its row, which are the next kernel's. */
static void fold_task(void* argument, size_t thread, size_t p) {
	(void) thread;
	const struct inverse_context* context = argument;
	const size_t count = context->g->output_channels * context->g->input_channels;
	float *t1 = context->spectrum + p * NNPS_FFT_PRODUCTS * count, *t2 = t1 + count;
	const float* t3 = t2 + count;
	for (size_t i = 0; i < count; i++) {
		const float re = t1[i] - t2[i], im = t3[i] - t1[i] - t2[i];
		t1[i] = re, t2[i] = im;
	}
}

static void inverse_task(void* argument, size_t thread, size_t o) {
	(void) thread;
	const struct inverse_context* context = argument;
	const struct nnps_conv* g = context->g;
	const size_t ci = g->input_channels, co = g->output_channels, taps = g->kernel_height * g->kernel_width, point_floats = NNPS_FFT_PRODUCTS * co * ci;
	for (size_t c0 = 0; c0 < ci; c0 += LANES) {
		struct nnps_fft_block block;
		memset(&block, 0, sizeof block);
		for (size_t t = 0; t < LANES && c0 + t < ci; t++) {
			block.offset[t] = (ptrdiff_t) (t * taps);
			block.rows[t] = (uint8_t) g->kernel_height, block.columns[t] = (uint8_t) g->kernel_width;
		}
		context->inverse(context->spectrum + o * ci + c0, context->spectrum + (co + o) * ci + c0, point_floats, &block,
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
	memset(spectrum + plan.tiling.points * NNPS_FFT_PRODUCTS * g->output_channels * g->input_channels, 0, LANES * sizeof(float));
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
		nnps_parallelize(pool, multiply_task, (void*) &products, NNPS_FFT_PRODUCTS * plan.tiling.points);
		phases.block_multiplication += nnps_now_seconds() - start;
	}
	const double start = nnps_now_seconds();
	const struct inverse_context inverse = { g, &plan, transforms->inverse, spectrum, grad_kernel };
	nnps_parallelize(pool, fold_task, (void*) &inverse, plan.tiling.points);
	nnps_parallelize(pool, inverse_task, (void*) &inverse, g->output_channels);
	phases.kernel_transform = nnps_now_seconds() - start;
	*profile = phases;
}
