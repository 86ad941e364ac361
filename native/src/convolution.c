/* The convolution operators: validate (upstream's order), resolve the algorithm, size and carve the workspace
 * (upstream's protocol), then run implicit GEMM (or direct GEMM for pointwise convolutions) on the thread pool. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"
#include "validate.h"
#include "winograd.h"

struct call {
	enum nnps_function function;
	struct nnps_conv g;
	const float* input;
	const float* kernel;
	const float* bias;
	const float* grad_output;
	float* output; /* output, grad_input or grad_kernel */
	bool relu;
	bool direct;
	bool winograd;
	struct nnps_conv winograd_g; /* the convolution Winograd runs: the input gradient is a convolution of grad_output */
	const struct nnps_sgemm_kernel* sgemm;
	pthreadpool_t pool;
	size_t threads;
	size_t max_columns;        /* the widest GEMM any task runs */
	size_t thread_floats;      /* per-thread packing buffers */
	float* thread_buffers;
	float* columns;            /* input gradient: the column matrix of one image */
	size_t chunk, chunks;      /* output: column chunks of one image; input gradient: `chunks` row chunks of chunk_m */
	size_t chunk_m, chunk_n, tasks_n; /* kernel gradient: tiles of grad_kernel; input gradient: rows per chunk */
	size_t image;              /* input gradient: the image being processed */
};

static size_t ceil_div(size_t a, size_t b) { return (a + b - 1) / b; }
static size_t round_up(size_t value, size_t multiple) { return ceil_div(value, multiple) * multiple; }
static size_t min_size(size_t a, size_t b) { return a < b ? a : b; }

static void thread_buffers(const struct call* call, size_t thread, struct nnps_gemm_buffers* buffers) {
	nnps_gemm_buffers_carve(call->sgemm, call->max_columns, call->thread_buffers + thread * call->thread_floats, buffers);
}

/* Splits `extent` rows or columns into about `parts` chunks, each a multiple of `granule` (the micro-tile's side). */
static void split_columns(size_t extent, size_t parts, size_t granule, size_t* chunk, size_t* count) {
	*chunk = round_up(ceil_div(extent, parts == 0 ? 1 : parts), granule);
	*count = ceil_div(extent, *chunk);
}

/* ---- forward: output[image][:, chunk] = kernel * im2col(input[image])[:, chunk] (+ bias, relu) ---- */
static void output_task(void* context, size_t thread, size_t task) {
	const struct call* call = context;
	const struct nnps_conv* g = &call->g;
	const size_t plane = nnps_output_plane(g), patch = nnps_patch_length(g);
	const size_t image = task / call->chunks, col0 = (task % call->chunks) * call->chunk;
	const size_t n = min_size(call->chunk, plane - col0);
	float* out = call->output + image * g->output_channels * plane + col0;
	if (call->bias != NULL) {
		for (size_t o = 0; o < g->output_channels; o++) {
			for (size_t j = 0; j < n; j++) out[o * plane + j] = call->bias[o];
		}
	}
	const float* image_data = call->input + image * nnps_input_image(g);
	const struct nnps_b_source b = call->direct
		? (struct nnps_b_source) { nnps_b_strided, image_data, plane, 1, g }
		: (struct nnps_b_source) { nnps_b_im2col, image_data, 0, 0, g };
	struct nnps_gemm_buffers buffers;
	thread_buffers(call, thread, &buffers);
	nnps_sgemm(call->sgemm, g->output_channels, n, patch, call->kernel, patch, 1, &b, 0, col0, out, plane, call->bias != NULL, &buffers);
	if (call->relu) {
		for (size_t o = 0; o < g->output_channels; o++) {
			for (size_t j = 0; j < n; j++) out[o * plane + j] = out[o * plane + j] > 0.0f ? out[o * plane + j] : 0.0f;
		}
	}
}

