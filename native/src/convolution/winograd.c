/* Winograd F(6x6, 3x3) and F(4x4, 3x3): plan, then per group of images the input transform, one GEMM per transform
 * point (64 or 36) and the output transform, each a parallel phase with its own context. Images are transformed in
 * groups so the GEMMs are wide enough to run well. The two tile sizes share everything but the transforms and sizes. */
#include "winograd.h"

#define LANES NNPS_WINOGRAD_LANES
/* Images per group: enough that the GEMMs are at least ~512 columns wide, within ~4096 columns of transforms. */
#define TARGET_COLUMNS 512
#define MAX_COLUMNS 4096
/* 36 or 64 independent GEMMs already give every thread work; columns are split only for very wide groups. */
#define SPLIT_COLUMNS 2048

struct plan {
	size_t out, tile, points;   /* output and input tile side, transform points */
	size_t tiles_w, tiles;      /* output tiles of one image: per row, in all */
	size_t group_images;        /* images transformed together */
	size_t chunk;               /* GEMM columns per task */
	size_t thread_floats;       /* per-thread GEMM buffers */
	/* U [points][co][ci], V [points][ci][width], M [points][co][width] (width: the group's columns rounded up to whole blocks of
	 * lanes, so a transform reads and writes whole blocks), and the blocks' tile descriptors for input and output. */
	size_t u_offset, v_offset, m_offset, input_blocks_offset, output_blocks_offset;
	size_t floats;
};

#define BLOCK_FLOATS ((sizeof(struct nnps_winograd_block) + sizeof(float) - 1) / sizeof(float))

/* Checked total += count * a * b, rounded up to a cache line so every region stays aligned. */
static bool reserve(size_t* total, size_t* offset, size_t count, size_t a, size_t b) {
	size_t floats;
	*offset = *total;
	return nnps_product4(count, a, b, 1, &floats) && !__builtin_add_overflow(*total, nnps_round_up(floats, NNPS_FLOATS_PER_LINE), total);
}

static bool make_plan(enum nnps_winograd_variant variant, const struct nnps_conv* g, const struct nnps_sgemm_config* config, size_t threads, bool kernel_given,
	struct plan* plan)
{
	if (config->mr > NNPS_WINOGRAD_MAX_MR) return false;
	const size_t co = g->output_channels, ci = g->input_channels;
	plan->out = nnps_winograd_output_tile(variant);
	plan->tile = plan->out + 2;
	plan->points = nnps_winograd_points(variant);
	plan->tiles_w = nnps_ceil_div(g->output_width, plan->out);
	plan->tiles = nnps_ceil_div(g->output_height, plan->out) * plan->tiles_w;
	size_t images = nnps_ceil_div(TARGET_COLUMNS, plan->tiles);
	if (images * plan->tiles > MAX_COLUMNS) images = MAX_COLUMNS / plan->tiles;
	plan->group_images = nnps_clamp(images, 1, g->batch);
	const size_t widest = nnps_round_up(plan->group_images * plan->tiles, LANES);
	plan->chunk = nnps_round_up(nnps_ceil_div(widest, nnps_ceil_div(widest, SPLIT_COLUMNS)), config->nr);
	plan->thread_floats = nnps_gemm_buffer_floats(config, 0, plan->chunk, ci); /* A comes packed (U) */
	plan->floats = 0;
	size_t buffers_offset;
	return reserve(&plan->floats, &buffers_offset, threads, plan->thread_floats, 1) && reserve(&plan->floats, &plan->u_offset, kernel_given ? 0 : plan->points, nnps_packed_a_floats(config, co, ci), 1) &&
		reserve(&plan->floats, &plan->v_offset, plan->points, ci, widest) && reserve(&plan->floats, &plan->m_offset, plan->points, co, widest) &&
		reserve(&plan->floats, &plan->input_blocks_offset, widest / LANES, BLOCK_FLOATS, 1) &&
		reserve(&plan->floats, &plan->output_blocks_offset, widest / LANES, BLOCK_FLOATS, 1);
}

/* The images of one group: columns = images * tiles, column = image-in-group * tiles + tile; V's and M's rows are
 * `width` long (columns rounded up to whole blocks of lanes). */
struct group {
	size_t first_image, columns, width;
};

/* Bits [0, count) of a tile's rows or columns that lie in [0, extent) when the tile starts at `origin`. */
static uint8_t inside_bits(ptrdiff_t origin, size_t count, size_t extent) {
	uint8_t bits = 0;
	for (size_t i = 0; i < count; i++) {
		if (origin + (ptrdiff_t) i >= 0 && origin + (ptrdiff_t) i < (ptrdiff_t) extent) bits |= (uint8_t) (1u << i);
	}
	return bits;
}

/* Each block's tile descriptors, once per group: input tiles (8x8 or 6x6, padding subtracted) relative to channel 0
 * of the group's first image, output tiles (6x6 or 4x4) likewise; lanes past the group's columns stay unused. */
