/*
 * A strided 1x1 convolution's input decimated: per image and channel the output_height x output_width pixels that
 * its windows read (input[y * stride_height - pad_top][x * stride_width - pad_left], zero in the padding), so that
 * the layer is a pointwise one on the decimated images. On a table without a dot ukernel its kernel gradient reads B
 * as a plain transposed matrix after one streaming pass over the input, instead of packers that read every other
 * float of every other row per panel (a fifth of the 1x1/2 projection's kernel gradient), the batch placed in the
 * workspace after the algorithm's own floats, as phase-split.h places a split. The forward and the dot ukernel's
 * kernel gradient decimate a block of pixels at a time into a thread's buffer instead (nnps_decimate_pixels).
 */
#ifndef NNPS_CONVOLUTION_DECIMATION_H
#define NNPS_CONVOLUTION_DECIMATION_H

#include "convolution.h"

/* Whether g is a 1x1 convolution that is not pointwise (a stride above 1, or padding). */
NNPS_INTERNAL bool nnps_decimation_applies(const struct nnps_conv* g);

/* Floats of one decimated image: input_channels output planes. */
static inline size_t nnps_decimated_image(const struct nnps_conv* g) { return g->input_channels * nnps_conv_output_plane(g); }

/* pixels[c][j] = channel c0 + c's decimated pixel p0 + j of one image (as nnps_decimate_into_workspace writes it), for
 * c < channels and j < n; rows of `pixels` are `stride` floats apart. Output pixels p0 .. p0 + n may cross rows. */
NNPS_INTERNAL void nnps_decimate_pixels(const struct nnps_conv* g, const float* image, size_t c0, size_t channels, size_t p0, size_t n, float* pixels, size_t stride);

/* A call's workspace when the decimated batch follows the algorithm's own `gemm` floats, from a cache line on; false
 * on overflow. */
NNPS_INTERNAL bool nnps_decimation_workspace(const struct nnps_conv* g, size_t gemm, size_t* floats);

/* Decimates the batch, in parallel, into the workspace where nnps_decimation_workspace placed it; returns the images. */
NNPS_INTERNAL const float* nnps_decimate_into_workspace(const struct nnps_conv* g, const float* input, float* workspace, size_t gemm, pthreadpool_t pool);

#endif
