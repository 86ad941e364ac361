/*
 * What the forward and input-gradient Winograd share between planning and running (winograd.c) and the phases that
 * run a group's work in per-task blocks (winograd-blocked-phases.c): the plan, a group of images' tiles, the operands
 * of the per-point GEMMs and of the output transform.
 */
#ifndef NNPS_CONVOLUTION_WINOGRAD_RUN_H
#define NNPS_CONVOLUTION_WINOGRAD_RUN_H

#include "winograd.h"

struct nnps_winograd_plan {
	struct nnps_winograd_tiling tiling;
	size_t group_images;        /* images transformed together */
	size_t chunk;               /* GEMM columns per task */
	size_t panel_width;         /* V written as the GEMM's packed B panels of nr columns, or 0: as rows (nr not a multiple of the lanes) */
	size_t thread_floats;       /* per-thread GEMM buffers */
	bool fused;                 /* kernel transform fused into the multiplication, fused_rows output channels a task */
	size_t column_block;        /* 0, or the columns of a column-blocked task (V and M per thread, that wide) */
	size_t fused_rows, fused_tasks, u_block_floats; /* u_block_floats: one thread's U block */
	/* U [points][co][ci], V [points][ci][width] (or in panels, see struct nnps_winograd_group), M [points][co][width]
	 * (width: the group's columns rounded up to whole blocks of lanes, or of panels; with column blocks, each
	 * thread's V and M of column_block columns), and the blocks' tile descriptors for input and output. */
	size_t u_offset, v_offset, m_offset, input_blocks_offset, output_blocks_offset;
	size_t seconds_offset;      /* fused and column blocks: two seconds per thread (the profile's split of the phase) */
	size_t floats;
};

/* The tiles of one group of images: `lanes` columns rounded up to whole blocks of lanes (what the transforms and the
 * GEMMs compute), V's and M's rows `width` long (rounded up further to whole panels where V is packed). */
struct nnps_winograd_group {
	size_t columns, lanes, width;
};

static inline struct nnps_winograd_group nnps_winograd_group_of(const struct nnps_winograd_plan* plan, size_t columns) {
	const size_t lanes = nnps_round_up(columns, NNPS_WINOGRAD_LANES);
	return (struct nnps_winograd_group) { columns, lanes, plan->panel_width != 0 ? nnps_round_up(columns, plan->panel_width) : lanes };
}

/* Point `point`'s V as the GEMM's B. */
NNPS_INTERNAL struct nnps_b_source nnps_winograd_v_source(const struct nnps_winograd_plan* plan, const float* v, size_t ci, struct nnps_winograd_group group, size_t point);

/* The operands of the per-point GEMMs M[point] (co x columns) = U[point] (co x ci) * V[point] (ci x columns). */
struct nnps_winograd_products {
	const struct nnps_conv* g;
	const struct nnps_winograd_plan* plan;
	struct nnps_winograd_group group;
	const struct nnps_sgemm_config* config;
	const float* u;
	const float* v;
	float* m;
	float* thread_buffers;
};

/* The output transform's operands: Y = A^T M A per tile of output channel o, plus bias and relu, cropped to the output. */
struct nnps_winograd_outputs {
	const struct nnps_conv* g;
	struct nnps_winograd_group group;
	nnps_winograd_output_transform_fn transform;
	const struct nnps_winograd_block* blocks;
	const float* m;
	const float* bias;
	bool relu;
	float* output;
};

/* Output channel o's tiles of a group (a task of the output transform phase; argument: the outputs). */
NNPS_INTERNAL void nnps_winograd_output_task(void* argument, size_t thread, size_t o);

/* The fused phase (the plan fuses the kernel transform): per block of output channels, U of those rows, every point's
 * GEMM and their output transform; the profile's kernel, output and multiplication times. */
NNPS_INTERNAL void nnps_winograd_run_fused(enum nnps_winograd_variant variant, const struct nnps_winograd_products* products,
	const struct nnps_winograd_outputs* outputs, const struct nnps_isa_table* isa, const float* kernel, bool rotated, float* workspace, pthreadpool_t pool,
	struct nnp_profile* phases);

/* The column-blocked phase (plan->column_block != 0): per block of columns, its input transform, every point's GEMM
 * and its output transform; the profile's input, output and multiplication times. */
NNPS_INTERNAL void nnps_winograd_run_column_blocks(const struct nnps_winograd_products* products, const struct nnps_winograd_planes* inputs,
	const struct nnps_winograd_outputs* outputs, float* workspace, pthreadpool_t pool, struct nnp_profile* phases);

#endif
