/* Implicit GEMM for the kernel gradient, one of two ways, each deterministic and independent of the thread count:
 * - tiles: each task owns a tile of grad_kernel and sums it over the batch in order (large grad_kernels);
 * - segments: a small grad_kernel (the ResNet stem's 64 x 147, a 1x1 layer's 64 x 256) would give too few, unequal
 *   tiles, and every tile packs the whole of grad_output again; instead the reduction over (image, pixel) is cut into
 *   segments fixed by the problem alone, each multiplied into its own partial grad_kernel, and the partials are summed
 *   in segment order. Where the table has a dot ukernel and the image reads stride 1 along the rows (as is, or split
 *   by column phase), the segments are runs of output rows whose im2col rows are gathered (a copy of a contiguous run
 *   per tap and row) and multiplied as dot products: no transposes (ResNet stem 1.17x / 1.21x on 1 / 2 threads). */
#include "decimation.h"
#include "implicit-gemm.h"
#include "kernel-gradient-gather.h"
#include "phase-split.h"

/* Segments: at most this many pixels of one image; used when grad_kernel has at most SEGMENT_MAX_GRADIENT floats and
 * all partials together at most SEGMENT_MAX_PARTIALS. */
#define SEGMENT_PIXELS 4096
#define SEGMENT_MAX_GRADIENT 32768
#define SEGMENT_MAX_PARTIALS (1u << 20)

struct segments {
	bool used;
	/* Row segments (on the table's dot ukernel, where the image reads stride 1 along the rows): each a run of whole
	 * output rows, its im2col rows gathered block by block and multiplied as dot products; else pixel segments on
	 * the GEMM with the transposed im2col packer. */
	bool rows;
	size_t per_image, pixels, count; /* segments per image, pixels (row segments: output rows) per segment (the last of an image may be shorter), in all */
	size_t block_rows;               /* row segments: output rows per gathered block */
	size_t gradient_floats;          /* one partial, rounded up to a cache line */
	size_t thread_floats;
};

/* Row segments need the dot ukernel and an image read at stride 1 along the rows (as is, or phase-split); a decimated
 * image is read as one plain matrix instead (its rows are not the im2col geometry's). */
static bool row_segments_apply(const struct nnps_conv* g, const struct nnps_sgemm_config* config, bool phased) {
	return config->dot_ukernel != NULL && (phased || nnps_conv_stride_x(g) == 1) && !nnps_decimation_applies(g);
}

static struct segments plan_segments(const struct nnps_conv* g, const struct nnps_sgemm_config* config, bool rows) {
	struct segments plan = { 0 };
	const size_t plane = nnps_conv_output_plane(g), gradient = g->output_channels * nnps_conv_patch(g);
	plan.rows = rows;
	if (rows) {
		plan.pixels = nnps_max(1, SEGMENT_PIXELS / g->output_width);
		plan.per_image = nnps_ceil_div(g->output_height, plan.pixels);
		/* Gathered and multiplied about NNPS_SDOT_DEPTH pixels at a time: the gathered rows stay in L2 too. */
		plan.block_rows = nnps_min(plan.pixels, nnps_max(1, NNPS_SDOT_DEPTH / g->output_width));
	} else {
		plan.per_image = nnps_ceil_div(plane, SEGMENT_PIXELS);
		plan.pixels = nnps_ceil_div(plane, plan.per_image);
	}
	plan.count = g->batch * plan.per_image;
	plan.gradient_floats = nnps_round_up(gradient, NNPS_FLOATS_PER_LINE);
	plan.used = plan.count >= 2 && gradient <= SEGMENT_MAX_GRADIENT && plan.count * plan.gradient_floats <= SEGMENT_MAX_PARTIALS;
	plan.thread_floats = rows ? nnps_round_up(nnps_conv_patch(g) * plan.block_rows * g->output_width, NNPS_FLOATS_PER_LINE)
		: nnps_gemm_buffer_floats(config, g->output_channels, nnps_conv_patch(g), plan.pixels);
	return plan;
}

/* ---- kernel gradient: each task owns a tile of grad_kernel [Cout][patch] and sums over the batch in order ---- */

struct kernel_gradient_plan {
	size_t chunk_m, chunk_n, tasks_n; /* tile height (output channels) and width (patch), tiles per row */
	size_t thread_floats;
};

