/* How the AVX-512 Winograd transforms move 16 tiles' rows into and out of the lanes of zmm registers: one masked
 * load or store of up to 8 floats per tile row (two tiles per register, clipped to the image or output by the block's
 * row and column bits) and an 8x8 transpose within each 256-bit half. Tiles of either size (8 or 6 wide) use it: the
 * narrower one leaves columns 6 and 7 masked off. */
#ifndef NNPS_X86_64_AVX512_WINOGRAD_TILE_ROWS_H
#define NNPS_X86_64_AVX512_WINOGRAD_TILE_ROWS_H

#include <immintrin.h>
#include <stdint.h>

#include "../ukernels.h"

/* In each 256-bit half: rows r[0..7] of an 8x8 block become its columns (the AVX 8x8 transpose, per half). */
static inline void nnps_winograd_transpose_halves(__m512 r[8]) {
	const __m512 t0 = _mm512_unpacklo_ps(r[0], r[1]), t1 = _mm512_unpackhi_ps(r[0], r[1]);
	const __m512 t2 = _mm512_unpacklo_ps(r[2], r[3]), t3 = _mm512_unpackhi_ps(r[2], r[3]);
	const __m512 t4 = _mm512_unpacklo_ps(r[4], r[5]), t5 = _mm512_unpackhi_ps(r[4], r[5]);
	const __m512 t6 = _mm512_unpacklo_ps(r[6], r[7]), t7 = _mm512_unpackhi_ps(r[6], r[7]);
	const __m512 s0 = _mm512_shuffle_ps(t0, t2, 0x44), s1 = _mm512_shuffle_ps(t0, t2, 0xEE);
	const __m512 s2 = _mm512_shuffle_ps(t1, t3, 0x44), s3 = _mm512_shuffle_ps(t1, t3, 0xEE);
	const __m512 s4 = _mm512_shuffle_ps(t4, t6, 0x44), s5 = _mm512_shuffle_ps(t4, t6, 0xEE);
	const __m512 s6 = _mm512_shuffle_ps(t5, t7, 0x44), s7 = _mm512_shuffle_ps(t5, t7, 0xEE);
	/* Per half: the low 128 bits of a then b, or the high 128 bits of a then b. */
	const __m512i low = _mm512_setr_epi32(0, 1, 2, 3, 16, 17, 18, 19, 8, 9, 10, 11, 24, 25, 26, 27);
	const __m512i high = _mm512_setr_epi32(4, 5, 6, 7, 20, 21, 22, 23, 12, 13, 14, 15, 28, 29, 30, 31);
	r[0] = _mm512_permutex2var_ps(s0, low, s4);
	r[1] = _mm512_permutex2var_ps(s1, low, s5);
	r[2] = _mm512_permutex2var_ps(s2, low, s6);
	r[3] = _mm512_permutex2var_ps(s3, low, s7);
	r[4] = _mm512_permutex2var_ps(s0, high, s4);
	r[5] = _mm512_permutex2var_ps(s1, high, s5);
	r[6] = _mm512_permutex2var_ps(s2, high, s6);
	r[7] = _mm512_permutex2var_ps(s3, high, s7);
}

/* The mask of lane t's row `row` (its columns, or nothing when the row is outside). */
static inline __mmask16 nnps_winograd_row_mask(const struct nnps_winograd_block* block, size_t t, size_t row) {
	return (block->rows[t] >> row) & 1 ? (__mmask16) block->columns[t] : 0;
}

/* Where lane t's row `row` starts, shifted left by `shift` floats (the high half of a register loads at lane 8). The
 * address may lie before the plane: only the masked lanes, inside it, are touched. */
static inline float* nnps_winograd_row_address(
	const struct nnps_winograd_block* block, const float* plane, size_t row_stride, size_t t, size_t row, ptrdiff_t shift)
{
	return (float*) ((uintptr_t) plane + (uintptr_t) ((block->offset[t] + (ptrdiff_t) (row * row_stride) - shift) * (ptrdiff_t) sizeof(float)));
}

/* r[x] = element x of row `row` of every lane's tile (tiles 0-7 in lanes 0-7, 8-15 in lanes 8-15), zero outside. */
static inline void nnps_winograd_load_row(const struct nnps_winograd_block* block, const float* plane, size_t row_stride, size_t row, __m512 r[8]) {
	for (size_t t = 0; t < 8; t++) {
		r[t] = _mm512_maskz_loadu_ps(nnps_winograd_row_mask(block, t, row), nnps_winograd_row_address(block, plane, row_stride, t, row, 0));
		r[t] = _mm512_mask_loadu_ps(r[t], (__mmask16) (nnps_winograd_row_mask(block, t + 8, row) << 8),
			nnps_winograd_row_address(block, plane, row_stride, t + 8, row, 8));
	}
	nnps_winograd_transpose_halves(r);
}

/* The inverse: r[x] holds element x of row `row` of every lane's tile (r[6], r[7] may be anything for 6-wide tiles
 * whose column bits stop at 6, or at 4 for 4-wide output tiles: masked off); writes the inside ones. */
static inline void nnps_winograd_store_row(const struct nnps_winograd_block* block, float* plane, size_t row_stride, size_t row, __m512 r[8]) {
	nnps_winograd_transpose_halves(r);
	for (size_t t = 0; t < 8; t++) {
		_mm512_mask_storeu_ps(nnps_winograd_row_address(block, plane, row_stride, t, row, 0), nnps_winograd_row_mask(block, t, row), r[t]);
		_mm512_mask_storeu_ps(nnps_winograd_row_address(block, plane, row_stride, t + 8, row, 8), (__mmask16) (nnps_winograd_row_mask(block, t + 8, row) << 8), r[t]);
	}
}

#endif
