/* nnp_convolution_inference's stored kernels (transform strategy precompute, then reuse): a 64-byte header that says
 * what follows, then the kernel as the chosen algorithm consumes it: Winograd's U, the FFT's per-point spectra, or implicit GEMM's packed A (beyond
 * upstream, which stores transforms for the fast algorithms only). The header lets reuse refuse a buffer made for
 * another problem, algorithm or ISA level instead of computing with it. */
#ifndef NNPS_OPERATORS_TRANSFORMED_KERNEL_H
#define NNPS_OPERATORS_TRANSFORMED_KERNEL_H

#include "nnpack.h"
#include "../convolution/algorithm.h"

/* Bytes the stored kernel of `algorithm` on g takes, header included; false when that overflows. */
NNPS_INTERNAL bool nnps_transformed_kernel_bytes(enum nnps_algorithm algorithm, const struct nnps_conv* g, size_t* bytes);

/* Writes the header and the transformed kernel into `buffer` (nnps_transformed_kernel_bytes of them), on the pool. */
NNPS_INTERNAL void nnps_transformed_kernel_write(enum nnps_algorithm algorithm, const struct nnps_conv* g, const float* kernel, void* buffer, pthreadpool_t pool);

/* The stored kernel at `transformed` for a reuse call on g: its algorithm and floats. nnp_status_invalid_transform_strategy
 * when it was not made for this kernel shape, channel counts and ISA level, or its algorithm cannot compute g, or an
 * explicitly requested algorithm differs from the stored one. */
NNPS_INTERNAL enum nnp_status nnps_transformed_kernel_open(
	const void* transformed, enum nnp_convolution_algorithm requested, const struct nnps_conv* g, enum nnps_algorithm* algorithm, const float** floats);

#endif
