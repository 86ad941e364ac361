/* Input gradient: a column-matrix GEMM per image (or per band of its output rows), then col2im. */
#include <string.h>

#include "col2im.h"
#include "fold.h"

/* Tasks split an image's GEMM by its columns (pixels) where the plane has enough micro-panels that the tasks come out
 * nearly equal: every task then packs its own columns of grad_output once for all rows. Split by rows, each task
 * packed the whole of grad_output again for its share of the rows. nnpack_ab_bench at 2 threads: by columns ran
 * ResNet's 1x1 input gradient 1.26x faster and the stem's 1.26x, but ResNet 3x3/2's 784 pixels (25 panels in 4 tasks)
 * 0.94x. */
#define MIN_TASK_PANELS 8

/* Columns of the column matrix a scatter task computes at least (8 panels of the AVX-512 kernel), in whole output rows. */
#define SCATTER_TASK_COLUMNS 256

struct input_gradient_plan {
	bool scatter;           /* 1x1 windows that never overlap: each task scatters its own columns (see scatter_task) */
	size_t task_rows;       /* scatter: output rows per task */
	size_t scratch_floats;  /* scatter, image tasks: each thread's column block, after its B panel */
	size_t band_rows;       /* output rows folded at a time (all of them unless fold_band_rows cuts the plane) */
	bool image_tasks;       /* a task per image: each band's product into the thread's block, folded at once */
	bool by_columns;        /* tasks own column chunks (else row chunks) of the image's GEMM */
	size_t chunk, chunks;   /* columns or rows of the column matrix per task, and tasks per image */
	size_t kernel_floats;   /* kernel^T packed once per call, shared by every task and image */
	size_t thread_floats;   /* each thread's B panel */
	size_t column_floats;   /* the column matrix of one image; 0 for pointwise convolutions */
};

/* A strided 1x1 kernel without padding: every output pixel reads one input pixel and no two read the same one, so the
 * column matrix is the gradient's nonzero part and col2im is a scatter that needs no sum. */
static bool scatters(const struct nnps_conv* g) {
	return g->kernel_height == 1 && g->kernel_width == 1 && g->pad_top == 0 && g->pad_left == 0 && !nnps_conv_is_pointwise(g);
}

/* A band's columns at most (with the GEMM's panels, within a 1 MiB L2) and at least (the band's product packs
 * grad_output's rows for it alone, and a shorter one would pay for its calls and its edge panels). */
#define FOLD_BAND_BYTES (512 * 1024)
#define FOLD_BAND_COLUMNS 512

/* Output rows whose columns the fold takes at a time: a few-channel layer on a large map (the ResNet stem: 7.4 MB of
 * columns an image, written out by the GEMM and read back by the fold) in bands that stay in L2; all rows where a
 * band would be narrower than FOLD_BAND_COLUMNS (a large patch: AlexNet conv2, ResNet 3x3/2) or the whole plane. The
 * fold adds band after band whatever the tasks, so the sums' order depends on the shape alone. */
static size_t fold_band_rows(const struct nnps_conv* g) {
	const size_t row_bytes = nnps_conv_patch(g) * g->output_width * sizeof(float);
	const size_t rows = FOLD_BAND_BYTES / row_bytes;
	return rows * g->output_width < FOLD_BAND_COLUMNS || rows >= g->output_height ? g->output_height : rows;
}

/* Each thread's GEMM buffers for products `columns` wide, then its column block of the patch's rows. */
static bool plan_thread_block(const struct nnps_conv* g, const struct nnps_sgemm_config* config, size_t columns, struct input_gradient_plan* plan) {
	plan->thread_floats = nnps_gemm_buffer_floats(config, 0, columns, g->output_channels);
	return !__builtin_mul_overflow(nnps_conv_patch(g), columns, &plan->scratch_floats) &&
		!__builtin_add_overflow(plan->thread_floats, nnps_round_up(plan->scratch_floats, NNPS_FLOATS_PER_LINE), &plan->thread_floats);
}

