/* What the vector im2col packers (x86_64-avx2/, x86_64-avx512/) share: lane bit ranges, lane-0 addresses that may lie
 * outside the image, the tap walk (channel, ky, kx) row by row, and the prefetch of a channel's rows a few channels
 * ahead. Included by those packers only. */
#ifndef NNPS_IM2COL_PACK_RUNS_H
#define NNPS_IM2COL_PACK_RUNS_H

#include <stdint.h>

#include "ukernels.h"

/* Bits [lo, hi) of a 64-bit mask, 0 <= lo <= hi <= 64. */
static inline uint64_t nnps_bit_range(size_t lo, size_t hi) {
	const uint64_t below_hi = hi >= 64 ? ~(uint64_t) 0 : ((uint64_t) 1 << hi) - 1;
	return below_hi & ~(((uint64_t) 1 << lo) - 1);
}

/* Where lane 0 of a panel row would read: the address arithmetic may leave the image (masked lanes never load). */
static inline const float* nnps_lane0_address(const float* row, ptrdiff_t offset) {
	return (const float*) ((uintptr_t) row + (uintptr_t) (offset * (ptrdiff_t) sizeof(float)));
}

/* The input rows of a channel some rows ahead: consecutive channels are a plane apart, so without a hint each row
 * of the panel waits for its own miss. */
#define NNPS_PREFETCH_CHANNELS 2

/* The lines of channel 0 a panel reads, worked out once per panel: each run's rows under the kernel clipped to the
 * image, as byte ranges, those that overlap or touch merged. A 32-column panel of a small map crosses output rows, and
 * the kernel rows under consecutive runs are mostly the same lines: walked run by run and row by row, Inception 7x1's
 * panels asked for each line about four times, and the prefetch loop took a third of the packer's time (perf). Panels
 * with more ranges than fit (many one-column runs) prefetch run by run as before. */
#define NNPS_PREFETCH_RANGES 16
struct nnps_im2col_prefetch {
	uintptr_t start[NNPS_PREFETCH_RANGES], end[NNPS_PREFETCH_RANGES]; /* line-aligned byte addresses */
	size_t count;
	bool per_run; /* too many ranges: walk the runs */
};

/* Clips a run's span on kernel row ky to the image: [from, to) floats of that row, or false where the row is outside. */
static inline bool nnps_run_row_span(const struct nnps_im2col_panel* panel, const struct nnps_im2col_run* run, size_t ky, ptrdiff_t* from, ptrdiff_t* to) {
	const ptrdiff_t iy = run->y + (ptrdiff_t) ky;
	if (iy < 0 || iy >= panel->height) return false;
	const ptrdiff_t end = run->x + (ptrdiff_t) ((run->length - 1) * panel->stride_width + panel->kernel_width);
	*from = run->x < 0 ? 0 : run->x;
	*to = end < panel->width ? end : panel->width;
	return *from < *to;
}

static inline void nnps_im2col_plan_prefetch(const struct nnps_im2col_panel* panel, struct nnps_im2col_prefetch* plan) {
	plan->count = 0;
	plan->per_run = false;
	for (size_t i = 0; i < panel->count && !plan->per_run; i++) {
		const struct nnps_im2col_run* run = &panel->runs[i];
		for (size_t ky = 0; ky < panel->kernel_height; ky++) {
			ptrdiff_t from, to;
			if (!nnps_run_row_span(panel, run, ky, &from, &to)) continue;
			const uintptr_t row = (uintptr_t) (run->image + (run->y + (ptrdiff_t) ky) * panel->width);
			const uintptr_t start = (row + (uintptr_t) from * sizeof(float)) & ~(uintptr_t) 63;
			const uintptr_t end = (row + (uintptr_t) to * sizeof(float) + 63) & ~(uintptr_t) 63;
			size_t r = 0;
			while (r < plan->count && (start > plan->end[r] || end < plan->start[r])) r++;
			if (r < plan->count) {
				plan->start[r] = start < plan->start[r] ? start : plan->start[r];
				plan->end[r] = end > plan->end[r] ? end : plan->end[r];
			} else if (plan->count < NNPS_PREFETCH_RANGES) {
				plan->start[plan->count] = start;
				plan->end[plan->count++] = end;
			} else {
				plan->per_run = true;
				break;
			}
		}
	}
}

