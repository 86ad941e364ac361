/* The skeleton the convolution entry points (convolution-entry-points.c) share:
 * validate -> choose the algorithm -> size the workspace -> run on the pool -> profile. */
#include "nnpacksharp.h"
#include "../convolution/algorithm.h"
#include "../convolution/col2im.h"
#include "../convolution/implicit-gemm.h"
#include "../convolution/winograd.h"
#include "convolution-request.h"
#include "measured-auto.h"
#include "transformed-kernel.h"
#include "validate.h"
#include "workspace.h"

static struct nnps_conv geometry(const struct request* r) {
	return (struct nnps_conv) {
		.batch = r->batch_size, .input_channels = r->input_channels, .output_channels = r->output_channels,
		.input_height = r->input_size.height, .input_width = r->input_size.width,
		.kernel_height = r->kernel_size.height, .kernel_width = r->kernel_size.width,
		.pad_top = r->padding.top, .pad_left = r->padding.left,
		.stride_height = r->subsampling.height, .stride_width = r->subsampling.width,
		.output_height = nnps_windows(r->padding.top + r->input_size.height + r->padding.bottom, r->kernel_size.height, r->subsampling.height),
		.output_width = nnps_windows(r->padding.left + r->input_size.width + r->padding.right, r->kernel_size.width, r->subsampling.width),
	};
}

/* The input gradient of a stride-1 convolution runs as a convolution (no column buffer, no fold, shared chunks for
 * small maps) where that wins. Its GEMM has the input channels as rows and the output channels x taps as depth; the
 * column-matrix path has the output channels as depth. Measured (nnpack_ab_bench, CPU time, 1 thread, after the
 * stride-1 segment packer): the convolution wins where the output channels are no more than the input channels
 * (batch-1 112x112 64->64 1.10x, Inception 1x7 / 7x1 1.06-1.07x, a 7x7 kernel on 64 channels 1.08x, batch 32 64->64
 * 1.05x: the column path's depth is short) and on small maps with many input channels (7x7x512, VGG conv5); it loses
 * with few input channels (the 3-channel `small` layer 0.48x) or many more output channels than input ones (AlexNet
 * conv2, 64->192, 0.94x). Pointwise ones are a single GEMM straight into grad_input in col2im.c either way. */
static bool transposed_input_gradient(const struct nnps_conv* g) {
	const bool small_map_many_channels = g->input_channels >= 256 && g->batch > 1 && g->input_height * g->input_width < 1024;
	return nnps_implicit_gemm_input_gradient_applies(g) && !nnps_conv_is_pointwise(g) && g->input_channels >= 32 &&
		(g->output_channels <= g->input_channels || small_map_many_channels);
}

/* kernel_transformed: an inference call reusing a stored kernel, so the workspace needs no room to transform it. */
static bool workspace_floats(
	enum nnps_function function, enum nnps_algorithm algorithm, const struct nnps_conv* g, size_t threads, bool kernel_transformed, size_t* floats)
{
	const struct nnps_isa_table* isa = &nnps_hardware.isa;
	enum nnps_winograd_variant variant;
	if (nnps_algorithm_is_winograd(algorithm, &variant)) return nnps_winograd_workspace(variant, function, g, isa, threads, kernel_transformed, floats);
	enum nnps_fft_variant fft;
	if (nnps_algorithm_is_fft(algorithm, &fft)) return nnps_fft_workspace(fft, function, g, isa, threads, kernel_transformed, floats);
	switch (function) {
		case nnps_function_input_gradient:
			return transposed_input_gradient(g) ? nnps_implicit_gemm_input_gradient_workspace(g, &isa->sgemm, threads, floats)
				: nnps_col2im_input_gradient_workspace(g, &isa->sgemm, threads, floats);
		case nnps_function_kernel_gradient: return nnps_implicit_gemm_kernel_gradient_workspace(g, &isa->sgemm, threads, floats);
		default: return nnps_implicit_gemm_output_workspace(g, &isa->sgemm, threads, kernel_transformed, floats);
	}
}

