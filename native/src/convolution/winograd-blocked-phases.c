/* The phases that run a forward or input-gradient group's work in per-task blocks, everything of a block while its
 * operands are in cache: fused (blocks of output channels: their U, every point's GEMM, their output transform) and
 * column blocks (blocks of tiles: their V, every point's GEMM into their own M, their output transform). */
#include "winograd-run.h"

#define LANES NNPS_WINOGRAD_LANES

/* ---- fused: per block of output channels, U of those rows (into the thread's U block), then all points' GEMMs ---- */
struct fused_context {
	const struct nnps_winograd_products* products;
	enum nnps_winograd_variant variant;
	const struct nnps_isa_table* isa;
	const float* kernel;
	bool rotated;
	float* u_blocks;
	const struct nnps_winograd_outputs* outputs; /* the output transform of the task's rows, while its M rows are in cache */
	double* kernel_seconds; /* per thread, for the profile */
	double* output_seconds;
};

static void fused_task(void* argument, size_t thread, size_t task) {
	const struct fused_context* context = argument;
	const struct nnps_winograd_products* products = context->products;
	const struct nnps_winograd_plan* plan = products->plan;
	const size_t co = products->g->output_channels, ci = products->g->input_channels, columns = products->group.width;
	const size_t row0 = task * plan->fused_rows, rows = nnps_min(plan->fused_rows, co - row0);
	float* u = context->u_blocks + thread * plan->u_block_floats;
	const double start = nnps_now_seconds();
	nnps_winograd_transform_kernel_rows(context->variant, products->g, context->isa, context->kernel, context->rotated, row0, rows, u);
	context->kernel_seconds[thread] += nnps_now_seconds() - start;
	const struct nnps_gemm_buffers buffers = nnps_gemm_buffers_carve(products->config, 0, plan->chunk, ci, products->thread_buffers + thread * plan->thread_floats);
	const size_t point_floats = nnps_packed_a_floats(products->config, rows, ci);
	for (size_t point = 0; point < plan->tiling.points; point++) {
		const struct nnps_b_source b = nnps_winograd_v_source(plan, products->v, ci, products->group, point);
		float* m = products->m + point * nnps_winograd_point_floats(co, columns) + row0 * columns;
		nnps_sgemm_packed_a(products->config, rows, products->group.lanes, ci, u + point * point_floats, ci, &b, 0, 0, m, columns, false, NULL, &buffers);
	}
	const double outputs_start = nnps_now_seconds();
	for (size_t o = row0; o < row0 + rows; o++) nnps_winograd_output_task((void*) context->outputs, thread, o);
	context->output_seconds[thread] += nnps_now_seconds() - outputs_start;
}

/* A blocked phase: its tasks add their seconds in two transforms to seconds[thread] and seconds[threads + thread]; the
 * profile gets the threads' mean times in each (*first, *second) and the rest of the phase as multiplication. */
static void run_phase(pthreadpool_t pool, nnps_task_fn task, const void* context, size_t tasks, size_t threads, double* seconds, double* first, double* second,
	struct nnp_profile* phases)
{
	const double start = nnps_now_seconds();
	nnps_parallelize(pool, task, (void*) context, tasks);
	const double elapsed = nnps_now_seconds() - start;
	double first_seconds = 0.0, second_seconds = 0.0;
	for (size_t t = 0; t < threads; t++) {
		first_seconds += seconds[t];
		second_seconds += seconds[threads + t];
	}
	*first += first_seconds / (double) threads;
	*second += second_seconds / (double) threads;
	phases->block_multiplication += elapsed - (first_seconds + second_seconds) / (double) threads;
}

/* The seconds the tasks of a blocked phase add to, zeroed: two per thread, in the workspace. */
static double* phase_seconds(const struct nnps_winograd_plan* plan, float* workspace, size_t threads) {
	double* seconds = (double*) (workspace + plan->seconds_offset);
	for (size_t t = 0; t < 2 * threads; t++) seconds[t] = 0.0;
	return seconds;
}

