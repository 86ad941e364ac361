/* The phase split of a stride-2 convolution's input (see phase-split.h). */
#include <string.h>

#include "phase-split.h"

bool nnps_phase_split_of(const struct nnps_conv* g, struct nnps_phase_split* split) {
	/* The copy is a pass over the input (read, and a little more written) that the packers repay for each window that
	 * reads an input element: the ResNet stem's 7x7 windows read each about 12 times (stride 2 both ways), and its
	 * kernel gradient ran 1.20x faster split; ResNet 3x3/2's read each about twice, and split it ran 0.93x. */
	if (nnps_conv_stride_x(g) != 2 || g->kernel_width < 2 || g->kernel_height * g->kernel_width < 4 * nnps_conv_stride_y(g) * 2) return false;
	/* The rows and the columns of each phase that some window reads: both within the padded extents. */
	split->height = (g->output_height - 1) * nnps_conv_stride_y(g) + g->kernel_height;
	split->width = g->output_width + (g->kernel_width - 1) / 2;
	return nnps_product4(split->height, split->width, 1, 1, &split->plane) && nnps_product4(split->plane, 2, g->input_channels, 1, &split->image);
}

struct nnps_im2col nnps_phase_split_im2col(const struct nnps_conv* g, const struct nnps_phase_split* split) {
	return (struct nnps_im2col) {
		split->height, split->width, g->kernel_height, g->kernel_width, 0, 0, nnps_conv_stride_y(g), 1, g->output_width, nnps_conv_output_plane(g),
		split->image, split->plane,
	};
}

struct copy_context {
	const struct nnps_conv* g;
	const struct nnps_phase_split* split;
	const float* input;
	float* output;
};

/* Row `r` of phase `phase`: column u holds input column 2u + phase - pad_left where that exists, else zero. */
static void split_row(const struct nnps_conv* g, const struct nnps_phase_split* split, const float* row, size_t phase, float* out) {
	/* The first u whose column is inside (2u + phase >= pad_left) and one past the last (2u + phase < pad_left + W). */
	const size_t shift = g->pad_left - (g->pad_left > phase ? phase : g->pad_left);
	size_t lo = g->pad_left > phase ? nnps_ceil_div(shift, 2) : 0;
	size_t hi = g->pad_left + g->input_width > phase ? nnps_ceil_div(g->pad_left + g->input_width - phase, 2) : 0;
	lo = nnps_min(lo, split->width);
	hi = nnps_clamp(hi, lo, split->width);
	/* The margins (a float or two) apart from the middle, a plain stride-2 copy that the compiler vectorises (loads
	 * and a shuffle): one loop selecting per element took 3.6% of the stem forward's samples, this 2.8% (perf). The
	 * margins become memset calls; on the 5x5/2 layers' 30-float rows the three loops ran 0.99-1.03x of the one
	 * (nnpack_ab_bench, CPU time, every pass). */
	size_t u = 0;
	for (; u < lo; u++) out[u] = 0.0f;
	for (; u < hi; u++) out[u] = row[2 * u + phase - g->pad_left];
	for (; u < split->width; u++) out[u] = 0.0f;
}

/* Rows [r0, r1) of one channel's two planes, the even ones at `out`, the odd ones `plane` floats after it. */
static void split_channel_rows(const struct nnps_conv* g, const struct nnps_phase_split* split, const float* channel, size_t r0, size_t r1, float* out, size_t plane) {
	for (size_t phase = 0; phase < 2; phase++) {
		for (size_t r = r0; r < r1; r++) {
			float* row = out + phase * plane + (r - r0) * split->width;
			if (r < g->pad_top || r - g->pad_top >= g->input_height) {
				memset(row, 0, split->width * sizeof(float));
			} else {
				split_row(g, split, channel + (r - g->pad_top) * g->input_width, phase, row);
			}
		}
	}
}

/* Task = (image, channel): its two planes. */
static void copy_task(void* argument, size_t thread, size_t task) {
	(void) thread;
	const struct copy_context* context = argument;
	const struct nnps_conv* g = context->g;
	const struct nnps_phase_split* split = context->split;
	const size_t image = task / g->input_channels, channel = task % g->input_channels;
	const float* plane = context->input + image * nnps_conv_input_image(g) + channel * nnps_conv_input_plane(g);
	split_channel_rows(g, split, plane, 0, split->height, context->output + image * split->image + channel * 2 * split->plane, split->plane);
}

void nnps_phase_split_rows(const struct nnps_conv* g, const struct nnps_phase_split* split, const float* image, size_t r0, size_t r1, float* out) {
	const size_t plane = (r1 - r0) * split->width;
	for (size_t channel = 0; channel < g->input_channels; channel++) {
		split_channel_rows(g, split, image + channel * nnps_conv_input_plane(g), r0, r1, out + channel * 2 * plane, plane);
	}
}

void nnps_phase_split_copy(const struct nnps_conv* g, const struct nnps_phase_split* split, const float* input, float* split_input, pthreadpool_t pool) {
	const struct copy_context context = { g, split, input, split_input };
	nnps_parallelize(pool, copy_task, (void*) &context, g->batch * g->input_channels);
}

bool nnps_phase_split_workspace(const struct nnps_conv* g, const struct nnps_phase_split* split, size_t gemm, size_t* floats) {
	size_t split_floats = 0;
	if (split != NULL && !nnps_product4(g->batch, split->image, 1, 1, &split_floats)) return false;
	return !__builtin_add_overflow(nnps_round_up(gemm, NNPS_FLOATS_PER_LINE), split_floats, floats);
}

const float* nnps_phase_split_into_workspace(
	const struct nnps_conv* g, const struct nnps_phase_split* split, const float* input, float* workspace, size_t gemm, pthreadpool_t pool)
{
	float* split_input = workspace + nnps_round_up(gemm, NNPS_FLOATS_PER_LINE);
	nnps_phase_split_copy(g, split, input, split_input, pool);
	return split_input;
}
