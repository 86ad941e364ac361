/* Masked loads of eight lanes by bit mask, and the even lanes of sixteen floats: what the AVX2 im2col packers build
 * panel rows from (vmaskmov neither reads nor faults on a masked-off lane). */
#ifndef NNPS_X86_64_AVX2_LANE_LOADS_H
#define NNPS_X86_64_AVX2_LANE_LOADS_H

#include <immintrin.h>
#include <stdint.h>

/* Lane i of the result is all-ones where bit i of `bits` (8 bits) is set: the vmaskmov mask of those lanes. */
static inline __m256i nnps_lane_mask(uint32_t bits) {
	const __m256i bit = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
	return _mm256_cmpeq_epi32(_mm256_and_si256(_mm256_set1_epi32((int) bits), bit), bit);
}

/* Eight lanes from base where their bits are set, zeros elsewhere: a plain load where all are. */
static inline __m256 nnps_load_lanes(uint32_t bits, const float* base) {
	return bits == 0xFF ? _mm256_loadu_ps(base) : _mm256_maskload_ps(base, nnps_lane_mask(bits));
}

/* The even lanes of a:b (16 source floats): a0 a2 a4 a6 b0 b2 b4 b6. */
static inline __m256 nnps_even_lanes(__m256 a, __m256 b) {
	const __m256 pairs = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0)); /* a0 a2 b0 b2 | a4 a6 b4 b6 */
	return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(pairs), _MM_SHUFFLE(3, 1, 2, 0)));
}

#endif
