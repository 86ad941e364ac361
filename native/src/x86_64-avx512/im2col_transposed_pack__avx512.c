/* The transposed implicit-im2col packer (contract in ukernels.h), AVX-512, for the 32-column panels of the 6x32
 * kernel: 16 pixels of 16 taps at a time. Each tap's 16 pixels come in as masked loads along the pixels' runs (as in
 * the plain packer: stride 1 as is, stride 2 keeping even lanes), a 16x16 transpose in registers turns them into 16
 * panel rows of 16 taps, stored whole. Wider strides take the portable packer. The same transpose packs a plain
 * transposed matrix (nnps_transpose_pack__avx512, at the end), beside the row-major packer (nnps_rows_pack__avx512). */
#include <immintrin.h>
#include <stdbool.h>
#include <stdint.h>

#include "../ukernels.h"

#define GROUP 16

static inline uint64_t bit_range(size_t lo, size_t hi) {
	const uint64_t below_hi = hi >= 64 ? ~(uint64_t) 0 : ((uint64_t) 1 << hi) - 1;
	return below_hi & ~(((uint64_t) 1 << lo) - 1);
}

static inline const float* lane0_address(const float* row, ptrdiff_t offset) {
	return (const float*) ((uintptr_t) row + (uintptr_t) (offset * (ptrdiff_t) sizeof(float)));
}

/* r[i] row i of a 16x16 block becomes its column i. */
static inline void transpose16(__m512 r[16]) {
	__m512 t[16];
	for (int i = 0; i < 16; i += 2) {
		t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
		t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
	}
	for (int i = 0; i < 16; i += 4) {
		r[i] = _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(t[i]), _mm512_castps_pd(t[i + 2])));
		r[i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(t[i]), _mm512_castps_pd(t[i + 2])));
		r[i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(t[i + 1]), _mm512_castps_pd(t[i + 3])));
		r[i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(t[i + 1]), _mm512_castps_pd(t[i + 3])));
	}
	for (int i = 0; i < 16; i += 8) {
		for (int j = 0; j < 4; j++) {
			t[i + j] = _mm512_shuffle_f32x4(r[i + j], r[i + j + 4], 0x88);
			t[i + j + 4] = _mm512_shuffle_f32x4(r[i + j], r[i + j + 4], 0xDD);
		}
	}
	for (int j = 0; j < 8; j++) {
		r[j] = _mm512_shuffle_f32x4(t[j], t[j + 8], 0x88);
		r[j + 8] = _mm512_shuffle_f32x4(t[j], t[j + 8], 0xDD);
	}
}

/* Lanes 0..15 = pixels k0 .. k0 + 15 of tap (channel offset, ky, kx): masked loads along the runs that cross them. */
/* A tap of the panel: where its channel starts and its offset in the window. */
struct tap {
	size_t channel_offset, ky, kx;
};

static __m512 tap_pixels(const struct nnps_im2col_panel* panel, size_t first_run, size_t k0, size_t rows, const struct tap* tap) {
	const ptrdiff_t width = panel->width, s = (ptrdiff_t) panel->stride_width;
	const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
	/* The group's 16 pixels inside one run, the tap reading inside the image for all of them (most taps of a wide
	 * map): plain loads, no masks. */
	const struct nnps_im2col_run* only = &panel->runs[first_run];
	if (rows == GROUP && k0 + GROUP <= only->first + only->length) {
		const ptrdiff_t iy = only->y + (ptrdiff_t) tap->ky, x = only->x + (ptrdiff_t) tap->kx + s * ((ptrdiff_t) k0 - (ptrdiff_t) only->first);
		if (iy >= 0 && iy < panel->height && x >= 0 && x + 15 * s < width) {
			const float* base = only->image + tap->channel_offset + (size_t) iy * (size_t) width + (size_t) x;
			return s == 1 ? _mm512_loadu_ps(base) : _mm512_permutex2var_ps(_mm512_loadu_ps(base), even, _mm512_maskz_loadu_ps(0x7FFF, base + 16));
		}
	}
	__m512 pixels = _mm512_setzero_ps();
	for (size_t i = first_run; i < panel->count && panel->runs[i].first < k0 + rows; i++) {
		const struct nnps_im2col_run* run = &panel->runs[i];
		const ptrdiff_t iy = run->y + (ptrdiff_t) tap->ky;
		if (iy < 0 || iy >= panel->height) continue;
		const ptrdiff_t x = run->x + (ptrdiff_t) tap->kx, n = (ptrdiff_t) run->length;
		/* s is 1 or 2 here: a shift, not a division. */
		ptrdiff_t lo = x >= 0 ? 0 : (-x + s - 1) >> (s - 1), hi = x >= width ? 0 : (width - x + s - 1) >> (s - 1);
		lo = lo < n ? lo : n;
		hi = hi < lo ? lo : hi < n ? hi : n;
		/* The run's pixels inside the image, as lanes of this group. */
		const ptrdiff_t from = (ptrdiff_t) run->first + lo > (ptrdiff_t) k0 ? (ptrdiff_t) run->first + lo - (ptrdiff_t) k0 : 0;
		const ptrdiff_t to = (ptrdiff_t) run->first + hi - (ptrdiff_t) k0 < (ptrdiff_t) rows ? (ptrdiff_t) run->first + hi - (ptrdiff_t) k0 : (ptrdiff_t) rows;
		if (from >= to) continue;
		const float* row = run->image + tap->channel_offset + (size_t) iy * (size_t) width;
		const float* base = lane0_address(row, x + s * ((ptrdiff_t) k0 - (ptrdiff_t) run->first));
		if (s == 1) {
			pixels = _mm512_or_ps(pixels, _mm512_maskz_loadu_ps((__mmask16) bit_range((size_t) from, (size_t) to), base));
		} else {
			const uint64_t lanes = bit_range(2 * (size_t) from, 2 * (size_t) to) & UINT64_C(0x5555555555555555);
			const __m512 a = _mm512_maskz_loadu_ps((__mmask16) lanes, base), b = _mm512_maskz_loadu_ps((__mmask16) (lanes >> 16), base + 16);
			pixels = _mm512_or_ps(pixels, _mm512_permutex2var_ps(a, even, b));
		}
	}
	return pixels;
}