void nnps_winograd_run_fused(enum nnps_winograd_variant variant, const struct nnps_winograd_products* products, const struct nnps_winograd_outputs* outputs,
	const struct nnps_isa_table* isa, const float* kernel, bool rotated, float* workspace, pthreadpool_t pool, struct nnp_profile* phases)
{
	const size_t threads = pthreadpool_get_threads_count(pool);
	double* seconds = phase_seconds(products->plan, workspace, threads);
	const struct fused_context fused = { products, variant, isa, kernel, rotated, workspace + products->plan->u_offset, outputs, seconds, seconds + threads };
	run_phase(pool, fused_task, &fused, products->plan->fused_tasks, threads, seconds, &phases->kernel_transform, &phases->output_transform, phases);
}

/* ---- column blocks: per block of tiles, its input transform, every point's GEMM and its output transform ---- */
struct column_block_context {
	const struct nnps_winograd_products* products;
	const struct nnps_winograd_planes* inputs; /* the group's */
	const struct nnps_winograd_outputs* outputs; /* the group's */
	float* workspace;
	double* input_seconds; /* per thread, for the profile */
	double* output_seconds;
};

static void column_block_task(void* argument, size_t thread, size_t task) {
	const struct column_block_context* context = argument;
	const struct nnps_winograd_products* products = context->products;
	const struct nnps_winograd_plan* plan = products->plan;
	const size_t co = products->g->output_channels, ci = products->g->input_channels;
	const size_t column0 = task * plan->column_block, lanes = nnps_min(plan->column_block, products->group.lanes - column0);
	const struct nnps_winograd_group block = nnps_winograd_group_of(plan, lanes);
	float* v = context->workspace + plan->v_offset + thread * plan->tiling.points * nnps_winograd_point_floats(ci, plan->column_block);
	float* m = context->workspace + plan->m_offset + thread * plan->tiling.points * nnps_winograd_point_floats(co, plan->column_block);
	double start = nnps_now_seconds();
	struct nnps_winograd_planes inputs = *context->inputs;
	inputs.blocks += column0 / LANES;
	inputs.width = block.width;
	inputs.columns = lanes;
	inputs.transformed = v;
	inputs.point_stride = nnps_winograd_point_floats(ci, block.width);
	for (size_t c = 0; c < ci; c++) nnps_winograd_transform_plane(&inputs, c);
	context->input_seconds[thread] += nnps_now_seconds() - start;
	const struct nnps_gemm_buffers buffers = nnps_gemm_buffers_carve(products->config, 0, plan->chunk, ci, products->thread_buffers + thread * plan->thread_floats);
	const size_t point_floats = nnps_packed_a_floats(products->config, co, ci);
	for (size_t point = 0; point < plan->tiling.points; point++) {
		const struct nnps_b_source b = nnps_winograd_v_source(plan, v, ci, block, point);
		nnps_sgemm_packed_a(products->config, co, lanes, ci, products->u + point * point_floats, ci, &b, 0, 0, m + point * nnps_winograd_point_floats(co, block.width),
			block.width, false, NULL, &buffers);
	}
	start = nnps_now_seconds();
	struct nnps_winograd_outputs outputs = *context->outputs;
	outputs.group = block;
	outputs.blocks += column0 / LANES;
	outputs.m = m;
	for (size_t o = 0; o < co; o++) nnps_winograd_output_task(&outputs, thread, o);
	context->output_seconds[thread] += nnps_now_seconds() - start;
}

void nnps_winograd_run_column_blocks(const struct nnps_winograd_products* products, const struct nnps_winograd_planes* inputs,
	const struct nnps_winograd_outputs* outputs, float* workspace, pthreadpool_t pool, struct nnp_profile* phases)
{
	const size_t threads = pthreadpool_get_threads_count(pool);
	double* seconds = phase_seconds(products->plan, workspace, threads);
	const struct column_block_context context = { products, inputs, outputs, workspace, seconds, seconds + threads };
	run_phase(pool, column_block_task, &context, nnps_ceil_div(products->group.lanes, products->plan->column_block), threads, seconds, &phases->input_transform,
		&phases->output_transform, phases);
}
