/* An 8x8 float transpose in ymm registers, shared by the AVX2 packers that turn columns into panel rows. */
#ifndef NNPS_X86_64_AVX2_TRANSPOSE8_H
#define NNPS_X86_64_AVX2_TRANSPOSE8_H

#include <immintrin.h>

/* r[i] row i of an 8x8 block becomes its column i. */
static inline void nnps_transpose8(__m256 r[8]) {
	__m256 t[8];
	for (int i = 0; i < 8; i += 2) {
		t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
		t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
	}
	for (int i = 0; i < 8; i += 4) {
		r[i] = _mm256_shuffle_ps(t[i], t[i + 2], 0x44);
		r[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], 0xEE);
		r[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0x44);
		r[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0xEE);
	}
	for (int j = 0; j < 4; j++) {
		t[j] = _mm256_permute2f128_ps(r[j], r[j + 4], 0x20);
		t[j + 4] = _mm256_permute2f128_ps(r[j], r[j + 4], 0x31);
	}
	for (int j = 0; j < 8; j++) r[j] = t[j];
}

#endif
