/* Softmax and (leaky) ReLU over [batch][channels] rows; both may run in place. */
#include <math.h>

#include "../runtime/threadpool.h"
#include "validate.h"

/* Softmax's and ReLU's phase: rows of `channels` values, input to output. */
struct rows_call {
	size_t channels;
	const float* input;
	float* output;
	float slope; /* ReLU only */
};

/* The ReLU gradient's phase: grad_input from grad_output where the forward input was positive; elsewhere grad_output
 * times the slope, exactly 0 for slope 0 (an infinite or NaN gradient times 0 would be NaN). */
struct relu_gradient_call {
	size_t channels;
	const float* input;
	const float* grad_output;
	float* grad_input;
	float slope;
};

/* Subtracting the row's maximum keeps exp() from overflowing. */
static void softmax_task(void* context, size_t thread, size_t row) {
	(void) thread;
	const struct rows_call* call = context;
	const float* in = call->input + row * call->channels;
	float* out = call->output + row * call->channels;
	float max = in[0];
	for (size_t c = 1; c < call->channels; c++) max = in[c] > max ? in[c] : max;
	double sum = 0.0;
	for (size_t c = 0; c < call->channels; c++) {
		out[c] = expf(in[c] - max);
		sum += out[c];
	}
	const float scale = (float) (1.0 / sum);
	for (size_t c = 0; c < call->channels; c++) out[c] *= scale;
}

/* With slope 0 this is max(x, 0): the product x * 0 would give NaN for -infinity and -0 for negative x (upstream's
 * form), so slope 0 keeps only x itself where x is NaN. */
static void relu_task(void* context, size_t thread, size_t row) {
	(void) thread;
	const struct rows_call* call = context;
	const size_t base = row * call->channels;
	const float slope = call->slope;
	for (size_t c = 0; c < call->channels; c++) {
		const float x = call->input[base + c];
		call->output[base + c] = x > 0.0f ? x : slope != 0.0f ? x * slope : x != x ? x : 0.0f;
	}
}

static void relu_gradient_task(void* context, size_t thread, size_t row) {
	(void) thread;
	const struct relu_gradient_call* call = context;
	const size_t base = row * call->channels;
	for (size_t c = 0; c < call->channels; c++) {
		const float g = call->grad_output[base + c];
		call->grad_input[base + c] = call->input[base + c] > 0.0f ? g : call->slope != 0.0f ? g * call->slope : 0.0f;
	}
}

enum nnp_status nnp_softmax_output(size_t batch_size, size_t channels, const float* input, float* output, pthreadpool_t threadpool) {
	enum nnp_status status = nnps_validate_rows(batch_size, channels, NULL);
	if (status != nnp_status_success) return status;
	struct rows_call call = { .channels = channels, .input = input, .output = output };
	nnps_parallelize(threadpool, softmax_task, &call, batch_size);
	return nnp_status_success;
}

enum nnp_status nnp_relu_output(size_t batch_size, size_t channels, const float* input, float* output, float negative_slope, pthreadpool_t threadpool) {
	enum nnp_status status = nnps_validate_rows(batch_size, channels, &negative_slope);
	if (status != nnp_status_success) return status;
	struct rows_call call = { .channels = channels, .input = input, .output = output, .slope = negative_slope };
	nnps_parallelize(threadpool, relu_task, &call, batch_size);
	return nnp_status_success;
}

enum nnp_status nnp_relu_input_gradient(
	size_t batch_size, size_t channels, const float* grad_output, const float* input, float* grad_input, float negative_slope, pthreadpool_t threadpool)
{
	enum nnp_status status = nnps_validate_rows(batch_size, channels, &negative_slope);
	if (status != nnp_status_success) return status;
	struct relu_gradient_call call = { .channels = channels, .input = input, .grad_output = grad_output, .grad_input = grad_input, .slope = negative_slope };
	nnps_parallelize(threadpool, relu_gradient_task, &call, batch_size);
	return nnp_status_success;
}
