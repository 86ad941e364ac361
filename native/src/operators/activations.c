/* Softmax and (leaky) ReLU over [batch][channels] rows; both may run in place. */
#include "../runtime/hardware.h"
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
 * times the slope, exactly 0 for slope 0 (an infinite or NaN gradient times 0 would be NaN). ReLU itself with slope 0
 * is max(x, 0): the product x * 0 would give NaN for -infinity and -0 for negative x (upstream's form). */
struct relu_gradient_call {
	size_t channels;
	const float* input;
	const float* grad_output;
	float* grad_input;
	float slope;
};

/* Each phase task is one row; the loops are the ISA table's (vector-ops-lanes.h). */
static void softmax_task(void* context, size_t thread, size_t row) {
	(void) thread;
	const struct rows_call* call = context;
	nnps_hardware.isa.vector.softmax_row(call->input + row * call->channels, call->output + row * call->channels, call->channels);
}

static void relu_task(void* context, size_t thread, size_t row) {
	(void) thread;
	const struct rows_call* call = context;
	const size_t base = row * call->channels;
	nnps_hardware.isa.vector.relu(call->input + base, call->output + base, call->channels, call->slope);
}

static void relu_gradient_task(void* context, size_t thread, size_t row) {
	(void) thread;
	const struct relu_gradient_call* call = context;
	const size_t base = row * call->channels;
	nnps_hardware.isa.vector.relu_gradient(call->grad_output + base, call->input + base, call->grad_input + base, call->channels, call->slope);
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
