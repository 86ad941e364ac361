/*
 * Implicit GEMM for the output: output[:, columns] = kernel * im2col(input)[:, columns] (+ bias, relu), the kernel
 * packed once per call. The GEMM's columns are (image, pixel) pairs of the whole batch, cut into chunks of micro-tile
 * width: a large map gives each image its own chunks; small maps (7x7, 13x13, 14x14) share chunks between images, so
 * the packed kernel streams from memory once per chunk rather than once per image and partial tiles stay rare. A
 * chunk within one image is computed in place; one that spans images is computed into the thread's scratch tile and
 * copied out.
 */
#include <string.h>

#include "decimation.h"
#include "implicit-gemm.h"
#include "phase-split.h"

/* Maps at least this many pixels are cut per image; smaller ones share chunks of about this many columns. */
#define SHARED_CHUNK_COLUMNS 1024
/* A subsampled chunk (below) holds at most this many input floats: L2-sized, so the GEMM reads it from there. */
#define SUBSAMPLED_CHUNK_FLOATS (256 * 1024)

/* A 1x1 kernel with a stride and no top/left padding reads every stride-th pixel of every stride-th row. Packed
 * straight from the image, each panel row waited on lines from another channel plane (nnpack_ab_bench, CPU time: the
 * 1x1/2 projection ran at 56% of the peak, its stride-1 twin on a 28x28 map at 87%); instead each task first copies
 * its chunk's pixels of every channel into an L2-sized buffer, and the pointwise GEMM packs from there. */
static bool subsampled_pointwise(const struct nnps_conv* g) {
	return g->kernel_height == 1 && g->kernel_width == 1 && g->pad_top == 0 && g->pad_left == 0 && !nnps_conv_is_pointwise(g);
}

/* How B's images reach the packers: the input as it is, a phase split of the whole batch made before the tasks
 * (chunks across images), or each task's own split of the rows its chunk reads, made into its scratch just before
 * its GEMM (chunks within an image). */
enum output_split { split_none, split_batch, split_band };

struct output_plan {
	bool subsampled;       /* a strided 1x1 kernel: the thread's scratch holds its chunk's input pixels */
	bool shared;           /* chunks run across images */
	enum output_split split;
	struct nnps_phase_split phases; /* the split's sizes, where there is one */
	size_t panels;         /* of nr columns: an image's, or the batch's when shared */
	size_t chunk, chunks;  /* the most columns a task takes; tasks per image (per batch when shared) */
	size_t kernel_floats;  /* the kernel packed once per call, shared by every task */
	size_t thread_floats;  /* then each thread's B panel and, when shared, its scratch output */
	size_t scratch_floats;
};

/* Whether chunks across images pack from a split of the whole batch: where the output rows are narrower than two
 * panels, so most panels cross a row and the stride-2 packer clips each run (nnpack_ab_bench, CPU time, 1 thread: a
 * 5x5/2 layer with 28-pixel rows 1.08x split). */
static enum output_split batch_split(const struct nnps_conv* g, const struct nnps_sgemm_config* config) {
	return g->output_width < 2 * config->nr ? split_batch : split_none;
}

static struct output_plan plan_output(const struct nnps_conv* g, const struct nnps_sgemm_config* config, size_t threads, bool kernel_packed) {
	struct output_plan plan;
	const size_t plane = nnps_conv_output_plane(g), target = nnps_target_tasks(threads);
	plan.subsampled = subsampled_pointwise(g);
	plan.shared = g->batch > 1 && plane < SHARED_CHUNK_COLUMNS && !nnps_conv_is_pointwise(g) && !plan.subsampled;
	/* Chunks of whole panels, balanced (nnps_balanced_part); plan.chunk is the widest. */
	if (plan.shared) {
		const size_t columns = g->batch * plane;
		plan.panels = nnps_ceil_div(columns, config->nr);
		plan.chunks = nnps_max(target, nnps_ceil_div(columns, SHARED_CHUNK_COLUMNS));
		/* A multiple of the threads, so that each takes the same number of near-equal chunks. */
		if (threads > 1) plan.chunks = nnps_round_up(plan.chunks, threads);
	} else {
		plan.panels = nnps_ceil_div(plane, config->nr);
		plan.chunks = nnps_ceil_div(target, g->batch);
		if (plan.subsampled) {
			const size_t most = nnps_max(config->nr, nnps_round_down(SUBSAMPLED_CHUNK_FLOATS / g->input_channels, config->nr));
			plan.chunks = nnps_max(plan.chunks, nnps_ceil_div(plane, most));
		}
	}
	plan.chunks = nnps_min(plan.chunks, plan.panels);
	plan.chunk = nnps_ceil_div(plan.panels, plan.chunks) * config->nr;
	plan.split = !plan.subsampled && nnps_phase_split_of(g, &plan.phases) ? plan.shared ? batch_split(g, config) : split_band : split_none;
	plan.kernel_floats = kernel_packed ? 0 : nnps_packed_a_floats(config, g->output_channels, nnps_conv_patch(g));
	plan.scratch_floats = plan.shared ? nnps_round_up(g->output_channels * plan.chunk, NNPS_FLOATS_PER_LINE)
		: plan.subsampled ? nnps_round_up(g->input_channels * plan.chunk, NNPS_FLOATS_PER_LINE)
		: plan.split == split_band ? nnps_round_up(plan.phases.image, NNPS_FLOATS_PER_LINE) : 0;
	/* (An overflowing sum makes the workspace's product overflow too, so the call is refused.) */
	if (__builtin_add_overflow(nnps_gemm_buffer_floats(config, 0, plan.chunk, nnps_conv_patch(g)), plan.scratch_floats, &plan.thread_floats)) plan.thread_floats = SIZE_MAX;
	return plan;
}

