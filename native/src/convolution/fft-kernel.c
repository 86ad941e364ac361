/* FFT kernel transform: per point the three co x ci real matrices of the 3-multiplication complex product (fft.c) of
 * the conjugated spectrum W of each kernel (conjugated because the convolution is a cross-correlation):
 * P = Re W, Q = -Im W and P + Q, written straight in the GEMM's packed-A layout, so the per-point GEMMs pack nothing;
 * kept by nnp_convolution_inference's precompute strategy between calls. */
#include <string.h>

#include "fft.h"

#define MAX_POINTS (16 * 9)
#define LANES NNPS_FFT_LANES

bool nnps_fft_kernel_floats(enum nnps_fft_variant variant, const struct nnps_conv* g, const struct nnps_sgemm_config* config, size_t* floats) {
	size_t padded_rows, padded; /* (nnps_packed_a_floats rounds co up to whole panels unchecked) */
	if (__builtin_add_overflow(g->output_channels, config->mr, &padded_rows) || !nnps_product4(padded_rows, g->input_channels, 1, 1, &padded)) return false;
	return nnps_product4(nnps_fft_points(variant), NNPS_FFT_PRODUCTS, nnps_packed_a_floats(config, g->output_channels, g->input_channels), 1, floats);
}

struct kernel_context {
	const struct nnps_conv* g;
	const struct nnps_sgemm_config* config;
	nnps_fft_forward_fn forward;
	size_t points, matrix_floats; /* one point's A: NNPS_FFT_PRODUCTS packed co x ci matrices */
	const float* kernel;
	bool rotated; /* the input gradient: the forward kernel [ci][co][kH][kW] rotated by 180 degrees */
	float* transformed;
};

/* Element (row, depth) of one point's packed A (panels of mr rows, mr values per depth step). */
static inline size_t packed_index(size_t mr, size_t depth, size_t row, size_t k) { return row / mr * mr * depth + k * mr + row % mr; }

/* Lanes t < lanes of the block: the kernels (o, c0 + t), rotated for the input gradient, copied into `kernels`. */
static void gather_kernels(const struct kernel_context* context, size_t o, size_t c0, size_t lanes, float* kernels, struct nnps_fft_block* block) {
	const struct nnps_conv* g = context->g;
	const size_t co = g->output_channels, ci = g->input_channels, taps = g->kernel_height * g->kernel_width;
	memset(block, 0, sizeof *block);
	for (size_t t = 0; t < lanes; t++) {
		const float* source = context->rotated ? context->kernel + ((c0 + t) * co + o) * taps : context->kernel + (o * ci + c0 + t) * taps;
		for (size_t i = 0; i < taps; i++) kernels[t * taps + i] = context->rotated ? source[taps - 1 - i] : source[i];
		block->offset[t] = (ptrdiff_t) (t * taps);
		block->rows[t] = (uint8_t) g->kernel_height, block->columns[t] = (uint8_t) g->kernel_width;
	}
}

/* A task owns the output channels of one A panel (mr rows): row o of every point's three matrices. Its kernels go through the transform NNPS_FFT_LANES input channels at a time, the panel's channels one after
 * another within each such depth block, so the cache lines a depth block shares between the panel's rows (mr floats
 * per depth step) are filled while still in cache: a task per channel filled each line in mr visits far apart. */
static void kernel_task(void* argument, size_t thread, size_t panel) {
	(void) thread;
	const struct kernel_context* context = argument;
	const struct nnps_conv* g = context->g;
	const size_t co = g->output_channels, ci = g->input_channels, mr = context->config->mr;
	float kernels[LANES * 16 * 16], re[MAX_POINTS * LANES] __attribute__((aligned(64))), im[MAX_POINTS * LANES] __attribute__((aligned(64)));
	for (size_t c0 = 0; c0 < ci; c0 += LANES) {
		const size_t lanes = nnps_min(LANES, ci - c0);
		for (size_t o = panel * mr; o < nnps_min(co, panel * mr + mr); o++) {
			struct nnps_fft_block block;
			gather_kernels(context, o, c0, lanes, kernels, &block);
			context->forward(&block, kernels, g->kernel_width, re, im, LANES);
			for (size_t p = 0; p < context->points; p++) {
				float* a = context->transformed + p * NNPS_FFT_PRODUCTS * context->matrix_floats;
				for (size_t t = 0; t < lanes; t++) {
					const size_t index = packed_index(mr, ci, o, c0 + t);
					a[index] = re[p * LANES + t];
					a[context->matrix_floats + index] = -im[p * LANES + t];
					a[2 * context->matrix_floats + index] = re[p * LANES + t] - im[p * LANES + t];
				}
			}
		}
	}
}

void nnps_fft_transform_kernel(
	enum nnps_fft_variant variant, const struct nnps_conv* g, const struct nnps_isa_table* isa, const float* kernel, bool rotated, float* transformed, pthreadpool_t pool)
{
	const size_t co = g->output_channels, ci = g->input_channels, mr = isa->sgemm.mr;
	const struct kernel_context context = {
		g, &isa->sgemm, nnps_fft_transforms_of(variant, isa)->forward, nnps_fft_points(variant), nnps_packed_a_floats(&isa->sgemm, co, ci), kernel, rotated,
		transformed,
	};
	/* The rows past co in each matrix's last panel, and the line padding after it, are zeros the ukernel multiplies. */
	const size_t used = co / mr * mr * ci;
	for (size_t matrix = 0; matrix < context.points * NNPS_FFT_PRODUCTS; matrix++) {
		memset(transformed + matrix * context.matrix_floats + used, 0, (context.matrix_floats - used) * sizeof(float));
	}
	nnps_parallelize(pool, kernel_task, (void*) &context, nnps_ceil_div(g->output_channels, mr));
}
