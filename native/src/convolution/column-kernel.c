/*
 * A kernel one column wide (kh x 1: Inception's 7x1) at stride 1 with no padding at the sides: the output as kh
 * pointwise products, one per kernel row ky, output[:, y, :] += kernel[:, :, ky] * input[:, y + ky - pad_top, :],
 * each over just the output rows whose input row lies inside the image. A row shift keeps the image's rows
 * contiguous, so every product reads its B in place as a pointwise layer's image (nnps_b_streamed) and no padding tap
 * is multiplied: implicit GEMM multiplied zeros for 12 of the 119 taps of a 17-row map with 3 rows of padding.
 * nnpack_ab_bench against implicit GEMM, Inception 7x1 (128 -> 128 channels, 17x17, batch 8), 9 rounds: forward
 * 1.16x / 1.15x on one / two threads (81% -> 94% of the peak, counting the padding taps as the direct count does),
 * input gradient (the same path on the rotated kernel) 1.15x / 1.13x. The products pack their B blocks: read in place
 * (nnps_b_streamed with one row block) they ran 0.95x.
 */
#include "implicit-gemm.h"

bool nnps_column_kernel_applies(const struct nnps_conv* g) {
	/* Kernel row pad_top then reaches every output row (y + pad_top - pad_top = y < output_height <= input_height),
	 * so its product writes the whole output before the others add to it. */
	return g->kernel_width == 1 && g->kernel_height > 1 && nnps_conv_stride_y(g) == 1 && nnps_conv_stride_x(g) == 1 && g->pad_left == 0 &&
		g->output_width == g->input_width && g->pad_top < g->kernel_height && g->output_height <= g->input_height;
}

/* One kernel row's matrix (output channels x input channels) packed as an A, in floats. */
static size_t tap_floats(const struct nnps_conv* g, const struct nnps_sgemm_config* config) {
	return nnps_packed_a_floats(config, g->output_channels, g->input_channels);
}

bool nnps_column_kernel_floats(const struct nnps_conv* g, const struct nnps_sgemm_config* config, size_t* floats) {
	size_t product;
	return nnps_product4(nnps_round_up(g->output_channels, config->mr), g->input_channels, g->kernel_height, 1, &product) &&
		!__builtin_mul_overflow(tap_floats(g, config), g->kernel_height, floats);
}

struct pack_context {
	const struct nnps_conv* g;
	const struct nnps_sgemm_config* config;
	const float* kernel;
	float* packed;
};

static void pack_task(void* argument, size_t thread, size_t ky) {
	(void) thread;
	const struct pack_context* context = argument;
	const struct nnps_conv* g = context->g;
	/* Row ky's matrix: element (o, c) at kernel[(o * C + c) * kh + ky]. */
	nnps_pack_a_panels(context->config, context->kernel + ky, g->input_channels * g->kernel_height, g->kernel_height, g->output_channels, g->input_channels,
		0, nnps_ceil_div(g->output_channels, context->config->mr), context->packed + ky * tap_floats(g, context->config));
}

void nnps_column_kernel_pack(const struct nnps_conv* g, const struct nnps_sgemm_config* config, const float* kernel, float* packed, pthreadpool_t pool) {
	const struct pack_context context = { g, config, kernel, packed };
	nnps_parallelize(pool, pack_task, (void*) &context, g->kernel_height);
}

/* Tasks per image: chunks of whole panels of its output plane, about the pool's target over the batch. */
static size_t chunks_per_image(const struct nnps_conv* g, const struct nnps_sgemm_config* config, size_t threads) {
	return nnps_min(nnps_ceil_div(nnps_target_tasks(threads), g->batch), nnps_ceil_div(nnps_conv_output_plane(g), config->nr));
}

static size_t thread_floats(const struct nnps_conv* g, const struct nnps_sgemm_config* config, size_t threads) {
	const size_t chunk = nnps_round_up(nnps_ceil_div(nnps_conv_output_plane(g), chunks_per_image(g, config, threads)), config->nr);
	return nnps_gemm_buffer_floats(config, 0, chunk, g->input_channels);
}

bool nnps_column_kernel_workspace(const struct nnps_conv* g, const struct nnps_sgemm_config* config, size_t threads, bool kernel_packed, size_t* floats) {
	size_t kernel = 0, buffers;
	return (kernel_packed || nnps_column_kernel_floats(g, config, &kernel)) && !__builtin_mul_overflow(thread_floats(g, config, threads), threads, &buffers) &&
		!__builtin_add_overflow(buffers, kernel, floats);
}