/* A group of pixels that crosses runs (maps narrower than a few groups) as 16 lanes of window origins, so each tap is
 * one masked gather instead of a masked load (or two and a permute) per run: lane i holds pixel k0 + i's window row
 * and column, and its offset row * width + column from the image (wrapping in 32 bits is harmless: a lane inside the
 * image has a true offset below 2^31, checked per panel). Lanes past the group's rows get a row no tap reaches. */
struct pixel_lanes {
	__m512i y, x, offset;
	bool contiguous; /* stride 1 and lane i's offset = lane 0's + i: the map's rows continue each other (same padding) */
};

static struct pixel_lanes group_lanes(const struct nnps_im2col_panel* panel, size_t first_run, size_t k0, size_t rows) {
	int32_t y[16], x[16], offset[16];
	size_t run = first_run;
	for (size_t i = 0; i < 16; i++) {
		if (i >= rows) {
			y[i] = INT32_MIN / 2, x[i] = 0, offset[i] = 0;
			continue;
		}
		while (panel->runs[run].first + panel->runs[run].length <= k0 + i) run++;
		y[i] = (int32_t) panel->runs[run].y;
		x[i] = (int32_t) (panel->runs[run].x + (ptrdiff_t) ((k0 + i - panel->runs[run].first) * panel->stride_width));
		offset[i] = (int32_t) ((uint32_t) y[i] * (uint32_t) panel->width + (uint32_t) x[i]);
	}
	bool contiguous = panel->stride_width == 1;
	for (size_t i = 1; i < rows && contiguous; i++) contiguous = offset[i] == offset[0] + (int32_t) i;
	return (struct pixel_lanes) { _mm512_loadu_si512(y), _mm512_loadu_si512(x), _mm512_loadu_si512(offset), contiguous };
}

static __m512 tap_gather(const struct nnps_im2col_panel* panel, const struct pixel_lanes* lanes, const struct tap* tap) {
	const __m512i iy = _mm512_add_epi32(lanes->y, _mm512_set1_epi32((int32_t) tap->ky)), ix = _mm512_add_epi32(lanes->x, _mm512_set1_epi32((int32_t) tap->kx));
	const __mmask16 inside = _mm512_cmplt_epu32_mask(iy, _mm512_set1_epi32((int32_t) panel->height)) & _mm512_cmplt_epu32_mask(ix, _mm512_set1_epi32((int32_t) panel->width));
	const int32_t shift = (int32_t) (tap->channel_offset + tap->ky * (size_t) panel->width + tap->kx);
	if (lanes->contiguous) {
		/* The lanes' elements are consecutive: one masked load (a masked-off lane is neither read nor faulted on). */
		const int32_t lane0 = _mm_cvtsi128_si32(_mm512_castsi512_si128(lanes->offset)) + shift;
		return _mm512_maskz_loadu_ps(inside, lane0_address(panel->runs[0].image, lane0));
	}
	return _mm512_mask_i32gather_ps(_mm512_setzero_ps(), inside, _mm512_add_epi32(lanes->offset, _mm512_set1_epi32(shift)), panel->runs[0].image, 4);
}