static inline __attribute__((always_inline)) void nnps_prefetch_plane(
	const struct nnps_im2col_panel* panel, const struct nnps_im2col_prefetch* plan, size_t plane_offset)
{
	const uintptr_t shift = (uintptr_t) plane_offset * sizeof(float);
	if (!plan->per_run) {
		for (size_t r = 0; r < plan->count; r++) {
			for (uintptr_t line = plan->start[r]; line < plan->end[r]; line += 64) __builtin_prefetch((const void*) (line + shift), 0, 3);
		}
		return;
	}
	for (size_t i = 0; i < panel->count; i++) {
		const struct nnps_im2col_run* run = &panel->runs[i];
		for (size_t ky = 0; ky < panel->kernel_height; ky++) {
			ptrdiff_t from, to;
			if (!nnps_run_row_span(panel, run, ky, &from, &to)) continue;
			const char* row = (const char*) (run->image + plane_offset + (size_t) (run->y + (ptrdiff_t) ky) * (size_t) panel->width);
			for (ptrdiff_t byte = from * 4; byte < to * 4; byte += 64) __builtin_prefetch(row + byte, 0, 3);
		}
	}
}

/* The im2col row being packed, (channel, ky, kx), counted up row by row: no division per row. */
struct nnps_im2col_tap {
	size_t channel, ky, kx;
	size_t taps, plane;
};

static inline struct nnps_im2col_tap nnps_im2col_first_tap(const struct nnps_im2col_panel* panel, size_t row0) {
	const size_t taps = panel->kernel_height * panel->kernel_width;
	return (struct nnps_im2col_tap) { row0 / taps, row0 % taps / panel->kernel_width, row0 % panel->kernel_width, taps, (size_t) (panel->height * panel->width) };
}

/* Before panel row k: at each channel's first tap, the rows of the channel NNPS_PREFETCH_CHANNELS ahead. */
static inline void nnps_im2col_prefetch_ahead(
	const struct nnps_im2col_panel* panel, const struct nnps_im2col_prefetch* plan, const struct nnps_im2col_tap* tap, size_t k, size_t depth)
{
	if (tap->kx != 0 || tap->ky != 0 || k + NNPS_PREFETCH_CHANNELS * tap->taps >= depth) return;
	const size_t channel = tap->channel + NNPS_PREFETCH_CHANNELS;
	if (panel->phase_plane == 0) {
		nnps_prefetch_plane(panel, plan, channel * tap->plane);
	} else {
		nnps_prefetch_plane(panel, plan, 2 * channel * panel->phase_plane);
		nnps_prefetch_plane(panel, plan, (2 * channel + 1) * panel->phase_plane);
	}
}

static inline void nnps_im2col_next_tap(const struct nnps_im2col_panel* panel, struct nnps_im2col_tap* tap) {
	if (++tap->kx == panel->kernel_width) {
		tap->kx = 0;
		if (++tap->ky == panel->kernel_height) {
			tap->ky = 0;
			tap->channel++;
		}
	}
}

/* Stride 1: runs whose lanes continue each other's addresses (consecutive output rows of a map whose output is as wide
 * as the input, "same" padding along x) merge into one segment; a lane's validity for tap (ky, kx) is rows[ky] &
 * columns[kx], masks made once per panel, so a panel row costs a masked load per segment and vector instead of per-run
 * bounds and mask arithmetic. Kernels up to NNPS_MAX_SEGMENT_TAPS per axis; panels up to 32 columns. */
