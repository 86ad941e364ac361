/* Max pooling over any filter size and stride; padding shapes the output but never wins the maximum. */
#include <math.h>

#include "../runtime/threadpool.h"
#include "validate.h"

struct pooling_call {
	size_t height, width, top, left, pool_h, pool_w, stride_h, stride_w, out_h, out_w;
	const float* input;
	float* output;
};

/* The input rows (or columns) [*first, *last) that window `index` covers. The window starts at index * stride in
 * padded coordinates, which may pass SIZE_MAX when the stride is huge: such a window, like one past the input, is
 * empty. Only covered taps are visited, so the cost never depends on the window size or the padding. */
static void covered(size_t index, size_t stride, size_t size, size_t before, size_t extent, size_t* first, size_t* last) {
	const size_t end_of_input = before + extent; /* validated: no overflow */
	size_t start;
	if (__builtin_mul_overflow(index, stride, &start) || start >= end_of_input) {
		*first = *last = 0;
		return;
	}
	const size_t end = size >= end_of_input - start ? end_of_input : start + size;
	*first = start > before ? start - before : 0;
	*last = end > before ? end - before : 0;
}

static void plane_task(void* context, size_t thread, size_t plane) {
	(void) thread;
	const struct pooling_call* call = context;
	const float* in = call->input + plane * call->height * call->width;
	float* out = call->output + plane * call->out_h * call->out_w;
	for (size_t oy = 0; oy < call->out_h; oy++) {
		size_t y0, y1;
		covered(oy, call->stride_h, call->pool_h, call->top, call->height, &y0, &y1);
		for (size_t ox = 0; ox < call->out_w; ox++) {
			size_t x0, x1;
			covered(ox, call->stride_w, call->pool_w, call->left, call->width, &x0, &x1);
			float best = -INFINITY;
			for (size_t iy = y0; iy < y1; iy++) {
				for (size_t ix = x0; ix < x1; ix++) best = in[iy * call->width + ix] > best ? in[iy * call->width + ix] : best;
			}
			out[oy * call->out_w + ox] = best;
		}
	}
}

/* ceil(max(0, padded - pool) / stride) + 1, without the overflow of span + stride - 1 for strides near SIZE_MAX. */
static size_t pooled(size_t padded, size_t pool, size_t stride) {
	const size_t span = padded > pool ? padded - pool : 0;
	return span == 0 ? 1 : (span - 1) / stride + 2;
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