/* ---- input gradient: columns = kernel^T * grad_output[image], then col2im (direct: written straight into grad_input) ---- */
/* Split by rows of the column matrix, so each task packs only its share of the (transposed) kernel. */
static void input_gradient_gemm_task(void* context, size_t thread, size_t task) {
	const struct call* call = context;
	const struct nnps_conv* g = &call->g;
	const size_t plane = nnps_output_plane(g), patch = nnps_patch_length(g);
	const size_t row0 = task * call->chunk_m, m = min_size(call->chunk_m, patch - row0);
	float* destination = call->direct ? call->output + call->image * nnps_input_image(g) : call->columns;
	const struct nnps_b_source b = { nnps_b_strided, call->grad_output + call->image * g->output_channels * plane, plane, 1, g };
	struct nnps_gemm_buffers buffers;
	thread_buffers(call, thread, &buffers);
	nnps_sgemm(call->sgemm, m, plane, g->output_channels, call->kernel + row0, 1, patch, &b, 0, 0, destination + row0 * plane, plane, false, &buffers);
}

/* col2im for one input channel: its rows of the column matrix land only on its own plane, so channels run in parallel. */
static void input_gradient_fold_task(void* context, size_t thread, size_t channel) {
	(void) thread;
	const struct call* call = context;
	const struct nnps_conv* g = &call->g;
	const size_t plane = nnps_output_plane(g);
	const ptrdiff_t height = (ptrdiff_t) g->input_height, width = (ptrdiff_t) g->input_width;
	float* target = call->output + call->image * nnps_input_image(g) + channel * (size_t) (height * width);
	memset(target, 0, (size_t) (height * width) * sizeof(float));
	for (size_t ky = 0; ky < g->kernel_height; ky++) {
		for (size_t kx = 0; kx < g->kernel_width; kx++) {
			const float* row = call->columns + ((channel * g->kernel_height + ky) * g->kernel_width + kx) * plane;
			for (size_t oy = 0; oy < g->output_height; oy++) {
				const ptrdiff_t iy = (ptrdiff_t) (oy * g->stride_height + ky) - (ptrdiff_t) g->pad_top;
				if (iy < 0 || iy >= height) continue;
				for (size_t ox = 0; ox < g->output_width; ox++) {
					const ptrdiff_t ix = (ptrdiff_t) (ox * g->stride_width + kx) - (ptrdiff_t) g->pad_left;
					if (ix >= 0 && ix < width) target[iy * width + ix] += row[oy * g->output_width + ox];
				}
			}
		}
	}
}

/* ---- kernel gradient: each task owns a tile of grad_kernel and sums grad_output[i] * im2col(input[i])^T over the batch ---- */
static void kernel_gradient_task(void* context, size_t thread, size_t task) {
	const struct call* call = context;
	const struct nnps_conv* g = &call->g;
	const size_t plane = nnps_output_plane(g), patch = nnps_patch_length(g);
	const size_t row0 = (task / call->tasks_n) * call->chunk_m, col0 = (task % call->tasks_n) * call->chunk_n;
	const size_t m = min_size(call->chunk_m, g->output_channels - row0), n = min_size(call->chunk_n, patch - col0);
	struct nnps_gemm_buffers buffers;
	thread_buffers(call, thread, &buffers);
	for (size_t image = 0; image < g->batch; image++) {
		const float* image_data = call->input + image * nnps_input_image(g);
		const struct nnps_b_source b = call->direct
			? (struct nnps_b_source) { nnps_b_strided, image_data, 1, plane, g }
			: (struct nnps_b_source) { nnps_b_im2col_transposed, image_data, 0, 0, g };
		const float* a = call->grad_output + image * g->output_channels * plane + row0 * plane;
		nnps_sgemm(call->sgemm, m, n, plane, a, plane, 1, &b, 0, col0, call->output + row0 * patch + col0, patch, image != 0, &buffers);
	}
}