#define NNPS_MAX_SEGMENT_TAPS 16
struct nnps_im2col_segment {
	const float* lane0;  /* lane 0's element for tap (0, 0) of channel 0, as an address (may lie outside the image) */
	uint32_t lanes;
};

struct nnps_im2col_segments {
	uint32_t rows[NNPS_MAX_SEGMENT_TAPS], columns[NNPS_MAX_SEGMENT_TAPS];
	struct nnps_im2col_segment segments[32];
	size_t count;
};

/* The tap walk over a phase-split image (nnps_im2col_panel.phase_plane): tap (c, ky, kx) reads at offset
 * 2c * phase_plane + ky * width + columns[kx] from a segment's lane0, columns[kx] being its phase plane and column
 * shift; the row part is kept as the taps advance, so a panel row costs a table load and an add. */
struct nnps_im2col_split_walk {
	struct nnps_im2col_tap tap;
	ptrdiff_t row;
	ptrdiff_t columns[NNPS_MAX_SEGMENT_TAPS];
};

static inline void nnps_im2col_split_walk_start(const struct nnps_im2col_panel* panel, size_t row0, struct nnps_im2col_split_walk* walk) {
	for (size_t kx = 0; kx < panel->kernel_width; kx++) walk->columns[kx] = (ptrdiff_t) ((kx & 1) * panel->phase_plane + (kx >> 1));
	walk->tap = nnps_im2col_first_tap(panel, row0);
	walk->row = (ptrdiff_t) (2 * walk->tap.channel * panel->phase_plane + walk->tap.ky * (size_t) panel->width);
}

static inline ptrdiff_t nnps_im2col_split_walk_offset(const struct nnps_im2col_split_walk* walk) { return walk->row + walk->columns[walk->tap.kx]; }

static inline void nnps_im2col_split_walk_next(const struct nnps_im2col_panel* panel, struct nnps_im2col_split_walk* walk) {
	if (++walk->tap.kx == panel->kernel_width) {
		walk->tap.kx = 0;
		walk->row += panel->width;
		if (++walk->tap.ky == panel->kernel_height) {
			walk->tap.ky = 0;
			walk->tap.channel++;
			walk->row = (ptrdiff_t) (2 * walk->tap.channel * panel->phase_plane);
		}
	}
}

static inline void nnps_im2col_plan_segments(const struct nnps_im2col_panel* panel, struct nnps_im2col_segments* plan) {
	const ptrdiff_t width = panel->width, height = panel->height;
	for (size_t t = 0; t < NNPS_MAX_SEGMENT_TAPS; t++) plan->rows[t] = plan->columns[t] = 0;
	plan->count = 0;
	for (size_t i = 0; i < panel->count; i++) {
		const struct nnps_im2col_run* run = &panel->runs[i];
		const uint32_t lanes = (uint32_t) nnps_bit_range(run->first, run->first + run->length);
		for (size_t ky = 0; ky < panel->kernel_height; ky++) {
			const ptrdiff_t iy = run->y + (ptrdiff_t) ky;
			if (iy >= 0 && iy < height) plan->rows[ky] |= lanes;
		}
		for (size_t kx = 0; kx < panel->kernel_width; kx++) {
			/* Columns t of the run with 0 <= x + kx + t < width (kx >> 1 in a phase-split image). */
			const ptrdiff_t x = run->x + (ptrdiff_t) (panel->phase_plane != 0 ? kx >> 1 : kx), n = (ptrdiff_t) run->length;
			const ptrdiff_t lo = x >= 0 ? 0 : -x < n ? -x : n, hi = width - x < lo ? lo : width - x < n ? width - x : n;
			plan->columns[kx] |= (uint32_t) nnps_bit_range(run->first + (size_t) lo, run->first + (size_t) hi);
		}
		const float* lane0 = nnps_lane0_address(run->image, run->y * width + run->x - (ptrdiff_t) run->first);
		if (plan->count > 0 && plan->segments[plan->count - 1].lane0 == lane0) {
			plan->segments[plan->count - 1].lanes |= lanes;
		} else {
			plan->segments[plan->count++] = (struct nnps_im2col_segment) { lane0, lanes };
		}
	}
}