static struct kernel_gradient_plan plan_kernel_gradient(const struct nnps_conv* g, const struct nnps_sgemm_config* config, size_t threads) {
	struct kernel_gradient_plan plan;
	/* One tile per thread: the tiles are equal, so they balance by themselves, and every extra tile packs its rows of
	 * grad_output again (measured at 2 threads: 1.04-1.12x over two tiles per thread on most layers, 1.65x on small). */
	const size_t target = threads, patch = nnps_conv_patch(g);
	/* Tiles side by side each pack all of A (grad_output, Cout x pixels), tiles one above the other all of B (the
	 * image's columns, patch x pixels): cut grad_kernel across its longer side, so that the operand every tile packs
	 * again is the smaller one (the 1x1/2 projection, 512 x 256: nnpack_ab_bench, two threads, 15 rounds, 1.06x). */
	if (g->output_channels > patch && threads > 1) {
		plan.chunk_n = nnps_round_up(patch, config->nr);
		plan.tasks_n = 1;
		size_t tasks_m;
		nnps_split(g->output_channels, target, config->mr, &plan.chunk_m, &tasks_m);
	} else {
		nnps_split(patch, target, config->nr, &plan.chunk_n, &plan.tasks_n);
		/* Split rows too only when the columns alone leave threads idle. */
		const size_t tasks_m = plan.tasks_n >= threads ? 1 : nnps_min(nnps_ceil_div(g->output_channels, config->mr), nnps_ceil_div(target, plan.tasks_n));
		plan.chunk_m = nnps_round_up(nnps_ceil_div(g->output_channels, tasks_m), config->mr);
	}
	plan.thread_floats = nnps_gemm_buffer_floats(config, plan.chunk_m, plan.chunk_n, nnps_conv_output_plane(g));
	return plan;
}

/* One context for both ways; the plan of the way not taken is unused. */
struct kernel_gradient_context {
	const struct nnps_conv* g;
	const struct nnps_sgemm_config* config;
	struct kernel_gradient_plan plan;
	struct segments segments;
	struct nnps_im2col im2col;
	const float* input; /* B's images: the input, its phase split, or its decimation */
	size_t input_image; /* floats between them */
	bool decimated;     /* the images are a strided 1x1 layer's decimated input: B is their transpose as it lies */
	const float* grad_output;
	float* grad_kernel;
	float* workspace; /* tiles: each thread's GEMM buffers; segments: the partials, then each thread's GEMM buffers */
};

/* B of one image: im2col(input[image])^T through the transposed im2col packer (16x16 register transposes), or a
 * decimated image's transpose read in place (the transpose packer: whole vector loads, no masks or permutes). */
static struct nnps_b_source image_columns(const struct kernel_gradient_context* context, size_t image) {
	const float* image_data = context->input + image * context->input_image;
	if (context->decimated) return (struct nnps_b_source) { nnps_b_strided, image_data, 1, nnps_conv_output_plane(context->g), NULL };
	return (struct nnps_b_source) { nnps_b_im2col_transposed, image_data, 0, 0, &context->im2col };
}

/* The window geometry of B. A pointwise convolution's im2col is the image itself: read as one row of H*W pixels, so
 * a panel's pixels are one run and the packer's unmasked 16-pixel path takes all but the image's last group (the
 * strided-matrix packer transposed it one float at a time: more time than the multiply-adds on ResNet's 1x1 layer). */
static struct nnps_im2col kernel_gradient_im2col(const struct nnps_conv* g) {
	if (!nnps_conv_is_pointwise(g)) return nnps_conv_im2col(g);
	const size_t plane = nnps_conv_output_plane(g);
	return (struct nnps_im2col) { 1, plane, 1, 1, 0, 0, 1, 1, plane, plane, nnps_conv_input_image(g), 0 };
}

