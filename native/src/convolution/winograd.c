/* Winograd F(6x6, 3x3) and F(4x4, 3x3): plan, then per group of images the input transform, one GEMM per transform
 * point (64 or 36) and the output transform, each a parallel phase with its own context. Images are transformed in
 * groups so the GEMMs are wide enough to run well. The two tile sizes share everything but the transforms and sizes. */
#include "winograd-run.h"

#define LANES NNPS_WINOGRAD_LANES
/* Images per group: enough that the GEMMs are at least ~512 columns wide, within ~4096 columns of transforms. */
#define TARGET_COLUMNS 512
#define MAX_COLUMNS 4096
/* 36 or 64 independent GEMMs already give every thread work; columns are split only for very wide groups. */
#define SPLIT_COLUMNS 2048
/* Small maps fuse the kernel transform into the multiplication: each task transforms the kernels of a block of output
 * channels into its own U block of at most FUSED_BLOCK_FLOATS (4 MiB: L3, not memory), then runs every point's GEMM
 * on those rows. There U is far larger than V and M (7x7x512 at N16: 38 MB against 5 MB) and each U element meets only
 * the batch's few columns, so writing U out and streaming it back left both phases memory-bound: they did not scale
 * to 2 threads (7.2 -> 6.7 ms for the multiplications). V comes packed (struct nnps_winograd_group), so a block only re-reads it
 * from cache; fusing runs where U has more than FUSED_MIN_U_FLOATS (4 MiB) and the whole batch is one group no wider
 * than 4 times a task's rows (which depend on the thread count; the results do not, since every M element is the same
 * GEMM sum either way). ab_bench: AlexNet conv3 (U 10.6 MB) fused 1.16x forward and 1.13x input gradient on one
 * thread (it lost 5-11% while every block packed V again), 1.05-1.08x input gradient on two (twice the rows kept it
 * unfused there; VGG conv5 0.97-1.02x); blocks of 1 MiB or 8 MiB lost 3-32% on it and on 7x7x512 (and 2 or 8 MiB
 * 0.79-0.95x on VGG conv5 on the Zen 5 host). A fused task also runs the output transform of its rows right after
 * their GEMMs, while M's rows (~500 KB) are still in cache, instead of a pass over all of M from memory afterwards:
 * VGG conv5 1.01-1.02x, AlexNet conv3 1.01x on one and two threads (nnpack_ab_bench, 11 rounds; the same sums). */
#define FUSED_BLOCK_FLOATS ((size_t) 1024 * 1024)
#define FUSED_MIN_U_FLOATS ((size_t) 1024 * 1024)
/* Large maps with few channels (a batch-1 112x112 layer: V and M 7 MB each, U 0.6 MB) run in column blocks: each task
 * transforms a block of tiles into its own V, runs every point's GEMM into its own M and transforms those outputs,
 * all within COLUMN_BLOCK_FLOATS (V and M in L2), where V and M were written to memory and read back. U is read once
 * per block, so only where it is at most COLUMN_BLOCK_MAX_U_FLOATS, and only for groups whose V and M exceed
 * COLUMN_BLOCK_MIN_FLOATS. */
#define COLUMN_BLOCK_FLOATS ((size_t) 128 * 1024)
#define COLUMN_BLOCK_MAX_U_FLOATS ((size_t) 1024 * 1024)
#define COLUMN_BLOCK_MIN_FLOATS ((size_t) 1024 * 1024)