/* Decides the task split and the workspace; returns false when a size overflows. */
static bool plan(struct call* call, size_t* workspace_bytes) {
	const struct nnps_conv* g = &call->g;
	const size_t plane = nnps_output_plane(g), patch = nnps_patch_length(g);
	const size_t target = call->threads == 1 ? 1 : 2 * call->threads;
	size_t column_floats = 0;
	if (call->winograd) {
		call->thread_floats = 0;
		const size_t floats = nnps_winograd_workspace_floats(&call->winograd_g, call->threads, call->sgemm, &call->max_columns);
		return !__builtin_mul_overflow(floats, sizeof(float), workspace_bytes);
	}
	switch (call->function) {
		case nnps_function_kernel_gradient: {
			split_columns(patch, target, call->sgemm->nr, &call->chunk_n, &call->tasks_n);
			size_t tasks_m = call->tasks_n >= call->threads ? 1 : min_size(ceil_div(g->output_channels, call->sgemm->mr), ceil_div(target, call->tasks_n));
			call->chunk_m = round_up(ceil_div(g->output_channels, tasks_m), call->sgemm->mr);
			call->max_columns = call->chunk_n;
			break;
		}
		case nnps_function_input_gradient:
			split_columns(patch, target, call->sgemm->mr, &call->chunk_m, &call->chunks);
			call->max_columns = plane;
			if (!call->direct && __builtin_mul_overflow(patch, plane, &column_floats)) return false;
			break;
		default:
			split_columns(plane, ceil_div(target, g->batch), call->sgemm->nr, &call->chunk, &call->chunks);
			call->max_columns = call->chunk;
			break;
	}
	call->thread_floats = nnps_gemm_buffer_floats(call->sgemm, call->max_columns);
	size_t floats;
	if (__builtin_mul_overflow(call->thread_floats, call->threads, &floats) || __builtin_add_overflow(floats, round_up(column_floats, 16), &floats)) return false;
	return !__builtin_mul_overflow(floats, sizeof(float), workspace_bytes);
}

/* Runs the call; fills the profile's phases where the algorithm has them (Winograd), else block_multiplication. */
static void execute(struct call* call, struct nnp_profile* phases) {
	const struct nnps_conv* g = &call->g;
	if (call->winograd) {
		const bool gradient = call->function == nnps_function_input_gradient;
		nnps_winograd_convolution(&call->winograd_g, gradient ? call->grad_output : call->input, call->kernel, gradient, call->bias, call->relu, call->output,
			call->thread_buffers, call->max_columns, call->pool, call->threads, call->sgemm, phases);
		return;
	}
	switch (call->function) {
		case nnps_function_kernel_gradient: {
			const size_t tasks_m = ceil_div(g->output_channels, call->chunk_m);
			nnps_parallelize(call->pool, kernel_gradient_task, call, tasks_m * call->tasks_n);
			break;
		}
		case nnps_function_input_gradient:
			for (call->image = 0; call->image < g->batch; call->image++) {
				nnps_parallelize(call->pool, input_gradient_gemm_task, call, call->chunks);
				if (!call->direct) nnps_parallelize(call->pool, input_gradient_fold_task, call, g->input_channels);
			}
			break;
		default:
			nnps_parallelize(call->pool, output_task, call, g->batch * call->chunks);
			break;
	}
}

/* True when Winograd F(6x6,3x3) can compute this call: a 3x3 kernel, stride 1, padding below the kernel on the top
 * and left (the input gradient runs as a convolution padded by 2 - p), and not the kernel gradient. */
static bool winograd_applies(const struct call* call) {
	const struct nnps_conv* g = &call->g;
	return g->kernel_height == 3 && g->kernel_width == 3 && g->stride_height == 1 && g->stride_width == 1 && g->pad_top <= 2 && g->pad_left <= 2 &&
		call->function != nnps_function_kernel_gradient;
}

/* The convolution Winograd runs: the call itself, or for the input gradient the convolution of grad_output with the
 * rotated kernel (channels swapped, padding 2 - p) whose output is the input-sized gradient. */
static struct nnps_conv winograd_geometry(const struct call* call) {
	struct nnps_conv g = call->g;
	if (call->function != nnps_function_input_gradient) return g;
	return (struct nnps_conv) {
		.batch = g.batch, .input_channels = g.output_channels, .output_channels = g.input_channels,
		.input_height = g.output_height, .input_width = g.output_width, .kernel_height = 3, .kernel_width = 3,
		.pad_top = 2 - g.pad_top, .pad_left = 2 - g.pad_left, .stride_height = 1, .stride_width = 1,
		.output_height = g.input_height, .output_width = g.input_width,
	};
}