static void kernel_gradient_task(void* argument, size_t thread, size_t task) {
	const struct kernel_gradient_context* context = argument;
	const struct nnps_conv* g = context->g;
	const size_t plane = nnps_conv_output_plane(g), patch = nnps_conv_patch(g);
	const size_t row0 = (task / context->plan.tasks_n) * context->plan.chunk_m, col0 = (task % context->plan.tasks_n) * context->plan.chunk_n;
	const size_t m = nnps_min(context->plan.chunk_m, g->output_channels - row0), n = nnps_min(context->plan.chunk_n, patch - col0);
	const struct nnps_gemm_buffers buffers = nnps_gemm_buffers_carve(context->config, context->plan.chunk_m, context->plan.chunk_n, plane,
		context->workspace + thread * context->plan.thread_floats);
	for (size_t image = 0; image < g->batch; image++) {
		const struct nnps_b_source b = image_columns(context, image);
		const float* a = context->grad_output + image * nnps_conv_output_image(g) + row0 * plane;
		nnps_sgemm(context->config, m, n, plane, a, plane, 1, &b, 0, col0, context->grad_kernel + row0 * patch + col0, patch, image != 0, &buffers);
	}
}

/* ---- segments: partial[s] = grad_output[segment s] * im2col(input)[segment s]^T, then grad_kernel = sum in order ---- */


static void segment_task(void* argument, size_t thread, size_t s) {
	const struct kernel_gradient_context* context = argument;
	const struct nnps_conv* g = context->g;
	const struct segments* plan = &context->segments;
	const size_t plane = nnps_conv_output_plane(g), patch = nnps_conv_patch(g), image = s / plan->per_image;
	const size_t p0 = s % plan->per_image * plan->pixels, pixels = nnps_min(plan->pixels, plane - p0);
	float* buffers_base = context->workspace + plan->count * plan->gradient_floats + thread * plan->thread_floats;
	const struct nnps_gemm_buffers buffers = nnps_gemm_buffers_carve(context->config, g->output_channels, patch, plan->pixels, buffers_base);
	const struct nnps_b_source b = image_columns(context, image);
	const float* a = context->grad_output + image * nnps_conv_output_image(g) + p0;
	nnps_sgemm(context->config, g->output_channels, patch, pixels, a, plane, 1, &b, p0, 0, context->workspace + s * plan->gradient_floats, patch, false, &buffers);
}

/* Row segment s: its output rows block by block, the im2col rows gathered into the thread's buffer, then
 * partial[s] (+)= grad_output[block] . gathered[block] as dot products over the block's pixels. */
static void row_segment_task(void* argument, size_t thread, size_t s) {
	const struct kernel_gradient_context* context = argument;
	const struct nnps_conv* g = context->g;
	const struct segments* plan = &context->segments;
	const size_t plane = nnps_conv_output_plane(g), patch = nnps_conv_patch(g), image = s / plan->per_image;
	const size_t oy0 = s % plan->per_image * plan->pixels, oy1 = nnps_min(g->output_height, oy0 + plan->pixels);
	float* gathered = context->workspace + plan->count * plan->gradient_floats + thread * plan->thread_floats;
	float* partial = context->workspace + s * plan->gradient_floats;
	const float* grad_output = context->grad_output + image * nnps_conv_output_image(g);
	for (size_t y = oy0; y < oy1; y += plan->block_rows) {
		const size_t rows = nnps_min(plan->block_rows, oy1 - y), pixels = rows * g->output_width;
		nnps_im2col_gather_rows(&context->im2col, context->input + image * context->input_image, g->input_channels, y, rows, gathered);
		nnps_sdot(context->config, g->output_channels, patch, pixels, grad_output + y * g->output_width, plane, gathered, pixels, partial, patch, y != oy0);
	}
}

/* grad_kernel[e] for e in one line-sized run: the partials summed in segment order. */
#define MERGE_FLOATS 1024
static void merge_task(void* argument, size_t thread, size_t task) {
	(void) thread;
	const struct kernel_gradient_context* context = argument;
	const size_t total = context->g->output_channels * nnps_conv_patch(context->g), e0 = task * MERGE_FLOATS, count = nnps_min(MERGE_FLOATS, total - e0);
	float* out = context->grad_kernel + e0;
	for (size_t e = 0; e < count; e++) out[e] = context->workspace[e0 + e];
	for (size_t s = 1; s < context->segments.count; s++) {
		const float* partial = context->workspace + s * context->segments.gradient_floats + e0;
		for (size_t e = 0; e < count; e++) out[e] += partial[e];
	}
}

/* The GEMMs' workspace under either plan (the one not used is ignored); a phase split comes after it. */
static bool gemm_floats(const struct segments* segments, const struct kernel_gradient_plan* plan, size_t threads, size_t* floats) {
	if (!segments->used) return !__builtin_mul_overflow(plan->thread_floats, threads, floats);
	size_t buffers;
	return !__builtin_mul_overflow(segments->thread_floats, threads, &buffers) && !__builtin_add_overflow(buffers, segments->count * segments->gradient_floats, floats);
}