static void describe_blocks(const struct nnps_conv* g, const struct plan* plan, const struct group* group, struct nnps_winograd_block* inputs,
	struct nnps_winograd_block* outputs)
{
	for (size_t column = 0; column < group->width; column++) {
		struct nnps_winograd_block *in = &inputs[column / LANES], *out = &outputs[column / LANES];
		const size_t t = column % LANES;
		if (column >= group->columns) {
			in->offset[t] = out->offset[t] = 0;
			in->rows[t] = in->columns[t] = out->rows[t] = out->columns[t] = 0;
			continue;
		}
		const size_t image = column / plan->tiles, tile = column % plan->tiles, y = tile / plan->tiles_w * plan->out, x = tile % plan->tiles_w * plan->out;
		const ptrdiff_t iy = (ptrdiff_t) y - (ptrdiff_t) g->pad_top, ix = (ptrdiff_t) x - (ptrdiff_t) g->pad_left;
		in->offset[t] = (ptrdiff_t) (image * nnps_conv_input_image(g)) + iy * (ptrdiff_t) g->input_width + ix;
		in->rows[t] = inside_bits(iy, plan->tile, g->input_height);
		in->columns[t] = inside_bits(ix, plan->tile, g->input_width);
		out->offset[t] = (ptrdiff_t) (image * nnps_conv_output_image(g) + y * g->output_width + x);
		out->rows[t] = inside_bits((ptrdiff_t) y, plan->out, g->output_height);
		out->columns[t] = inside_bits((ptrdiff_t) x, plan->out, g->output_width);
	}
}

/* ---- input transform: V[point][c][column] for every input tile of input channel c (zeros outside the image) ---- */
struct input_context {
	const struct nnps_conv* g;
	struct group group;
	nnps_winograd_input_transform_fn transform;
	const struct nnps_winograd_block* blocks;
	const float* input;
	float* v;
};

static void input_task(void* argument, size_t thread, size_t c) {
	(void) thread;
	const struct input_context* context = argument;
	const struct nnps_conv* g = context->g;
	const size_t width = context->group.width;
	const float* plane = context->input + context->group.first_image * nnps_conv_input_image(g) + c * nnps_conv_input_plane(g);
	for (size_t column0 = 0; column0 < width; column0 += LANES) {
		context->transform(&context->blocks[column0 / LANES], plane, g->input_width, context->v + c * width + column0, g->input_channels * width);
	}
}

/* ---- multiplication: M[point] (co x columns) = U[point] (co x ci) * V[point] (ci x columns), by column chunks ---- */
struct multiply_context {
	const struct nnps_conv* g;
	const struct plan* plan;
	struct group group;
	const struct nnps_sgemm_config* config;
	const float* u;
	const float* v;
	float* m;
	float* thread_buffers;
};

static void multiply_task(void* argument, size_t thread, size_t task) {
	const struct multiply_context* context = argument;
	const size_t co = context->g->output_channels, ci = context->g->input_channels, columns = context->group.width;
	const size_t chunks = nnps_ceil_div(columns, context->plan->chunk);
	const size_t point = task / chunks, col0 = (task % chunks) * context->plan->chunk, n = nnps_min(context->plan->chunk, columns - col0);
	const struct nnps_b_source b = { nnps_b_strided, context->v + point * ci * columns, columns, 1, NULL };
	const struct nnps_gemm_buffers buffers = nnps_gemm_buffers_carve(context->config, 0, context->plan->chunk, ci,
		context->thread_buffers + thread * context->plan->thread_floats);
	const float* packed_u = context->u + point * nnps_packed_a_floats(context->config, co, ci);
	nnps_sgemm_packed_a(context->config, co, n, ci, packed_u, ci, &b, 0, col0, context->m + point * co * columns + col0, columns, false, &buffers);
}

/* ---- output transform: Y = A^T M A per tile of output channel o, plus bias and relu, cropped to the output ---- */
struct output_context {
	const struct nnps_conv* g;
	struct group group;
	nnps_winograd_output_transform_fn transform;
	const struct nnps_winograd_block* blocks;
	const float* m;
	const float* bias;
	bool relu;
	float* output;
};

static void output_task(void* argument, size_t thread, size_t o) {
	(void) thread;
	const struct output_context* context = argument;
	const struct nnps_conv* g = context->g;
	const size_t width = context->group.width;
	float* plane = context->output + context->group.first_image * nnps_conv_output_image(g) + o * nnps_conv_output_plane(g);
	const float bias = context->bias != NULL ? context->bias[o] : 0.0f;
	for (size_t column0 = 0; column0 < width; column0 += LANES) {
		context->transform(context->m + o * width + column0, g->output_channels * width, &context->blocks[column0 / LANES], plane, g->output_width, bias,
			context->relu);
	}
}