static bool make_plan(enum nnps_winograd_variant variant, const struct nnps_conv* g, const struct nnps_sgemm_config* config, size_t threads, bool kernel_given,
	struct nnps_winograd_plan* plan)
{
	if (config->mr > NNPS_WINOGRAD_MAX_MR) return false;
	const size_t co = g->output_channels, ci = g->input_channels;
	plan->tiling = nnps_winograd_tiling_of(variant, g);
	const size_t tiles = plan->tiling.tiles, points = plan->tiling.points;
	size_t images = nnps_ceil_div(TARGET_COLUMNS, tiles);
	if (images * tiles > MAX_COLUMNS) images = MAX_COLUMNS / tiles;
	plan->group_images = nnps_clamp(images, 1, g->batch);
	plan->panel_width = config->nr % LANES == 0 ? config->nr : 0;
	const size_t granule = plan->panel_width != 0 ? plan->panel_width : LANES, widest = nnps_round_up(plan->group_images * tiles, granule);
	plan->chunk = nnps_round_up(nnps_ceil_div(widest, nnps_ceil_div(widest, SPLIT_COLUMNS)), config->nr);
	/* Rows whose U fits the budget (at least one panel), in at least the tasks the threads want. ci * points cannot
	 * overflow: validation bounds the kernel tensor's bytes, co * ci * 36, by PTRDIFF_MAX. */
	const size_t budget_rows = nnps_clamp(nnps_round_down(FUSED_BLOCK_FLOATS / (ci * points), config->mr), config->mr, SIZE_MAX);
	const size_t by_budget = nnps_ceil_div(co, budget_rows), wanted = nnps_target_tasks(threads);
	nnps_split(co, by_budget > wanted ? by_budget : wanted, config->mr, &plan->fused_rows, &plan->fused_tasks);
	plan->fused = !kernel_given && plan->group_images == g->batch && widest <= 4 * plan->fused_rows &&
		(double) points * (double) co * (double) ci > (double) FUSED_MIN_U_FLOATS;
	const double point_rows = (double) points * ((double) ci + (double) co);
	plan->column_block = nnps_clamp(nnps_round_down((size_t) ((double) COLUMN_BLOCK_FLOATS / point_rows), granule), granule, widest);
	if (plan->fused || (double) points * (double) co * (double) ci > (double) COLUMN_BLOCK_MAX_U_FLOATS || point_rows * (double) widest <= (double) COLUMN_BLOCK_MIN_FLOATS ||
		plan->column_block == widest) {
		plan->column_block = 0;
	}
	if (plan->column_block != 0) plan->chunk = plan->column_block;
	plan->thread_floats = nnps_gemm_buffer_floats(config, 0, plan->chunk, ci); /* A comes packed (U) */
	/* V and M: the group's, or each thread's column block. */
	const size_t v_count = plan->column_block != 0 ? threads : 1, v_width = plan->column_block != 0 ? plan->column_block : widest;
	/* U: every point's whole packed U, or (fused) each thread's block of every point's rows; the reservation checks
	 * the products, so u_block_floats cannot wrap where the plan holds. */
	const size_t u_rows = plan->fused ? plan->fused_rows : co, u_point_floats = nnps_packed_a_floats(config, u_rows, ci);
	plan->u_block_floats = u_point_floats * points;
	plan->floats = 0;
	size_t buffers_offset, *total = &plan->floats, v_point, m_point;
	return nnps_winograd_point_floats_fit(ci, v_width, &v_point) && nnps_winograd_point_floats_fit(co, v_width, &m_point) &&
		nnps_winograd_reserve(total, &buffers_offset, threads, plan->thread_floats, 1) &&
		nnps_winograd_reserve(total, &plan->u_offset, kernel_given ? 0 : plan->fused ? threads : 1, points, u_point_floats) &&
		nnps_winograd_reserve(total, &plan->seconds_offset, 2 * threads, sizeof(double) / sizeof(float), 1) &&
		nnps_winograd_reserve(total, &plan->v_offset, v_count, points, v_point) && nnps_winograd_reserve(total, &plan->m_offset, v_count, points, m_point) &&
		nnps_winograd_reserve(total, &plan->input_blocks_offset, widest / LANES, NNPS_WINOGRAD_BLOCK_FLOATS, 1) &&
		nnps_winograd_reserve(total, &plan->output_blocks_offset, widest / LANES, NNPS_WINOGRAD_BLOCK_FLOATS, 1);
}

