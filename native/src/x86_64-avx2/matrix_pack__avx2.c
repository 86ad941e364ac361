/* Matrix packers (contract in ukernels.h), AVX2: B micro-panels of the 6x16 kernel from a row-major matrix (two ymm
 * per panel row) and from a transposed one (8x8 register transposes), and its A micro-panels from a row-major A (six
 * rows transposed eight depth steps at a time). The portable ones, built without AVX, copied 16 floats per panel row
 * with a libc call and transposed float by float: nnpack_sgemm_bench's conv-shaped products lost a tenth of their
 * time to them. Partial panels load through lane masks, which neither read nor fault on a masked-off lane. */
#include <immintrin.h>
#include <stdint.h>

#include "../ukernels.h"
#include "transpose8.h"

/* Eight set lanes then eight clear ones: the 8 lanes starting at (8 - count) enable the first `count` floats. */
static const int32_t lane_masks[16] = { -1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0 };

static inline __m256i first_lanes(size_t count) { return _mm256_loadu_si256((const __m256i*) (lane_masks + 8 - count)); }

/* `count` (at most 8) floats from source, zeros after them. */
static inline __m256 load_first(const float* source, size_t count) {
	return count == 8 ? _mm256_loadu_ps(source) : count == 0 ? _mm256_setzero_ps() : _mm256_maskload_ps(source, first_lanes(count));
}

/* Rows `first` .. `first` + 8 of a block: source rows `first + r` (zeros from `valid` on), `count` depth values each. */
static inline void load_rows(const float* source, size_t stride, size_t first, size_t valid, size_t k0, size_t count, __m256 rows[8]) {
	for (size_t r = 0; r < 8; r++) rows[r] = first + r < valid ? load_first(source + (first + r) * stride + k0, count) : _mm256_setzero_ps();
}

/* nr = 6: A micro-panels of the 6x16 kernel (rows 6 and 7 of each 8x8 block are zeros and never stored); each panel
 * row's six floats are one 4-float and one 2-float store, since an A panel need not be aligned. */
static void transpose_pack_6(const float* source, size_t stride, size_t valid, size_t depth, float* packed) {
	for (size_t k0 = 0; k0 < depth; k0 += 8) {
		const size_t count = depth - k0 < 8 ? depth - k0 : 8;
		__m256 rows[8];
		load_rows(source, stride, 0, valid < 6 ? valid : 6, k0, count, rows);
		nnps_transpose8(rows);
		for (size_t k = 0; k < count; k++) {
			float* out = packed + (k0 + k) * 6;
			_mm_storeu_ps(out, _mm256_castps256_ps128(rows[k]));
			_mm_storel_pi((__m64*) (out + 4), _mm256_extractf128_ps(rows[k], 1));
		}
	}
}

void nnps_transpose_pack__avx2(const float* source, size_t stride, size_t valid, size_t nr, size_t depth, float* packed) {
	if (nr == 6) {
		transpose_pack_6(source, stride, valid, depth, packed);
		return;
	}
	if (nr != 16) {
		nnps_transpose_pack__scalar(source, stride, valid, nr, depth, packed);
		return;
	}
	for (size_t k0 = 0; k0 < depth; k0 += 8) {
		const size_t count = depth - k0 < 8 ? depth - k0 : 8;
		for (size_t half = 0; half < 16; half += 8) {
			__m256 rows[8];
			load_rows(source, stride, half, valid, k0, count, rows);
			nnps_transpose8(rows);
			for (size_t k = 0; k < count; k++) _mm256_store_ps(packed + (k0 + k) * 16 + half, rows[k]);
		}
	}
}

void nnps_rows_pack__avx2(const float* source, size_t stride, size_t valid, size_t nr, size_t depth, float* packed) {
	if (nr != 16) {
		nnps_rows_pack__scalar(source, stride, valid, nr, depth, packed);
		return;
	}
	if (valid == 16) {
		for (size_t k = 0; k < depth; k++) {
			_mm256_store_ps(packed + k * 16, _mm256_loadu_ps(source + k * stride));
			_mm256_store_ps(packed + k * 16 + 8, _mm256_loadu_ps(source + k * stride + 8));
		}
		return;
	}
	const size_t left = valid < 8 ? valid : 8, right = valid - left;
	for (size_t k = 0; k < depth; k++) {
		_mm256_store_ps(packed + k * 16, load_first(source + k * stride, left));
		_mm256_store_ps(packed + k * 16 + 8, load_first(source + k * stride + 8, right));
	}
}
