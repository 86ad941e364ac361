/* Winograd F(6x6, 3x3)'s matrices (interpolation points 0, +-1, +-2, +-1/2 and infinity), for every ISA's transforms:
 * V = B^T d B (input), U = G k G^T (kernel), Y = A^T M A (output). The portable transforms multiply by them; the
 * vector input and output transforms use them factored into sums and differences of symmetric pairs. Included only by
 * the ISA folders' transform files. */
#ifndef NNPS_WINOGRAD_F6X6K3X3_CONSTANTS_H
#define NNPS_WINOGRAD_F6X6K3X3_CONSTANTS_H

static const float nnps_winograd_f6x6k3x3_BT[8][8] = {
	{ 1.0f, 0.0f, -5.25f, 0.0f, 5.25f, 0.0f, -1.0f, 0.0f },
	{ 0.0f, 1.0f, 1.0f, -4.25f, -4.25f, 1.0f, 1.0f, 0.0f },
	{ 0.0f, -1.0f, 1.0f, 4.25f, -4.25f, -1.0f, 1.0f, 0.0f },
	{ 0.0f, 0.5f, 0.25f, -2.5f, -1.25f, 2.0f, 1.0f, 0.0f },
	{ 0.0f, -0.5f, 0.25f, 2.5f, -1.25f, -2.0f, 1.0f, 0.0f },
	{ 0.0f, 2.0f, 4.0f, -2.5f, -5.0f, 0.5f, 1.0f, 0.0f },
	{ 0.0f, -2.0f, 4.0f, 2.5f, -5.0f, -0.5f, 1.0f, 0.0f },
	{ 0.0f, -1.0f, 0.0f, 5.25f, 0.0f, -5.25f, 0.0f, 1.0f },
};

static const float nnps_winograd_f6x6k3x3_G[8][3] = {
	{ 1.0f, 0.0f, 0.0f },
	{ -2.0f / 9, -2.0f / 9, -2.0f / 9 },
	{ -2.0f / 9, 2.0f / 9, -2.0f / 9 },
	{ 1.0f / 90, 1.0f / 45, 2.0f / 45 },
	{ 1.0f / 90, -1.0f / 45, 2.0f / 45 },
	{ 32.0f / 45, 16.0f / 45, 8.0f / 45 },
	{ 32.0f / 45, -16.0f / 45, 8.0f / 45 },
	{ 0.0f, 0.0f, 1.0f },
};

static const float nnps_winograd_f6x6k3x3_AT[6][8] = {
	{ 1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 0.0f },
	{ 0.0f, 1.0f, -1.0f, 2.0f, -2.0f, 0.5f, -0.5f, 0.0f },
	{ 0.0f, 1.0f, 1.0f, 4.0f, 4.0f, 0.25f, 0.25f, 0.0f },
	{ 0.0f, 1.0f, -1.0f, 8.0f, -8.0f, 0.125f, -0.125f, 0.0f },
	{ 0.0f, 1.0f, 1.0f, 16.0f, 16.0f, 0.0625f, 0.0625f, 0.0f },
	{ 0.0f, 1.0f, -1.0f, 32.0f, -32.0f, 0.03125f, -0.03125f, 1.0f },
};

#endif
