/* FFT convolution, the forward pass and the input gradient: per group of images one phase of input transforms (per
 * input channel), one GEMM per point (the kernel's spectrum packed as A once per call), one phase of inverse
 * transforms (per output channel, bias and ReLU fused). Images are transformed in groups so the GEMMs are wide. */
#include <string.h>

#include "fft.h"

#define LANES NNPS_FFT_LANES

/* Images per group: enough that the GEMMs are ~256 columns wide, at most ~2048 columns (the spectra of a group,
 * 2 * (ci + co) * points * columns floats, are what the GEMMs stream). */
#define TARGET_COLUMNS 256
#define MAX_COLUMNS 2048
/* 40 or 144 independent GEMMs already give every thread work; columns are split only for very wide groups. */
#define SPLIT_COLUMNS 1024

struct plan {
	struct nnps_fft_tiling tiling;
	size_t group_images, chunk, thread_floats;
	/* A [points][P, Q, P + Q: packed co x ci each], V [3ci][points][width] (Vr, Vi, Vr + Vi), M [3co][points][width]
	 * (T1, T2, T3; see NNPS_FFT_PRODUCTS), width = the group's widest column count. Channel-major, so each channel's
	 * spectra are one sequential run: the transforms stream them (point-major, the inverse's loads of M missed the
	 * cache on every point, 2co * width floats apart), and the GEMMs read B rows and write C rows points * width apart. */
	size_t a_offset, v_offset, m_offset, floats;
};

bool nnps_fft_reserve(size_t* total, size_t* offset, size_t a, size_t b, size_t c) {
	size_t floats;
	*offset = *total;
	return nnps_product4(a, b, c, 1, &floats) && !__builtin_add_overflow(*total, nnps_round_up(floats, NNPS_FLOATS_PER_LINE), total);
}

struct nnps_fft_tiling nnps_fft_tiling_of(enum nnps_fft_variant variant, const struct nnps_conv* g) {
	struct nnps_fft_tiling t;
	t.tile = nnps_fft_tile(variant);
	t.half = t.tile / 2 + 1;
	t.points = nnps_fft_points(variant);
	t.out_h = t.tile - g->kernel_height + 1;
	t.out_w = t.tile - g->kernel_width + 1;
	t.tiles_w = nnps_ceil_div(g->output_width, t.out_w);
	t.tiles = nnps_ceil_div(g->output_height, t.out_h) * t.tiles_w;
	return t;
}

/* The part of [origin, origin + tile) inside [0, extent): first offset in the tile and count. */
static void clip(ptrdiff_t origin, size_t tile, size_t extent, size_t* first, size_t* count) {
	const ptrdiff_t begin = origin < 0 ? 0 : origin;
	const ptrdiff_t end = origin + (ptrdiff_t) tile < (ptrdiff_t) extent ? origin + (ptrdiff_t) tile : (ptrdiff_t) extent;
	*first = (size_t) (begin - origin);
	*count = end > begin ? (size_t) (end - begin) : 0;
}

void nnps_fft_describe_inputs(const struct nnps_conv* g, const struct nnps_fft_tiling* tiling, size_t first, size_t columns, struct nnps_fft_block* block) {
	memset(block, 0, sizeof *block);
	for (size_t t = 0; t < LANES && first + t < columns; t++) {
		const size_t image = (first + t) / tiling->tiles, tile = (first + t) % tiling->tiles;
		const ptrdiff_t iy = (ptrdiff_t) (tile / tiling->tiles_w * tiling->out_h) - (ptrdiff_t) g->pad_top;
		const ptrdiff_t ix = (ptrdiff_t) (tile % tiling->tiles_w * tiling->out_w) - (ptrdiff_t) g->pad_left;
		size_t row0, rows, col0, count;
		clip(iy, tiling->tile, g->input_height, &row0, &rows);
		clip(ix, tiling->tile, g->input_width, &col0, &count);
		if (rows == 0 || count == 0) continue; /* a tile wholly in the padding */
		block->offset[t] = (ptrdiff_t) (image * nnps_conv_input_image(g)) + (iy + (ptrdiff_t) row0) * (ptrdiff_t) g->input_width + ix + (ptrdiff_t) col0;
		block->row0[t] = (uint8_t) row0, block->rows[t] = (uint8_t) rows, block->col0[t] = (uint8_t) col0, block->columns[t] = (uint8_t) count;
	}
}

