/* The transposed implicit-im2col packer (contract in ukernels.h), AVX-512, for the 32-column panels of the 6x32
 * kernel: 16 pixels of 16 taps at a time. Each tap's 16 pixels come in as masked loads along the pixels' runs (as in
 * the plain packer: stride 1 as is, stride 2 keeping even lanes; stride 2 with the group's runs and their bounds
 * worked out once per group, a phase-split image with no bounds at all), a 16x16 transpose in registers turns them
 * into 16 panel rows of 16 taps, stored whole. Wider strides take the portable packer. */
#include <immintrin.h>
#include <stdbool.h>
#include <stdint.h>

#include "../ukernels.h"
#include "transpose16.h"

#define GROUP 16

static inline uint64_t bit_range(size_t lo, size_t hi) {
	const uint64_t below_hi = hi >= 64 ? ~(uint64_t) 0 : ((uint64_t) 1 << hi) - 1;
	return below_hi & ~(((uint64_t) 1 << lo) - 1);
}

static inline const float* lane0_address(const float* row, ptrdiff_t offset) {
	return (const float*) ((uintptr_t) row + (uintptr_t) (offset * (ptrdiff_t) sizeof(float)));
}

/* A tap of the panel: where its channel starts and its offset in the window. */
struct tap {
	size_t channel_offset, ky, kx;
};

/* Stride 1: lanes 0..15 = pixels k0 .. k0 + 15 of tap (channel offset, ky, kx), masked loads along the runs that
 * cross them. */
static __m512 tap_pixels(const struct nnps_im2col_panel* panel, size_t first_run, size_t k0, size_t rows, const struct tap* tap) {
	const ptrdiff_t width = panel->width;
	/* The group's 16 pixels inside one run, the tap reading inside the image for all of them (most taps of a wide
	 * map): a plain load, no mask. */
	const struct nnps_im2col_run* only = &panel->runs[first_run];
	if (rows == GROUP && k0 + GROUP <= only->first + only->length) {
		const ptrdiff_t iy = only->y + (ptrdiff_t) tap->ky, x = only->x + (ptrdiff_t) tap->kx + ((ptrdiff_t) k0 - (ptrdiff_t) only->first);
		if (iy >= 0 && iy < panel->height && x >= 0 && x + 15 < width) return _mm512_loadu_ps(only->image + tap->channel_offset + (size_t) iy * (size_t) width + (size_t) x);
	}
	__m512 pixels = _mm512_setzero_ps();
	for (size_t i = first_run; i < panel->count && panel->runs[i].first < k0 + rows; i++) {
		const struct nnps_im2col_run* run = &panel->runs[i];
		const ptrdiff_t iy = run->y + (ptrdiff_t) tap->ky;
		if (iy < 0 || iy >= panel->height) continue;
		const ptrdiff_t x = run->x + (ptrdiff_t) tap->kx, n = (ptrdiff_t) run->length;
		ptrdiff_t lo = x >= 0 ? 0 : -x, hi = x >= width ? 0 : width - x;
		lo = lo < n ? lo : n;
		hi = hi < lo ? lo : hi < n ? hi : n;
		/* The run's pixels inside the image, as lanes of this group. */
		const ptrdiff_t from = (ptrdiff_t) run->first + lo > (ptrdiff_t) k0 ? (ptrdiff_t) run->first + lo - (ptrdiff_t) k0 : 0;
		const ptrdiff_t to = (ptrdiff_t) run->first + hi - (ptrdiff_t) k0 < (ptrdiff_t) rows ? (ptrdiff_t) run->first + hi - (ptrdiff_t) k0 : (ptrdiff_t) rows;
		if (from >= to) continue;
		const float* row = run->image + tap->channel_offset + (size_t) iy * (size_t) width;
		const float* base = lane0_address(row, x + ((ptrdiff_t) k0 - (ptrdiff_t) run->first));
		pixels = _mm512_or_ps(pixels, _mm512_maskz_loadu_ps((__mmask16) bit_range((size_t) from, (size_t) to), base));
	}
	return pixels;
}

/* Stride 1: a group of pixels that crosses runs (maps narrower than a few groups) as 16 lanes of window origins, so
 * each tap is one masked gather instead of a masked load per run: lane i holds pixel k0 + i's window row
 * and column, and its offset row * width + column from the image (wrapping in 32 bits is harmless: a lane inside the
 * image has a true offset below 2^31, checked per panel). Lanes past the group's rows get a row no tap reaches. */
