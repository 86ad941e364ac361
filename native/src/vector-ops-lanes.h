/* The non-convolution operators' loops (ReLU and its gradient, a softmax row, the fully connected layer's single-vector
 * dot products, float and half-precision weights, NNPACK's or IEEE's) on vectors of NNPS_VECTOR_LANES floats: GCC/Clang vector
 * extensions, whose registers the including file's flags decide (one zmm with AVX-512's, two ymm with AVX2's, four
 * xmm or NEON registers in the portable build). Every ISA runs the same operations in the same order, so results
 * differ between ISAs only where AVX2/AVX-512 contract a multiply-add into an FMA. A row's tail is computed in a
 * padded vector on the stack, never by reading or writing past the caller's arrays. Every function taking or returning
 * a vector is static and always inlined, so no call crosses the calling convention that -Wpsabi warns about (a
 * 64-byte vector is passed differently with and without AVX-512); the entry points take only pointers and sizes.
 * Included by each ISA's vector_ops file only (scalar/, x86_64-avx2/, x86_64-avx512/). */
#ifndef NNPS_VECTOR_OPS_LANES_H
#define NNPS_VECTOR_OPS_LANES_H

#include <stdint.h>
#include <string.h>
#if defined(__AVX2__) || defined(__AVX512F__)
#include <immintrin.h>
#endif

#include "ukernels.h"

#if defined(__clang__)
#pragma clang diagnostic ignored "-Wunknown-warning-option" /* clangs before -Wpsabi */
#endif
#pragma GCC diagnostic ignored "-Wpsabi"

#define VL NNPS_VECTOR_LANES
typedef float nnps_vf __attribute__((vector_size(VL * sizeof(float))));
typedef int32_t nnps_vi __attribute__((vector_size(VL * sizeof(float))));
typedef uint16_t nnps_vh __attribute__((vector_size(VL * sizeof(uint16_t))));

#define NNPS_VOPS_INLINE __attribute__((always_inline)) static inline

/* Lanes [0, n) from p, the rest `fill`; n <= VL. A tail is a masked load where the build has one (element by element
 * it cost more than the whole rows of a pooling window). */
NNPS_VOPS_INLINE nnps_vf nnps_vops_load(const float* p, size_t n, float fill) {
	nnps_vf v;
	if (n == VL) {
		memcpy(&v, p, sizeof v);
		return v;
	}
#if defined(__AVX512F__)
	v = (nnps_vf) _mm512_mask_loadu_ps(_mm512_set1_ps(fill), (__mmask16) ((1u << n) - 1u), p);
#elif defined(__AVX2__)
	const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
	const __m256i low = _mm256_cmpgt_epi32(_mm256_set1_epi32((int) n), lane), high = _mm256_cmpgt_epi32(_mm256_set1_epi32((int) n - 8), lane);
	const __m256 fills = _mm256_set1_ps(fill);
	const __m256 a = _mm256_blendv_ps(fills, _mm256_maskload_ps(p, low), _mm256_castsi256_ps(low));
	const __m256 b = _mm256_blendv_ps(fills, _mm256_maskload_ps(p + 8, high), _mm256_castsi256_ps(high));
	memcpy(&v, &a, sizeof a);
	memcpy((char*) &v + sizeof a, &b, sizeof b);
#else
	for (size_t i = 0; i < VL; i++) v[i] = i < n ? p[i] : fill;
#endif
	return v;
}

NNPS_VOPS_INLINE void nnps_vops_store(float* p, size_t n, nnps_vf v) {
	if (n == VL) {
		memcpy(p, &v, sizeof v);
		return;
	}
#if defined(__AVX512F__)
	_mm512_mask_storeu_ps(p, (__mmask16) ((1u << n) - 1u), (__m512) v);
#elif defined(__AVX2__)
	const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
	__m256 a, b;
	memcpy(&a, &v, sizeof a);
	memcpy(&b, (const char*) &v + sizeof a, sizeof b);
	_mm256_maskstore_ps(p, _mm256_cmpgt_epi32(_mm256_set1_epi32((int) n), lane), a);
	_mm256_maskstore_ps(p + 8, _mm256_cmpgt_epi32(_mm256_set1_epi32((int) n - 8), lane), b);
#else
	for (size_t i = 0; i < n; i++) p[i] = v[i];
#endif
}

/* x where `lanes` is set, +0 elsewhere (bitwise: C has no vector ternary). */
NNPS_VOPS_INLINE nnps_vf nnps_vops_keep(nnps_vf x, nnps_vi lanes) { return (nnps_vf) ((nnps_vi) x & lanes); }

