/*
 * A stride-2 convolution's input split by column phase, padding included: per image and channel two planes, the even
 * and the odd columns of the padded input, each `width` wide and `height` rows tall (just the rows and columns some
 * window reads, zeros where they lie in the padding). Tap (ky, kx) of output pixel (oy, ox) then reads plane kx & 1
 * at row oy * stride_height + ky, column ox + (kx >> 1): consecutive pixels read consecutive floats, and no read
 * falls outside the planes, so the packers take stride-1 loads with no bounds to check instead of stride-2 loads
 * clipped per tap (nnps_im2col_panel's phase_plane).
 */
#ifndef NNPS_CONVOLUTION_PHASE_SPLIT_H
#define NNPS_CONVOLUTION_PHASE_SPLIT_H

#include "convolution.h"

struct nnps_phase_split {
	size_t height, width;
	size_t plane; /* height * width: one phase of one channel */
	size_t image; /* floats of one image: channels * 2 * plane */
};

/* Whether g's input is split (stride 2 along the rows, a kernel at least 2 wide), and the planes' sizes when it is;
 * false too when a size would overflow. */
NNPS_INTERNAL bool nnps_phase_split_of(const struct nnps_conv* g, struct nnps_phase_split* split);

/* The window geometry over the split images (stride 1 along the rows, no padding). */
NNPS_INTERNAL struct nnps_im2col nnps_phase_split_im2col(const struct nnps_conv* g, const struct nnps_phase_split* split);

/* Writes the split of every image of `input` to `split_input` (batch * split->image floats), in parallel. */
NNPS_INTERNAL void nnps_phase_split_copy(
	const struct nnps_conv* g, const struct nnps_phase_split* split, const float* input, float* split_input, pthreadpool_t pool);

/* Rows [r0, r1) (r1 <= split->height) of one image's split into `out`: channel c's planes at out + 2c * (r1 - r0) *
 * width, the odd columns' (r1 - r0) * width floats after the even ones'. One task's band of the split, in its own
 * buffer. */
NNPS_INTERNAL void nnps_phase_split_rows(
	const struct nnps_conv* g, const struct nnps_phase_split* split, const float* image, size_t r0, size_t r1, float* out);

/* A call's workspace when the batch's split (split; NULL for none) follows the algorithm's own `gemm` floats, from a
 * cache line on; false on overflow. */
NNPS_INTERNAL bool nnps_phase_split_workspace(const struct nnps_conv* g, const struct nnps_phase_split* split, size_t gemm, size_t* floats);

/* Splits the batch into the workspace where nnps_phase_split_workspace placed it and returns the split images. */
NNPS_INTERNAL const float* nnps_phase_split_into_workspace(
	const struct nnps_conv* g, const struct nnps_phase_split* split, const float* input, float* workspace, size_t gemm, pthreadpool_t pool);

#endif
