/* Max pooling over any filter size and stride; padding shapes the output but never wins the maximum. */
#include <math.h>

#include "../runtime/threadpool.h"
#include "validate.h"

struct pooling_call {
	size_t height, width, top, left, pool_h, pool_w, stride_h, stride_w, out_h, out_w;
	const float* input;
	float* output;
};

static void plane_task(void* context, size_t thread, size_t plane) {
	(void) thread;
	const struct pooling_call* call = context;
	const float* in = call->input + plane * call->height * call->width;
	float* out = call->output + plane * call->out_h * call->out_w;
	for (size_t oy = 0; oy < call->out_h; oy++) {
		for (size_t ox = 0; ox < call->out_w; ox++) {
			float best = -INFINITY;
			for (size_t py = 0; py < call->pool_h; py++) {
				const ptrdiff_t iy = (ptrdiff_t) (oy * call->stride_h + py) - (ptrdiff_t) call->top;
				if (iy < 0 || iy >= (ptrdiff_t) call->height) continue;
				for (size_t px = 0; px < call->pool_w; px++) {
					const ptrdiff_t ix = (ptrdiff_t) (ox * call->stride_w + px) - (ptrdiff_t) call->left;
					if (ix >= 0 && ix < (ptrdiff_t) call->width && in[iy * (ptrdiff_t) call->width + ix] > best) best = in[iy * (ptrdiff_t) call->width + ix];
				}
			}
			out[oy * call->out_w + ox] = best;
		}
	}
}

/* ceil(max(0, padded - pool) / stride) + 1 */
static size_t pooled(size_t padded, size_t pool, size_t stride) {
	const size_t span = padded > pool ? padded - pool : 0;
	return (span + stride - 1) / stride + 1;
}

enum nnp_status nnp_max_pooling_output(
	size_t batch_size, size_t channels, struct nnp_size input_size, struct nnp_padding input_padding,
	struct nnp_size pooling_size, struct nnp_size pooling_stride, const float* input, float* output, pthreadpool_t threadpool)
{
	const enum nnp_status status = nnps_validate_max_pooling(batch_size, channels, input_size, input_padding, pooling_size, pooling_stride);
	if (status != nnp_status_success) return status;
	const struct pooling_call call = {
		.height = input_size.height, .width = input_size.width, .top = input_padding.top, .left = input_padding.left,
		.pool_h = pooling_size.height, .pool_w = pooling_size.width, .stride_h = pooling_stride.height, .stride_w = pooling_stride.width,
		.out_h = pooled(input_padding.top + input_size.height + input_padding.bottom, pooling_size.height, pooling_stride.height),
		.out_w = pooled(input_padding.left + input_size.width + input_padding.right, pooling_size.width, pooling_stride.width),
		.input = input, .output = output,
	};
	nnps_parallelize(threadpool, plane_task, (void*) &call, batch_size * channels);
	return nnp_status_success;
}