void nnps_fft_describe_outputs(const struct nnps_conv* g, const struct nnps_fft_tiling* tiling, size_t first, size_t columns, struct nnps_fft_block* block) {
	memset(block, 0, sizeof *block);
	for (size_t t = 0; t < LANES && first + t < columns; t++) {
		const size_t image = (first + t) / tiling->tiles, tile = (first + t) % tiling->tiles;
		const size_t y = tile / tiling->tiles_w * tiling->out_h, x = tile % tiling->tiles_w * tiling->out_w;
		block->offset[t] = (ptrdiff_t) (image * nnps_conv_output_image(g) + y * g->output_width + x);
		block->rows[t] = (uint8_t) nnps_min(tiling->out_h, g->output_height - y);
		block->columns[t] = (uint8_t) nnps_min(tiling->out_w, g->output_width - x);
	}
}

static bool make_plan(enum nnps_fft_variant variant, const struct nnps_conv* g, const struct nnps_sgemm_config* config, size_t threads, bool kernel_given,
	struct plan* plan)
{
	plan->tiling = nnps_fft_tiling_of(variant, g);
	const size_t tiles = plan->tiling.tiles, points = plan->tiling.points;
	size_t images = nnps_ceil_div(TARGET_COLUMNS, tiles);
	if (images * tiles > MAX_COLUMNS) images = MAX_COLUMNS / tiles; /* (0 when one image has more tiles: clamped to 1 below) */
	plan->group_images = nnps_clamp(images, 1, g->batch);
	const size_t widest = nnps_round_up(plan->group_images * tiles, LANES); /* whole blocks of lanes */
	plan->chunk = nnps_round_up(nnps_ceil_div(widest, nnps_ceil_div(widest, SPLIT_COLUMNS)), config->nr);
	size_t ci3, co3;
	if (__builtin_mul_overflow(g->input_channels, NNPS_FFT_PRODUCTS, &ci3) || __builtin_mul_overflow(g->output_channels, NNPS_FFT_PRODUCTS, &co3)) return false;
	plan->thread_floats = nnps_gemm_buffer_floats(config, 0, plan->chunk, g->input_channels); /* A comes packed */
	size_t a_floats, buffers_offset;
	if (!nnps_fft_kernel_floats(variant, g, config, &a_floats)) return false;
	plan->floats = 0;
	return nnps_fft_reserve(&plan->floats, &buffers_offset, threads, plan->thread_floats, 1) &&
		nnps_fft_reserve(&plan->floats, &plan->a_offset, kernel_given ? 0 : a_floats, 1, 1) &&
		nnps_fft_reserve(&plan->floats, &plan->v_offset, ci3, points, widest) && nnps_fft_reserve(&plan->floats, &plan->m_offset, co3, points, widest);
}

struct group {
	size_t first_image, columns; /* column = image-in-group * tiles + tile */
	size_t width;                /* V's and M's rows: columns rounded up to whole blocks of lanes */
};

/* ---- input transform: V[c | ci + c | 2ci + c][point][column] for every tile of input channel c ---- */
struct input_context {
	const struct nnps_conv* g;
	const struct plan* plan;
	struct group group;
	nnps_fft_forward_fn forward;
	const float* input;
	float* v;
};

static void input_task(void* argument, size_t thread, size_t c) {
	(void) thread;
	const struct input_context* context = argument;
	const struct nnps_conv* g = context->g;
	const size_t width = context->group.width, channel = context->plan->tiling.points * width;
	const float* plane = context->input + context->group.first_image * nnps_conv_input_image(g) + c * nnps_conv_input_plane(g);
	for (size_t column0 = 0; column0 < width; column0 += LANES) {
		struct nnps_fft_block block;
		nnps_fft_describe_inputs(g, &context->plan->tiling, column0, context->group.columns, &block);
		context->forward(&block, plane, g->input_width, context->v + c * channel + column0, context->v + (g->input_channels + c) * channel + column0, width);
	}
	const float *re = context->v + c * channel, *im = re + g->input_channels * channel;
	float* sum = context->v + (2 * g->input_channels + c) * channel;
	for (size_t i = 0; i < channel; i++) sum[i] = re[i] + im[i];
}