/* key > 0 ? x : x * slope, lane by lane: leaky ReLU and its gradient (slope 0 takes nnps_vops_keep: x * 0 would turn
 * -infinity, and an infinite or NaN gradient, into NaN, and negative x into -0). */
NNPS_VOPS_INLINE nnps_vf nnps_vops_select_positive(nnps_vf key, nnps_vf x, float slope) {
	const nnps_vi positive = key > (nnps_vf) {};
	return (nnps_vf) (((nnps_vi) x & positive) | ((nnps_vi) (x * slope) & ~positive));
}

/* x > best ? x : best, lane by lane: a NaN never replaces a number (nor -0 a +0 before it). */
NNPS_VOPS_INLINE nnps_vf nnps_vops_greater(nnps_vf x, nnps_vf best) {
	const nnps_vi greater = x > best;
	return (nnps_vf) (((nnps_vi) x & greater) | ((nnps_vi) best & ~greater));
}

/* p[0], p[stride], ..., p[(VL - 1) * stride] for stride 1 or 2 (two loads and the even lanes). */
NNPS_VOPS_INLINE nnps_vf nnps_vops_strided(const float* p, size_t stride) {
	nnps_vf low, high;
	memcpy(&low, p, sizeof low);
	if (stride == 1) return low;
	memcpy(&high, p + VL, sizeof high);
	return __builtin_shufflevector(low, high, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
}

/* The lanes' sum in a fixed tree (halves added pairwise), so the result never depends on anything but the lanes. */
NNPS_VOPS_INLINE float nnps_vops_sum(nnps_vf v) {
	float lanes[VL];
	memcpy(lanes, &v, sizeof lanes);
	for (size_t width = VL / 2; width > 0; width /= 2) {
		for (size_t i = 0; i < width; i++) lanes[i] += lanes[i + width];
	}
	return lanes[0];
}

NNPS_VOPS_INLINE float nnps_vops_max(nnps_vf v) {
	float best = v[0];
	for (size_t i = 1; i < VL; i++) best = v[i] > best ? v[i] : best;
	return best;
}

/* e^x for x <= 0 (a softmax's x - max): Cody-Waite reduction x = n ln2 + r, |r| <= ln2 / 2, Cephes' degree-6
 * polynomial for e^r (about 1 ulp), 2^n from the exponent bits. Below -87.3 (where 2^n would leave the normal range)
 * the result is 0; NaN stays NaN. The rounding of x log2(e) to n adds and subtracts 1.5 * 2^23 (round to nearest
 * even; the build has no -ffast-math to fold it away). */
NNPS_VOPS_INLINE nnps_vf nnps_vops_exp_nonpositive(nnps_vf x) {
	const nnps_vi underflow = x < -87.33654f;
	const nnps_vf shifted = x * 1.44269504088896341f + 12582912.0f;
	const nnps_vf n = shifted - 12582912.0f;
	const nnps_vi exponent = ((nnps_vi) shifted - (nnps_vi) ((nnps_vf) {} + 12582912.0f)) + 127;
	nnps_vf r = x - n * 0.693359375f;
	r = r - n * -2.12194440e-4f;
	nnps_vf p = r * 1.9875691500e-4f + 1.3981999507e-3f;
	p = p * r + 8.3334519073e-3f;
	p = p * r + 4.1665795894e-2f;
	p = p * r + 1.6666665459e-1f;
	p = p * r + 5.0000001201e-1f;
	const nnps_vf e = p * (r * r) + r + 1.0f;
	const nnps_vf scale = (nnps_vf) ((exponent & ~underflow) << 23);
	return (nnps_vf) ((nnps_vi) (e * scale) & ~underflow);
}

/* Lanes [0, n) of 16 halves from p, the rest 0. */
NNPS_VOPS_INLINE nnps_vh nnps_vops_load_halves(const uint16_t* p, size_t n) {
	nnps_vh h;
	if (n == VL) {
		memcpy(&h, p, sizeof h);
	} else {
		for (size_t i = 0; i < VL; i++) h[i] = i < n ? p[i] : 0;
	}
	return h;
}

/* Half precision, exactly: the magnitude's bits shifted into a float's place are the value times 2^-112 (subnormals
 * become normals) for every exponent below 31. Exponent 31 is a normal exponent in NNPACK's format (ARM's alternative
 * half precision, no infinity or NaN), which the same shift gives; in IEEE binary16 it is infinity or NaN, which
 * `ieee` makes so (with AVX-512, the conversion instruction). The shift beat the instruction behind a check for
 * exponent 31 on NNPACK's format (2.3 against 3.1 ms on a 4096x4096 kernel). */
NNPS_VOPS_INLINE nnps_vf nnps_vops_half_to_float(const uint16_t* p, size_t n, bool ieee) {
	const nnps_vh h = nnps_vops_load_halves(p, n);
#if defined(__AVX512F__)
	if (ieee) {
		__m256i packed;
		memcpy(&packed, &h, sizeof packed);
		return (nnps_vf) _mm512_cvtph_ps(packed);
	}
#endif
	const nnps_vi bits = __builtin_convertvector(h, nnps_vi);
	nnps_vi value = (nnps_vi) ((nnps_vf) ((bits & 0x7FFF) << 13) * 0x1p112f);
	if (ieee) {
		const nnps_vi special = (bits & 0x7C00) == 0x7C00;
		value = (value & ~special) | ((0x7F800000 | ((bits & 0x3FF) << 13)) & special);
	}
	return (nnps_vf) (value | ((bits & 0x8000) << 16));
}

#define nnps_vops_alternative_half_to_float(p, n) nnps_vops_half_to_float(p, n, false)
#define nnps_vops_ieee_half_to_float(p, n) nnps_vops_half_to_float(p, n, true)

/* Four rows of the kernel against x, two accumulators each (eight independent chains), named variables rather than
 * an array: an array of accumulators stayed on the stack, every multiply-add a store and a reload. A row's tail (at
 * most two vectors, the last partial) adds into the first accumulators. */
#define NNPS_VOPS_DOT_ROWS(name, weight_type, load_weights) \
	static void name(const weight_type* kernel, size_t rows, size_t columns, const float* x, float* y) { \
		size_t o = 0; \
		for (; o + 4 <= rows; o += 4) { \
			const weight_type* k0 = kernel + o * columns; \
			const weight_type *k1 = k0 + columns, *k2 = k1 + columns, *k3 = k2 + columns; \
			nnps_vf a0 = { 0 }, a1 = { 0 }, a2 = { 0 }, a3 = { 0 }, b0 = { 0 }, b1 = { 0 }, b2 = { 0 }, b3 = { 0 }; \
			size_t i = 0; \
			for (; i + 2 * VL <= columns; i += 2 * VL) { \
				const nnps_vf x0 = nnps_vops_load(x + i, VL, 0.0f), x1 = nnps_vops_load(x + i + VL, VL, 0.0f); \
				a0 += load_weights(k0 + i, VL) * x0; \
				a1 += load_weights(k1 + i, VL) * x0; \
				a2 += load_weights(k2 + i, VL) * x0; \
				a3 += load_weights(k3 + i, VL) * x0; \
				b0 += load_weights(k0 + i + VL, VL) * x1; \
				b1 += load_weights(k1 + i + VL, VL) * x1; \
				b2 += load_weights(k2 + i + VL, VL) * x1; \
				b3 += load_weights(k3 + i + VL, VL) * x1; \
			} \
			for (; i < columns; i += VL) { \
				const size_t n = columns - i < VL ? columns - i : VL; \
				const nnps_vf xv = nnps_vops_load(x + i, n, 0.0f); \
				a0 += load_weights(k0 + i, n) * xv; \
				a1 += load_weights(k1 + i, n) * xv; \
				a2 += load_weights(k2 + i, n) * xv; \
				a3 += load_weights(k3 + i, n) * xv; \
			} \
			y[o] = nnps_vops_sum(a0 + b0); \
			y[o + 1] = nnps_vops_sum(a1 + b1); \
			y[o + 2] = nnps_vops_sum(a2 + b2); \
			y[o + 3] = nnps_vops_sum(a3 + b3); \
		} \
		for (; o < rows; o++) { \
			const weight_type* k0 = kernel + o * columns; \
			nnps_vf a0 = { 0 }, b0 = { 0 }; \
			size_t i = 0; \
			for (; i + 2 * VL <= columns; i += 2 * VL) { \
				a0 += load_weights(k0 + i, VL) * nnps_vops_load(x + i, VL, 0.0f); \
				b0 += load_weights(k0 + i + VL, VL) * nnps_vops_load(x + i + VL, VL, 0.0f); \
			} \
			for (; i < columns; i += VL) { \
				const size_t n = columns - i < VL ? columns - i : VL; \
				a0 += load_weights(k0 + i, n) * nnps_vops_load(x + i, n, 0.0f); \
			} \
			y[o] = nnps_vops_sum(a0 + b0); \
		} \
	}

#define nnps_vops_load_floats(p, n) nnps_vops_load(p, n, 0.0f)

/* The ISA file's entry points (declared in ukernels.h), named by `suffix`. */
#define NNPS_VECTOR_OPS_DEFINE(suffix) \
	void nnps_relu__##suffix(const float* input, float* output, size_t n, float slope) { \
		for (size_t i = 0; i < n; i += VL) { \
			const size_t m = n - i < VL ? n - i : VL; \
			const nnps_vf x = nnps_vops_load(input + i, m, 0.0f); \
			nnps_vops_store(output + i, m, slope != 0.0f ? nnps_vops_select_positive(x, x, slope) : nnps_vops_keep(x, (x > 0.0f) | (x != x))); \
		} \
	} \
	void nnps_relu_gradient__##suffix(const float* grad_output, const float* input, float* grad_input, size_t n, float slope) { \
		for (size_t i = 0; i < n; i += VL) { \
			const size_t m = n - i < VL ? n - i : VL; \
			const nnps_vf g = nnps_vops_load(grad_output + i, m, 0.0f), x = nnps_vops_load(input + i, m, 0.0f); \
			nnps_vops_store(grad_input + i, m, slope != 0.0f ? nnps_vops_select_positive(x, g, slope) : nnps_vops_keep(g, x > 0.0f)); \
		} \
	} \
	void nnps_softmax_row__##suffix(const float* input, float* output, size_t n) { \
		nnps_vf best = (nnps_vf) {} - __builtin_inff(); \
		for (size_t i = 0; i < n; i += VL) best = nnps_vops_greater(nnps_vops_load(input + i, n - i < VL ? n - i : VL, -__builtin_inff()), best); \
		const float max = nnps_vops_max(best); \
		nnps_vf sum = { 0 }; \
		for (size_t i = 0; i < n; i += VL) { \
			const size_t m = n - i < VL ? n - i : VL; \
			const nnps_vf e = nnps_vops_exp_nonpositive(nnps_vops_load(input + i, m, -__builtin_inff()) - max); \
			nnps_vops_store(output + i, m, e); \
			sum += e; \
		} \
		const float scale = 1.0f / nnps_vops_sum(sum); \
		for (size_t i = 0; i < n; i += VL) { \
			const size_t m = n - i < VL ? n - i : VL; \
			nnps_vops_store(output + i, m, nnps_vops_load(output + i, m, 0.0f) * scale); \
		} \
	} \
	void nnps_max_into__##suffix(float* accumulator, const float* row, size_t n) { \
		for (size_t i = 0; i < n; i += VL) { \
			const size_t m = n - i < VL ? n - i : VL; \
			nnps_vops_store(accumulator + i, m, nnps_vops_greater(nnps_vops_load(row + i, m, 0.0f), nnps_vops_load(accumulator + i, m, 0.0f))); \
		} \
	} \
	void nnps_max_columns__##suffix(const float* row, size_t stride, size_t width, size_t n, float* out) { \
		size_t j = 0; \
		for (; stride <= 2 && j + VL <= n; j += VL) { \
			nnps_vf best = (nnps_vf) {} - __builtin_inff(); \
			for (size_t kx = 0; kx < width; kx++) best = nnps_vops_greater(nnps_vops_strided(row + j * stride + kx, stride), best); \
			nnps_vops_store(out + j, VL, best); \
		} \
		for (; j < n; j++) { \
			float best = -__builtin_inff(); \
			for (size_t kx = 0; kx < width; kx++) best = row[j * stride + kx] > best ? row[j * stride + kx] : best; \
			out[j] = best; \
		} \
	} \
	NNPS_VOPS_DOT_ROWS(dot_rows_float, float, nnps_vops_load_floats) \
	NNPS_VOPS_DOT_ROWS(dot_rows_half, uint16_t, nnps_vops_alternative_half_to_float) \
	NNPS_VOPS_DOT_ROWS(dot_rows_ieee_half, uint16_t, nnps_vops_ieee_half_to_float) \
	void nnps_dot_rows__##suffix(const float* kernel, size_t rows, size_t columns, const float* x, float* y) { \
		dot_rows_float(kernel, rows, columns, x, y); \
	} \
	void nnps_dot_rows_half__##suffix(const uint16_t* kernel, size_t rows, size_t columns, const float* x, float* y, bool ieee) { \
		if (ieee) { \
			dot_rows_ieee_half(kernel, rows, columns, x, y); \
		} else { \
			dot_rows_half(kernel, rows, columns, x, y); \
		} \
	}

#endif