struct output_context {
	const struct nnps_conv* g;
	const struct nnps_sgemm_config* config;
	struct output_plan plan;
	struct nnps_im2col im2col;
	const float* input; /* B's images: the input, or its phase split */
	size_t input_image; /* floats between them */
	const float* bias;
	bool relu;
	float* output;
	const float* packed_kernel;
	float* workspace;
};

/* Copies columns [0, n) of the scratch tile, global columns col0.., into their images. */
static void scatter(const struct output_context* context, const float* scratch, size_t col0, size_t n) {
	const struct nnps_conv* g = context->g;
	const size_t plane = nnps_conv_output_plane(g), chunk = context->plan.chunk;
	for (size_t j = 0; j < n;) {
		const size_t image = (col0 + j) / plane, pixel = (col0 + j) % plane, length = nnps_min(n - j, plane - pixel);
		float* out = context->output + image * nnps_conv_output_image(g) + pixel;
		for (size_t o = 0; o < g->output_channels; o++) memcpy(out + o * plane, scratch + o * chunk + j, length * sizeof(float));
		j += length;
	}
}

/* A chunk within one image, output pixels [pixel, pixel + n), packing from a phase split of just the rows it reads,
 * made into the thread's scratch now: the packers then read lines the split has just written (L2), not a split of the
 * whole batch made before the tasks (L3 or memory on the ResNet stem's 4 images, 2.5 MB). Returns where row 0 of the
 * split's planes would start (rows before the band are never read) and the band's window geometry. */
static const float* split_band_rows(const struct output_context* context, const float* image, size_t pixel, size_t n, float* band, struct nnps_im2col* im2col) {
	const struct nnps_conv* g = context->g;
	const struct nnps_phase_split* split = &context->plan.phases;
	const size_t r0 = pixel / g->output_width * nnps_conv_stride_y(g), r1 = (pixel + n - 1) / g->output_width * nnps_conv_stride_y(g) + g->kernel_height;
	nnps_phase_split_rows(g, split, image, r0, r1, band);
	*im2col = nnps_phase_split_im2col(g, split);
	im2col->phase_plane = (r1 - r0) * split->width;
	return (const float*) ((uintptr_t) band - (uintptr_t) (r0 * split->width * sizeof(float)));
}

static void output_task(void* argument, size_t thread, size_t task) {
	const struct output_context* context = argument;
	const struct nnps_conv* g = context->g;
	const size_t plane = nnps_conv_output_plane(g), patch = nnps_conv_patch(g), chunk = context->plan.chunk;
	/* Global columns [col0, col0 + n): image col0 / plane onwards. */
	const size_t nr = context->config->nr, columns = context->plan.shared ? g->batch * plane : plane;
	size_t first, end;
	nnps_balanced_part(context->plan.panels, context->plan.chunks, task % context->plan.chunks, &first, &end);
	const size_t col0 = (context->plan.shared ? 0 : task / context->plan.chunks * plane) + first * nr, n = nnps_min(end * nr, columns) - first * nr;
	float* thread_space = context->workspace + context->plan.kernel_floats + thread * context->plan.thread_floats;
	const struct nnps_gemm_buffers buffers = nnps_gemm_buffers_carve(context->config, 0, chunk, patch, thread_space + context->plan.scratch_floats);
	const float* packed_kernel = context->packed_kernel;
	const size_t image = col0 / plane, pixel = col0 % plane;
	if (pixel + n <= plane) {
		/* Within one image: straight into the output. */
		float* out = context->output + image * nnps_conv_output_image(g) + pixel;
		const float* image_data = context->input + image * context->input_image;
		const struct nnps_im2col* windows = &context->im2col;
		struct nnps_im2col band;
		if (context->plan.split == split_band) {
			image_data = split_band_rows(context, image_data, pixel, n, thread_space, &band);
			windows = &band;
		}
		struct nnps_b_source b = nnps_conv_is_pointwise(g)
			? (struct nnps_b_source) { nnps_b_streamed, image_data, plane, 1, NULL }
			: (struct nnps_b_source) { nnps_b_im2col, image_data, 0, 0, windows };
		size_t b_col0 = pixel;
		if (context->plan.subsampled) {
			nnps_decimate_pixels(g, image_data, 0, g->input_channels, pixel, n, thread_space, chunk);
			b = (struct nnps_b_source) { nnps_b_strided, thread_space, chunk, 1, NULL };
			b_col0 = 0;
		}
		nnps_sgemm_packed_a(context->config, g->output_channels, n, patch, packed_kernel, patch, &b, 0, b_col0, out, plane, false, context->bias, &buffers);
		if (context->relu) nnps_relu_rows(out, g->output_channels, plane, n);
		return;
	}
	const struct nnps_b_source b = { nnps_b_im2col, context->input, 0, 0, &context->im2col };
	float* scratch = thread_space;
	nnps_sgemm_packed_a(context->config, g->output_channels, n, patch, packed_kernel, patch, &b, 0, col0, scratch, chunk, false, context->bias, &buffers);
	if (context->relu) nnps_relu_rows(scratch, g->output_channels, chunk, n);
	scatter(context, scratch, col0, n);
}