/* ---- multiplication: T_k[point] (co x columns) = A_k[point] (co x ci) * V_k[point] (ci x columns), by column chunks ---- */
struct multiply_context {
	const struct nnps_conv* g;
	const struct plan* plan;
	struct group group;
	const struct nnps_sgemm_config* config;
	const float* a;
	const float* v;
	float* m;
	float* thread_buffers;
};

static void multiply_task(void* argument, size_t thread, size_t task) {
	const struct multiply_context* context = argument;
	const size_t co = context->g->output_channels, ci = context->g->input_channels, columns = context->group.width;
	const size_t chunks = nnps_ceil_div(columns, context->plan->chunk), product = task % NNPS_FFT_PRODUCTS, pair = task / NNPS_FFT_PRODUCTS;
	const size_t point = pair / chunks, col0 = (pair % chunks) * context->plan->chunk, n = nnps_min(context->plan->chunk, columns - col0);
	const size_t channel = context->plan->tiling.points * columns; /* V's and M's row stride */
	const struct nnps_b_source b = { nnps_b_strided, context->v + product * ci * channel + point * columns, channel, 1, NULL };
	const struct nnps_gemm_buffers buffers = nnps_gemm_buffers_carve(context->config, 0, context->plan->chunk, ci,
		context->thread_buffers + thread * context->plan->thread_floats);
	const size_t matrix = nnps_packed_a_floats(context->config, co, ci);
	const float* packed_a = context->a + (point * NNPS_FFT_PRODUCTS + product) * matrix;
	nnps_sgemm_packed_a(context->config, co, n, ci, packed_a, ci, &b, 0, col0, context->m + product * co * channel + point * columns + col0, channel, false,
		NULL, &buffers);
}

/* ---- output transform: the inverse DFT of each tile of output channel o, cropped to the output (+ bias, relu) ---- */
struct output_context {
	const struct nnps_conv* g;
	const struct plan* plan;
	struct group group;
	nnps_fft_inverse_fn inverse;
	float* m;
	const float* bias;
	bool relu;
	float* output;
};

/* Output channel o's T1, T2, T3 into Re M (over T1) and Im M (over T2): one sequential pass over the channel's run,
 * which its inverses then read from cache. */
static void combine_products(const struct output_context* context, size_t o, size_t channel) {
	const size_t co = context->g->output_channels;
	float *t1 = context->m + o * channel, *t2 = t1 + co * channel;
	const float* t3 = t2 + co * channel;
	for (size_t i = 0; i < channel; i++) {
		const float re = t1[i] - t2[i], im = t3[i] - t1[i] - t2[i];
		t1[i] = re, t2[i] = im;
	}
}

static void output_task(void* argument, size_t thread, size_t o) {
	(void) thread;
	const struct output_context* context = argument;
	const struct nnps_conv* g = context->g;
	const size_t width = context->group.width, channel = context->plan->tiling.points * width;
	float* plane = context->output + context->group.first_image * nnps_conv_output_image(g) + o * nnps_conv_output_plane(g);
	const float bias = context->bias != NULL ? context->bias[o] : 0.0f;
	combine_products(context, o, channel);
	for (size_t column0 = 0; column0 < width; column0 += LANES) {
		struct nnps_fft_block block;
		nnps_fft_describe_outputs(g, &context->plan->tiling, column0, context->group.columns, &block);
		context->inverse(context->m + o * channel + column0, context->m + (g->output_channels + o) * channel + column0, width, &block, plane, g->output_width, bias,
			context->relu);
	}
}

const struct nnps_fft_transforms* nnps_fft_transforms_of(enum nnps_fft_variant variant, const struct nnps_isa_table* isa) {
	return variant == nnps_fft16x16 ? &isa->fft16x16 : &isa->fft8x8;
}

bool nnps_fft_applies(enum nnps_fft_variant variant, enum nnps_function function, const struct nnps_conv* g) {
	const size_t tile = nnps_fft_tile(variant);
	return g->kernel_height <= tile && g->kernel_width <= tile && g->stride_height == 1 && g->stride_width == 1 &&
		(function != nnps_function_input_gradient || (g->pad_top < g->kernel_height && g->pad_left < g->kernel_width));
}