struct nnps_b_source nnps_winograd_v_source(const struct nnps_winograd_plan* plan, const float* v, size_t ci, struct nnps_winograd_group group, size_t point) {
	const float* data = v + point * nnps_winograd_point_floats(ci, group.width);
	if (plan->panel_width != 0) return (struct nnps_b_source) { nnps_b_packed, data, ci * plan->panel_width, 0, NULL };
	return (struct nnps_b_source) { nnps_b_strided, data, group.width, 1, NULL };
}

/* ---- multiplication: M[point] = U[point] * V[point], by column chunks ---- */
static void multiply_task(void* argument, size_t thread, size_t task) {
	const struct nnps_winograd_products* context = argument;
	const size_t co = context->g->output_channels, ci = context->g->input_channels, columns = context->group.width;
	const size_t chunks = nnps_ceil_div(context->group.lanes, context->plan->chunk);
	const size_t point = task / chunks, col0 = (task % chunks) * context->plan->chunk, n = nnps_min(context->plan->chunk, context->group.lanes - col0);
	const struct nnps_b_source b = nnps_winograd_v_source(context->plan, context->v, ci, context->group, point);
	const struct nnps_gemm_buffers buffers = nnps_gemm_buffers_carve(context->config, 0, context->plan->chunk, ci,
		context->thread_buffers + thread * context->plan->thread_floats);
	const float* packed_u = context->u + point * nnps_packed_a_floats(context->config, co, ci);
	float* m = context->m + point * nnps_winograd_point_floats(co, columns) + col0;
	nnps_sgemm_packed_a(context->config, co, n, ci, packed_u, ci, &b, 0, col0, m, columns, false, NULL, &buffers);
}

/* ---- output transform: Y = A^T M A per tile of output channel o, plus bias and relu, cropped to the output ---- */
void nnps_winograd_output_task(void* argument, size_t thread, size_t o) {
	(void) thread;
	const struct nnps_winograd_outputs* context = argument;
	const struct nnps_conv* g = context->g;
	const size_t width = context->group.width;
	float* plane = context->output + o * nnps_conv_output_plane(g);
	const float bias = context->bias != NULL ? context->bias[o] : 0.0f;
	for (size_t column0 = 0; column0 < context->group.lanes; column0 += LANES) {
		context->transform(context->m + o * width + column0, nnps_winograd_point_floats(g->output_channels, width), &context->blocks[column0 / LANES], plane,
			g->output_width, bias, context->relu);
	}
}

const struct nnps_winograd_transforms* nnps_winograd_transforms_of(enum nnps_winograd_variant variant, const struct nnps_isa_table* isa) {
	return variant == nnps_winograd_f4x4k3x3 ? &isa->winograd_f4x4k3x3 : &isa->winograd_f6x6k3x3;
}

bool nnps_winograd_applies(const struct nnps_conv* g) {
	return g->kernel_height == 3 && g->kernel_width == 3 && g->stride_height == 1 && g->stride_width == 1 && g->pad_top <= 2 && g->pad_left <= 2;
}

/* The convolution Winograd runs: g itself, or for the input gradient its transposed convolution (padding 2 - p). */
static struct nnps_conv convolution_run(enum nnps_function function, const struct nnps_conv* g) {
	return function == nnps_function_input_gradient ? nnps_conv_transposed(g) : *g;
}

bool nnps_winograd_workspace(enum nnps_winograd_variant variant,
	enum nnps_function function, const struct nnps_conv* g, const struct nnps_isa_table* isa, size_t threads, bool kernel_transformed, size_t* floats)
{
	if (function == nnps_function_kernel_gradient) return nnps_winograd_kernel_gradient_workspace(variant, g, isa, threads, floats);
	const struct nnps_conv run = convolution_run(function, g);
	struct nnps_winograd_plan plan;
	if (!make_plan(variant, &run, &isa->sgemm, threads, kernel_transformed, &plan)) return false;
	*floats = plan.floats;
	return true;
}

/* With transformed_kernel NULL, U is transformed here: into the workspace before the groups, or per task inside the
 * multiplication when the plan fuses them. */