/* auto's choice of Winograd: 3x3 stride-1 layers with at least 16 channels each way and at least 256 output tiles of
 * 6x6 in the call. With fewer channels or tiles, transforming the kernel and the tiles costs more than the 5x fewer
 * multiplications save (measured: 167 vs 104 GFLOP/s at 4x256x56x56, but 53 vs 102 at 8x192x13x13). */
static bool winograd_pays_off(const struct call* call) {
	const struct nnps_conv* g = &call->g;
	const size_t height = call->function == nnps_function_input_gradient ? g->input_height : g->output_height;
	const size_t width = call->function == nnps_function_input_gradient ? g->input_width : g->output_width;
	const size_t tiles = g->batch * ((height + 5) / 6) * ((width + 5) / 6);
	return winograd_applies(call) && g->input_channels >= 16 && g->output_channels >= 16 && tiles >= 256;
}

/* Resolves the algorithm. auto: direct for pointwise convolutions, Winograd where it pays off, implicit GEMM otherwise. */
static enum nnp_status resolve_algorithm(enum nnp_convolution_algorithm algorithm, struct call* call) {
	const bool pointwise = nnps_is_pointwise(&call->g);
	switch (algorithm) {
		case nnp_convolution_algorithm_auto:
			call->direct = pointwise;
			call->winograd = winograd_pays_off(call);
			break;
		case nnp_convolution_algorithm_implicit_gemm:
			call->direct = pointwise; /* a pointwise im2col is the input itself */
			break;
		case nnp_convolution_algorithm_direct:
			if (!pointwise) return nnp_status_unsupported_algorithm;
			call->direct = true;
			break;
		case nnp_convolution_algorithm_wt8x8:
			if (!winograd_applies(call)) return nnp_status_unsupported_algorithm;
			call->winograd = true;
			break;
		case nnp_convolution_algorithm_ft8x8:
		case nnp_convolution_algorithm_ft16x16:
		case nnp_convolution_algorithm_wt8x8_fp16:
			return nnp_status_unsupported_algorithm;
		default:
			return nnp_status_invalid_algorithm;
	}
	if (call->winograd) call->winograd_g = winograd_geometry(call);
	return nnp_status_success;
}

static double now_seconds(void) {
	struct timespec time;
	clock_gettime(CLOCK_MONOTONIC, &time);
	return (double) time.tv_sec + 1e-9 * (double) time.tv_nsec;
}

