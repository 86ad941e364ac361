/* Winograd F(4x4, 3x3) transforms in portable C (contract in ukernels.h), on 16 tiles side by side in lanes: the
 * reference the AVX-512 ones must match, and the transforms of every other level. Points 0, +1, -1, +2, -2 and
 * infinity (Lavin and Gray's choice): B^T, G and A^T hold only small integers and 1/4, 1/6, 1/12, 1/24, so F(4x4)
 * loses about 100x less accuracy than F(6x6) (near 1e-6 relative to the largest term against 1e-4). The 1-D
 * transforms are written as sums and differences of symmetric pairs; each inner loop runs over the lanes, so the
 * compiler turns it into vector operations. */
#include "../ukernels.h"

#define LANES NNPS_WINOGRAD_LANES
#define TILE 6
#define OUT 4

/* w = B^T d along one axis: d[k] is at in + k * in_step (LANES floats), w[k] at out + k * out_step.
 *   B^T = [ 4  0 -5  0  1  0 ]
 *         [ 0 -4 -4  1  1  0 ]
 *         [ 0  4 -4 -1  1  0 ]
 *         [ 0 -2 -1  2  1  0 ]
 *         [ 0  2 -1 -2  1  0 ]
 *         [ 0  4  0 -5  0  1 ] */
static void input_1d(const float* in, size_t in_step, float* out, size_t out_step) {
	const float *d0 = in, *d1 = in + in_step, *d2 = in + 2 * in_step, *d3 = in + 3 * in_step, *d4 = in + 4 * in_step, *d5 = in + 5 * in_step;
	for (size_t t = 0; t < LANES; t++) {
		const float s12 = d1[t] + d2[t], r12 = d1[t] - d2[t], s34 = d3[t] + d4[t], r43 = d4[t] - d3[t], r42 = d4[t] - d2[t], r31 = d3[t] - d1[t];
		out[t] = 4.0f * d0[t] - 5.0f * d2[t] + d4[t];
		out[out_step + t] = s34 - 4.0f * s12;
		out[2 * out_step + t] = r43 + 4.0f * r12;
		out[3 * out_step + t] = r42 + 2.0f * r31;
		out[4 * out_step + t] = r42 - 2.0f * r31;
		out[5 * out_step + t] = 4.0f * d1[t] - 5.0f * d3[t] + d5[t];
	}
}

/* o = A^T m along one axis (6 in, 4 out), strides as above.
 *   A^T = [ 1  1  1  1  1  0 ]
 *         [ 0  1 -1  2 -2  0 ]
 *         [ 0  1  1  4  4  0 ]
 *         [ 0  1 -1  8 -8  1 ] */
static void output_1d(const float* in, size_t in_step, float* out, size_t out_step) {
	const float *m0 = in, *m1 = in + in_step, *m2 = in + 2 * in_step, *m3 = in + 3 * in_step, *m4 = in + 4 * in_step, *m5 = in + 5 * in_step;
	for (size_t t = 0; t < LANES; t++) {
		const float s12 = m1[t] + m2[t], r12 = m1[t] - m2[t], s34 = m3[t] + m4[t], r34 = m3[t] - m4[t];
		out[t] = m0[t] + s12 + s34;
		out[out_step + t] = r12 + 2.0f * r34;
		out[2 * out_step + t] = s12 + 4.0f * s34;
		out[3 * out_step + t] = r12 + 8.0f * r34 + m5[t];
	}
}

/* u = G k along one axis (3 in, 6 out), strides as above.
 *   G = [ 1/4     0     0   ]
 *       [ -1/6  -1/6  -1/6  ]
 *       [ -1/6   1/6  -1/6  ]
 *       [ 1/24  1/12   1/6  ]
 *       [ 1/24 -1/12   1/6  ]
 *       [ 0      0     1    ] */
static void kernel_1d(const float* in, size_t in_step, float* out, size_t out_step) {
	const float *k0 = in, *k1 = in + in_step, *k2 = in + 2 * in_step;
	for (size_t t = 0; t < LANES; t++) {
		const float s02 = k0[t] + k2[t], outer = k0[t] * (1.0f / 24) + k2[t] * (1.0f / 6), middle = k1[t] * (1.0f / 12);
		out[t] = k0[t] * 0.25f;
		out[out_step + t] = -(s02 + k1[t]) * (1.0f / 6);
		out[2 * out_step + t] = -(s02 - k1[t]) * (1.0f / 6);
		out[3 * out_step + t] = outer + middle;
		out[4 * out_step + t] = outer - middle;
		out[5 * out_step + t] = k2[t];
	}
}

void nnps_winograd_f4x4k3x3_kernel__scalar(const float* kernels, float* transformed, size_t stride) {
	float gk[TILE][3][LANES]; /* G k: row i, column x */
	for (size_t x = 0; x < 3; x++) kernel_1d(kernels + x * LANES, 3 * LANES, gk[0][x], 3 * LANES);
	for (size_t i = 0; i < TILE; i++) kernel_1d(gk[i][0], LANES, transformed + i * TILE * stride, stride);
}

void nnps_winograd_f4x4k3x3_input__scalar(const struct nnps_winograd_block* block, const float* plane, size_t row_stride, float* transformed, size_t stride) {
	float tile[TILE][TILE][LANES]; /* element (y, x) of every lane's tile, zeros outside the image */
	for (size_t t = 0; t < LANES; t++) {
		for (size_t y = 0; y < TILE; y++) {
			const float* row = plane + block->offset[t] + (ptrdiff_t) (y * row_stride);
			const bool inside = (block->rows[t] >> y) & 1;
			for (size_t x = 0; x < TILE; x++) tile[y][x][t] = inside && ((block->columns[t] >> x) & 1) ? row[x] : 0.0f;
		}
	}
	float db[TILE][TILE][LANES]; /* d B: row y, column j */
	for (size_t y = 0; y < TILE; y++) input_1d(tile[y][0], LANES, db[y][0], LANES);
	for (size_t j = 0; j < TILE; j++) input_1d(db[0][j], TILE * LANES, transformed + j * stride, TILE * stride);
}

void nnps_winograd_f4x4k3x3_output__scalar(
	const float* products, size_t stride, const struct nnps_winograd_block* block, float* plane, size_t row_stride, float bias, bool relu)
{
	float am[OUT][TILE][LANES]; /* A^T M: row i, column j */
	for (size_t j = 0; j < TILE; j++) output_1d(products + j * stride, TILE * stride, am[0][j], TILE * LANES);
	float y[OUT][OUT][LANES]; /* A^T M A: row i, column j */
	for (size_t i = 0; i < OUT; i++) output_1d(am[i][0], LANES, y[i][0], LANES);
	for (size_t t = 0; t < LANES; t++) {
		for (size_t i = 0; i < OUT; i++) {
			if (!((block->rows[t] >> i) & 1)) continue;
			for (size_t j = 0; j < OUT; j++) {
				if (!((block->columns[t] >> j) & 1)) continue;
				const float value = y[i][j][t] + bias;
				plane[block->offset[t] + (ptrdiff_t) (i * row_stride + j)] = relu && value < 0.0f ? 0.0f : value;
			}
		}
	}
}