static void execute_fft(const struct request* r, enum nnps_fft_variant variant, const struct nnps_conv* g, const float* transformed_kernel, float* workspace,
	pthreadpool_t pool, struct nnp_profile* phases)
{
	const struct nnps_isa_table* isa = &nnps_hardware.isa;
	switch (r->function) {
		case nnps_function_input_gradient:
			nnps_fft_input_gradient(variant, g, isa, r->grad_output, r->kernel, r->grad_input, workspace, pool, phases);
			break;
		case nnps_function_kernel_gradient:
			nnps_fft_kernel_gradient(variant, g, isa, r->input, r->grad_output, r->grad_kernel, workspace, pool, phases);
			break;
		default:
			nnps_fft_output(variant, g, isa, r->input, r->kernel, transformed_kernel, r->bias, r->activation == nnp_activation_relu, r->output, workspace, pool, phases);
			break;
	}
}

/* transformed_kernel: the stored kernel of a reuse call (r->kernel is then that buffer), else NULL. */
static void execute(
	const struct request* r, enum nnps_algorithm algorithm, const struct nnps_conv* g, const float* transformed_kernel, float* workspace, pthreadpool_t pool,
	struct nnp_profile* phases)
{
	const struct nnps_isa_table* isa = &nnps_hardware.isa;
	const bool relu = r->activation == nnp_activation_relu;
	enum nnps_winograd_variant variant;
	const bool winograd = nnps_algorithm_is_winograd(algorithm, &variant);
	enum nnps_fft_variant fft;
	if (nnps_algorithm_is_fft(algorithm, &fft)) {
		execute_fft(r, fft, g, transformed_kernel, workspace, pool, phases);
		return;
	}
	switch (r->function) {
		case nnps_function_input_gradient:
			if (winograd) {
				nnps_winograd_input_gradient(variant, g, isa, r->grad_output, r->kernel, r->grad_input, workspace, pool, phases);
			} else if (transposed_input_gradient(g)) {
				nnps_implicit_gemm_input_gradient(g, &isa->sgemm, r->grad_output, r->kernel, r->grad_input, workspace, pool);
			} else {
				nnps_col2im_input_gradient(g, isa, r->grad_output, r->kernel, r->grad_input, workspace, pool);
			}
			break;
		case nnps_function_kernel_gradient:
			if (winograd) {
				nnps_winograd_kernel_gradient(variant, g, isa, r->input, r->grad_output, r->grad_kernel, workspace, pool, phases);
			} else {
				nnps_implicit_gemm_kernel_gradient(g, &isa->sgemm, r->input, r->grad_output, r->grad_kernel, workspace, pool);
			}
			break;
		default:
			if (winograd) {
				nnps_winograd_output(variant, g, isa, r->input, r->kernel, transformed_kernel, r->bias, relu, r->output, workspace, pool, phases);
			} else {
				nnps_implicit_gemm_output(g, &isa->sgemm, r->input, r->kernel, transformed_kernel, r->bias, relu, r->output, workspace, pool);
			}
			break;
	}
}

/* One run of a call on its pool and workspace, as measured auto times it: its phases are the last run's. */
struct call {
	const struct request* r;
	const struct nnps_conv* g;
	const float* transformed_kernel;
	float* workspace;
	pthreadpool_t pool;
	struct nnp_profile phases;
};

static void run_algorithm(void* context, enum nnps_algorithm algorithm) {
	struct call* call = context;
	call->phases = (struct nnp_profile) { 0 };
	const double start = nnps_now_seconds();
	execute(call->r, algorithm, call->g, call->transformed_kernel, call->workspace, call->pool, &call->phases);
	if (algorithm == nnps_algorithm_implicit_gemm) call->phases.block_multiplication = nnps_now_seconds() - start;
}

/* The algorithms auto would time for this call, and the workspace any of them needs (a size query reports that, so
 * a buffer sized by one serves whichever the measurement keeps); false on overflow. One candidate (the static
 * choice) where auto is static, the algorithm was requested by name, the kernel comes stored, or the call is small. */
static bool auto_candidates(const struct request* r, const struct nnps_conv* g, enum nnps_algorithm chosen, bool measurable, size_t threads,
	bool kernel_transformed, enum nnps_algorithm candidates[nnps_algorithm_count], size_t* count, size_t* floats)
{
	*count = measurable ? nnps_auto_candidates(r->function, g, candidates) : 1;
	if (!measurable) candidates[0] = chosen;
	*floats = 0;
	for (size_t i = 0; i < *count; i++) {
		size_t need;
		if (!workspace_floats(r->function, candidates[i], g, threads, kernel_transformed, &need)) return false;
		if (need > *floats) *floats = need;
	}
	return true;
}