/* Everything the public functions share: validation, algorithm, workspace protocol, execution, profile. */
static enum nnp_status run(
	enum nnps_function function, enum nnp_convolution_algorithm algorithm, enum nnp_convolution_transform_strategy strategy,
	size_t batch_size, size_t input_channels, size_t output_channels,
	struct nnp_size input_size, struct nnp_padding padding, struct nnp_size kernel_size, struct nnp_size subsampling,
	const float* input, const float* kernel, const float* bias, const float* grad_output, float* output,
	void* workspace_buffer, size_t* workspace_size,
	enum nnp_activation activation, const void* activation_parameters,
	pthreadpool_t threadpool, struct nnp_profile* profile, bool upstream_padding_rule)
{
	const double start = now_seconds();
	enum nnp_status status = nnps_validate(
		function, batch_size, input_channels, output_channels, input_size, padding, kernel_size, subsampling, activation, activation_parameters, upstream_padding_rule);
	if (status != nnp_status_success) return status;

	struct call call = {
		.function = function,
		.g = {
			.batch = batch_size, .input_channels = input_channels, .output_channels = output_channels,
			.input_height = input_size.height, .input_width = input_size.width,
			.kernel_height = kernel_size.height, .kernel_width = kernel_size.width,
			.pad_top = padding.top, .pad_left = padding.left,
			.stride_height = subsampling.height, .stride_width = subsampling.width,
			.output_height = (padding.top + input_size.height + padding.bottom - kernel_size.height) / subsampling.height + 1,
			.output_width = (padding.left + input_size.width + padding.right - kernel_size.width) / subsampling.width + 1,
		},
		.input = input, .kernel = kernel, .bias = bias, .grad_output = grad_output, .output = output,
		.relu = activation == nnp_activation_relu,
		.sgemm = &nnps_hardware.sgemm,
		.pool = threadpool,
		.threads = pthreadpool_get_threads_count(threadpool),
	};
	status = resolve_algorithm(algorithm, &call);
	if (status != nnp_status_success) return status;
	if (function == nnps_function_inference) {
		if ((unsigned) strategy > nnp_convolution_transform_strategy_reuse) return nnp_status_invalid_transform_strategy;
		if (strategy == nnp_convolution_transform_strategy_precompute || strategy == nnp_convolution_transform_strategy_reuse) {
			return nnp_status_unsupported_transform_strategy; /* GEMM-based algorithms transform no kernel */
		}
	}

	size_t need;
	if (!plan(&call, &need)) return nnp_status_out_of_memory;
	void* memory = workspace_buffer;
	if (workspace_buffer == NULL) {
		if (workspace_size != NULL) {
			*workspace_size = need;
			return nnp_status_success;
		}
		if (posix_memalign(&memory, NNPS_ALIGNMENT, need) != 0) return nnp_status_out_of_memory;
	} else {
		if (workspace_size == NULL || *workspace_size < need) return nnp_status_insufficient_buffer;
		if ((uintptr_t) workspace_buffer % NNPS_ALIGNMENT != 0) return nnp_status_misaligned_buffer;
	}
	call.thread_buffers = memory;
	call.columns = call.thread_buffers + call.thread_floats * call.threads;

	struct nnp_profile phases = { 0 };
	const double compute_start = now_seconds();
	execute(&call, &phases);
	if (!call.winograd) phases.block_multiplication = now_seconds() - compute_start;

	if (workspace_buffer == NULL) free(memory);
	if (profile != NULL) {
		phases.total = now_seconds() - start;
		*profile = phases;
	}
	return nnp_status_success;
}

/* Upstream's training functions are the strided extensions with a stride of 1x1 and upstream's padding rule. */
static const struct nnp_size unit_stride = { 1, 1 };

enum nnp_status nnpsharp_convolution_output_strided(
	enum nnp_convolution_algorithm algorithm, size_t batch_size, size_t input_channels, size_t output_channels,
	struct nnp_size input_size, struct nnp_padding input_padding, struct nnp_size kernel_size, struct nnp_size output_subsampling,
	const float* input, const float* kernel, const float* bias, float* output,
	void* workspace_buffer, size_t* workspace_size, enum nnp_activation activation, const void* activation_parameters,
	pthreadpool_t threadpool, struct nnp_profile* profile)
{
	return run(nnps_function_output, algorithm, 0, batch_size, input_channels, output_channels, input_size, input_padding, kernel_size, output_subsampling,
		input, kernel, bias, NULL, output, workspace_buffer, workspace_size, activation, activation_parameters, threadpool, profile, false);
}

enum nnp_status nnp_convolution_output(
	enum nnp_convolution_algorithm algorithm, size_t batch_size, size_t input_channels, size_t output_channels,
	struct nnp_size input_size, struct nnp_padding input_padding, struct nnp_size kernel_size,
	const float* input, const float* kernel, const float* bias, float* output,
	void* workspace_buffer, size_t* workspace_size, enum nnp_activation activation, const void* activation_parameters,
	pthreadpool_t threadpool, struct nnp_profile* profile)
{
	return run(nnps_function_output, algorithm, 0, batch_size, input_channels, output_channels, input_size, input_padding, kernel_size, unit_stride,
		input, kernel, bias, NULL, output, workspace_buffer, workspace_size, activation, activation_parameters, threadpool, profile, true);
}

