/*
 * The kernel gradient tap by tap: grad_kernel^T [taps][Cout] = im2col(input) [taps][pixels] * grad_output^T [pixels]
 * [Cout], its A read in place (the gather micro-kernel broadcasts each tap's pixels straight from a zero-padded copy of
 * the input, at stride 1 or 2, each task copying the rows a block reads for its channels), its B (grad_output
 * transposed into the micro-kernel's panels) packed a block of pixels at a time and read from L1 by every tile of taps.
 * The im2col way round (implicit-gemm-kernel-gradient.c) packs the input's taps through 16x16 transposes for every
 * panel, a fifth of Inception's and ResNet 3x3/2's kernel gradients (perf).
 */
#ifndef NNPS_CONVOLUTION_KERNEL_GRADIENT_GATHER_H
#define NNPS_CONVOLUTION_KERNEL_GRADIENT_GATHER_H

#include "convolution.h"

struct nnps_gather_plan {
	size_t padded_width;                /* a zero-padded row: just the columns windows read */
	size_t panels;                      /* output channels in panels of nr */
	size_t groups;                      /* runs of panels the tasks take */
	size_t tiles, splits;               /* tiles of 6 taps; the runs of them the tasks take */
	size_t block_rows;                  /* output rows per micro-kernel call (its depth: block_rows * output_width) */
	size_t band_blocks;                 /* blocks per band */
	size_t band_rows;                   /* a task's band: the padded rows its blocks read (for its taps' channels) */
	size_t transposed_floats;           /* grad_kernel^T, from a cache line */
	size_t packed_floats;               /* then each thread's packed grad_output block (a multiple of 32 floats) */
	size_t thread_floats;               /* and its band: one thread's share */
};

/* Whether g's kernel gradient runs this way on this table, and its plan (false too when a size would overflow). */
NNPS_INTERNAL bool nnps_kernel_gradient_gather_plan(const struct nnps_conv* g, const struct nnps_sgemm_config* config, size_t threads, struct nnps_gather_plan* plan);
NNPS_INTERNAL bool nnps_kernel_gradient_gather_workspace(const struct nnps_gather_plan* plan, size_t threads, size_t* floats);
NNPS_INTERNAL void nnps_kernel_gradient_gather(
	const struct nnps_conv* g, const struct nnps_sgemm_config* config, const struct nnps_gather_plan* plan, const float* input, const float* grad_output,
	float* grad_kernel, float* workspace, pthreadpool_t pool);

#endif