static bool plan_input_gradient(const struct nnps_conv* g, const struct nnps_sgemm_config* config, size_t threads, struct input_gradient_plan* plan) {
	const size_t patch = nnps_conv_patch(g), plane = nnps_conv_output_plane(g), target = nnps_target_tasks(threads);
	*plan = (struct input_gradient_plan) { 0 }; /* each path sets the fields it reads */
	plan->kernel_floats = nnps_packed_a_floats(config, patch, g->output_channels);
	plan->scatter = scatters(g);
	if (plan->scatter) {
		/* Tasks of whole output rows of one image, whole images where the batch has enough of them for the threads
		 * (an element's sum does not depend on which columns share its product: the depth blocks depend on the depth
		 * alone). Per image, two threads shared a 784-pixel plane by rows, and each packed all of grad_output again. */
		const size_t per_image = nnps_ceil_div(target, g->batch);
		const size_t min_rows = nnps_ceil_div(SCATTER_TASK_COLUMNS, g->output_width);
		plan->task_rows = nnps_min(g->output_height, nnps_max(min_rows, nnps_ceil_div(g->output_height, per_image)));
		return plan_thread_block(g, config, plan->task_rows * g->output_width, plan);
	}
	plan->band_rows = nnps_conv_is_pointwise(g) ? g->output_height : fold_band_rows(g);
	plan->image_tasks = plan->band_rows < g->output_height && g->batch >= threads;
	if (plan->image_tasks) {
		return plan_thread_block(g, config, plan->band_rows * g->output_width, plan);
	}
	plan->by_columns = nnps_ceil_div(plane, config->nr) >= target * MIN_TASK_PANELS;
	if (plan->by_columns) {
		nnps_split(plane, target, config->nr, &plan->chunk, &plan->chunks);
	} else {
		nnps_split(patch, target, config->mr, &plan->chunk, &plan->chunks);
	}
	plan->thread_floats = nnps_gemm_buffer_floats(config, 0, plan->by_columns ? plan->chunk : plane, g->output_channels);
	return nnps_conv_is_pointwise(g) || !__builtin_mul_overflow(patch, plane, &plan->column_floats);
}

/* One image's GEMM, columns = kernel^T [patch][Cout] * grad_output[n] [Cout][plane]: a task's chunk of columns, or of rows. */
struct gemm_context {
	const struct nnps_conv* g;
	const struct nnps_sgemm_config* config;
	const struct input_gradient_plan* plan;
	const float* packed_kernel; /* kernel^T in row panels */
	const float* grad_output; /* this image's */
	float* columns;           /* the column matrix, or this image's gradient when pointwise */
	float* thread_buffers;
};

static void gemm_task(void* argument, size_t thread, size_t task) {
	const struct gemm_context* context = argument;
	const struct nnps_conv* g = context->g;
	const struct input_gradient_plan* plan = context->plan;
	const size_t plane = nnps_conv_output_plane(g), patch = nnps_conv_patch(g), first = task * plan->chunk;
	const size_t row0 = plan->by_columns ? 0 : first, col0 = plan->by_columns ? first : 0;
	const size_t m = plan->by_columns ? patch : nnps_min(plan->chunk, patch - row0), n = plan->by_columns ? nnps_min(plan->chunk, plane - col0) : plane;
	const struct nnps_b_source b = { nnps_b_streamed, context->grad_output, plane, 1, NULL };
	const struct nnps_gemm_buffers buffers = nnps_gemm_buffers_carve(context->config, 0, n, g->output_channels,
		context->thread_buffers + thread * plan->thread_floats);
	nnps_sgemm_packed_a(context->config, m, n, g->output_channels, context->packed_kernel + row0 * g->output_channels, g->output_channels, &b, 0, col0,
		context->columns + row0 * plane + col0, plane, false, NULL, &buffers);
}

/* Tasks that compute their products into the thread's column block (scatter_task, image_task). */
struct block_context {
	const struct nnps_conv* g;
	const struct nnps_sgemm_config* config;
	const struct nnps_vector_ops* ops;
	const struct input_gradient_plan* plan;
	const float* packed_kernel;
	const float* grad_output;
	float* grad_input;
	float* thread_buffers;
};