/* Inference with transform strategy precompute: the workspace buffer receives the stored kernel (its size is what a
 * size query reports); input, bias and output are not touched. With neither a buffer nor a size pointer there is
 * nowhere to put it: nnp_status_insufficient_buffer. */
static enum nnp_status precompute(const struct request* r, enum nnps_algorithm algorithm, const struct nnps_conv* g, pthreadpool_t pool) {
	size_t bytes;
	if (!nnps_transformed_kernel_bytes(algorithm, g, &bytes)) return nnp_status_out_of_memory;
	if (r->workspace_buffer == NULL && r->workspace_size != NULL) {
		*r->workspace_size = bytes;
		return nnp_status_success;
	}
	if (r->workspace_buffer == NULL || r->workspace_size == NULL || *r->workspace_size < bytes) return nnp_status_insufficient_buffer;
	nnps_transformed_kernel_write(algorithm, g, r->kernel, r->workspace_buffer, pool);
	return nnp_status_success;
}

enum nnp_status nnps_convolution_run(const struct request* r) {
	const double start = nnps_now_seconds();
	enum nnp_status status = nnps_validate_convolution(r->function, r->batch_size, r->input_channels, r->output_channels, r->input_size, r->padding,
		r->kernel_size, r->subsampling, r->activation, r->activation_parameters, r->upstream_padding_rule);
	if (status != nnp_status_success) return status;
	const struct nnps_conv g = geometry(r);
	enum nnps_algorithm algorithm;
	status = nnps_choose_algorithm(r->algorithm, r->function, &g, &algorithm);
	if (status != nnp_status_success) return status;
	/* Inference's transform strategy: 0 (upstream's default) and compute transform the kernel in the call; precompute
	 * stores it in the workspace buffer; reuse reads it from `kernel`, whose header names the algorithm it was made for. */
	const enum nnp_convolution_transform_strategy strategy =
		r->function == nnps_function_inference ? r->transform_strategy : nnp_convolution_transform_strategy_compute;
	if ((unsigned) strategy > nnp_convolution_transform_strategy_reuse) return nnp_status_invalid_transform_strategy;
	const float* transformed_kernel = NULL;
	if (strategy == nnp_convolution_transform_strategy_reuse) {
		status = nnps_transformed_kernel_open(r->kernel, r->algorithm, &g, &algorithm, &transformed_kernel);
		if (status != nnp_status_success) return status;
	}

	/* A call too small to split runs on the caller: below this many multiply-adds the pool's hand-offs between phases
	 * cost more than a second thread saves (small, 1,3,32,16,3x3: 0.6 M of them). */
	const size_t serial_below = (size_t) 4 << 20;
	size_t multiply_adds; /* (a product past SIZE_MAX is certainly not small) */
	const bool small = nnps_product4(nnps_conv_output_plane(&g), g.batch, g.output_channels, nnps_conv_patch(&g), &multiply_adds) && multiply_adds < serial_below;
	const pthreadpool_t pool = small ? NULL : r->threadpool;
	if (strategy == nnp_convolution_transform_strategy_precompute) return precompute(r, algorithm, &g, pool);
	const bool measurable = r->algorithm == nnp_convolution_algorithm_auto && nnps_hardware.auto_measured && transformed_kernel == NULL && !small;
	enum nnps_algorithm candidates[nnps_algorithm_count];
	size_t count, floats;
	if (!auto_candidates(r, &g, algorithm, measurable, pthreadpool_get_threads_count(pool), transformed_kernel != NULL, candidates, &count, &floats)) {
		return nnp_status_out_of_memory;
	}
	struct nnps_workspace workspace;
	status = nnps_workspace_acquire(r->workspace_buffer, r->workspace_size, floats, &workspace);
	if (status != nnp_status_success || workspace.size_query) return status;

	struct call call = { .r = r, .g = &g, .transformed_kernel = transformed_kernel, .workspace = workspace.memory, .pool = pool };
	const struct nnps_auto_key key = nnps_auto_key_of(r->function, r->activation == nnp_activation_relu, &g);
	if (count == 1) {
		run_algorithm(&call, candidates[0]);
	} else if (nnps_auto_lookup(&key, &algorithm)) {
		run_algorithm(&call, algorithm);
	} else {
		nnps_auto_measure(&key, candidates, count, run_algorithm, &call);
	}
	nnps_workspace_release(&workspace);
	if (r->profile != NULL) {
		call.phases.total = nnps_now_seconds() - start;
		*r->profile = call.phases;
	}
	return nnp_status_success;
}