static void convolve(enum nnps_winograd_variant variant,
	const struct nnps_conv* g, const struct nnps_isa_table* isa, const float* input, const float* kernel, bool rotated, const float* transformed_kernel,
	const float* bias, bool relu, float* output, float* workspace, pthreadpool_t pool, struct nnp_profile* profile)
{
	struct nnps_winograd_plan plan;
	make_plan(variant, g, &isa->sgemm, pthreadpool_get_threads_count(pool), transformed_kernel != NULL, &plan);
	float *v = workspace + plan.v_offset, *m = workspace + plan.m_offset;
	const float* u = transformed_kernel;
	const struct nnps_winograd_transforms* transforms = nnps_winograd_transforms_of(variant, isa);
	struct nnp_profile phases = { 0 };
	double start = nnps_now_seconds();
	if (u == NULL && !plan.fused) {
		nnps_winograd_transform_kernel(variant, g, isa, kernel, rotated, workspace + plan.u_offset, pool);
		u = workspace + plan.u_offset;
	}
	phases.kernel_transform = nnps_now_seconds() - start;
	struct nnps_winograd_block* input_blocks = (struct nnps_winograd_block*) (workspace + plan.input_blocks_offset);
	struct nnps_winograd_block* output_blocks = (struct nnps_winograd_block*) (workspace + plan.output_blocks_offset);
	for (size_t first = 0; first < g->batch; first += plan.group_images) {
		const size_t columns = nnps_min(plan.group_images, g->batch - first) * plan.tiling.tiles;
		const struct nnps_winograd_group group = nnps_winograd_group_of(&plan, columns);
		start = nnps_now_seconds();
		nnps_winograd_describe_blocks(g, &plan.tiling, first * plan.tiling.tiles, columns, group.lanes, input_blocks, output_blocks);
		const struct nnps_winograd_planes inputs = {
			transforms->input_transform, input_blocks, input, nnps_conv_input_plane(g), g->input_width, g->input_channels, group.width, group.lanes, v,
			plan.panel_width, nnps_winograd_point_floats(g->input_channels, group.width),
		};
		const struct nnps_winograd_products products = { g, &plan, group, &isa->sgemm, u, v, m, workspace };
		const struct nnps_winograd_outputs outputs = { g, group, transforms->output_transform, output_blocks, m, bias, relu, output };
		if (plan.column_block != 0) {
			nnps_winograd_run_column_blocks(&products, &inputs, &outputs, workspace, pool, &phases);
			continue;
		}
		nnps_winograd_transform_planes(&inputs, pool);
		phases.input_transform += nnps_now_seconds() - start;
		start = nnps_now_seconds();
		if (u == NULL) {
			nnps_winograd_run_fused(variant, &products, &outputs, isa, kernel, rotated, workspace, pool, &phases);
			continue;
		}
		nnps_parallelize(pool, multiply_task, (void*) &products, plan.tiling.points * nnps_ceil_div(group.lanes, plan.chunk));
		phases.block_multiplication += nnps_now_seconds() - start;
		start = nnps_now_seconds();
		nnps_parallelize(pool, nnps_winograd_output_task, (void*) &outputs, g->output_channels);
		phases.output_transform += nnps_now_seconds() - start;
	}
	*profile = phases;
}

void nnps_winograd_output(enum nnps_winograd_variant variant,
	const struct nnps_conv* g, const struct nnps_isa_table* isa, const float* input, const float* kernel, const float* transformed_kernel, const float* bias,
	bool relu, float* output, float* workspace, pthreadpool_t pool, struct nnp_profile* profile)
{
	convolve(variant, g, isa, input, kernel, false, transformed_kernel, bias, relu, output, workspace, pool, profile);
}

void nnps_winograd_input_gradient(enum nnps_winograd_variant variant,
	const struct nnps_conv* g, const struct nnps_isa_table* isa, const float* grad_output, const float* kernel, float* grad_input,
	float* workspace, pthreadpool_t pool, struct nnp_profile* profile)
{
	const struct nnps_conv run = nnps_conv_transposed(g);
	convolve(variant, &run, isa, grad_output, kernel, true, NULL, NULL, false, grad_input, workspace, pool, profile);
}
