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

/* Output columns [x0, x0 + n) of one channel's output row over input row `row`: column x reads input column
 * x * stride - pad_left where that exists, else zero; out[x - x0]. */
static void decimate_columns(const struct nnps_conv* g, const float* row, size_t x0, size_t n, float* out) {
	const size_t stride = nnps_conv_stride_x(g), pad = g->pad_left, x1 = x0 + n;
	/* The first x inside (x * stride >= pad) and one past the last (x * stride < pad + W), within [x0, x1). */
	const size_t lo = nnps_clamp(nnps_ceil_div(pad, stride), x0, x1);
	const size_t hi = nnps_clamp(nnps_ceil_div(pad + g->input_width, stride), lo, x1);
	for (size_t x = x0; x < lo; x++) out[x - x0] = 0.0f;
	if (lo < hi) {
		const float* first = row + (lo * stride - pad);
		float* target = out + (lo - x0);
		if (stride == 2) {
			/* The common case, a constant stride the compiler vectorises. */
			for (size_t x = 0; x < hi - lo; x++) target[x] = first[2 * x];
		} else {
			for (size_t x = 0; x < hi - lo; x++) target[x] = first[stride * x];
		}
	}
	for (size_t x = hi; x < x1; x++) out[x - x0] = 0.0f;
}

/* Input row under output row y of a plane, or NULL where that row is padding. */
static const float* input_row(const struct nnps_conv* g, const float* plane, size_t y) {
	const size_t iy = y * nnps_conv_stride_y(g);
	return iy < g->pad_top || iy - g->pad_top >= g->input_height ? NULL : plane + (iy - g->pad_top) * g->input_width;
}

void nnps_decimate_pixels(const struct nnps_conv* g, const float* image, size_t c0, size_t channels, size_t p0, size_t n, float* pixels, size_t stride) {
	const size_t width = g->output_width;
	for (size_t c = 0; c < channels; c++) {
		const float* plane = image + (c0 + c) * nnps_conv_input_plane(g);
		float* target = pixels + c * stride;
		for (size_t j = 0; j < n;) {
			const size_t y = (p0 + j) / width, x0 = (p0 + j) % width, length = nnps_min(n - j, width - x0);
			const float* row = input_row(g, plane, y);
			if (row == NULL) {
				memset(target + j, 0, length * sizeof(float));
			} else {
				decimate_columns(g, row, x0, length, target + j);
			}
			j += length;
		}
	}
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
		const float* row = input_row(g, plane, y);
		if (row == NULL) {
			memset(out, 0, g->output_width * sizeof(float));
		} else {
			decimate_columns(g, row, 0, g->output_width, out);
		}
	}
}

const float* nnps_decimate_into_workspace(const struct nnps_conv* g, const float* input, float* workspace, size_t gemm, pthreadpool_t pool) {
	float* decimated = workspace + nnps_round_up(gemm, NNPS_FLOATS_PER_LINE);
	const struct decimate_context context = { g, input, decimated };
	nnps_parallelize(pool, decimate_task, (void*) &context, g->batch * g->input_channels);
	return decimated;
}