enum nnp_status nnpsharp_convolution_input_gradient_strided(
	enum nnp_convolution_algorithm algorithm, size_t batch_size, size_t input_channels, size_t output_channels,
	struct nnp_size input_size, struct nnp_padding input_padding, struct nnp_size kernel_size, struct nnp_size output_subsampling,
	const float* grad_output, const float* kernel, float* grad_input,
	void* workspace_buffer, size_t* workspace_size, enum nnp_activation activation, const void* activation_parameters,
	pthreadpool_t threadpool, struct nnp_profile* profile)
{
	return run(nnps_function_input_gradient, algorithm, 0, batch_size, input_channels, output_channels, input_size, input_padding, kernel_size, output_subsampling,
		NULL, kernel, NULL, grad_output, grad_input, workspace_buffer, workspace_size, activation, activation_parameters, threadpool, profile, false);
}

enum nnp_status nnp_convolution_input_gradient(
	enum nnp_convolution_algorithm algorithm, size_t batch_size, size_t input_channels, size_t output_channels,
	struct nnp_size input_size, struct nnp_padding input_padding, struct nnp_size kernel_size,
	const float* grad_output, const float* kernel, float* grad_input,
	void* workspace_buffer, size_t* workspace_size, enum nnp_activation activation, const void* activation_parameters,
	pthreadpool_t threadpool, struct nnp_profile* profile)
{
	return run(nnps_function_input_gradient, algorithm, 0, batch_size, input_channels, output_channels, input_size, input_padding, kernel_size, unit_stride,
		NULL, kernel, NULL, grad_output, grad_input, workspace_buffer, workspace_size, activation, activation_parameters, threadpool, profile, true);
}

enum nnp_status nnpsharp_convolution_kernel_gradient_strided(
	enum nnp_convolution_algorithm algorithm, size_t batch_size, size_t input_channels, size_t output_channels,
	struct nnp_size input_size, struct nnp_padding input_padding, struct nnp_size kernel_size, struct nnp_size output_subsampling,
	const float* input, const float* grad_output, float* grad_kernel,
	void* workspace_buffer, size_t* workspace_size, enum nnp_activation activation, const void* activation_parameters,
	pthreadpool_t threadpool, struct nnp_profile* profile)
{
	return run(nnps_function_kernel_gradient, algorithm, 0, batch_size, input_channels, output_channels, input_size, input_padding, kernel_size, output_subsampling,
		input, NULL, NULL, grad_output, grad_kernel, workspace_buffer, workspace_size, activation, activation_parameters, threadpool, profile, false);
}

enum nnp_status nnp_convolution_kernel_gradient(
	enum nnp_convolution_algorithm algorithm, size_t batch_size, size_t input_channels, size_t output_channels,
	struct nnp_size input_size, struct nnp_padding input_padding, struct nnp_size kernel_size,
	const float* input, const float* grad_output, float* grad_kernel,
	void* workspace_buffer, size_t* workspace_size, enum nnp_activation activation, const void* activation_parameters,
	pthreadpool_t threadpool, struct nnp_profile* profile)
{
	return run(nnps_function_kernel_gradient, algorithm, 0, batch_size, input_channels, output_channels, input_size, input_padding, kernel_size, unit_stride,
		input, NULL, NULL, grad_output, grad_kernel, workspace_buffer, workspace_size, activation, activation_parameters, threadpool, profile, true);
}

enum nnp_status nnp_convolution_inference(
	enum nnp_convolution_algorithm algorithm, enum nnp_convolution_transform_strategy transform_strategy,
	size_t input_channels, size_t output_channels,
	struct nnp_size input_size, struct nnp_padding input_padding, struct nnp_size kernel_size, struct nnp_size output_subsampling,
	const float* input, const float* kernel, const float* bias, float* output,
	void* workspace_buffer, size_t* workspace_size, enum nnp_activation activation, const void* activation_parameters,
	pthreadpool_t threadpool, struct nnp_profile* profile)
{
	return run(nnps_function_inference, algorithm, transform_strategy, 1, input_channels, output_channels, input_size, input_padding, kernel_size, output_subsampling,
		input, kernel, bias, NULL, output, workspace_buffer, workspace_size, activation, activation_parameters, threadpool, profile, true);
}