/* The thread's column block, after its GEMM buffers at *base. */
static float* thread_block(const struct block_context* context, size_t thread, float** base) {
	*base = context->thread_buffers + thread * context->plan->thread_floats;
	return *base + (context->plan->thread_floats - nnps_round_up(context->plan->scratch_floats, NNPS_FLOATS_PER_LINE));
}

/* Output rows [row0, row0 + plan->task_rows) of image `task / chunks`: their columns = kernel^T * grad_output into
 * the thread's block, then scattered onto the input rows they cover, which the task writes whole (zeros between). */
static void scatter_task(void* argument, size_t thread, size_t task) {
	const struct block_context* context = argument;
	const struct nnps_conv* g = context->g;
	const struct input_gradient_plan* plan = context->plan;
	const size_t chunks = nnps_ceil_div(g->output_height, plan->task_rows), image = task / chunks;
	const size_t row0 = (task % chunks) * plan->task_rows, rows = nnps_min(plan->task_rows, g->output_height - row0);
	const size_t width = g->output_width, n = rows * width, plane = nnps_conv_output_plane(g);
	const size_t stride_y = nnps_conv_stride_y(g), stride_x = nnps_conv_stride_x(g);
	float* thread_base;
	float* block = thread_block(context, thread, &thread_base);
	const struct nnps_b_source b = { nnps_b_streamed, context->grad_output + image * nnps_conv_output_image(g), plane, 1, NULL };
	const struct nnps_gemm_buffers buffers = nnps_gemm_buffers_carve(context->config, 0, n, g->output_channels, thread_base);
	nnps_sgemm_packed_a(context->config, g->input_channels, n, g->output_channels, context->packed_kernel, g->output_channels, &b, 0, row0 * width,
		block, n, false, NULL, &buffers);

	/* Input rows [first, end) are this task's: the stride steps from its first output row's to past its last one's,
	 * and the image's last task takes every row to the bottom (zeros below its last output row's: with one output
	 * row nnps_conv_stride_y is 1 whatever the stride, and a step of 1 left the rows under it unwritten). */
	const size_t first = nnps_min(g->input_height, row0 * stride_y);
	const size_t end = row0 + rows == g->output_height ? g->input_height : nnps_min(g->input_height, (row0 + rows) * stride_y);
	const size_t columns = nnps_min(width, nnps_ceil_div(g->input_width, stride_x));
	float* image_gradient = context->grad_input + image * nnps_conv_input_image(g);
	for (size_t c = 0; c < g->input_channels; c++) {
		float* target = image_gradient + c * nnps_conv_input_plane(g);
		const float* source = block + c * n;
		for (size_t iy = first; iy < end; iy++) {
			float* line = target + iy * g->input_width;
			memset(line, 0, g->input_width * sizeof(float));
			if (iy % stride_y != 0 || iy / stride_y >= row0 + rows) continue;
			const float* values = source + (iy / stride_y - row0) * width;
			for (size_t ox = 0; ox < columns; ox++) line[ox * stride_x] = values[ox];
		}
	}
}

/* One image's col2im: an input channel's rows of the column matrix land only on its own plane, so channels run in parallel. */
struct fold_context {
	const struct nnps_conv* g;
	const struct nnps_vector_ops* ops;
	const float* columns;
	size_t band_rows;
	float* grad_input; /* this image's */
};

static void fold_task(void* argument, size_t thread, size_t channel) {
	(void) thread;
	const struct fold_context* context = argument;
	const struct nnps_conv* g = context->g;
	const size_t plane = nnps_conv_output_plane(g), taps = g->kernel_height * g->kernel_width;
	float* target = context->grad_input + channel * nnps_conv_input_plane(g);
	memset(target, 0, nnps_conv_input_plane(g) * sizeof(float));
	nnps_fold_channel(g, context->ops, context->columns + channel * taps * plane, plane, 0, g->output_height, context->band_rows, target);
}

