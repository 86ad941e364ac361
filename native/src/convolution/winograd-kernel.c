/* Winograd kernel transform (either tile size): U[point] (co x ci) for the 64 or 36 points, written straight in the
 * GEMM's packed-A layout (panels of mr output channels, mr values per input channel), so the 64 GEMMs pack nothing; kept by
 * nnp_convolution_inference's precompute strategy between calls. */
#include <string.h>

#include "winograd.h"

#define MAX_POINTS 64
#define LANES NNPS_WINOGRAD_LANES

/* A task owns one panel of mr output channels. The panel's packed run lists its kernels in the order position
 * f = input channel * mr + row; the transform's lanes take LANES consecutive positions, so every lane is used
 * (with mr = 6, 12 lanes of 2 whole channels would leave a quarter of each transform idle) and a chunk's transform
 * lands in place with no interleaving afterwards. */
struct kernel_context {
	const struct nnps_conv* g;
	const struct nnps_sgemm_config* config;
	nnps_winograd_kernel_transform_fn transform;
	size_t points;
	const float* kernel;
	bool rotated; /* the input gradient: the forward kernel [ci][co][3][3] rotated by 180 degrees */
	float* u;
};

/* kernels[i * LANES + t] = element i of the 3x3 kernel at position f = first + t of the run of the panel starting at
 * output channel o0 (input channel f / mr, output channel o0 + f % mr) for f < count; zeros in every other lane
 * (output channels past co, positions past the run). */
static void gather_kernels(const struct kernel_context* context, size_t o0, size_t first, size_t count, float* kernels) {
	const size_t co = context->g->output_channels, ci = context->g->input_channels, mr = context->config->mr;
	for (size_t t = 0; t < LANES; t++) {
		const size_t f = first + t, c = f / mr, o = o0 + f % mr;
		if (f >= count || o >= co) {
			for (size_t i = 0; i < 9; i++) kernels[i * LANES + t] = 0.0f;
		} else if (context->rotated) {
			const float* source = context->kernel + (c * co + o) * 9;
			for (size_t i = 0; i < 9; i++) kernels[i * LANES + t] = source[8 - i];
		} else {
			const float* source = context->kernel + (o * ci + c) * 9;
			for (size_t i = 0; i < 9; i++) kernels[i * LANES + t] = source[i];
		}
	}
}

/* Panel `panel` of the kernel (output channels panel * mr ..) transformed into row panel `slot` of u, a packed U whose
 * points lie point_floats apart. The panel's ci * mr positions go LANES at a time straight into place, each point's
 * store one whole cache line; only a last partial chunk (ci * mr not a multiple of LANES) passes through a local tile,
 * since a transform writes all its lanes. Gathering a block of channels locally first and copying its runs out
 * (memcpy per point) cost AlexNet conv3 2-3% (ab_bench, one thread). */
static void transform_panel(const struct kernel_context* context, size_t panel, size_t slot, float* u, size_t point_floats) {
	const size_t run = context->g->input_channels * context->config->mr;
	float* target = u + slot * run;
	float kernels[9 * LANES];
	size_t first = 0;
	for (; first + LANES <= run; first += LANES) {
		gather_kernels(context, panel * context->config->mr, first, run, kernels);
		context->transform(kernels, target + first, point_floats);
	}
	if (first < run) {
		float tile[MAX_POINTS * LANES];
		gather_kernels(context, panel * context->config->mr, first, run, kernels);
		context->transform(kernels, tile, LANES);
		for (size_t point = 0; point < context->points; point++) memcpy(target + point * point_floats + first, tile + point * LANES, (run - first) * sizeof(float));
	}
}

static void kernel_task(void* argument, size_t thread, size_t panel) {
	(void) thread;
	const struct kernel_context* context = argument;
	transform_panel(context, panel, panel, context->u, nnps_packed_a_floats(context->config, context->g->output_channels, context->g->input_channels));
}

bool nnps_winograd_kernel_floats(enum nnps_winograd_variant variant, const struct nnps_conv* g, const struct nnps_sgemm_config* config, size_t* floats) {
	const size_t points = nnps_winograd_points(variant);
	size_t product;
	if (config->mr > NNPS_WINOGRAD_MAX_MR || !nnps_product4(nnps_round_up(g->output_channels, config->mr), g->input_channels, points, 1, &product)) return false;
	*floats = points * nnps_packed_a_floats(config, g->output_channels, g->input_channels);
	return true;
}

static struct kernel_context context_of(
	enum nnps_winograd_variant variant, const struct nnps_conv* g, const struct nnps_isa_table* isa, const float* kernel, bool rotated, float* u)
{
	return (struct kernel_context) {
		g, &isa->sgemm, nnps_winograd_transforms_of(variant, isa)->kernel_transform, nnps_winograd_points(variant), kernel, rotated, u,
	};
}

void nnps_winograd_transform_kernel(enum nnps_winograd_variant variant,
	const struct nnps_conv* g, const struct nnps_isa_table* isa, const float* kernel, bool rotated, float* u, pthreadpool_t pool)
{
	const struct kernel_context context = context_of(variant, g, isa, kernel, rotated, u);
	nnps_parallelize(pool, kernel_task, (void*) &context, nnps_ceil_div(g->output_channels, isa->sgemm.mr));
}

void nnps_winograd_transform_kernel_rows(enum nnps_winograd_variant variant,
	const struct nnps_conv* g, const struct nnps_isa_table* isa, const float* kernel, bool rotated, size_t row0, size_t rows, float* u)
{
	const struct kernel_context context = context_of(variant, g, isa, kernel, rotated, u);
	const size_t mr = isa->sgemm.mr, point_floats = nnps_packed_a_floats(&isa->sgemm, rows, g->input_channels);
	for (size_t slot = 0; slot < nnps_ceil_div(rows, mr); slot++) transform_panel(&context, row0 / mr + slot, slot, u, point_floats);
}
