/* Which algorithm computes a convolution: the caller's request resolved, auto's rules included. */
#ifndef NNPS_CONVOLUTION_ALGORITHM_H
#define NNPS_CONVOLUTION_ALGORITHM_H

#include "fft.h"
#include "winograd.h"

enum nnps_algorithm {
	nnps_algorithm_implicit_gemm,   /* any kernel and stride; "direct" for pointwise convolutions */
	nnps_algorithm_winograd_f6x6k3x3,
	nnps_algorithm_winograd_f4x4k3x3, /* reached by auto and nnpsharp_convolution_algorithm_wt6x6 */
	nnps_algorithm_fft8x8,
	nnps_algorithm_fft16x16,
	nnps_algorithm_count,             /* not an algorithm: how many there are */
};

/* True for a Winograd algorithm, with its tile size in *variant. */
static inline bool nnps_algorithm_is_winograd(enum nnps_algorithm algorithm, enum nnps_winograd_variant* variant) {
	*variant = algorithm == nnps_algorithm_winograd_f4x4k3x3 ? nnps_winograd_f4x4k3x3 : nnps_winograd_f6x6k3x3;
	return algorithm == nnps_algorithm_winograd_f6x6k3x3 || algorithm == nnps_algorithm_winograd_f4x4k3x3;
}

/* True for an FFT algorithm, with its tile size in *variant. */
static inline bool nnps_algorithm_is_fft(enum nnps_algorithm algorithm, enum nnps_fft_variant* variant) {
	*variant = algorithm == nnps_algorithm_fft16x16 ? nnps_fft16x16 : nnps_fft8x8;
	return algorithm == nnps_algorithm_fft8x8 || algorithm == nnps_algorithm_fft16x16;
}

/* Resolves `requested` for `function` on g: nnp_status_invalid_algorithm for an unknown value,
 * nnp_status_unsupported_algorithm for one that cannot compute this convolution (or is not implemented). */
NNPS_INTERNAL enum nnp_status nnps_choose_algorithm(
	enum nnp_convolution_algorithm requested, enum nnps_function function, const struct nnps_conv* g, enum nnps_algorithm* chosen);

/* The algorithms worth timing for auto on g (operators/measured-auto.h): auto's static choice first, then every other
 * algorithm that computes `function` on g and that the cost model puts within NNPS_AUTO_REACH of the cheapest (a
 * candidate far behind by the model would only lengthen the first call). Returns how many (at least 1). */
#define NNPS_AUTO_REACH 2.0
NNPS_INTERNAL size_t nnps_auto_candidates(enum nnps_function function, const struct nnps_conv* g, enum nnps_algorithm candidates[nnps_algorithm_count]);

#endif
