/* Max pooling over any filter size and stride; padding shapes the output but never wins the maximum. */
#include <math.h>

#include "nnpacksharp.h"

#include "../runtime/hardware.h"
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

/* A chunk of output columns: at most CHUNK_COLUMNS windows whose input columns span at most SPAN_FLOATS floats. */
#define CHUNK_COLUMNS 256
#define SPAN_FLOATS 1024

/* The window's maximum over columns [x0, x1) of a row whose column `first` is at `row`. */
static float row_maximum(const float* row, size_t first, size_t x0, size_t x1) {
	float best = -INFINITY;
	for (size_t x = x0; x < x1; x++) best = row[x - first] > best ? row[x - first] : best;
	return best;
}

/* Chunks of output columns, each over every output row: the chunk's column windows are computed once per plane, the
 * covered input rows folded into one row of column maxima on the stack (the table's vector loop), and each window
 * takes the maximum of its columns there. Windows wider than SPAN_FLOATS read the input rows directly. Empty windows
 * give -inf. */
static void plane_task(void* context, size_t thread, size_t plane) {
	(void) thread;
	const struct pooling_call* call = context;
	const float* in = call->input + plane * call->height * call->width;
	float* out = call->output + plane * call->out_h * call->out_w;
	const size_t spanned = call->pool_w <= SPAN_FLOATS ? (SPAN_FLOATS - call->pool_w) / call->stride_w + 1 : 1;
	const size_t chunk = nnps_min(CHUNK_COLUMNS, spanned);
	const bool direct = call->pool_w > SPAN_FLOATS;
	size_t x0[CHUNK_COLUMNS], x1[CHUNK_COLUMNS];
	float span[SPAN_FLOATS + 2 * NNPS_VECTOR_LANES]; /* max_columns' slack */
	for (size_t ox0 = 0; ox0 < call->out_w; ox0 += chunk) {
		const size_t columns = nnps_min(chunk, call->out_w - ox0);
		/* The chunk's input columns [first, last): windows move right with ox; empty ones (past the input) cover none. */
		size_t first = call->width, last = 0;
		for (size_t j = 0; j < columns; j++) {
			covered(ox0 + j, call->stride_w, call->pool_w, call->left, call->width, &x0[j], &x1[j]);
			if (x0[j] < x1[j]) first = nnps_min(first, x0[j]), last = x1[j] > last ? x1[j] : last;
		}
		for (size_t oy = 0; oy < call->out_h; oy++) {
			size_t y0, y1;
			covered(oy, call->stride_h, call->pool_h, call->top, call->height, &y0, &y1);
			float* out_row = out + oy * call->out_w + ox0;
			if (direct) {
				for (size_t j = 0; j < columns; j++) {
					float best = -INFINITY;
					for (size_t iy = y0; iy < y1; iy++) {
						const float maximum = row_maximum(in + iy * call->width, 0, x0[j], x1[j]);
						best = maximum > best ? maximum : best;
					}
					out_row[j] = best;
				}
				continue;
			}
			if (first < last) {
				for (size_t x = 0; x < last - first; x++) span[x] = -INFINITY;
				for (size_t iy = y0; iy < y1; iy++) nnps_hardware.isa.vector.max_into(span, in + iy * call->width + first, last - first);
			}
			if (y0 == y1) {
				for (size_t j = 0; j < columns; j++) out_row[j] = -INFINITY;
				continue;
			}
			/* Whole windows, pool_w wide and stride_w apart, in one vector call; the clipped ones at the edges one by one. */
			size_t whole = 0, count = 0;
			for (size_t j = 0; j < columns; j++) {
				if (x1[j] - x0[j] == call->pool_w && (count == 0 ? (whole = j, true) : j == whole + count)) count++;
			}
			if (count > 0) nnps_hardware.isa.vector.max_columns(span + (x0[whole] - first), call->stride_w, call->pool_w, count, out_row + whole);
			for (size_t j = 0; j < columns; j++) {
				if (j < whole || j >= whole + count) out_row[j] = x0[j] < x1[j] ? row_maximum(span, first, x0[j], x1[j]) : -INFINITY;
			}
		}
	}
}

/* ceil(max(0, padded - pool) / stride) + 1, without the overflow of span + stride - 1 for strides near SIZE_MAX. */
static size_t pooled(size_t padded, size_t pool, size_t stride) {
	const size_t span = padded > pool ? padded - pool : 0;
	return span == 0 ? 1 : (span - 1) / stride + 2;
}

/* Both entry points, validated: the first out_h x out_w windows (all of them, by upstream's ceil count, or fewer). */
static void max_pooling(
	size_t planes, struct nnp_size input_size, struct nnp_padding input_padding, struct nnp_size pooling_size, struct nnp_size pooling_stride,
	size_t out_h, size_t out_w, const float* input, float* output, pthreadpool_t threadpool)
{
	const struct pooling_call call = {
		.height = input_size.height, .width = input_size.width, .top = input_padding.top, .left = input_padding.left,
		.pool_h = pooling_size.height, .pool_w = pooling_size.width, .stride_h = pooling_stride.height, .stride_w = pooling_stride.width,
		.out_h = out_h, .out_w = out_w, .input = input, .output = output,
	};
	nnps_parallelize(threadpool, plane_task, (void*) &call, planes);
}

static size_t pooled_height(struct nnp_size input_size, struct nnp_padding padding, struct nnp_size pooling_size, struct nnp_size pooling_stride) {
	return pooled(padding.top + input_size.height + padding.bottom, pooling_size.height, pooling_stride.height);
}

static size_t pooled_width(struct nnp_size input_size, struct nnp_padding padding, struct nnp_size pooling_size, struct nnp_size pooling_stride) {
	return pooled(padding.left + input_size.width + padding.right, pooling_size.width, pooling_stride.width);
}

enum nnp_status nnp_max_pooling_output(
	size_t batch_size, size_t channels, struct nnp_size input_size, struct nnp_padding input_padding,
	struct nnp_size pooling_size, struct nnp_size pooling_stride, const float* input, float* output, pthreadpool_t threadpool)
{
	const enum nnp_status status = nnps_validate_max_pooling(batch_size, channels, input_size, input_padding, pooling_size, pooling_stride, true);
	if (status != nnp_status_success) return status;
	max_pooling(batch_size * channels, input_size, input_padding, pooling_size, pooling_stride, pooled_height(input_size, input_padding, pooling_size, pooling_stride),
		pooled_width(input_size, input_padding, pooling_size, pooling_stride), input, output, threadpool);
	return nnp_status_success;
}

enum nnp_status nnpsharp_max_pooling_output(
	size_t batch_size, size_t channels, struct nnp_size input_size, struct nnp_padding input_padding,
	struct nnp_size pooling_size, struct nnp_size pooling_stride, struct nnp_size output_size, const float* input, float* output, pthreadpool_t threadpool)
{
	const enum nnp_status status = nnps_validate_max_pooling(batch_size, channels, input_size, input_padding, pooling_size, pooling_stride, false);
	if (status != nnp_status_success) return status;
	if (output_size.height == 0 || output_size.width == 0 || output_size.height > pooled_height(input_size, input_padding, pooling_size, pooling_stride) ||
		output_size.width > pooled_width(input_size, input_padding, pooling_size, pooling_stride)) {
		return nnp_status_invalid_input_size;
	}
	max_pooling(batch_size * channels, input_size, input_padding, pooling_size, pooling_stride, output_size.height, output_size.width, input, output, threadpool);
	return nnp_status_success;
}