bool nnps_implicit_gemm_kernel_gradient_workspace(const struct nnps_conv* g, const struct nnps_sgemm_config* config, size_t threads, size_t* floats) {
	if (nnps_pointwise_kernel_gradient_applies(g, config)) return nnps_pointwise_kernel_gradient_workspace(g, config, threads, floats);
	struct nnps_gather_plan gather;
	if (nnps_kernel_gradient_gather_plan(g, config, threads, &gather)) return nnps_kernel_gradient_gather_workspace(&gather, threads, floats);
	struct nnps_phase_split split;
	const bool phased = nnps_phase_split_of(g, &split);
	const struct segments segments = plan_segments(g, config, row_segments_apply(g, config, phased));
	const struct kernel_gradient_plan plan = plan_kernel_gradient(g, config, threads);
	size_t gemm;
	if (!gemm_floats(&segments, &plan, threads, &gemm)) return false;
	if (nnps_decimation_applies(g)) return nnps_decimation_workspace(g, gemm, floats);
	return nnps_phase_split_workspace(g, phased ? &split : NULL, gemm, floats);
}

void nnps_implicit_gemm_kernel_gradient(
	const struct nnps_conv* g, const struct nnps_sgemm_config* config, const float* input, const float* grad_output, float* grad_kernel,
	float* workspace, pthreadpool_t pool)
{
	/* A 1x1 layer's operands are both row-major along the pixels (a strided one's once decimated): dot products need
	 * no transposed packing (the packer took 30% of ResNet 1x1's kernel gradient). */
	if (nnps_pointwise_kernel_gradient_applies(g, config)) {
		nnps_pointwise_kernel_gradient(g, config, input, grad_output, grad_kernel, workspace, pool);
		return;
	}
	const size_t threads = pthreadpool_get_threads_count(pool);
	struct nnps_gather_plan gather;
	if (nnps_kernel_gradient_gather_plan(g, config, threads, &gather)) {
		nnps_kernel_gradient_gather(g, config, &gather, input, grad_output, grad_kernel, workspace, pool);
		return;
	}
	/* A strided input with wide windows is split by column phase first (after the GEMMs' workspace), and B is packed
	 * (or its rows gathered) from the split. */
	struct nnps_phase_split split;
	const bool phased = nnps_phase_split_of(g, &split);
	const struct segments segments = plan_segments(g, config, row_segments_apply(g, config, phased));
	const struct kernel_gradient_plan plan = plan_kernel_gradient(g, config, threads);
	/* A strided 1x1 layer's input is decimated the same way, and B read from it as a plain transposed matrix: one
	 * streaming pass, where the packer read every other float of every other row per panel (nnpack_ab_bench, the 1x1/2
	 * projection's kernel gradient: see decimation.h). */
	const bool decimated = nnps_decimation_applies(g);
	size_t gemm = 0;
	if (phased || decimated) gemm_floats(&segments, &plan, threads, &gemm);
	const float* images = input;
	if (phased) {
		images = nnps_phase_split_into_workspace(g, &split, input, workspace, gemm, pool);
	} else if (decimated) {
		images = nnps_decimate_into_workspace(g, input, workspace, gemm, pool);
	}
	const struct kernel_gradient_context context = {
		g, config, plan, segments,
		phased ? nnps_phase_split_im2col(g, &split) : kernel_gradient_im2col(g), images,
		phased ? split.image : decimated ? nnps_decimated_image(g) : nnps_conv_input_image(g), decimated, grad_output,
		grad_kernel, workspace,
	};
	if (context.segments.used) {
		nnps_parallelize(pool, context.segments.rows ? row_segment_task : segment_task, (void*) &context, context.segments.count);
		nnps_parallelize(pool, merge_task, (void*) &context, nnps_ceil_div(g->output_channels * nnps_conv_patch(g), MERGE_FLOATS));
		return;
	}
	const size_t tasks_m = nnps_ceil_div(g->output_channels, context.plan.chunk_m);
	nnps_parallelize(pool, kernel_gradient_task, (void*) &context, tasks_m * context.plan.tasks_n);
}
