/* How the AVX-512 Winograd transforms move 16 tiles' rows into and out of the lanes of zmm registers: one masked
 * load or store of a tile row's up to 8 floats (two tiles per register, clipped to the image or output by the block's
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

/* A block's lanes as a transform call uses them: each tile's origin in the plane (an address that may lie before the
 * plane, kept as an integer: only the masked elements, inside it, are touched) and the block's row and column bits as
 * byte vectors, so a row's 16 masks come from two vector instructions instead of a shift, test and select per lane
 * (which, with the lane's address arithmetic, made the tile-row moves most of a transform's instructions). */
struct nnps_winograd_lanes {
	uintptr_t origin[NNPS_WINOGRAD_LANES];
	__m128i rows, columns;
};

static inline void nnps_winograd_lanes_of(const struct nnps_winograd_block* block, const float* plane, struct nnps_winograd_lanes* lanes) {
	for (size_t t = 0; t < NNPS_WINOGRAD_LANES; t++) lanes->origin[t] = (uintptr_t) plane + (uintptr_t) (block->offset[t] * (ptrdiff_t) sizeof(float));
	lanes->rows = _mm_loadu_si128((const __m128i*) block->rows);
	lanes->columns = _mm_loadu_si128((const __m128i*) block->columns);
}

/* masks[t]: lane t's columns where its row `row` is inside, else 0. */
static inline void nnps_winograd_row_masks(const struct nnps_winograd_lanes* lanes, size_t row, uint8_t masks[NNPS_WINOGRAD_LANES]) {
	const __mmask16 inside = _mm_test_epi8_mask(lanes->rows, _mm_set1_epi8((char) (1u << row)));
	_mm_storeu_si128((__m128i*) masks, _mm_maskz_mov_epi8(inside, lanes->columns));
}

/* Lane t's row `row` (row_bytes = row * row_stride * sizeof(float)). */
static inline float* nnps_winograd_lane_row(const struct nnps_winograd_lanes* lanes, size_t t, uintptr_t row_bytes) {
	return (float*) (lanes->origin[t] + row_bytes);
}

/* r[x] = element x of row `row` of every lane's tile (tiles 0-7 in lanes 0-7, 8-15 in lanes 8-15), zero outside. */
static inline void nnps_winograd_load_row(const struct nnps_winograd_lanes* lanes, size_t row_stride, size_t row, __m512 r[8]) {
	uint8_t masks[NNPS_WINOGRAD_LANES];
	nnps_winograd_row_masks(lanes, row, masks);
	const uintptr_t row_bytes = (uintptr_t) (row * row_stride * sizeof(float));
	for (size_t t = 0; t < 8; t++) {
		const __m256 low = _mm256_maskz_loadu_ps(masks[t], nnps_winograd_lane_row(lanes, t, row_bytes));
		const __m256 high = _mm256_maskz_loadu_ps(masks[t + 8], nnps_winograd_lane_row(lanes, t + 8, row_bytes));
		r[t] = _mm512_insertf32x8(_mm512_castps256_ps512(low), high, 1);
	}
	nnps_winograd_transpose_halves(r);
}

/* The inverse: r[x] holds element x of row `row` of every lane's tile (r[6], r[7] may be anything for 6-wide tiles
 * whose column bits stop at 6, or at 4 for 4-wide output tiles: masked off); writes the inside ones. */
static inline void nnps_winograd_store_row(const struct nnps_winograd_lanes* lanes, size_t row_stride, size_t row, __m512 r[8]) {
	uint8_t masks[NNPS_WINOGRAD_LANES];
	nnps_winograd_row_masks(lanes, row, masks);
	const uintptr_t row_bytes = (uintptr_t) (row * row_stride * sizeof(float));
	nnps_winograd_transpose_halves(r);
	/* Both halves with vmovups' masked 512-bit store, the high half's address 8 floats early: GCC folded a 256-bit
	 * masked store of the extracted high half into vextractf32x8 m256{k}, which wrote a masked-off float past the
	 * end of an output plane that ended at an unmapped page (nnpack.dll's convolution test under wine, page fault);
	 * masked vmovups touches only its selected elements. */
	for (size_t t = 0; t < 8; t++) {
		_mm512_mask_storeu_ps(nnps_winograd_lane_row(lanes, t, row_bytes), (__mmask16) masks[t], r[t]);
		_mm512_mask_storeu_ps(nnps_winograd_lane_row(lanes, t + 8, row_bytes - 8 * sizeof(float)), (__mmask16) ((unsigned) masks[t + 8] << 8), r[t]);
	}
}

#endif
