/* Fully connected layers: the batched form is one GEMM (input x kernel^T) on the per-ISA micro-kernel, split by output
 * columns; the single-vector forms are dot products per output channel. */
#include <string.h>

#include "nnpacksharp.h"

#include "../gemm/sgemm.h"
#include "../runtime/threadpool.h"
#include "../runtime/workspace-cache.h"
#include "validate.h"

/* The batched forward's phase: column chunks of the output. */
struct output_context {
	size_t batch, input_channels, output_channels;
	const float* input;
	const float* kernel;
	float* output;
	const struct nnps_sgemm_config* sgemm;
	float* buffers;
	size_t thread_floats, chunk;
};

/* output[:, chunk] = input (batch x ic) * kernel^T (ic x oc), the kernel read as a transposed view. */
static void output_task(void* context, size_t thread, size_t task) {
	const struct output_context* call = context;
	const size_t col0 = task * call->chunk;
	const size_t n = nnps_min(call->output_channels - col0, call->chunk);
	const struct nnps_b_source b = { nnps_b_strided, call->kernel, 1, call->input_channels, NULL };
	const struct nnps_gemm_buffers buffers = nnps_gemm_buffers_carve(call->sgemm, call->batch, call->chunk, call->input_channels, call->buffers + thread * call->thread_floats);
	nnps_sgemm(call->sgemm, call->batch, n, call->input_channels, call->input, call->input_channels, 1, &b, 0, col0,
		call->output + col0, call->output_channels, false, &buffers);
}

enum nnp_status nnp_fully_connected_output(
	size_t batch_size, size_t input_channels, size_t output_channels,
	const float* input, const float* kernel, float* output,
	pthreadpool_t threadpool, struct nnp_profile* profile)
{
	enum nnp_status status = nnps_validate_fully_connected(batch_size, input_channels, output_channels);
	if (status != nnp_status_success) return status;
	const size_t threads = pthreadpool_get_threads_count(threadpool);
	struct output_context call = {
		.batch = batch_size, .input_channels = input_channels, .output_channels = output_channels,
		.input = input, .kernel = kernel, .output = output, .sgemm = &nnps_hardware.isa.sgemm,
	};
	const size_t nr = call.sgemm->nr, parts = threads == 1 ? 1 : 2 * threads;
	call.chunk = nnps_round_up(nnps_ceil_div(output_channels, parts), nr);
	call.thread_floats = nnps_gemm_buffer_floats(call.sgemm, batch_size, call.chunk, input_channels);
	size_t bytes, capacity;
	if (!nnps_product4(call.thread_floats, sizeof(float), threads, 1, &bytes)) return nnp_status_out_of_memory;
	/* The packing buffers come from the workspace cache: fresh pages on every call cost more than small layers' GEMM. */
	void* memory = nnps_workspace_cache_take(bytes, &capacity);
	if (memory == NULL) return nnp_status_out_of_memory;
	call.buffers = memory;
	nnps_parallelize(threadpool, output_task, &call, nnps_ceil_div(output_channels, call.chunk));
	nnps_workspace_cache_give(memory, capacity);
	if (profile != NULL) memset(profile, 0, sizeof(*profile));
	return nnp_status_success;
}

#define ROWS_PER_TASK 16

/* The single-vector phase: 16 output channels per task on the ISA table's dot products; the kernel is float or
 * (kernel_f16 set) NNPACK's half precision. */
struct inference_context {
	size_t input_channels, output_channels;
	const float* input;
	const float* kernel;
	const uint16_t* kernel_f16;
	bool ieee_half;
	float* output;
};

static void inference_task(void* context, size_t thread, size_t task) {
	(void) thread;
	const struct inference_context* call = context;
	const size_t first = task * ROWS_PER_TASK, rows = nnps_min(ROWS_PER_TASK, call->output_channels - first), offset = first * call->input_channels;
	if (call->kernel_f16 != NULL) {
		nnps_hardware.isa.vector.dot_rows_half(call->kernel_f16 + offset, rows, call->input_channels, call->input, call->output + first, call->ieee_half);
	} else {
		nnps_hardware.isa.vector.dot_rows(call->kernel + offset, rows, call->input_channels, call->input, call->output + first);
	}
}

static enum nnp_status inference(
	size_t input_channels, size_t output_channels, const float* input, const float* kernel, const uint16_t* kernel_f16, bool ieee_half, float* output, pthreadpool_t threadpool)
{
	enum nnp_status status = nnps_validate_fully_connected(1, input_channels, output_channels);
	if (status != nnp_status_success) return status;
	struct inference_context call = { input_channels, output_channels, input, kernel, kernel_f16, ieee_half, output };
	nnps_parallelize(threadpool, inference_task, &call, nnps_ceil_div(output_channels, ROWS_PER_TASK));
	return nnp_status_success;
}

enum nnp_status nnp_fully_connected_inference(size_t input_channels, size_t output_channels, const float* input, const float* kernel, float* output, pthreadpool_t threadpool) {
	return inference(input_channels, output_channels, input, kernel, NULL, false, output, threadpool);
}

enum nnp_status nnp_fully_connected_inference_f16f32(size_t input_channels, size_t output_channels, const float* input, const void* kernel, float* output, pthreadpool_t threadpool) {
	return inference(input_channels, output_channels, input, NULL, kernel, false, output, threadpool);
}

enum nnp_status nnpsharp_fully_connected_inference_ieee_f16f32(
	size_t input_channels, size_t output_channels, const float* input, const void* kernel, float* output, pthreadpool_t threadpool)
{
	return inference(input_channels, output_channels, input, NULL, kernel, true, output, threadpool);
}
