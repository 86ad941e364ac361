/* Winograd F(6x6, 3x3) transforms in portable C, the input and output ones on 16 tiles side by side in lanes (gathered
 * from and scattered to the image element by element): the reference every ISA's transforms must match. Zero
 * coefficients are skipped. */
#include "../ukernels.h"
#include "../winograd-f6x6k3x3-constants.h"

#define BT nnps_winograd_f6x6k3x3_BT
#define G nnps_winograd_f6x6k3x3_G
#define AT nnps_winograd_f6x6k3x3_AT

/* The input and output transforms run the same arithmetic on every lane, so each inner loop is a vector operation. */
#define LANES NNPS_WINOGRAD_LANES

void nnps_winograd_f6x6k3x3_kernel__scalar(const float* kernels, float* transformed, size_t stride) {
	for (size_t t = 0; t < LANES; t++) {
		float gk[8][3];
		for (size_t i = 0; i < 8; i++) {
			for (size_t x = 0; x < 3; x++) gk[i][x] = G[i][0] * kernels[x * LANES + t] + G[i][1] * kernels[(3 + x) * LANES + t] + G[i][2] * kernels[(6 + x) * LANES + t];
		}
		for (size_t i = 0; i < 8; i++) {
			for (size_t j = 0; j < 8; j++) transformed[(i * 8 + j) * stride + t] = gk[i][0] * G[j][0] + gk[i][1] * G[j][1] + gk[i][2] * G[j][2];
		}
	}
}

/* tiles[(y * 8 + x) * LANES + t]: element (y, x) of lane t's tile, zeros outside the image. */
static void gather_tiles(const struct nnps_winograd_block* block, const float* plane, size_t row_stride, float* tiles) {
	for (size_t t = 0; t < LANES; t++) {
		for (size_t y = 0; y < 8; y++) {
			const float* row = plane + block->offset[t] + (ptrdiff_t) (y * row_stride);
			const bool inside = (block->rows[t] >> y) & 1;
			for (size_t x = 0; x < 8; x++) tiles[(y * 8 + x) * LANES + t] = inside && ((block->columns[t] >> x) & 1) ? row[x] : 0.0f;
		}
	}
}

void nnps_winograd_f6x6k3x3_input__scalar(const struct nnps_winograd_block* block, const float* plane, size_t row_stride, float* transformed, size_t stride) {
	float tiles[8 * 8 * LANES];
	gather_tiles(block, plane, row_stride, tiles);
	float bd[8][8][LANES]; /* B^T d: row i, column x */
	for (size_t i = 0; i < 8; i++) {
		for (size_t x = 0; x < 8; x++) {
			float sum[LANES] = { 0 };
			for (size_t y = 0; y < 8; y++) {
				if (BT[i][y] == 0.0f) continue;
				for (size_t t = 0; t < LANES; t++) sum[t] += BT[i][y] * tiles[(y * 8 + x) * LANES + t];
			}
			for (size_t t = 0; t < LANES; t++) bd[i][x][t] = sum[t];
		}
	}
	for (size_t i = 0; i < 8; i++) {
		for (size_t j = 0; j < 8; j++) {
			float sum[LANES] = { 0 };
			for (size_t x = 0; x < 8; x++) {
				if (BT[j][x] == 0.0f) continue;
				for (size_t t = 0; t < LANES; t++) sum[t] += bd[i][x][t] * BT[j][x];
			}
			float* out = transformed + (i * 8 + j) * stride;
			for (size_t t = 0; t < LANES; t++) out[t] = sum[t];
		}
	}
}

void nnps_winograd_f6x6k3x3_output__scalar(
	const float* products, size_t stride, const struct nnps_winograd_block* block, float* plane, size_t row_stride, float bias, bool relu)
{
	float am[6][8][LANES]; /* A^T M: row i, column j */
	for (size_t i = 0; i < 6; i++) {
		for (size_t j = 0; j < 8; j++) {
			float sum[LANES] = { 0 };
			for (size_t k = 0; k < 8; k++) {
				if (AT[i][k] == 0.0f) continue;
				const float* in = products + (k * 8 + j) * stride;
				for (size_t t = 0; t < LANES; t++) sum[t] += AT[i][k] * in[t];
			}
			for (size_t t = 0; t < LANES; t++) am[i][j][t] = sum[t];
		}
	}
	for (size_t i = 0; i < 6; i++) {
		for (size_t j = 0; j < 6; j++) {
			float sum[LANES] = { 0 };
			for (size_t k = 0; k < 8; k++) {
				if (AT[j][k] == 0.0f) continue;
				for (size_t t = 0; t < LANES; t++) sum[t] += am[i][k][t] * AT[j][k];
			}
			for (size_t t = 0; t < LANES; t++) {
				if (!((block->rows[t] >> i) & 1) || !((block->columns[t] >> j) & 1)) continue;
				const float value = sum[t] + bias;
				plane[block->offset[t] + (ptrdiff_t) (i * row_stride + j)] = relu && value < 0.0f ? 0.0f : value;
			}
		}
	}
}