/* The convolution the forward driver runs: g itself, or for the input gradient its transposed convolution. */
static struct nnps_conv convolution_run(enum nnps_function function, const struct nnps_conv* g) {
	return function == nnps_function_input_gradient ? nnps_conv_transposed(g) : *g;
}

bool nnps_fft_workspace(enum nnps_fft_variant variant, enum nnps_function function, const struct nnps_conv* g, const struct nnps_isa_table* isa, size_t threads,
	bool kernel_transformed, size_t* floats)
{
	if (function == nnps_function_kernel_gradient) return nnps_fft_kernel_gradient_workspace(variant, g, isa, threads, floats);
	const struct nnps_conv run = convolution_run(function, g);
	struct plan plan;
	if (!make_plan(variant, &run, &isa->sgemm, threads, kernel_transformed, &plan)) return false;
	*floats = plan.floats;
	return true;
}

/* With transformed_kernel NULL, A is transformed here into the workspace. */
static void convolve(enum nnps_fft_variant variant, const struct nnps_conv* g, const struct nnps_isa_table* isa, const float* input, const float* kernel,
	bool rotated, const float* transformed_kernel, const float* bias, bool relu, float* output, float* workspace, pthreadpool_t pool,
	struct nnp_profile* profile)
{
	struct plan plan;
	make_plan(variant, g, &isa->sgemm, pthreadpool_get_threads_count(pool), transformed_kernel != NULL, &plan);
	const struct nnps_fft_transforms* transforms = nnps_fft_transforms_of(variant, isa);
	struct nnp_profile phases = { 0 };
	double start = nnps_now_seconds();
	const float* a = transformed_kernel;
	if (a == NULL) {
		nnps_fft_transform_kernel(variant, g, isa, kernel, rotated, workspace + plan.a_offset, pool);
		a = workspace + plan.a_offset;
	}
	phases.kernel_transform = nnps_now_seconds() - start;
	float *v = workspace + plan.v_offset, *m = workspace + plan.m_offset;
	for (size_t first = 0; first < g->batch; first += plan.group_images) {
		const size_t columns = nnps_min(plan.group_images, g->batch - first) * plan.tiling.tiles;
		const struct group group = { first, columns, nnps_round_up(columns, LANES) };
		start = nnps_now_seconds();
		const struct input_context inputs = { g, &plan, group, transforms->forward, input, v };
		nnps_parallelize(pool, input_task, (void*) &inputs, g->input_channels);
		phases.input_transform += nnps_now_seconds() - start;
		start = nnps_now_seconds();
		const struct multiply_context products = { g, &plan, group, &isa->sgemm, a, v, m, workspace };
		nnps_parallelize(pool, multiply_task, (void*) &products, NNPS_FFT_PRODUCTS * plan.tiling.points * nnps_ceil_div(group.width, plan.chunk));
		phases.block_multiplication += nnps_now_seconds() - start;
		start = nnps_now_seconds();
		const struct output_context outputs = { g, &plan, group, transforms->inverse, m, bias, relu, output };
		nnps_parallelize(pool, output_task, (void*) &outputs, g->output_channels);
		phases.output_transform += nnps_now_seconds() - start;
	}
	*profile = phases;
}

void nnps_fft_output(enum nnps_fft_variant variant, const struct nnps_conv* g, const struct nnps_isa_table* isa, const float* input, const float* kernel,
	const float* transformed_kernel, const float* bias, bool relu, float* output, float* workspace, pthreadpool_t pool, struct nnp_profile* profile)
{
	convolve(variant, g, isa, input, kernel, false, transformed_kernel, bias, relu, output, workspace, pool, profile);
}

void nnps_fft_input_gradient(enum nnps_fft_variant variant, const struct nnps_conv* g, const struct nnps_isa_table* isa, const float* grad_output,
	const float* kernel, float* grad_input, float* workspace, pthreadpool_t pool, struct nnp_profile* profile)
{
	const struct nnps_conv run = nnps_conv_transposed(g);
	convolve(variant, &run, isa, grad_output, kernel, true, NULL, NULL, false, grad_input, workspace, pool, profile);
}
