/* The kernel gradient of a 1x1 convolution as dot products of rows (see implicit-gemm.h). */
#include "decimation.h"
#include "implicit-gemm.h"

bool nnps_pointwise_kernel_gradient_applies(const struct nnps_conv* g, const struct nnps_sgemm_config* config) {
	return (nnps_conv_is_pointwise(g) || nnps_decimation_applies(g)) && config->dot_ukernel != NULL;
}

/* Pixels per block: grad_output's block (Cout x this) stays in L2 while the input's rows pass it, and each block ends
 * with the tiles' lane sums and a pass over grad_kernel, so a block is as long as BLOCK_BYTES of grad_output allow,
 * from NNPS_SDOT_DEPTH to four times that (nnpack_ab_bench, ResNet 1x1's 64 channels, one thread, 9 rounds: 2048
 * pixels 1.04x, 4096 1.06x over 1024; 512 0.96x). */
#define BLOCK_BYTES (768 * 1024)
static size_t block_pixels(const struct nnps_conv* g) {
	const size_t pixels = nnps_clamp(nnps_round_down(BLOCK_BYTES / (g->output_channels * sizeof(float)), 16), NNPS_SDOT_DEPTH, 4 * NNPS_SDOT_DEPTH);
	return nnps_min(pixels, nnps_conv_output_plane(g));
}

struct pointwise_plan {
	size_t columns, tasks; /* input channels per task, a multiple of the tile's; tasks */
	size_t block;          /* pixels per block (block_pixels) */
	bool decimated;        /* the input's pixels are gathered a block at a time into the thread's buffer */
	size_t row_floats;     /* a gathered row (one channel's block), rounded to a cache line */
	size_t thread_floats;  /* a thread's gathered block */
};

static struct pointwise_plan plan_pointwise(const struct nnps_conv* g, const struct nnps_sgemm_config* config, size_t threads) {
	struct pointwise_plan plan;
	nnps_split(g->input_channels, nnps_target_tasks(threads), config->dot_nr, &plan.columns, &plan.tasks);
	plan.block = block_pixels(g);
	plan.decimated = !nnps_conv_is_pointwise(g);
	plan.row_floats = plan.decimated ? nnps_round_up(plan.block, NNPS_FLOATS_PER_LINE) : 0;
	plan.thread_floats = plan.row_floats * plan.columns;
	return plan;
}

bool nnps_pointwise_kernel_gradient_workspace(const struct nnps_conv* g, const struct nnps_sgemm_config* config, size_t threads, size_t* floats) {
	const struct pointwise_plan plan = plan_pointwise(g, config, threads);
	return !__builtin_mul_overflow(plan.thread_floats, threads, floats);
}

struct pointwise_context {
	const struct nnps_conv* g;
	const struct nnps_sgemm_config* config;
	struct pointwise_plan plan;
	const float* input;
	const float* grad_output;
	float* grad_kernel;
	float* workspace;
};

/* Task = a run of input channels: grad_kernel's columns [c0, c0 + columns) for every output channel, summed over the
 * images and their pixel blocks in order, so each element's sum is the same on any number of threads. A decimated
 * block of the run's channels is gathered into the thread's buffer just before its dot products read it from L2,
 * instead of a pass over the whole batch beforehand and the transposed packing of the GEMM (the 1x1/2 projection: the
 * decimation pass 13% and the packers 16% of its kernel gradient, perf). No slower within this host's noise
 * (nnpack_ab_bench, one thread, 15 rounds of CPU time: 1.04x and 0.99x; wall time, 9-11 rounds: 0.97x-1.04x), with a
 * block of the input per thread for workspace instead of the decimated batch (800 KiB against 6.4 MB on one thread). */
static void pointwise_task(void* argument, size_t thread, size_t task) {
	const struct pointwise_context* context = argument;
	const struct nnps_conv* g = context->g;
	const struct nnps_sgemm_config* config = context->config;
	const size_t plane = nnps_conv_output_plane(g), cin = g->input_channels, cout = g->output_channels;
	const size_t c0 = task * context->plan.columns, c1 = nnps_min(cin, c0 + context->plan.columns);
	float* gathered = context->plan.decimated ? context->workspace + thread * context->plan.thread_floats : NULL;
	const size_t block = context->plan.block;
	for (size_t image = 0; image < g->batch; image++) {
		const float* x = context->input + image * nnps_conv_input_image(g);
		const float* dy = context->grad_output + image * nnps_conv_output_image(g);
		for (size_t p0 = 0; p0 < plane; p0 += block) {
			const size_t pixels = nnps_min(block, plane - p0);
			const float* b = x + c0 * plane + p0;
			size_t ldb = plane;
			if (context->plan.decimated) {
				nnps_decimate_pixels(g, x, c0, c1 - c0, p0, pixels, gathered, context->plan.row_floats);
				b = gathered;
				ldb = context->plan.row_floats;
			}
			nnps_sdot(config, cout, c1 - c0, pixels, dy + p0, plane, b, ldb, context->grad_kernel + c0, cin, image != 0 || p0 != 0);
		}
	}
}

void nnps_pointwise_kernel_gradient(
	const struct nnps_conv* g, const struct nnps_sgemm_config* config, const float* input, const float* grad_output, float* grad_kernel,
	float* workspace, pthreadpool_t pool)
{
	const struct pointwise_plan plan = plan_pointwise(g, config, pthreadpool_get_threads_count(pool));
	const struct pointwise_context context = { g, config, plan, input, grad_output, grad_kernel, workspace };
	nnps_parallelize(pool, pointwise_task, (void*) &context, plan.tasks);
}
