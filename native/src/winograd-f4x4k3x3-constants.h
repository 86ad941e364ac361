/* Winograd F(4x4, 3x3)'s matrices (points 0, +-1, +-2 and infinity) where a transform multiplies by them as matrices:
 * the kernel gradient's portable transforms (the forward ones are written out factored in scalar/ and x86_64-avx512/).
 * Y = A^T M A (output), U = G k G^T (kernel). Included only by the ISA folders' transform files. */
#ifndef NNPS_WINOGRAD_F4X4K3X3_CONSTANTS_H
#define NNPS_WINOGRAD_F4X4K3X3_CONSTANTS_H

static const float nnps_winograd_f4x4k3x3_G[6][3] = {
	{ 1.0f / 4, 0.0f, 0.0f },
	{ -1.0f / 6, -1.0f / 6, -1.0f / 6 },
	{ -1.0f / 6, 1.0f / 6, -1.0f / 6 },
	{ 1.0f / 24, 1.0f / 12, 1.0f / 6 },
	{ 1.0f / 24, -1.0f / 12, 1.0f / 6 },
	{ 0.0f, 0.0f, 1.0f },
};

static const float nnps_winograd_f4x4k3x3_AT[4][6] = {
	{ 1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 0.0f },
	{ 0.0f, 1.0f, -1.0f, 2.0f, -2.0f, 0.0f },
	{ 0.0f, 1.0f, 1.0f, 4.0f, 4.0f, 0.0f },
	{ 0.0f, 1.0f, -1.0f, 8.0f, -8.0f, 1.0f },
};

#endif