struct output_context {
	const struct nnps_conv* g;
	const struct nnps_sgemm_config* config;
	const float* input;
	const float* packed_kernel;
	const float* bias;
	bool relu;
	float* output;
	float* buffers; /* each thread's GEMM buffers, thread_floats apart */
	size_t chunks, thread_floats;
};

/* Output pixels [p0, p1) of one image += kernel row ky's product, over the rows that row reaches inside the image. */
static void add_tap(const struct output_context* context, size_t image, size_t p0, size_t p1, size_t ky, bool first, const struct nnps_gemm_buffers* buffers) {
	const struct nnps_conv* g = context->g;
	const size_t width = g->output_width, plane = nnps_conv_output_plane(g);
	/* Output row y reads input row y + ky - pad_top: inside for y in [pad_top - ky, input_height + pad_top - ky), none
	 * where kernel row ky lies below the image's last row for every output row (a map shorter than the kernel). */
	const size_t bottom = g->input_height + g->pad_top;
	const size_t y0 = ky < g->pad_top ? g->pad_top - ky : 0, y1 = ky < bottom ? nnps_min(g->output_height, bottom - ky) : 0;
	const size_t q0 = nnps_max(p0, y0 * width), q1 = nnps_min(p1, y1 * width);
	if (q0 >= q1) return;
	/* Input pixel q + (ky - pad_top) * width, never before the image (q0 >= y0 * width). */
	const float* image_data = context->input + image * nnps_conv_input_image(g) + (q0 + ky * width - g->pad_top * width);
	const struct nnps_b_source b = { nnps_b_streamed, image_data, nnps_conv_input_plane(g), 1, NULL };
	nnps_sgemm_packed_a(context->config, g->output_channels, q1 - q0, g->input_channels, context->packed_kernel + ky * tap_floats(g, context->config),
		g->input_channels, &b, 0, 0, context->output + image * nnps_conv_output_image(g) + q0, plane, !first, first ? context->bias : NULL, buffers);
}

static void output_task(void* argument, size_t thread, size_t task) {
	const struct output_context* context = argument;
	const struct nnps_conv* g = context->g;
	const size_t nr = context->config->nr, plane = nnps_conv_output_plane(g), image = task / context->chunks;
	size_t first, end;
	nnps_balanced_part(nnps_ceil_div(plane, nr), context->chunks, task % context->chunks, &first, &end);
	const size_t p0 = first * nr, p1 = nnps_min(end * nr, plane);
	if (p0 >= p1) return;
	const struct nnps_gemm_buffers buffers = nnps_gemm_buffers_carve(context->config, 0, p1 - p0, g->input_channels,
		context->buffers + thread * context->thread_floats);
	/* Row pad_top first, which writes every pixel (with the bias), then the others in order, adding. */
	add_tap(context, image, p0, p1, g->pad_top, true, &buffers);
	for (size_t ky = 0; ky < g->kernel_height; ky++) {
		if (ky != g->pad_top) add_tap(context, image, p0, p1, ky, false, &buffers);
	}
	if (context->relu) nnps_relu_rows(context->output + image * nnps_conv_output_image(g) + p0, g->output_channels, plane, p1 - p0);
}

void nnps_column_kernel_output(
	const struct nnps_conv* g, const struct nnps_sgemm_config* config, const float* input, const float* kernel, const float* packed_kernel,
	const float* bias, bool relu, float* output, float* workspace, pthreadpool_t pool)
{
	const size_t threads = pthreadpool_get_threads_count(pool);
	float* buffers = workspace;
	if (packed_kernel == NULL) {
		nnps_column_kernel_pack(g, config, kernel, workspace, pool);
		packed_kernel = workspace;
		size_t floats = 0;
		nnps_column_kernel_floats(g, config, &floats);
		buffers = workspace + floats;
	}
	const size_t chunks = chunks_per_image(g, config, threads);
	const struct output_context context = { g, config, input, packed_kernel, bias, relu, output, buffers, chunks, thread_floats(g, config, threads) };
	nnps_parallelize(pool, output_task, (void*) &context, g->batch * chunks);
}
