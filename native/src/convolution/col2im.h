/*
 * The input gradient by GEMM and col2im: per image, columns = kernel^T * grad_output[n] (split by rows, so each task
 * packs only its share of the transposed kernel), then each input channel folds its rows of the column matrix back
 * onto its plane. A pointwise convolution's column matrix is the gradient itself, so there the GEMM writes it directly;
 * a strided 1x1 one's is the gradient's nonzero part, so there tasks of a few output rows each scatter their product.
 * A few-channel layer on a large map (the ResNet stem) is folded in bands of output rows whose columns stay in L2.
 */
#ifndef NNPS_CONVOLUTION_COL2IM_H
#define NNPS_CONVOLUTION_COL2IM_H

#include "convolution.h"

NNPS_INTERNAL bool nnps_col2im_input_gradient_workspace(const struct nnps_conv* g, const struct nnps_sgemm_config* config, size_t threads, size_t* floats);
NNPS_INTERNAL void nnps_col2im_input_gradient(
	const struct nnps_conv* g, const struct nnps_isa_table* isa, const float* grad_output, const float* kernel, float* grad_input,
	float* workspace, pthreadpool_t pool);

#endif