/* Whether the gathers apply: one image, and every window origin and tap offset well inside 32 bits. */
static bool gathers_fit(const struct nnps_im2col_panel* panel, size_t last_channel_offset, size_t plane) {
	if (last_channel_offset + plane >= (size_t) INT32_MAX / 2 || panel->width >= (1 << 30) || panel->height >= (1 << 30)) return false;
	for (size_t i = 0; i < panel->count; i++) {
		const struct nnps_im2col_run* run = &panel->runs[i];
		const ptrdiff_t last_x = run->x + (ptrdiff_t) ((run->length - 1) * panel->stride_width);
		if (run->image != panel->runs[0].image || run->y < -(1 << 29) || run->y > (1 << 29) || run->x < -(1 << 29) || last_x > (1 << 29)) return false;
	}
	return true;
}

/* The source rows two groups ahead: one line per distinct (channel, ky) of the panel's taps (the kx of a row share it),
 * so the masked loads of that group find their lines in L1 instead of each waiting for its own miss. */
#define PREFETCH_GROUPS 2
static void prefetch_group(const struct nnps_im2col_panel* panel, size_t k, const struct tap* rows, size_t count) {
	size_t i = 0;
	while (i + 1 < panel->count && panel->runs[i].first + panel->runs[i].length <= k) i++;
	const struct nnps_im2col_run* run = &panel->runs[i];
	if (k < run->first || k >= run->first + run->length) return;
	const ptrdiff_t x = run->x + (ptrdiff_t) ((k - run->first) * panel->stride_width), clipped = x < 0 ? 0 : x < panel->width ? x : panel->width - 1;
	for (size_t r = 0; r < count; r++) {
		const ptrdiff_t iy = run->y + (ptrdiff_t) rows[r].ky;
		if (iy < 0 || iy >= panel->height) continue;
		const char* line = (const char*) (run->image + rows[r].channel_offset + (size_t) iy * (size_t) panel->width + (size_t) clipped);
		_mm_prefetch(line, _MM_HINT_T0);
		_mm_prefetch(line + 64, _MM_HINT_T0);
	}
}

void nnps_im2col_transposed_pack__avx512(const struct nnps_im2col_panel* panel, size_t tap0, size_t depth, float* packed) {
	if (panel->stride_width > 2 || panel->nr != 32) {
		nnps_im2col_transposed_pack__scalar(panel, tap0, depth, packed);
		return;
	}
	const size_t taps = panel->kernel_height * panel->kernel_width, plane = (size_t) (panel->height * panel->width);
	struct tap columns[32], distinct[32];
	size_t distinct_rows = 0;
	for (size_t j = 0; j < panel->valid; j++) {
		const size_t tap = tap0 + j;
		columns[j] = (struct tap) { tap / taps * plane, tap % taps / panel->kernel_width, tap % panel->kernel_width };
		if (j == 0 || columns[j].kx == 0) distinct[distinct_rows++] = (struct tap) { columns[j].channel_offset, columns[j].ky, 0 };
	}
	const bool fit = panel->valid > 0 && gathers_fit(panel, columns[panel->valid - 1].channel_offset, plane);
	size_t first_run = 0;
	for (size_t k0 = 0; k0 < depth; k0 += GROUP) {
		const size_t rows = depth - k0 < GROUP ? depth - k0 : GROUP;
		while (panel->runs[first_run].first + panel->runs[first_run].length <= k0) first_run++;
		if (k0 + PREFETCH_GROUPS * GROUP < depth) prefetch_group(panel, k0 + PREFETCH_GROUPS * GROUP, distinct, distinct_rows);
		/* A group inside one run keeps the loads (unmasked for most taps); one that crosses runs gathers. */
		const bool gather = fit && k0 + rows > panel->runs[first_run].first + panel->runs[first_run].length;
		const struct pixel_lanes lanes = gather ? group_lanes(panel, first_run, k0, rows) : (struct pixel_lanes) { 0 };
		for (size_t half = 0; half < 2; half++) {
			__m512 r[16];
			for (size_t j = 0; j < 16; j++) {
				const size_t column = half * 16 + j;
				r[j] = column >= panel->valid ? _mm512_setzero_ps()
					: gather ? tap_gather(panel, &lanes, &columns[column]) : tap_pixels(panel, first_run, k0, rows, &columns[column]);
			}
			transpose16(r);
			for (size_t i = 0; i < rows; i++) _mm512_store_ps(packed + (k0 + i) * 32 + half * 16, r[i]);
		}
	}
}

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
	for (size_t k0 = 0; k0 < depth; k0 += 16) {
		const size_t count = depth - k0 < 16 ? depth - k0 : 16;
		const __mmask16 mask = (__mmask16) ((1u << count) - 1u);
		for (size_t half = 0; half < 32; half += 16) {
			__m512 rows[16];
			for (size_t r = 0; r < 16; r++) {
				const size_t column = half + r;
				rows[r] = column >= valid ? _mm512_setzero_ps()
					: count == 16 ? _mm512_loadu_ps(source + column * stride + k0) : _mm512_maskz_loadu_ps(mask, source + column * stride + k0);
			}
			transpose16(rows);
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
