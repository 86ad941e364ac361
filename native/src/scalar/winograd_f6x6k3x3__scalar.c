/* Winograd F(6x6, 3x3) tile transforms in portable C: the reference every ISA's transforms must match. */
#include "../ukernels.h"

static const float BT[8][8] = {
	{ 1.0f, 0.0f, -5.25f, 0.0f, 5.25f, 0.0f, -1.0f, 0.0f },
	{ 0.0f, 1.0f, 1.0f, -4.25f, -4.25f, 1.0f, 1.0f, 0.0f },
	{ 0.0f, -1.0f, 1.0f, 4.25f, -4.25f, -1.0f, 1.0f, 0.0f },
	{ 0.0f, 0.5f, 0.25f, -2.5f, -1.25f, 2.0f, 1.0f, 0.0f },
	{ 0.0f, -0.5f, 0.25f, 2.5f, -1.25f, -2.0f, 1.0f, 0.0f },
	{ 0.0f, 2.0f, 4.0f, -2.5f, -5.0f, 0.5f, 1.0f, 0.0f },
	{ 0.0f, -2.0f, 4.0f, 2.5f, -5.0f, -0.5f, 1.0f, 0.0f },
	{ 0.0f, -1.0f, 0.0f, 5.25f, 0.0f, -5.25f, 0.0f, 1.0f },
};

static const float G[8][3] = {
	{ 1.0f, 0.0f, 0.0f },
	{ -2.0f / 9, -2.0f / 9, -2.0f / 9 },
	{ -2.0f / 9, 2.0f / 9, -2.0f / 9 },
	{ 1.0f / 90, 1.0f / 45, 2.0f / 45 },
	{ 1.0f / 90, -1.0f / 45, 2.0f / 45 },
	{ 32.0f / 45, 16.0f / 45, 8.0f / 45 },
	{ 32.0f / 45, -16.0f / 45, 8.0f / 45 },
	{ 0.0f, 0.0f, 1.0f },
};

static const float AT[6][8] = {
	{ 1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 0.0f },
	{ 0.0f, 1.0f, -1.0f, 2.0f, -2.0f, 0.5f, -0.5f, 0.0f },
	{ 0.0f, 1.0f, 1.0f, 4.0f, 4.0f, 0.25f, 0.25f, 0.0f },
	{ 0.0f, 1.0f, -1.0f, 8.0f, -8.0f, 0.125f, -0.125f, 0.0f },
	{ 0.0f, 1.0f, 1.0f, 16.0f, 16.0f, 0.0625f, 0.0625f, 0.0f },
	{ 0.0f, 1.0f, -1.0f, 32.0f, -32.0f, 0.03125f, -0.03125f, 1.0f },
};

void nnps_winograd_f6x6k3x3_kernel__scalar(const float kernel[9], float* transformed, size_t stride) {
	float gk[8][3];
	for (size_t i = 0; i < 8; i++) {
		for (size_t x = 0; x < 3; x++) gk[i][x] = G[i][0] * kernel[x] + G[i][1] * kernel[3 + x] + G[i][2] * kernel[6 + x];
	}
	for (size_t i = 0; i < 8; i++) {
		for (size_t j = 0; j < 8; j++) transformed[(i * 8 + j) * stride] = gk[i][0] * G[j][0] + gk[i][1] * G[j][1] + gk[i][2] * G[j][2];
	}
}

void nnps_winograd_f6x6k3x3_input__scalar(const float tile[64], float* transformed, size_t stride) {
	float bd[8][8];
	for (size_t i = 0; i < 8; i++) {
		for (size_t x = 0; x < 8; x++) {
			float sum = 0.0f;
			for (size_t y = 0; y < 8; y++) sum += BT[i][y] * tile[y * 8 + x];
			bd[i][x] = sum;
		}
	}
	for (size_t i = 0; i < 8; i++) {
		for (size_t j = 0; j < 8; j++) {
			float sum = 0.0f;
			for (size_t x = 0; x < 8; x++) sum += bd[i][x] * BT[j][x];
			transformed[(i * 8 + j) * stride] = sum;
		}
	}
}

void nnps_winograd_f6x6k3x3_output__scalar(const float* products, size_t stride, float tile[36]) {
	float am[6][8];
	for (size_t i = 0; i < 6; i++) {
		for (size_t j = 0; j < 8; j++) {
			float sum = 0.0f;
			for (size_t k = 0; k < 8; k++) sum += AT[i][k] * products[(k * 8 + j) * stride];
			am[i][j] = sum;
		}
	}
	for (size_t i = 0; i < 6; i++) {
		for (size_t j = 0; j < 6; j++) {
			float sum = 0.0f;
			for (size_t k = 0; k < 8; k++) sum += am[i][k] * AT[j][k];
			tile[i * 6 + j] = sum;
		}
	}
}
