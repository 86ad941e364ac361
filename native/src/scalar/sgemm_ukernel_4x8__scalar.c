/* SGEMM micro-kernel, 4x8 tile, portable C (baseline flags only: the compiler may use SSE2 on x86-64). */
#include "../ukernels.h"

void nnps_sgemm_ukernel_4x8__scalar(size_t m, size_t n, size_t kc, const float* a, const float* b, size_t ldb, float* c, size_t ldc, bool accumulate, const float* bias) {
	float acc[4][8] = { { 0 } };
	for (size_t k = 0; k < kc; k++) {
		for (size_t i = 0; i < 4; i++) {
			const float ai = a[i];
			for (size_t j = 0; j < 8; j++) acc[i][j] += ai * b[j];
		}
		a += 4;
		b += ldb;
	}
	for (size_t i = 0; i < m; i++) {
		for (size_t j = 0; j < n; j++) {
			float value = accumulate ? c[i * ldc + j] + acc[i][j] : acc[i][j];
			if (bias != NULL) value += bias[i];
			c[i * ldc + j] = value;
		}
	}
}
