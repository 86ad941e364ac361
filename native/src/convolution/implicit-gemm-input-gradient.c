/* The input gradient of a stride-1 convolution as a convolution: grad_input = conv(grad_output, rot180(kernel)^T)
 * with padding k - 1 - p, computed by the output path after one phase that writes the rotated kernel. */
#include "implicit-gemm.h"

bool nnps_implicit_gemm_input_gradient_applies(const struct nnps_conv* g) {
	return g->stride_height == 1 && g->stride_width == 1 && g->pad_top < g->kernel_height && g->pad_left < g->kernel_width;
}

static size_t kernel_floats(const struct nnps_conv* g) {
	return nnps_round_up(g->output_channels * nnps_conv_patch(g), NNPS_FLOATS_PER_LINE);
}

bool nnps_implicit_gemm_input_gradient_workspace(const struct nnps_conv* g, const struct nnps_sgemm_config* config, size_t threads, size_t* floats) {
	const struct nnps_conv t = nnps_conv_transposed(g);
	size_t output;
	return nnps_implicit_gemm_output_workspace(&t, config, threads, false, &output) && !__builtin_add_overflow(output, kernel_floats(g), floats);
}

/* rotated[c][o][ky][kx] = kernel[o][c][kh-1-ky][kw-1-kx], one forward input channel c per task. */
struct rotate_context {
	const struct nnps_conv* g;
	const float* kernel;
	float* rotated;
};

static void rotate_task(void* argument, size_t thread, size_t c) {
	(void) thread;
	const struct rotate_context* context = argument;
	const struct nnps_conv* g = context->g;
	const size_t taps = g->kernel_height * g->kernel_width;
	for (size_t o = 0; o < g->output_channels; o++) {
		const float* source = context->kernel + (o * g->input_channels + c) * taps;
		float* target = context->rotated + (c * g->output_channels + o) * taps;
		for (size_t t = 0; t < taps; t++) target[t] = source[taps - 1 - t];
	}
}

void nnps_implicit_gemm_input_gradient(
	const struct nnps_conv* g, const struct nnps_sgemm_config* config, const float* grad_output, const float* kernel, float* grad_input,
	float* workspace, pthreadpool_t pool)
{
	const struct nnps_conv t = nnps_conv_transposed(g);
	const struct rotate_context rotation = { g, kernel, workspace };
	nnps_parallelize(pool, rotate_task, (void*) &rotation, g->input_channels);
	nnps_implicit_gemm_output(&t, config, grad_output, workspace, NULL, NULL, false, grad_input, workspace + kernel_floats(g), pool);
}