struct pixel_lanes {
	__m512i y, x, offset;
	bool contiguous; /* lane i's offset = lane 0's + i: the map's rows continue each other (same padding) */
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
		x[i] = (int32_t) (panel->runs[run].x + (ptrdiff_t) (k0 + i - panel->runs[run].first));
		offset[i] = (int32_t) ((uint32_t) y[i] * (uint32_t) panel->width + (uint32_t) x[i]);
	}
	bool contiguous = true;
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

/* A phase-split image (phase_plane): every read lies inside it, so a group's lanes take one masked load per run they
 * cross, with no bounds to clip (a 28-pixel map's groups cross two runs: gathers and clipping before). */
struct lane_part {
	__mmask16 lanes;
	const float* lane0; /* lane i reads lane0[i + the tap's shift] */
};

static void pack_phase_split(const struct nnps_im2col_panel* panel, const struct tap* columns, size_t depth, float* packed) {
	ptrdiff_t shift[32];
	for (size_t j = 0; j < panel->valid; j++) shift[j] = (ptrdiff_t) (columns[j].channel_offset + columns[j].ky * (size_t) panel->width + columns[j].kx);
	size_t first_run = 0;
	for (size_t k0 = 0; k0 < depth; k0 += GROUP) {
		const size_t rows = depth - k0 < GROUP ? depth - k0 : GROUP;
		while (panel->runs[first_run].first + panel->runs[first_run].length <= k0) first_run++;
		struct lane_part parts[GROUP];
		size_t count = 0;
		for (size_t i = first_run; i < panel->count && panel->runs[i].first < k0 + rows; i++, count++) {
			const struct nnps_im2col_run* run = &panel->runs[i];
			const size_t from = run->first > k0 ? run->first - k0 : 0, to = nnps_min(run->first + run->length - k0, rows);
			parts[count].lanes = (__mmask16) bit_range(from, to);
			parts[count].lane0 = lane0_address(run->image, run->y * panel->width + run->x + (ptrdiff_t) k0 - (ptrdiff_t) run->first);
		}
		for (size_t half = 0; half < 2; half++) {
			__m512 r[16];
			for (size_t j = 0; j < 16; j++) {
				const size_t column = half * 16 + j;
				r[j] = _mm512_setzero_ps();
				if (column >= panel->valid) continue;
				for (size_t p = 0; p < count; p++) r[j] = _mm512_mask_loadu_ps(r[j], parts[p].lanes, lane0_address(parts[p].lane0, shift[column]));
			}
			nnps_transpose16(r);
			for (size_t i = 0; i < rows; i++) _mm512_store_ps(packed + (k0 + i) * 32 + half * 16, r[i]);
		}
	}
}

/* Stride 2, kernels up to 16 per axis: a group's lanes cut once into the runs they cross, each with its rows' and
 * columns' validity per tap made up front (ky: the run's row inside the image; kx: a mask of the source floats its
 * lanes read), so a tap costs one pair of masked loads and a permute per run, with no clipping arithmetic per tap and
 * no gathers for groups that cross runs (28-pixel rows: every other group). */
#define MAX_STRIDE2_TAPS 16
struct stride2_part {
	const float* lane0;                      /* lane t reads lane0[the tap's shift + 2t] */
	uint16_t row_inside;                     /* bit ky: the run's row + ky lies inside the image */
	uint32_t columns[MAX_STRIDE2_TAPS];      /* per kx: bit 2t for each lane t of the run reading inside the image */
};

static size_t stride2_parts(const struct nnps_im2col_panel* panel, size_t first_run, size_t k0, size_t rows, struct stride2_part* parts) {
	const ptrdiff_t width = panel->width;
	size_t count = 0;
	for (size_t i = first_run; i < panel->count && panel->runs[i].first < k0 + rows; i++, count++) {
		const struct nnps_im2col_run* run = &panel->runs[i];
		const size_t from = run->first > k0 ? run->first - k0 : 0, to = nnps_min(run->first + run->length - k0, rows);
		/* Lane t's column for tap kx: origin + kx + 2t. */
		const ptrdiff_t origin = run->x + 2 * ((ptrdiff_t) k0 - (ptrdiff_t) run->first);
		struct stride2_part* part = &parts[count];
		part->lane0 = lane0_address(run->image, run->y * width + origin);
		part->row_inside = 0;
		for (size_t ky = 0; ky < panel->kernel_height; ky++) {
			const ptrdiff_t iy = run->y + (ptrdiff_t) ky;
			if (iy >= 0 && iy < panel->height) part->row_inside |= (uint16_t) (1u << ky);
		}
		for (size_t kx = 0; kx < panel->kernel_width; kx++) {
			const ptrdiff_t x = origin + (ptrdiff_t) kx;
			ptrdiff_t lo = x >= 0 ? 0 : (-x + 1) >> 1, hi = x >= width ? 0 : (width - x + 1) >> 1;
			lo = lo > (ptrdiff_t) from ? lo : (ptrdiff_t) from;
			hi = hi < (ptrdiff_t) to ? hi : (ptrdiff_t) to;
			part->columns[kx] = lo < hi ? (uint32_t) (bit_range(2 * (size_t) lo, 2 * (size_t) hi) & UINT64_C(0x55555555)) : 0;
		}
	}
	return count;
}

