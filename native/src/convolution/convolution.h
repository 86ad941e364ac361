/* What the convolution algorithms share: one convolution's geometry, padding and stride resolved. */
#ifndef NNPS_CONVOLUTION_CONVOLUTION_H
#define NNPS_CONVOLUTION_CONVOLUTION_H

#include "../gemm/sgemm.h"
#include "../runtime/threadpool.h"

/* The four convolution functions of the API (the strided extensions are the first three with a stride). */
enum nnps_function { nnps_function_output, nnps_function_input_gradient, nnps_function_kernel_gradient, nnps_function_inference };

/* One convolution: output size output_height x output_width. Validated: every extent, tensor size and window
 * coordinate fits (see operators/validate.c). */
struct nnps_conv {
	size_t batch, input_channels, output_channels;
	size_t input_height, input_width;
	size_t kernel_height, kernel_width;
	size_t pad_top, pad_left;
	size_t stride_height, stride_width;
	size_t output_height, output_width;
};

static inline size_t nnps_conv_patch(const struct nnps_conv* g) { return g->input_channels * g->kernel_height * g->kernel_width; }
static inline size_t nnps_conv_output_plane(const struct nnps_conv* g) { return g->output_height * g->output_width; }
static inline size_t nnps_conv_output_image(const struct nnps_conv* g) { return g->output_channels * nnps_conv_output_plane(g); }
static inline size_t nnps_conv_input_plane(const struct nnps_conv* g) { return g->input_height * g->input_width; }
static inline size_t nnps_conv_input_image(const struct nnps_conv* g) { return g->input_channels * nnps_conv_input_plane(g); }

/* True when im2col is the identity (1x1 kernel, stride 1, no padding): the image itself is the column matrix. */
static inline bool nnps_conv_is_pointwise(const struct nnps_conv* g) {
	return g->kernel_height == 1 && g->kernel_width == 1 && g->stride_height == 1 && g->stride_width == 1 && g->pad_top == 0 && g->pad_left == 0 &&
		g->output_height == g->input_height && g->output_width == g->input_width;
}

/* The step between windows as index arithmetic should use it: with one output along an axis no window ever moves,
 * so 1 serves as well as any stride, and a caller's huge stride (any size_t is valid) never enters a product.
 * Otherwise stride <= the padded extent, which validation bounds by NNPS_MAX_EXTENT. */
static inline size_t nnps_conv_stride_y(const struct nnps_conv* g) { return g->output_height == 1 ? 1 : g->stride_height; }
static inline size_t nnps_conv_stride_x(const struct nnps_conv* g) { return g->output_width == 1 ? 1 : g->stride_width; }

/* The window geometry the GEMM driver reads an image's implicit im2col matrix with. */
static inline struct nnps_im2col nnps_conv_im2col(const struct nnps_conv* g) {
	return (struct nnps_im2col) {
		g->input_height, g->input_width, g->kernel_height, g->kernel_width, g->pad_top, g->pad_left, nnps_conv_stride_y(g), nnps_conv_stride_x(g),
		g->output_width, nnps_conv_output_plane(g), nnps_conv_input_image(g), 0,
	};
}

/* The input gradient of a stride-1 convolution g as a convolution: grad_output (g's output channels) in, convolved
 * with the kernel rotated by 180 degrees and channels swapped, padded by k - 1 - p, giving the input-sized gradient.
 * Valid for top/left padding below the kernel size. */
static inline struct nnps_conv nnps_conv_transposed(const struct nnps_conv* g) {
	return (struct nnps_conv) {
		.batch = g->batch, .input_channels = g->output_channels, .output_channels = g->input_channels,
		.input_height = g->output_height, .input_width = g->output_width, .kernel_height = g->kernel_height, .kernel_width = g->kernel_width,
		.pad_top = g->kernel_height - 1 - g->pad_top, .pad_left = g->kernel_width - 1 - g->pad_left, .stride_height = 1, .stride_width = 1,
		.output_height = g->input_height, .output_width = g->input_width,
	};
}

/* Part `index` of `count` near-equal runs of `units` granules, as granules [*first, *end): sizes differ by at most one
 * granule, the longer ones last (as the thread pool's ranges are). Tasks that take whole chunks of nnps_split leave the
 * last one short: Inception's 2312 columns in four tasks of 608, 608, 608 and 488 gave one of two threads 1216 columns
 * and the other 1096. */
static inline void nnps_balanced_part(size_t units, size_t count, size_t index, size_t* first, size_t* end) {
	const size_t share = units / count, rest = units % count;
	*first = index * share + index * rest / count;
	*end = (index + 1) * share + (index + 1) * rest / count;
}

/* Splits `extent` into about `parts` chunks, each a multiple of `granule` (a micro-tile's side): *count chunks of *chunk. */
static inline void nnps_split(size_t extent, size_t parts, size_t granule, size_t* chunk, size_t* count) {
	*chunk = nnps_round_up(nnps_ceil_div(extent, parts == 0 ? 1 : parts), granule);
	*count = nnps_ceil_div(extent, *chunk);
}

/* Tasks per thread a parallel phase aims for: more than one evens out the load; one thread needs one. */
static inline size_t nnps_target_tasks(size_t threads) { return threads == 1 ? 1 : 2 * threads; }

#endif