/* The packed kernel and the threads' buffers; a phase split comes after them. */
static bool gemm_floats(const struct output_plan* plan, size_t threads, size_t* floats) {
	size_t buffers;
	return !__builtin_mul_overflow(plan->thread_floats, threads, &buffers) && !__builtin_add_overflow(buffers, plan->kernel_floats, floats);
}

bool nnps_implicit_gemm_output_workspace(const struct nnps_conv* g, const struct nnps_sgemm_config* config, size_t threads, bool kernel_packed, size_t* floats) {
	if (nnps_column_kernel_applies(g)) return nnps_column_kernel_workspace(g, config, threads, kernel_packed, floats);
	const struct output_plan plan = plan_output(g, config, threads, kernel_packed);
	size_t gemm;
	return gemm_floats(&plan, threads, &gemm) && nnps_phase_split_workspace(g, plan.split == split_batch ? &plan.phases : NULL, gemm, floats);
}

bool nnps_implicit_gemm_kernel_floats(const struct nnps_conv* g, const struct nnps_sgemm_config* config, size_t* floats) {
	if (nnps_column_kernel_applies(g)) return nnps_column_kernel_floats(g, config, floats);
	size_t product;
	if (!nnps_product4(nnps_round_up(g->output_channels, config->mr), nnps_conv_patch(g), 1, 1, &product)) return false;
	*floats = nnps_packed_a_floats(config, g->output_channels, nnps_conv_patch(g));
	return true;
}

void nnps_implicit_gemm_pack_kernel(const struct nnps_conv* g, const struct nnps_sgemm_config* config, const float* kernel, float* packed, pthreadpool_t pool) {
	if (nnps_column_kernel_applies(g)) {
		nnps_column_kernel_pack(g, config, kernel, packed, pool);
		return;
	}
	nnps_pack_a_parallel(config, kernel, nnps_conv_patch(g), 1, g->output_channels, nnps_conv_patch(g), packed, pool);
}

void nnps_implicit_gemm_output(
	const struct nnps_conv* g, const struct nnps_sgemm_config* config, const float* input, const float* kernel, const float* packed_kernel,
	const float* bias, bool relu, float* output, float* workspace, pthreadpool_t pool)
{
	if (nnps_column_kernel_applies(g)) {
		nnps_column_kernel_output(g, config, input, kernel, packed_kernel, bias, relu, output, workspace, pool);
		return;
	}
	const size_t threads = pthreadpool_get_threads_count(pool);
	const struct output_plan plan = plan_output(g, config, threads, packed_kernel != NULL);
	if (packed_kernel == NULL) {
		nnps_implicit_gemm_pack_kernel(g, config, kernel, workspace, pool);
		packed_kernel = workspace;
	}
	const bool phased = plan.split == split_batch;
	size_t gemm = 0;
	if (phased) gemm_floats(&plan, threads, &gemm);
	const float* images = phased ? nnps_phase_split_into_workspace(g, &plan.phases, input, workspace, gemm, pool) : input;
	const struct output_context context = {
		g, config, plan, phased ? nnps_phase_split_im2col(g, &plan.phases) : nnps_conv_im2col(g), images, phased ? plan.phases.image : nnps_conv_input_image(g), bias,
		relu, output, packed_kernel, workspace,
	};
	const size_t tasks = context.plan.shared ? context.plan.chunks : g->batch * context.plan.chunks;
	nnps_parallelize(pool, output_task, (void*) &context, tasks);
}