const struct nnps_winograd_transforms* nnps_winograd_transforms_of(enum nnps_winograd_variant variant, const struct nnps_isa_table* isa) {
	return variant == nnps_winograd_f4x4k3x3 ? &isa->winograd_f4x4k3x3 : &isa->winograd_f6x6k3x3;
}

bool nnps_winograd_applies(enum nnps_function function, const struct nnps_conv* g) {
	return g->kernel_height == 3 && g->kernel_width == 3 && g->stride_height == 1 && g->stride_width == 1 && g->pad_top <= 2 && g->pad_left <= 2 &&
		function != nnps_function_kernel_gradient;
}

/* The convolution Winograd runs: g itself, or for the input gradient its transposed convolution (padding 2 - p). */
static struct nnps_conv convolution_run(enum nnps_function function, const struct nnps_conv* g) {
	return function == nnps_function_input_gradient ? nnps_conv_transposed(g) : *g;
}

bool nnps_winograd_workspace(enum nnps_winograd_variant variant,
	enum nnps_function function, const struct nnps_conv* g, const struct nnps_isa_table* isa, size_t threads, bool kernel_transformed, size_t* floats)
{
	const struct nnps_conv run = convolution_run(function, g);
	struct plan plan;
	if (!make_plan(variant, &run, &isa->sgemm, threads, kernel_transformed, &plan)) return false;
	*floats = plan.floats;
	return true;
}

/* With transformed_kernel NULL, U is transformed here into the workspace. */
static void convolve(enum nnps_winograd_variant variant,
	const struct nnps_conv* g, const struct nnps_isa_table* isa, const float* input, const float* kernel, bool rotated, const float* transformed_kernel,
	const float* bias, bool relu, float* output, float* workspace, pthreadpool_t pool, struct nnp_profile* profile)
{
	struct plan plan;
	make_plan(variant, g, &isa->sgemm, pthreadpool_get_threads_count(pool), transformed_kernel != NULL, &plan);
	float *v = workspace + plan.v_offset, *m = workspace + plan.m_offset;
	const float* u = transformed_kernel;
	const struct nnps_winograd_transforms* transforms = nnps_winograd_transforms_of(variant, isa);
	struct nnp_profile phases = { 0 };
	double start = nnps_now_seconds();
	if (u == NULL) {
		nnps_winograd_transform_kernel(variant, g, isa, kernel, rotated, workspace + plan.u_offset, pool);
		u = workspace + plan.u_offset;
	}
	phases.kernel_transform = nnps_now_seconds() - start;
	struct nnps_winograd_block* input_blocks = (struct nnps_winograd_block*) (workspace + plan.input_blocks_offset);
	struct nnps_winograd_block* output_blocks = (struct nnps_winograd_block*) (workspace + plan.output_blocks_offset);
	for (size_t first = 0; first < g->batch; first += plan.group_images) {
		const size_t columns = nnps_min(plan.group_images, g->batch - first) * plan.tiles;
		const struct group group = { first, columns, nnps_round_up(columns, LANES) };
		start = nnps_now_seconds();
		describe_blocks(g, &plan, &group, input_blocks, output_blocks);
		const struct input_context inputs = { g, group, transforms->input_transform, input_blocks, input, v };
		nnps_parallelize(pool, input_task, (void*) &inputs, g->input_channels);
		phases.input_transform += nnps_now_seconds() - start;
		start = nnps_now_seconds();
		const struct multiply_context products = { g, &plan, group, &isa->sgemm, u, v, m, workspace };
		nnps_parallelize(pool, multiply_task, (void*) &products, plan.points * nnps_ceil_div(group.width, plan.chunk));
		phases.block_multiplication += nnps_now_seconds() - start;
		start = nnps_now_seconds();
		const struct output_context outputs = { g, group, transforms->output_transform, output_blocks, m, bias, relu, output };
		nnps_parallelize(pool, output_task, (void*) &outputs, g->output_channels);
		phases.output_transform += nnps_now_seconds() - start;
	}
	*profile = phases;
}

void nnps_winograd_output(enum nnps_winograd_variant variant,
	const struct nnps_conv* g, const struct nnps_isa_table* isa, const float* input, const float* kernel, const float* transformed_kernel, const float* bias,
	bool relu, float* output, float* workspace, pthreadpool_t pool, struct nnp_profile* profile)
{
	convolve(variant, g, isa, input, kernel, false, transformed_kernel, bias, relu, output, workspace, pool, profile);
}

void nnps_winograd_input_gradient(enum nnps_winograd_variant variant,
	const struct nnps_conv* g, const struct nnps_isa_table* isa, const float* grad_output, const float* kernel, float* grad_input,
	float* workspace, pthreadpool_t pool, struct nnp_profile* profile)
{
	const struct nnps_conv run = nnps_conv_transposed(g);
	convolve(variant, &run, isa, grad_output, kernel, true, NULL, NULL, false, grad_input, workspace, pool, profile);
}
