/* Winograd F(6x6, 3x3) convolution (wt8x8): 8x8 input tiles, 6x6 output tiles, stride 1. */
#ifndef NNPS_WINOGRAD_H
#define NNPS_WINOGRAD_H

#include "common.h"

/* Floats of workspace for one image's transforms plus per-thread GEMM buffers; sets *max_columns for the GEMMs. */
NNPS_INTERNAL size_t nnps_winograd_workspace_floats(const struct nnps_conv* g, size_t threads, const struct nnps_sgemm_kernel* kernel, size_t* max_columns);

/*
 * output = conv(input, kernel) (+ bias, relu). With `gradient`, `kernel` is the forward kernel [co][ci][3][3] of a
 * convolution whose input gradient this computes: g then describes that gradient as a convolution of grad_output
 * (g->input_channels = forward co) with the rotated, transposed kernel (g->output_channels = forward ci).
 */
NNPS_INTERNAL void nnps_winograd_convolution(
	const struct nnps_conv* g, const float* input, const float* kernel, bool gradient, const float* bias, bool relu, float* output,
	float* workspace, size_t max_columns, pthreadpool_t pool, size_t threads, const struct nnps_sgemm_kernel* sgemm, struct nnp_profile* profile);

#endif
