/* col2im's stride-2 fold rows on vectors of NNPS_VECTOR_LANES floats, built on vector-ops-lanes.h's loads and stores.
 * fold_pairs: line[2j] += even[j] and line[2j + 1] += odd[j] for j < n, reading and writing line[0, 2n) only;
 * fold_every_other: line[2j] += source[j] for j < n, touching nothing past line[2n - 2] (the next float may be another
 * thread's plane). Tails are masked loads and stores of just those floats; each element gets the additions the element
 * loop gave it, in the same order. Included by each ISA's vector_ops file. */
#ifndef NNPS_FOLD_LANES_H
#define NNPS_FOLD_LANES_H

#include "vector-ops-lanes.h"

/* Lanes of two vectors by index (0 .. VL - 1 the first's, VL .. 2 VL - 1 the second's), as each compiler spells it. */
#if defined(__clang__)
#define NNPS_VOPS_SHUFFLE2(a, b, ...) __builtin_shufflevector(a, b, __VA_ARGS__)
#else
#define NNPS_VOPS_SHUFFLE2(a, b, ...) __builtin_shuffle(a, b, (nnps_vi) { __VA_ARGS__ })
#endif

/* Lanes 0 .. VL / 2 - 1 of a and b alternately (a0 b0 a1 b1 ...), and lanes VL / 2 .. VL - 1 likewise. */
#define NNPS_VOPS_INTERLEAVE_LOW(a, b) NNPS_VOPS_SHUFFLE2(a, b, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23)
#define NNPS_VOPS_INTERLEAVE_HIGH(a, b) NNPS_VOPS_SHUFFLE2(a, b, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31)
_Static_assert(NNPS_VECTOR_LANES == 16, "the interleaves index 16 lanes");

/* p[0 .. count) += low's lanes then high's (count <= 2 VL): only those floats are read and written. */
NNPS_VOPS_INLINE void nnps_vops_add_interleaved(float* p, size_t count, nnps_vf low, nnps_vf high) {
	const size_t first = count < VL ? count : VL;
	nnps_vops_store(p, first, nnps_vops_load(p, first, 0.0f) + low);
	if (count > VL) nnps_vops_store(p + VL, count - VL, nnps_vops_load(p + VL, count - VL, 0.0f) + high);
}

#define NNPS_FOLD_OPS_DEFINE(suffix) \
	void nnps_fold_pairs__##suffix(float* line, const float* even, const float* odd, size_t n) { \
		for (size_t j = 0; j < n; j += VL) { \
			const size_t m = n - j < VL ? n - j : VL; \
			const nnps_vf e = nnps_vops_load(even + j, m, 0.0f), o = nnps_vops_load(odd + j, m, 0.0f); \
			nnps_vops_add_interleaved(line + 2 * j, 2 * m, NNPS_VOPS_INTERLEAVE_LOW(e, o), NNPS_VOPS_INTERLEAVE_HIGH(e, o)); \
		} \
	} \
	void nnps_fold_every_other__##suffix(float* line, const float* source, size_t n) { \
		/* -0.0 in the odd lanes: x + -0.0 is x for every x, -0.0 included (+0.0 would turn it into +0.0). */ \
		const nnps_vf keep = -(nnps_vf) {}; \
		for (size_t j = 0; j < n; j += VL) { \
			const size_t m = n - j < VL ? n - j : VL; \
			const nnps_vf s = nnps_vops_load(source + j, m, 0.0f); \
			nnps_vops_add_interleaved(line + 2 * j, 2 * m - 1, NNPS_VOPS_INTERLEAVE_LOW(s, keep), NNPS_VOPS_INTERLEAVE_HIGH(s, keep)); \
		} \
	}

#endif