/* Tap's offset from a segment's lane0 (its plane, row and column: a phase-split image's plane per kx parity). */
static inline size_t nnps_im2col_tap_offset(const struct nnps_im2col_panel* panel, const struct nnps_im2col_tap* tap) {
	size_t column;
	const size_t plane = nnps_im2col_tap_plane(panel, tap->channel, tap->kx, &column);
	return plane + tap->ky * (size_t) panel->width + column;
}

/* Stride 2 with the panel's runs and their bounds worked out once per panel: lane j of a run reads lane0[the tap's
 * shift + 2j], inside the image where the run's row + ky is (bit ky of row_inside) and its column + kx is (bit 2j of
 * columns[kx], a mask of the 64 source floats the 32 lanes span). A panel that crosses output rows then costs a
 * table lookup and the masked loads per run and tap instead of the clipping arithmetic. */
struct nnps_im2col_stride2_run {
	const float* lane0;
	uint32_t row_inside;
	uint64_t columns[NNPS_MAX_SEGMENT_TAPS];
};

/* Kernels up to NNPS_MAX_SEGMENT_TAPS per axis; a panel has at most 32 runs (one column each). */
static inline void nnps_im2col_plan_stride2(const struct nnps_im2col_panel* panel, struct nnps_im2col_stride2_run* prepared) {
	const ptrdiff_t width = panel->width;
	for (size_t i = 0; i < panel->count; i++) {
		const struct nnps_im2col_run* run = &panel->runs[i];
		struct nnps_im2col_stride2_run* r = &prepared[i];
		r->lane0 = nnps_lane0_address(run->image, run->y * width + run->x - 2 * (ptrdiff_t) run->first);
		r->row_inside = 0;
		for (size_t ky = 0; ky < panel->kernel_height; ky++) {
			const ptrdiff_t iy = run->y + (ptrdiff_t) ky;
			if (iy >= 0 && iy < panel->height) r->row_inside |= 1u << ky;
		}
		const ptrdiff_t n = (ptrdiff_t) run->length;
		for (size_t kx = 0; kx < panel->kernel_width; kx++) {
			/* The run's columns t in [lo, hi) read inside the image: x + 2t in [0, width). */
			const ptrdiff_t x = run->x + (ptrdiff_t) kx;
			ptrdiff_t lo = x >= 0 ? 0 : (-x + 1) >> 1, hi = x >= width ? 0 : (width - x + 1) >> 1;
			lo = lo < n ? lo : n;
			hi = hi < lo ? lo : hi < n ? hi : n;
			r->columns[kx] = lo < hi ? nnps_bit_range(2 * (run->first + (size_t) lo), 2 * (run->first + (size_t) hi)) & UINT64_C(0x5555555555555555) : 0;
		}
	}
}

/* A phase-split panel's one or two runs (the vector packers' pack_split): each one's lane-0 address and lanes, the
 * second's address the first's and its lanes none where there is one; false for more than two. */
struct nnps_im2col_split_runs {
	const float *first, *second;
	uint32_t lanes, later;
};

static inline bool nnps_im2col_plan_split(const struct nnps_im2col_panel* panel, struct nnps_im2col_split_runs* runs) {
	struct nnps_im2col_segments plan;
	nnps_im2col_plan_segments(panel, &plan);
	if (plan.count == 0 || plan.count > 2) return false;
	runs->first = plan.segments[0].lane0;
	runs->lanes = plan.segments[0].lanes;
	runs->second = plan.count == 2 ? plan.segments[1].lane0 : runs->first;
	runs->later = plan.count == 2 ? plan.segments[1].lanes : 0;
	return true;
}

#endif
