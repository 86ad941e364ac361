/* The kernel gradient's Winograd transforms in portable C (contract in ukernels.h), for both tile sizes: the
 * grad_output transform T = A g A^T and the gradient's output transform dW = G^T M G, as plain matrix products on 16
 * tiles side by side in lanes (each inner loop runs over the lanes, so the compiler turns it into vector operations).
 * Zero coefficients are skipped. */
#include "../ukernels.h"
#include "../winograd-f4x4k3x3-constants.h"
#include "../winograd-f6x6k3x3-constants.h"

#define LANES NNPS_WINOGRAD_LANES
#define MAX_TILE 8
#define MAX_OUT 6

/* One tile size: input tile side `tile`, output tile side `out`, A^T (out x tile) and G (tile x 3), row-major. */
struct matrices {
	size_t tile, out;
	const float* at;
	const float* g;
};

static void grad_output_transform(const struct matrices* w, const struct nnps_winograd_block* block, const float* plane, size_t row_stride,
	float* transformed, size_t stride)
{
	const size_t tile = w->tile, out = w->out;
	float g[MAX_OUT][MAX_OUT][LANES]; /* element (y, x) of every lane's tile, zeros outside its masks */
	for (size_t t = 0; t < LANES; t++) {
		for (size_t y = 0; y < out; y++) {
			const float* row = plane + block->offset[t] + (ptrdiff_t) (y * row_stride);
			const bool inside = (block->rows[t] >> y) & 1;
			for (size_t x = 0; x < out; x++) g[y][x][t] = inside && ((block->columns[t] >> x) & 1) ? row[x] : 0.0f;
		}
	}
	float ag[MAX_TILE][MAX_OUT][LANES]; /* A g: row p, column x */
	for (size_t p = 0; p < tile; p++) {
		for (size_t x = 0; x < out; x++) {
			float sum[LANES] = { 0 };
			for (size_t y = 0; y < out; y++) {
				const float a = w->at[y * tile + p];
				if (a == 0.0f) continue;
				for (size_t t = 0; t < LANES; t++) sum[t] += a * g[y][x][t];
			}
			for (size_t t = 0; t < LANES; t++) ag[p][x][t] = sum[t];
		}
	}
	for (size_t p = 0; p < tile; p++) {
		for (size_t q = 0; q < tile; q++) {
			float sum[LANES] = { 0 };
			for (size_t x = 0; x < out; x++) {
				const float a = w->at[x * tile + q];
				if (a == 0.0f) continue;
				for (size_t t = 0; t < LANES; t++) sum[t] += ag[p][x][t] * a;
			}
			float* destination = transformed + (p * tile + q) * stride;
			for (size_t t = 0; t < LANES; t++) destination[t] = sum[t];
		}
	}
}

static void grad_kernel_transform(const struct matrices* w, const float* products, size_t stride, float* grad_kernels, size_t count) {
	const size_t tile = w->tile;
	float gm[3][MAX_TILE][LANES]; /* G^T M: row i, column q */
	for (size_t i = 0; i < 3; i++) {
		for (size_t q = 0; q < tile; q++) {
			float sum[LANES] = { 0 };
			for (size_t p = 0; p < tile; p++) {
				const float c = w->g[p * 3 + i];
				if (c == 0.0f) continue;
				const float* in = products + (p * tile + q) * stride;
				for (size_t t = 0; t < LANES; t++) sum[t] += c * in[t];
			}
			for (size_t t = 0; t < LANES; t++) gm[i][q][t] = sum[t];
		}
	}
	for (size_t i = 0; i < 3; i++) {
		for (size_t j = 0; j < 3; j++) {
			float sum[LANES] = { 0 };
			for (size_t q = 0; q < tile; q++) {
				const float c = w->g[q * 3 + j];
				if (c == 0.0f) continue;
				for (size_t t = 0; t < LANES; t++) sum[t] += gm[i][q][t] * c;
			}
			for (size_t t = 0; t < count; t++) grad_kernels[t * 9 + i * 3 + j] = sum[t];
		}
	}
}

static const struct matrices f6x6 = { 8, 6, &nnps_winograd_f6x6k3x3_AT[0][0], &nnps_winograd_f6x6k3x3_G[0][0] };
static const struct matrices f4x4 = { 6, 4, &nnps_winograd_f4x4k3x3_AT[0][0], &nnps_winograd_f4x4k3x3_G[0][0] };

void nnps_winograd_f6x6k3x3_grad_output__scalar(
	const struct nnps_winograd_block* block, const float* plane, size_t row_stride, float* transformed, size_t stride)
{
	grad_output_transform(&f6x6, block, plane, row_stride, transformed, stride);
}

void nnps_winograd_f6x6k3x3_grad_kernel__scalar(const float* products, size_t stride, float* grad_kernels, size_t count) {
	grad_kernel_transform(&f6x6, products, stride, grad_kernels, count);
}

void nnps_winograd_f4x4k3x3_grad_output__scalar(
	const struct nnps_winograd_block* block, const float* plane, size_t row_stride, float* transformed, size_t stride)
{
	grad_output_transform(&f4x4, block, plane, row_stride, transformed, stride);
}

void nnps_winograd_f4x4k3x3_grad_kernel__scalar(const float* products, size_t stride, float* grad_kernels, size_t count) {
	grad_kernel_transform(&f4x4, products, stride, grad_kernels, count);
}
