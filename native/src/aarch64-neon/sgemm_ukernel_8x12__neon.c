/* SGEMM micro-kernel, 8x12 tile, AArch64 Advanced SIMD (NEON): 24 q-register accumulators (8 rows x 3 vectors of 4
 * floats), the 3 B vectors and the 2 A vectors of one depth step use 29 of the 32 registers. vfmaq_laneq_f32 multiplies
 * a B vector by one lane of A, so A needs no broadcast. NEON has no masked stores: partial rows are stored lane by lane,
 * after the same fused multiply-adds as a full tile, so a partial tile is bit-identical to a full tile's corner. */
#include <arm_neon.h>

#include "../ukernels.h"

#define MR 8
#define NR 12
#define VECTORS (NR / 4)

/* Stores the first `valid` floats of `value` at `target` (all four when valid >= 4), adding what is there first when
 * accumulating. The lane-by-lane path adds in single precision too, exactly as vaddq_f32 does per lane. */
static inline void store_vector(float* target, float32x4_t value, size_t valid, bool accumulate, const float* bias) {
	if (valid >= 4) {
		if (accumulate) value = vaddq_f32(value, vld1q_f32(target));
		if (bias != NULL) value = vaddq_f32(value, vdupq_n_f32(*bias));
		vst1q_f32(target, value);
		return;
	}
	float lanes[4];
	vst1q_f32(lanes, value);
	for (size_t j = 0; j < valid; j++) {
		float sum = accumulate ? target[j] + lanes[j] : lanes[j];
		if (bias != NULL) sum += *bias;
		target[j] = sum;
	}
}

/* The tile's first `vectors` columns of 4 (a constant at each call, so the loops unroll and the accumulators stay in
 * registers): narrow tiles skip the multiply-adds of columns they never store. */
static inline __attribute__((always_inline)) void multiply(size_t vectors, size_t m, size_t n, size_t kc, const float* a, const float* b, size_t ldb,
	float* c, size_t ldc, bool accumulate, const float* bias) {
	float32x4_t acc[MR][VECTORS];
#pragma GCC unroll 8
	for (size_t i = 0; i < MR; i++) {
#pragma GCC unroll 3
		for (size_t v = 0; v < vectors; v++) acc[i][v] = vdupq_n_f32(0.0f);
	}
	for (size_t k = 0; k < kc; k++) {
		const float32x4_t a_low = vld1q_f32(a), a_high = vld1q_f32(a + 4);
#pragma GCC unroll 3
		for (size_t v = 0; v < vectors; v++) {
			const float32x4_t bv = vld1q_f32(b + 4 * v);
			acc[0][v] = vfmaq_laneq_f32(acc[0][v], bv, a_low, 0);
			acc[1][v] = vfmaq_laneq_f32(acc[1][v], bv, a_low, 1);
			acc[2][v] = vfmaq_laneq_f32(acc[2][v], bv, a_low, 2);
			acc[3][v] = vfmaq_laneq_f32(acc[3][v], bv, a_low, 3);
			acc[4][v] = vfmaq_laneq_f32(acc[4][v], bv, a_high, 0);
			acc[5][v] = vfmaq_laneq_f32(acc[5][v], bv, a_high, 1);
			acc[6][v] = vfmaq_laneq_f32(acc[6][v], bv, a_high, 2);
			acc[7][v] = vfmaq_laneq_f32(acc[7][v], bv, a_high, 3);
		}
		a += MR;
		b += ldb;
	}
	/* Rows by constant index (unrolled): a runtime index into acc would keep the accumulators in memory. */
#pragma GCC unroll 8
	for (size_t i = 0; i < MR; i++) {
		if (i >= m) break;
#pragma GCC unroll 3
		for (size_t v = 0; v < vectors; v++) {
			const size_t column = 4 * v;
			if (column < n) store_vector(c + i * ldc + column, acc[i][v], n - column, accumulate, bias == NULL ? NULL : bias + i);
		}
	}
}

void nnps_sgemm_ukernel_8x12__neon(size_t m, size_t n, size_t kc, const float* a, const float* b, size_t ldb, float* c, size_t ldc, bool accumulate, const float* bias) {
	if (n <= 4) {
		multiply(1, m, n, kc, a, b, ldb, c, ldc, accumulate, bias);
	} else if (n <= 8) {
		multiply(2, m, n, kc, a, b, ldb, c, ldc, accumulate, bias);
	} else {
		multiply(3, m, n, kc, a, b, ldb, c, ldc, accumulate, bias);
	}
}