/* An image per task (plan->image_tasks): band after band, its product into the thread's block, folded at once. */
static void image_task(void* argument, size_t thread, size_t image) {
	const struct block_context* context = argument;
	const struct nnps_conv* g = context->g;
	const struct input_gradient_plan* plan = context->plan;
	const size_t plane = nnps_conv_output_plane(g), patch = nnps_conv_patch(g), taps = g->kernel_height * g->kernel_width;
	float* thread_base;
	float* block = thread_block(context, thread, &thread_base);
	const struct nnps_b_source b = { nnps_b_streamed, context->grad_output + image * nnps_conv_output_image(g), plane, 1, NULL };
	const struct nnps_gemm_buffers buffers = nnps_gemm_buffers_carve(context->config, 0, plan->band_rows * g->output_width, g->output_channels, thread_base);
	float* image_gradient = context->grad_input + image * nnps_conv_input_image(g);
	memset(image_gradient, 0, nnps_conv_input_image(g) * sizeof(float));
	for (size_t first = 0; first < g->output_height; first += plan->band_rows) {
		const size_t end = nnps_min(g->output_height, first + plan->band_rows), n = (end - first) * g->output_width;
		nnps_sgemm_packed_a(context->config, patch, n, g->output_channels, context->packed_kernel, g->output_channels, &b, 0, first * g->output_width,
			block, n, false, NULL, &buffers);
		for (size_t c = 0; c < g->input_channels; c++) {
			nnps_fold_channel(g, context->ops, block + c * taps * n, n, first, end, plan->band_rows, image_gradient + c * nnps_conv_input_plane(g));
		}
	}
}

bool nnps_col2im_input_gradient_workspace(const struct nnps_conv* g, const struct nnps_sgemm_config* config, size_t threads, size_t* floats) {
	struct input_gradient_plan plan;
	size_t buffers;
	return plan_input_gradient(g, config, threads, &plan) && !__builtin_mul_overflow(plan.thread_floats, threads, &buffers) &&
		!__builtin_add_overflow(buffers, plan.column_floats, floats) && !__builtin_add_overflow(*floats, plan.kernel_floats, floats);
}

void nnps_col2im_input_gradient(
	const struct nnps_conv* g, const struct nnps_isa_table* isa, const float* grad_output, const float* kernel, float* grad_input,
	float* workspace, pthreadpool_t pool)
{
	const struct nnps_sgemm_config* config = &isa->sgemm;
	const size_t threads = pthreadpool_get_threads_count(pool);
	struct input_gradient_plan plan;
	plan_input_gradient(g, config, threads, &plan);
	const bool pointwise = nnps_conv_is_pointwise(g);
	float* packed_kernel = workspace;
	float* thread_buffers = packed_kernel + plan.kernel_floats;
	float* columns = thread_buffers + threads * plan.thread_floats;
	nnps_pack_a_parallel(config, kernel, 1, nnps_conv_patch(g), nnps_conv_patch(g), g->output_channels, packed_kernel, pool);
	if (plan.scatter) {
		const struct block_context scatter = { g, config, &isa->vector, &plan, packed_kernel, grad_output, grad_input, thread_buffers };
		nnps_parallelize(pool, scatter_task, (void*) &scatter, g->batch * nnps_ceil_div(g->output_height, plan.task_rows));
		return;
	}
	if (plan.image_tasks) {
		const struct block_context images = { g, config, &isa->vector, &plan, packed_kernel, grad_output, grad_input, thread_buffers };
		nnps_parallelize(pool, image_task, (void*) &images, g->batch);
		return;
	}
	for (size_t image = 0; image < g->batch; image++) {
		float* image_gradient = grad_input + image * nnps_conv_input_image(g);
		const struct gemm_context gemm = {
			g, config, &plan, packed_kernel, grad_output + image * nnps_conv_output_image(g), pointwise ? image_gradient : columns, thread_buffers,
		};
		nnps_parallelize(pool, gemm_task, (void*) &gemm, plan.chunks);
		if (pointwise) continue;
		const struct fold_context fold = { g, &isa->vector, columns, plan.band_rows, image_gradient };
		nnps_parallelize(pool, fold_task, (void*) &fold, g->input_channels);
	}
}
