/* The kernel gradient by Winograd, F(6x6, 3x3)- or F(4x4, 3x3)-sized tiles with the roles swapped to F(3x3, m x m)
 * (see ukernels.h): per group of the batch's tiles, V = B^T d B of every input tile (the forward input transform) and
 * T = A g A^T of the matching grad_output tile, then per transform point one GEMM M[point] (co x ci) += T[point]
 * (co x tiles) * V[point]^T (tiles x ci) whose depth is the batch's tiles; after the last group dW = G^T M G per
 * (output, input) channel pair. Threads split a point's GEMM by rows of output channels, never its depth, and the
 * groups follow in order, so every sum runs the same way on any thread count: results are bit-identical. */
#include "winograd.h"

#define LANES NNPS_WINOGRAD_LANES
/* Tiles per group: as many as fit V and T in GROUP_FLOATS (32 MiB), up to MAX_COLUMNS. Deeper groups add fewer
 * passes over M (each group's GEMMs read and write all of it) and give the GEMMs a full kc. */
#define GROUP_FLOATS ((size_t) 8 << 20)
#define MAX_COLUMNS 2048
/* Pairs of channels per task of the final transform. */
#define PAIRS_PER_TASK 256

struct plan {
	struct nnps_winograd_tiling tiling;
	size_t total;            /* tiles of the whole batch, the GEMMs' depth */
	size_t width;            /* tiles per group, a multiple of LANES */
	size_t pairs;            /* M's row: co * ci, rounded up to whole blocks of lanes */
	size_t m_point;          /* floats between two points' rows of M (nnps_winograd_point_floats) */
	size_t chunk_m, tasks_m; /* output channels per GEMM task, tasks per point */
	size_t thread_floats;    /* each thread's GEMM buffers */
	/* V [points][ci][width], T [points][co][width] (a group's width, at most plan's), M [points][pairs], the blocks' tile descriptors (input tiles and
	 * grad_output tiles) */
	size_t v_offset, t_offset, m_offset, input_blocks_offset, output_blocks_offset;
	size_t floats;
};

static bool make_plan(enum nnps_winograd_variant variant, const struct nnps_conv* g, const struct nnps_sgemm_config* config, size_t threads,
	struct plan* plan)
{
	const size_t co = g->output_channels, ci = g->input_channels;
	plan->tiling = nnps_winograd_tiling_of(variant, g);
	const size_t points = plan->tiling.points;
	if (__builtin_mul_overflow(plan->tiling.tiles, g->batch, &plan->total) || __builtin_mul_overflow(co, ci, &plan->pairs)) return false;
	plan->pairs = nnps_round_up(plan->pairs, LANES);
	const size_t fitting = GROUP_FLOATS / points / (ci + co);
	plan->width = nnps_min(nnps_round_up(plan->total, LANES), nnps_clamp(nnps_round_down(fitting, LANES), LANES, MAX_COLUMNS));
	/* With fewer points than threads a point's GEMM is split by output channels too (each task packs V again). */
	nnps_split(co, nnps_ceil_div(2 * threads, points), config->mr, &plan->chunk_m, &plan->tasks_m);
	plan->thread_floats = nnps_gemm_buffer_floats(config, plan->chunk_m, ci, plan->width);
	plan->floats = 0;
	size_t buffers_offset, *total = &plan->floats, v_point, t_point;
	if (!nnps_winograd_point_floats_fit(ci, plan->width, &v_point) || !nnps_winograd_point_floats_fit(co, plan->width, &t_point) ||
		!nnps_winograd_point_floats_fit(plan->pairs, 1, &plan->m_point)) {
		return false;
	}
	return nnps_winograd_reserve(total, &buffers_offset, threads, plan->thread_floats, 1) &&
		nnps_winograd_reserve(total, &plan->v_offset, points, v_point, 1) && nnps_winograd_reserve(total, &plan->t_offset, points, t_point, 1) &&
		nnps_winograd_reserve(total, &plan->m_offset, points, plan->m_point, 1) &&
		nnps_winograd_reserve(total, &plan->input_blocks_offset, plan->width / LANES, NNPS_WINOGRAD_BLOCK_FLOATS, 1) &&
		nnps_winograd_reserve(total, &plan->output_blocks_offset, plan->width / LANES, NNPS_WINOGRAD_BLOCK_FLOATS, 1);
}

/* ---- multiplication: M[point] (+)= T[point] * V[point]^T for one group, a task per (point, rows of co) ---- */
struct multiply_context {
	const struct nnps_conv* g;
	const struct plan* plan;
	const struct nnps_sgemm_config* config;
	size_t width;    /* this group's columns (a multiple of LANES; unused lanes transform to zeros), V's and T's row */
	bool accumulate; /* every group but the first */
	const float* v;
	const float* t;
	float* m;
	float* thread_buffers;
};

