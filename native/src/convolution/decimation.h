/*
 * A strided 1x1 convolution's input decimated: per image and channel the output_height x output_width pixels that
 * its windows read (input[y * stride_height - pad_top][x * stride_width - pad_left], zero in the padding), so that
 * the layer is a pointwise one on the decimated images. Its kernel gradient then takes the pointwise path (dot
 * products along contiguous rows) after one streaming pass over the input, instead of packers that read every
 * other float of every other row per panel (a fifth of the 1x1/2 projection's kernel gradient).
 */
#ifndef NNPS_CONVOLUTION_DECIMATION_H
#define NNPS_CONVOLUTION_DECIMATION_H

#include "convolution.h"

/* Whether g is a 1x1 convolution that is not pointwise (a stride above 1, or padding). */
NNPS_INTERNAL bool nnps_decimation_applies(const struct nnps_conv* g);

/* The pointwise convolution on the decimated images: g's batch and channels, the output's extents for the input's. */
NNPS_INTERNAL struct nnps_conv nnps_decimated_conv(const struct nnps_conv* g);

/* batch * input_channels * output plane floats; false on overflow. */
NNPS_INTERNAL bool nnps_decimated_floats(const struct nnps_conv* g, size_t* floats);

/* Writes the decimated batch (nnps_decimated_floats of them) to `decimated`, in parallel. */
NNPS_INTERNAL void nnps_decimate(const struct nnps_conv* g, const float* input, float* decimated, pthreadpool_t pool);

#endif
