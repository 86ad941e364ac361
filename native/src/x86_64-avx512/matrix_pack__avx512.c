/* Matrix packers (contract in ukernels.h), AVX-512: A micro-panels from a row-major A (six rows interleaved by
 * permutes), B micro-panels from a transposed matrix (16x16 register transposes) and from a row-major one (whole
 * rows). */
#include <immintrin.h>
#include <stdint.h>

#include "../ukernels.h"
#include "transpose16.h"

/* Six rows of 16 floats interleaved into 96 (row i, column k at 6k + i): output vector j takes its lanes from rows
 * (0, 1), (2, 3) and (4, 5) through one two-source permute each (same indices for every pair: column k, odd or even
 * row) and two blends. */
static const int32_t six_rows_index[6][16] = {
	{ 0, 16, 0, 16, 0, 16, 1, 17, 1, 17, 1, 17, 2, 18, 2, 18 }, { 2, 18, 3, 19, 3, 19, 3, 19, 4, 20, 4, 20, 4, 20, 5, 21 },
	{ 5, 21, 5, 21, 6, 22, 6, 22, 6, 22, 7, 23, 7, 23, 7, 23 }, { 8, 24, 8, 24, 8, 24, 9, 25, 9, 25, 9, 25, 10, 26, 10, 26 },
	{ 10, 26, 11, 27, 11, 27, 11, 27, 12, 28, 12, 28, 12, 28, 13, 29 }, { 13, 29, 13, 29, 14, 30, 14, 30, 14, 30, 15, 31, 15, 31, 15, 31 },
};
static const __mmask16 six_rows_from_23[6] = { 0xc30c, 0x0c30, 0x30c3, 0xc30c, 0x0c30, 0x30c3 };
static const __mmask16 six_rows_from_45[6] = { 0x0c30, 0x30c3, 0xc30c, 0x0c30, 0x30c3, 0xc30c };

/* nr = 6: the A micro-panels of the 6x32 kernel from a row-major A (the grad_output of a kernel gradient), which a
 * float-by-float copy packed at a third of the ukernel's time on the ResNet stem. The panel need not be aligned. */
static void transpose_pack_6(const float* source, size_t stride, size_t valid, size_t depth, float* packed) {
	__m512i index[6];
	for (int j = 0; j < 6; j++) index[j] = _mm512_loadu_si512(six_rows_index[j]);
	for (size_t k0 = 0; k0 < depth; k0 += 16) {
		const size_t count = depth - k0 < 16 ? depth - k0 : 16;
		const __mmask16 mask = (__mmask16) ((1u << count) - 1u);
		__m512 rows[6];
		for (size_t r = 0; r < 6; r++) {
			rows[r] = r >= valid ? _mm512_setzero_ps()
				: count == 16 ? _mm512_loadu_ps(source + r * stride + k0) : _mm512_maskz_loadu_ps(mask, source + r * stride + k0);
		}
		float* out = packed + k0 * 6;
		for (size_t j = 0; j < 6 && 16 * j < 6 * count; j++) {
			const __m512 pair01 = _mm512_permutex2var_ps(rows[0], index[j], rows[1]);
			const __m512 pair23 = _mm512_permutex2var_ps(rows[2], index[j], rows[3]);
			const __m512 pair45 = _mm512_permutex2var_ps(rows[4], index[j], rows[5]);
			const __m512 lanes = _mm512_mask_blend_ps(six_rows_from_45[j], _mm512_mask_blend_ps(six_rows_from_23[j], pair01, pair23), pair45);
			const size_t left = 6 * count - 16 * j;
			if (left >= 16) {
				_mm512_storeu_ps(out + 16 * j, lanes);
			} else {
				_mm512_mask_storeu_ps(out + 16 * j, (__mmask16) ((1u << left) - 1u), lanes);
			}
		}
	}
}

/* The rows' lines two ahead: the 16 rows are as many streams a plane apart, more than the hardware prefetchers follow,
 * and each load stalled on its line (perf: the cycles fell on the loads; nnpack_ab_bench, one thread, CPU time: the
 * stem's kernel gradient 1.02-1.03x, batch-1 112x112 and batch 32 1.05-1.07x; 64 and 128 floats ahead 1.01-1.02x).
 * For the same reason a panel's two halves go one after the other over the whole depth, 16 streams at a time rather
 * than 32 (the stem's kernel gradient 1.03x on one thread, 1.03-1.04x on two with the host's memory contended). */
#define PREFETCH_FLOATS 32

/* A plain transposed matrix (contract in ukernels.h: a fully connected layer's kernel, a kernel gradient's transformed
 * input): 16 columns x 16 depth at a time, each column's 16 contiguous values one load (masked at the depth's tail, so
 * nothing past the source is read), transposed in registers, stored as 16 panel rows; columns past `valid` are zeros. */
void nnps_transpose_pack__avx512(const float* source, size_t stride, size_t valid, size_t nr, size_t depth, float* packed) {
	if (nr == 6) {
		transpose_pack_6(source, stride, valid, depth, packed);
		return;
	}
	if (nr != 32) {
		nnps_transpose_pack__scalar(source, stride, valid, nr, depth, packed);
		return;
	}
	for (size_t half = 0; half < 32; half += 16) {
		for (size_t k0 = 0; k0 < depth; k0 += 16) {
			const size_t count = depth - k0 < 16 ? depth - k0 : 16;
			const __mmask16 mask = (__mmask16) ((1u << count) - 1u);
			__m512 rows[16];
			for (size_t r = 0; r < 16; r++) {
				const size_t column = half + r;
				_mm_prefetch((const char*) (source + column * stride + k0 + PREFETCH_FLOATS), _MM_HINT_T0);
				rows[r] = column >= valid ? _mm512_setzero_ps()
					: count == 16 ? _mm512_loadu_ps(source + column * stride + k0) : _mm512_maskz_loadu_ps(mask, source + column * stride + k0);
			}
			nnps_transpose16(rows);
			for (size_t k = 0; k < count; k++) _mm512_store_ps(packed + (k0 + k) * 32 + half, rows[k]);
		}
	}
}

/* A row-major matrix (contract in ukernels.h): each panel row two loads and two aligned stores, masked loads for a
 * partial panel (a masked-off lane is neither read nor faulted on); a libc memcpy per 128-byte row cost a call each. */
void nnps_rows_pack__avx512(const float* source, size_t stride, size_t valid, size_t nr, size_t depth, float* packed) {
	if (nr != 32) {
		nnps_rows_pack__scalar(source, stride, valid, nr, depth, packed);
		return;
	}
	if (valid == 32) {
		for (size_t k = 0; k < depth; k++) {
			_mm512_store_ps(packed + k * 32, _mm512_loadu_ps(source + k * stride));
			_mm512_store_ps(packed + k * 32 + 16, _mm512_loadu_ps(source + k * stride + 16));
		}
		return;
	}
	const __mmask16 left = (__mmask16) (valid >= 16 ? 0xFFFFu : (1u << valid) - 1u), right = (__mmask16) (valid <= 16 ? 0u : (1u << (valid - 16)) - 1u);
	for (size_t k = 0; k < depth; k++) {
		_mm512_store_ps(packed + k * 32, _mm512_maskz_loadu_ps(left, source + k * stride));
		_mm512_store_ps(packed + k * 32 + 16, _mm512_maskz_loadu_ps(right, source + k * stride + 16));
	}
}