static void multiply_task(void* argument, size_t thread, size_t task) {
	const struct multiply_context* context = argument;
	const struct plan* plan = context->plan;
	const size_t co = context->g->output_channels, ci = context->g->input_channels, stride = context->width;
	const size_t point = task / plan->tasks_m, row0 = task % plan->tasks_m * plan->chunk_m, rows = nnps_min(plan->chunk_m, co - row0);
	const struct nnps_b_source b = { nnps_b_strided, context->v + point * nnps_winograd_point_floats(ci, stride), 1, stride, NULL };
	const struct nnps_gemm_buffers buffers = nnps_gemm_buffers_carve(context->config, plan->chunk_m, ci, plan->width,
		context->thread_buffers + thread * plan->thread_floats);
	const float* a = context->t + point * nnps_winograd_point_floats(co, stride) + row0 * stride;
	nnps_sgemm(context->config, rows, ci, context->width, a, stride, 1, &b, 0, 0, context->m + point * plan->m_point + row0 * ci, ci, context->accumulate,
		&buffers);
}

/* ---- the gradient's output transform: dW = G^T M G for a run of (output, input) channel pairs ---- */
struct gradient_context {
	const struct plan* plan;
	nnps_winograd_kernel_gradient_transform_fn transform;
	size_t count; /* co * ci */
	const float* m;
	float* grad_kernel;
};

static void gradient_task(void* argument, size_t thread, size_t task) {
	(void) thread;
	const struct gradient_context* context = argument;
	const size_t end = nnps_min(context->count, (task + 1) * PAIRS_PER_TASK);
	for (size_t pair = task * PAIRS_PER_TASK; pair < end; pair += LANES) {
		context->transform(context->m + pair, context->plan->m_point, context->grad_kernel + pair * 9, nnps_min(LANES, end - pair));
	}
}

bool nnps_winograd_kernel_gradient_workspace(
	enum nnps_winograd_variant variant, const struct nnps_conv* g, const struct nnps_isa_table* isa, size_t threads, size_t* floats)
{
	struct plan plan;
	if (!make_plan(variant, g, &isa->sgemm, threads, &plan)) return false;
	*floats = plan.floats;
	return true;
}

void nnps_winograd_kernel_gradient(enum nnps_winograd_variant variant,
	const struct nnps_conv* g, const struct nnps_isa_table* isa, const float* input, const float* grad_output, float* grad_kernel,
	float* workspace, pthreadpool_t pool, struct nnp_profile* profile)
{
	struct plan plan;
	make_plan(variant, g, &isa->sgemm, pthreadpool_get_threads_count(pool), &plan);
	const struct nnps_winograd_transforms* transforms = nnps_winograd_transforms_of(variant, isa);
	float *v = workspace + plan.v_offset, *t = workspace + plan.t_offset, *m = workspace + plan.m_offset;
	struct nnps_winograd_block* input_blocks = (struct nnps_winograd_block*) (workspace + plan.input_blocks_offset);
	struct nnps_winograd_block* output_blocks = (struct nnps_winograd_block*) (workspace + plan.output_blocks_offset);
	const size_t count = g->output_channels * g->input_channels;
	/* The GEMMs write co * ci floats of each M row; the final transform reads whole blocks of lanes. */
	for (size_t point = 0; point < plan.tiling.points; point++) {
		for (size_t pair = count; pair < plan.pairs; pair++) m[point * plan.m_point + pair] = 0.0f;
	}
	struct nnp_profile phases = { 0 };
	for (size_t first = 0; first < plan.total; first += plan.width) {
		const size_t columns = nnps_min(plan.width, plan.total - first), width = nnps_round_up(columns, LANES);
		double start = nnps_now_seconds();
		nnps_winograd_describe_blocks(g, &plan.tiling, first, columns, width, input_blocks, output_blocks);
		const struct nnps_winograd_planes inputs = {
			transforms->input_transform, input_blocks, input, nnps_conv_input_plane(g), g->input_width, g->input_channels, width, width, v, 0,
			nnps_winograd_point_floats(g->input_channels, width),
		};
		nnps_winograd_transform_planes(&inputs, pool);
		phases.input_transform += nnps_now_seconds() - start;
		start = nnps_now_seconds();
		const struct nnps_winograd_planes grad_outputs = {
			transforms->grad_output_transform, output_blocks, grad_output, nnps_conv_output_plane(g), g->output_width, g->output_channels, width, width, t, 0,
			nnps_winograd_point_floats(g->output_channels, width),
		};
		nnps_winograd_transform_planes(&grad_outputs, pool);
		phases.output_transform += nnps_now_seconds() - start;
		start = nnps_now_seconds();
		const struct multiply_context products = { g, &plan, &isa->sgemm, width, first != 0, v, t, m, workspace };
		nnps_parallelize(pool, multiply_task, (void*) &products, plan.tiling.points * plan.tasks_m);
		phases.block_multiplication += nnps_now_seconds() - start;
	}
	const double start = nnps_now_seconds();
	const struct gradient_context gradient = { &plan, transforms->grad_kernel_transform, count, m, grad_kernel };
	nnps_parallelize(pool, gradient_task, (void*) &gradient, nnps_ceil_div(count, PAIRS_PER_TASK));
	phases.kernel_transform = nnps_now_seconds() - start;
	*profile = phases;
}
