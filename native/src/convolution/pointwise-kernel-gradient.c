/* The kernel gradient of a pointwise convolution as dot products of rows (see implicit-gemm.h). */
#include "implicit-gemm.h"

bool nnps_pointwise_kernel_gradient_applies(const struct nnps_conv* g, const struct nnps_sgemm_config* config) {
	return nnps_conv_is_pointwise(g) && config->dot_ukernel != NULL;
}

/* Pixels per block: grad_output's block (Cout x this) stays in L2 while the input's rows pass it, and each block ends
 * with the tiles' lane sums and a pass over grad_kernel, so a block is as long as BLOCK_BYTES of grad_output allow,
 * from NNPS_SDOT_DEPTH to four times that (nnpack_ab_bench, ResNet 1x1's 64 channels, one thread, 9 rounds: 2048
 * pixels 1.04x, 4096 1.06x over 1024; 512 0.96x). */
#define BLOCK_BYTES (768 * 1024)
static size_t block_pixels(size_t output_channels) {
	return nnps_clamp(nnps_round_down(BLOCK_BYTES / (output_channels * sizeof(float)), 16), NNPS_SDOT_DEPTH, 4 * NNPS_SDOT_DEPTH);
}

struct pointwise_context {
	const struct nnps_conv* g;
	const struct nnps_sgemm_config* config;
	const float* input;
	const float* grad_output;
	float* grad_kernel;
	size_t columns; /* input channels per task, a multiple of the tile's */
};

/* Task = a run of input channels: grad_kernel's columns [c0, c0 + columns) for every output channel, summed over the
 * images and their pixel blocks in order, so each element's sum is the same on any number of threads. */
static void pointwise_task(void* argument, size_t thread, size_t task) {
	(void) thread;
	const struct pointwise_context* context = argument;
	const struct nnps_conv* g = context->g;
	const struct nnps_sgemm_config* config = context->config;
	const size_t plane = nnps_conv_output_plane(g), cin = g->input_channels, cout = g->output_channels;
	const size_t c0 = task * context->columns, c1 = nnps_min(cin, c0 + context->columns);
	for (size_t image = 0; image < g->batch; image++) {
		const float* x = context->input + image * nnps_conv_input_image(g);
		const float* dy = context->grad_output + image * nnps_conv_output_image(g);
		const size_t block = block_pixels(cout);
		for (size_t p0 = 0; p0 < plane; p0 += block) {
			nnps_sdot(config, cout, c1 - c0, nnps_min(block, plane - p0), dy + p0, plane, x + c0 * plane + p0, plane,
				context->grad_kernel + c0, cin, image != 0 || p0 != 0);
		}
	}
}

void nnps_pointwise_kernel_gradient(
	const struct nnps_conv* g, const struct nnps_sgemm_config* config, const float* input, const float* grad_output, float* grad_kernel, pthreadpool_t pool)
{
	size_t columns, tasks;
	nnps_split(g->input_channels, nnps_target_tasks(pthreadpool_get_threads_count(pool)), config->dot_nr, &columns, &tasks);
	const struct pointwise_context context = { g, config, input, grad_output, grad_kernel, columns };
	nnps_parallelize(pool, pointwise_task, (void*) &context, tasks);
}
