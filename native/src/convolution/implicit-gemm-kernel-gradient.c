/* Implicit GEMM for the kernel gradient: tiles of grad_kernel, each summed over the batch by the task that owns it. */
#include "implicit-gemm.h"

/* ---- kernel gradient: each task owns a tile of grad_kernel [Cout][patch] and sums over the batch in order ---- */

struct kernel_gradient_plan {
	size_t chunk_m, chunk_n, tasks_n; /* tile height (output channels) and width (patch), tiles per row */
	size_t thread_floats;
};

static struct kernel_gradient_plan plan_kernel_gradient(const struct nnps_conv* g, const struct nnps_sgemm_config* config, size_t threads) {
	struct kernel_gradient_plan plan;
	/* One tile per thread: the tiles are equal, so they balance by themselves, and every extra tile packs its rows of
	 * grad_output again (measured at 2 threads: 1.04-1.12x over two tiles per thread on most layers, 1.65x on small). */
	const size_t target = threads;
	nnps_split(nnps_conv_patch(g), target, config->nr, &plan.chunk_n, &plan.tasks_n);
	/* Split rows too only when the columns alone leave threads idle. */
	const size_t tasks_m = plan.tasks_n >= threads ? 1 : nnps_min(nnps_ceil_div(g->output_channels, config->mr), nnps_ceil_div(target, plan.tasks_n));
	plan.chunk_m = nnps_round_up(nnps_ceil_div(g->output_channels, tasks_m), config->mr);
	plan.thread_floats = nnps_gemm_buffer_floats(config, plan.chunk_m, plan.chunk_n, nnps_conv_output_plane(g));
	return plan;
}

struct kernel_gradient_context {
	const struct nnps_conv* g;
	const struct nnps_sgemm_config* config;
	struct kernel_gradient_plan plan;
	struct nnps_im2col im2col;
	const float* input;
	const float* grad_output;
	float* grad_kernel;
	float* workspace;
};

static void kernel_gradient_task(void* argument, size_t thread, size_t task) {
	const struct kernel_gradient_context* context = argument;
	const struct nnps_conv* g = context->g;
	const size_t plane = nnps_conv_output_plane(g), patch = nnps_conv_patch(g);
	const size_t row0 = (task / context->plan.tasks_n) * context->plan.chunk_m, col0 = (task % context->plan.tasks_n) * context->plan.chunk_n;
	const size_t m = nnps_min(context->plan.chunk_m, g->output_channels - row0), n = nnps_min(context->plan.chunk_n, patch - col0);
	const struct nnps_gemm_buffers buffers = nnps_gemm_buffers_carve(context->config, context->plan.chunk_m, context->plan.chunk_n, plane,
		context->workspace + thread * context->plan.thread_floats);
	for (size_t image = 0; image < g->batch; image++) {
		const float* image_data = context->input + image * nnps_conv_input_image(g);
		const struct nnps_b_source b = nnps_conv_is_pointwise(g)
			? (struct nnps_b_source) { nnps_b_strided, image_data, 1, plane, NULL }
			: (struct nnps_b_source) { nnps_b_im2col_transposed, image_data, 0, 0, &context->im2col };
		const float* a = context->grad_output + image * nnps_conv_output_image(g) + row0 * plane;
		nnps_sgemm(context->config, m, n, plane, a, plane, 1, &b, 0, col0, context->grad_kernel + row0 * patch + col0, patch, image != 0, &buffers);
	}
}

bool nnps_implicit_gemm_kernel_gradient_workspace(const struct nnps_conv* g, const struct nnps_sgemm_config* config, size_t threads, size_t* floats) {
	return !__builtin_mul_overflow(plan_kernel_gradient(g, config, threads).thread_floats, threads, floats);
}

void nnps_implicit_gemm_kernel_gradient(
	const struct nnps_conv* g, const struct nnps_sgemm_config* config, const float* input, const float* grad_output, float* grad_kernel,
	float* workspace, pthreadpool_t pool)
{
	const struct kernel_gradient_context context = {
		g, config, plan_kernel_gradient(g, config, pthreadpool_get_threads_count(pool)), nnps_conv_im2col(g), input, grad_output, grad_kernel, workspace,
	};
	const size_t tasks_m = nnps_ceil_div(g->output_channels, context.plan.chunk_m);
	nnps_parallelize(pool, kernel_gradient_task, (void*) &context, tasks_m * context.plan.tasks_n);
}
