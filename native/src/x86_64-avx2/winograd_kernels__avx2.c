/* The Winograd transforms on 3x3 kernels, AVX2 with FMA (contract in ukernels.h), 16 kernels in two halves of 8 lanes:
 * U = G k G^T of the forward kernels (F(6x6, 3x3) and F(4x4, 3x3)) and the kernel gradient's dW = G^T M G of 16
 * (output, input) channel pairs (both tile sizes), which leaves through a small buffer since each pair's 9 values are
 * contiguous. Plain loads and stores: nothing here reads an image. */
#include <immintrin.h>

#include "../ukernels.h"
#include "../winograd-f4x4k3x3-constants.h"
#include "../winograd-f6x6k3x3-constants.h"

#define LANES NNPS_WINOGRAD_LANES
#define HALF 8

/* ---- U = G k G^T ---- */

#define G nnps_winograd_f6x6k3x3_G

/* The same products in the same order as the portable transform. */
void nnps_winograd_f6x6k3x3_kernel__avx2(const float* kernels, float* transformed, size_t stride) {
	for (size_t h = 0; h < LANES; h += HALF) {
		__m256 k[9], gk[8][3];
		for (size_t i = 0; i < 9; i++) k[i] = _mm256_loadu_ps(kernels + i * LANES + h);
		for (size_t i = 0; i < 8; i++) {
			for (size_t x = 0; x < 3; x++) {
				gk[i][x] = _mm256_add_ps(_mm256_add_ps(_mm256_mul_ps(_mm256_set1_ps(G[i][0]), k[x]), _mm256_mul_ps(_mm256_set1_ps(G[i][1]), k[3 + x])),
					_mm256_mul_ps(_mm256_set1_ps(G[i][2]), k[6 + x]));
			}
		}
		for (size_t i = 0; i < 8; i++) {
			for (size_t j = 0; j < 8; j++) {
				const __m256 u = _mm256_add_ps(_mm256_add_ps(_mm256_mul_ps(gk[i][0], _mm256_set1_ps(G[j][0])), _mm256_mul_ps(gk[i][1], _mm256_set1_ps(G[j][1]))),
					_mm256_mul_ps(gk[i][2], _mm256_set1_ps(G[j][2])));
				_mm256_storeu_ps(transformed + (i * 8 + j) * stride + h, u);
			}
		}
	}
}

/* u = G k along one axis, F(4x4, 3x3) (its G factored as in scalar/winograd_f4x4k3x3__scalar.c). */
static inline void kernel_1d_f4(__m256 k0, __m256 k1, __m256 k2, __m256 u[6]) {
	const __m256 s02 = _mm256_add_ps(k0, k2), sixth = _mm256_set1_ps(-1.0f / 6);
	const __m256 outer = _mm256_fmadd_ps(_mm256_set1_ps(1.0f / 24), k0, _mm256_mul_ps(_mm256_set1_ps(1.0f / 6), k2));
	const __m256 middle = _mm256_mul_ps(_mm256_set1_ps(1.0f / 12), k1);
	u[0] = _mm256_mul_ps(_mm256_set1_ps(0.25f), k0);
	u[1] = _mm256_mul_ps(sixth, _mm256_add_ps(s02, k1));
	u[2] = _mm256_mul_ps(sixth, _mm256_sub_ps(s02, k1));
	u[3] = _mm256_add_ps(outer, middle);
	u[4] = _mm256_sub_ps(outer, middle);
	u[5] = k2;
}

void nnps_winograd_f4x4k3x3_kernel__avx2(const float* kernels, float* transformed, size_t stride) {
	for (size_t h = 0; h < LANES; h += HALF) {
		__m256 k[9], gk[3][6]; /* G k: column x, row i */
		for (size_t i = 0; i < 9; i++) k[i] = _mm256_loadu_ps(kernels + i * LANES + h);
		for (size_t x = 0; x < 3; x++) kernel_1d_f4(k[x], k[3 + x], k[6 + x], gk[x]);
		for (size_t i = 0; i < 6; i++) {
			__m256 u[6];
			kernel_1d_f4(gk[0][i], gk[1][i], gk[2][i], u);
			for (size_t j = 0; j < 6; j++) _mm256_storeu_ps(transformed + (i * 6 + j) * stride + h, u[j]);
		}
	}
}

/* ---- dW = G^T M G (the kernel gradient's last step) ---- */

/* `count` lanes of products, tile x tile points, G (tile x 3, row-major): values out at grad_kernels[t * 9 + i]. */
static inline __attribute__((always_inline)) void grad_kernel_block(const float* products, size_t stride, float* grad_kernels, size_t count, size_t tile,
	const float* g)
{
	for (size_t h = 0; h < count; h += HALF) {
		__m256 gm[3][8]; /* G^T M: row i, column q */
		for (size_t i = 0; i < 3; i++) {
			for (size_t q = 0; q < tile; q++) {
				__m256 sum = _mm256_setzero_ps();
				for (size_t p = 0; p < tile; p++) {
					if (g[p * 3 + i] != 0.0f) sum = _mm256_fmadd_ps(_mm256_set1_ps(g[p * 3 + i]), _mm256_loadu_ps(products + (p * tile + q) * stride + h), sum);
				}
				gm[i][q] = sum;
			}
		}
		float values[9][HALF];
		for (size_t i = 0; i < 3; i++) {
			for (size_t j = 0; j < 3; j++) {
				__m256 sum = _mm256_setzero_ps();
				for (size_t q = 0; q < tile; q++) {
					if (g[q * 3 + j] != 0.0f) sum = _mm256_fmadd_ps(gm[i][q], _mm256_set1_ps(g[q * 3 + j]), sum);
				}
				_mm256_storeu_ps(values[i * 3 + j], sum);
			}
		}
		for (size_t t = 0; t < HALF && h + t < count; t++) {
			for (size_t e = 0; e < 9; e++) grad_kernels[(h + t) * 9 + e] = values[e][t];
		}
	}
}

void nnps_winograd_f6x6k3x3_grad_kernel__avx2(const float* products, size_t stride, float* grad_kernels, size_t count) {
	grad_kernel_block(products, stride, grad_kernels, count, 8, &nnps_winograd_f6x6k3x3_G[0][0]);
}

void nnps_winograd_f4x4k3x3_grad_kernel__avx2(const float* products, size_t stride, float* grad_kernels, size_t count) {
	grad_kernel_block(products, stride, grad_kernels, count, 6, &nnps_winograd_f4x4k3x3_G[0][0]);
}
