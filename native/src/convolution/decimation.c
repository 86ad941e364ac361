/* The decimation of a strided 1x1 convolution's input (see decimation.h). */
#include <string.h>

#include "decimation.h"

bool nnps_decimation_applies(const struct nnps_conv* g) {
	return g->kernel_height == 1 && g->kernel_width == 1 && !nnps_conv_is_pointwise(g);
}

bool nnps_decimation_workspace(const struct nnps_conv* g, size_t gemm, size_t* floats) {
	size_t decimated;
	return nnps_product4(g->batch, g->input_channels, g->output_height, g->output_width, &decimated) &&
		!__builtin_add_overflow(nnps_round_up(gemm, NNPS_FLOATS_PER_LINE), decimated, floats);
}

struct decimate_context {
	const struct nnps_conv* g;
	const float* input;
	float* decimated;
};

/* Output row `row` of one channel: column x reads input column x * stride - pad_left where that exists, else zero. */
static void decimate_row(const struct nnps_conv* g, const float* row, float* out) {
	const size_t stride = nnps_conv_stride_x(g), pad = g->pad_left;
	/* The first x inside (x * stride >= pad) and one past the last (x * stride < pad + W). */
	const size_t lo = nnps_min(nnps_ceil_div(pad, stride), g->output_width);
	const size_t hi = nnps_clamp(nnps_ceil_div(pad + g->input_width, stride), lo, g->output_width);
	for (size_t x = 0; x < lo; x++) out[x] = 0.0f;
	if (lo < hi) {
		const float* first = row + (lo * stride - pad);
		if (stride == 2) {
			/* The common case, a constant stride the compiler vectorises. */
			for (size_t x = lo; x < hi; x++) out[x] = first[2 * (x - lo)];
		} else {
			for (size_t x = lo; x < hi; x++) out[x] = first[stride * (x - lo)];
		}
	}
	for (size_t x = hi; x < g->output_width; x++) out[x] = 0.0f;
}

#define PREFETCH_ROWS 4

/* Task = (image, channel): its decimated plane. */
static void decimate_task(void* argument, size_t thread, size_t task) {
	(void) thread;
	const struct decimate_context* context = argument;
	const struct nnps_conv* g = context->g;
	const size_t image = task / g->input_channels, channel = task % g->input_channels, stride = nnps_conv_stride_y(g);
	const float* plane = context->input + image * nnps_conv_input_image(g) + channel * nnps_conv_input_plane(g);
	float* out = context->decimated + task * nnps_conv_output_plane(g);
	for (size_t y = 0; y < g->output_height; y++, out += g->output_width) {
		const size_t iy = y * stride;
		/* The row PREFETCH_ROWS rows on, asked for now: the rows lie apart (every other one at stride 2), short runs the
		 * hardware's prefetchers did not follow, and the loads waited on memory. */
		const size_t ahead = iy + PREFETCH_ROWS * stride;
		if (ahead >= g->pad_top && ahead - g->pad_top < g->input_height) {
			const char* line = (const char*) (plane + (ahead - g->pad_top) * g->input_width);
			for (size_t offset = 0; offset < g->input_width * sizeof(float); offset += 64) __builtin_prefetch(line + offset, 0, 3);
		}
		if (iy < g->pad_top || iy - g->pad_top >= g->input_height) {
			memset(out, 0, g->output_width * sizeof(float));
		} else {
			decimate_row(g, plane + (iy - g->pad_top) * g->input_width, out);
		}
	}
}

const float* nnps_decimate_into_workspace(const struct nnps_conv* g, const float* input, float* workspace, size_t gemm, pthreadpool_t pool) {
	float* decimated = workspace + nnps_round_up(gemm, NNPS_FLOATS_PER_LINE);
	const struct decimate_context context = { g, input, decimated };
	nnps_parallelize(pool, decimate_task, (void*) &context, g->batch * g->input_channels);
	return decimated;
}