static __m512 stride2_tap(const struct stride2_part* parts, size_t count, const struct tap* tap, size_t width) {
	const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
	const ptrdiff_t shift = (ptrdiff_t) (tap->channel_offset + tap->ky * width + tap->kx);
	__m512 pixels = _mm512_setzero_ps();
	for (size_t p = 0; p < count; p++) {
		const uint32_t lanes = (parts[p].row_inside >> tap->ky & 1u) != 0 ? parts[p].columns[tap->kx] : 0;
		if (lanes == 0) continue;
		const float* base = lane0_address(parts[p].lane0, shift);
		const __m512 a = _mm512_maskz_loadu_ps((__mmask16) lanes, base), b = _mm512_maskz_loadu_ps((__mmask16) (lanes >> 16), base + 16);
		pixels = _mm512_or_ps(pixels, _mm512_permutex2var_ps(a, even, b));
	}
	return pixels;
}

void nnps_im2col_transposed_pack__avx512(const struct nnps_im2col_panel* panel, size_t tap0, size_t depth, float* packed) {
	const bool stride2 = panel->stride_width == 2;
	if (panel->stride_width > 2 || panel->nr != 32 || (stride2 && (panel->kernel_height > MAX_STRIDE2_TAPS || panel->kernel_width > MAX_STRIDE2_TAPS))) {
		/* Wider strides, and stride-2 kernels past the run tables, take the portable packer. */
		nnps_im2col_transposed_pack__scalar(panel, tap0, depth, packed);
		return;
	}
	const size_t taps = panel->kernel_height * panel->kernel_width, plane = (size_t) (panel->height * panel->width);
	struct tap columns[32], distinct[32];
	size_t distinct_rows = 0;
	for (size_t j = 0; j < panel->valid; j++) {
		const size_t tap = tap0 + j, kx = tap % panel->kernel_width;
		size_t column;
		const size_t plane_offset = nnps_im2col_tap_plane(panel, tap / taps, kx, &column);
		columns[j] = (struct tap) { plane_offset, tap % taps / panel->kernel_width, column };
		/* One source row per (plane, ky): a phase-split image has two per kernel row. */
		if (j == 0 || kx < (panel->phase_plane != 0 ? 2u : 1u)) distinct[distinct_rows++] = (struct tap) { plane_offset, columns[j].ky, 0 };
	}
	if (panel->phase_plane != 0) {
		pack_phase_split(panel, columns, depth, packed);
		return;
	}
	const bool fit = panel->valid > 0 && gathers_fit(panel, columns[panel->valid - 1].channel_offset, plane);
	size_t first_run = 0;
	for (size_t k0 = 0; k0 < depth; k0 += GROUP) {
		const size_t rows = depth - k0 < GROUP ? depth - k0 : GROUP;
		while (panel->runs[first_run].first + panel->runs[first_run].length <= k0) first_run++;
		if (k0 + PREFETCH_GROUPS * GROUP < depth) prefetch_group(panel, k0 + PREFETCH_GROUPS * GROUP, distinct, distinct_rows);
		struct stride2_part parts[GROUP];
		const size_t part_count = stride2 ? stride2_parts(panel, first_run, k0, rows, parts) : 0;
		/* Stride 1: a group inside one run keeps the loads (unmasked for most taps); one that crosses runs gathers. */
		const bool gather = !stride2 && fit && k0 + rows > panel->runs[first_run].first + panel->runs[first_run].length;
		const struct pixel_lanes lanes = gather ? group_lanes(panel, first_run, k0, rows) : (struct pixel_lanes) { 0 };
		for (size_t half = 0; half < 2; half++) {
			__m512 r[16];
			for (size_t j = 0; j < 16; j++) {
				const size_t column = half * 16 + j;
				r[j] = column >= panel->valid ? _mm512_setzero_ps()
					: stride2 ? stride2_tap(parts, part_count, &columns[column], (size_t) panel->width)
					: gather ? tap_gather(panel, &lanes, &columns[column]) : tap_pixels(panel, first_run, k0, rows, &columns[column]);
			}
			nnps_transpose16(r);
			for (size_t i = 0; i < rows; i++) _mm512_store_ps(packed + (k0 + i) * 32 + half * 16, r[i]);
		}
	}
}
