/* Winograd F(6x6, 3x3) kernel transform: U[point] (co x ci) for the 64 points, written straight in the GEMM's packed-A
 * layout (panels of mr output channels, mr values per input channel), so the 64 GEMMs pack nothing; kept by
 * nnp_convolution_inference's precompute strategy between calls. */
#include "winograd.h"

#define POINTS 64
#define LANES NNPS_WINOGRAD_LANES

/* A task owns one panel: it transforms 16 input channels of its mr output channels at a time, side by side in lanes,
 * then interleaves them into one contiguous run of 16 * mr floats per point. */
struct kernel_context {
	const struct nnps_conv* g;
	const struct nnps_sgemm_config* config;
	nnps_winograd_kernel_transform_fn transform;
	const float* kernel;
	bool rotated; /* the input gradient: the forward kernel [ci][co][3][3] rotated by 180 degrees */
	float* u;
};

/* kernels[i * LANES + t] = element i of the 3x3 kernel (o, c0 + t); zeros past ci. */
static void gather_kernels(const struct kernel_context* context, size_t o, size_t c0, float* kernels) {
	const size_t co = context->g->output_channels, ci = context->g->input_channels, count = nnps_min(LANES, ci - c0);
	for (size_t t = 0; t < LANES; t++) {
		const size_t c = c0 + t;
		for (size_t i = 0; i < 9; i++) {
			kernels[i * LANES + t] = t >= count ? 0.0f : context->rotated ? context->kernel[(c * co + o) * 9 + (8 - i)] : context->kernel[(o * ci + c) * 9 + i];
		}
	}
}

static void kernel_task(void* argument, size_t thread, size_t panel) {
	(void) thread;
	const struct kernel_context* context = argument;
	const size_t co = context->g->output_channels, ci = context->g->input_channels, mr = context->config->mr;
	const size_t point_floats = nnps_packed_a_floats(context->config, co, ci);
	float transformed[NNPS_WINOGRAD_MAX_MR][POINTS * LANES];
	for (size_t c0 = 0; c0 < ci; c0 += LANES) {
		const size_t count = nnps_min(LANES, ci - c0);
		for (size_t r = 0; r < mr; r++) {
			float kernels[9 * LANES] = { 0 };
			if (panel * mr + r < co) gather_kernels(context, panel * mr + r, c0, kernels);
			context->transform(kernels, transformed[r], LANES);
		}
		for (size_t point = 0; point < POINTS; point++) {
			float* run = context->u + point * point_floats + panel * mr * ci + c0 * mr;
			for (size_t t = 0; t < count; t++) {
				for (size_t r = 0; r < mr; r++) run[t * mr + r] = transformed[r][point * LANES + t];
			}
		}
	}
}

bool nnps_winograd_kernel_floats(const struct nnps_conv* g, const struct nnps_sgemm_config* config, size_t* floats) {
	size_t product;
	if (config->mr > NNPS_WINOGRAD_MAX_MR || !nnps_product4(nnps_round_up(g->output_channels, config->mr), g->input_channels, POINTS, 1, &product)) return false;
	*floats = POINTS * nnps_packed_a_floats(config, g->output_channels, g->input_channels);
	return true;
}

void nnps_winograd_transform_kernel(const struct nnps_conv* g, const struct nnps_isa_table* isa, const float* kernel, bool rotated, float* u, pthreadpool_t pool) {
	const struct kernel_context context = { g, &isa->sgemm, isa->winograd_f6x6k3x3.kernel_transform, kernel, rotated, u };
	nnps_parallelize(pool, kernel_task, (void*) &context, nnps_ceil_div(g->output_channels, isa->sgemm.mr));
}
