/* Implicit im2col packing of one B micro-panel (contract in ukernels.h), AVX2, for the 16-column panels of the 6x16
 * kernel: a panel row is built in two ymm registers from masked loads (vmaskmov neither reads nor faults on a
 * masked-off lane, so clipping to the image is a mask, not a branch per element), then stored whole. Stride 1 (a
 * phase-split image's planes included) loads whole segments of address-contiguous runs under per-tap masks made once
 * per panel (nnps_im2col_plan_segments); stride 2 loads each run's source span and keeps its even lanes; wider strides
 * take the portable packer. The portable packer, built without
 * AVX, took 22-30% of the AVX2 table's implicit-GEMM forward passes (perf, nnpack_ab_bench: Inception 7x1, ResNet
 * 3x3/2). */
#include <immintrin.h>
#include <stdbool.h>
#include <stdint.h>

#include "../im2col-pack-runs.h"
#include "lane-loads.h"

static void pack_stride1(const struct nnps_im2col_panel* panel, size_t row0, size_t depth, float* packed) {
	struct nnps_im2col_segments plan;
	nnps_im2col_plan_segments(panel, &plan);
	struct nnps_im2col_prefetch prefetch;
	nnps_im2col_plan_prefetch(panel, &prefetch);
	struct nnps_im2col_tap tap = nnps_im2col_first_tap(panel, row0);
	for (size_t k = 0; k < depth; k++) {
		__m256 left = _mm256_setzero_ps(), right = _mm256_setzero_ps();
		const uint32_t valid = plan.rows[tap.ky] & plan.columns[tap.kx];
		const size_t offset = nnps_im2col_tap_offset(panel, &tap);
		for (size_t i = 0; i < plan.count; i++) {
			const uint32_t lanes = valid & plan.segments[i].lanes;
			const float* base = nnps_lane0_address(plan.segments[i].lane0, (ptrdiff_t) offset);
			if ((lanes & 0xFF) != 0) left = _mm256_or_ps(left, nnps_load_lanes(lanes & 0xFF, base));
			if ((lanes >> 8 & 0xFF) != 0) right = _mm256_or_ps(right, nnps_load_lanes(lanes >> 8 & 0xFF, base + 8));
		}
		nnps_im2col_prefetch_ahead(panel, &prefetch, &tap, k, depth);
		_mm256_store_ps(packed + k * 16, left);
		_mm256_store_ps(packed + k * 16 + 8, right);
		nnps_im2col_next_tap(panel, &tap);
	}
}

/* A phase-split image: a panel of one or two runs reads inside the planes for every tap (the AVX-512 packer's
 * pack_split), so a row is a masked load per run and half, or a plain one where a run fills the half. */
static bool pack_split(const struct nnps_im2col_panel* panel, size_t row0, size_t depth, float* packed) {
	struct nnps_im2col_split_runs runs;
	if (!nnps_im2col_plan_split(panel, &runs)) return false;
	const uint32_t lanes = runs.lanes, later = runs.later;
	struct nnps_im2col_prefetch prefetch;
	nnps_im2col_plan_prefetch(panel, &prefetch);
	struct nnps_im2col_split_walk walk;
	nnps_im2col_split_walk_start(panel, row0, &walk);
	for (size_t k = 0; k < depth; k++) {
		const ptrdiff_t offset = nnps_im2col_split_walk_offset(&walk);
		const float* a = nnps_lane0_address(runs.first, offset);
		const float* b = nnps_lane0_address(runs.second, offset);
		__m256 left = nnps_load_lanes(lanes & 0xFF, a), right = nnps_load_lanes(lanes >> 8 & 0xFF, a + 8);
		if (later != 0) {
			left = _mm256_or_ps(left, nnps_load_lanes(later & 0xFF, b));
			right = _mm256_or_ps(right, nnps_load_lanes(later >> 8 & 0xFF, b + 8));
		}
		nnps_im2col_prefetch_ahead(panel, &prefetch, &walk.tap, k, depth);
		_mm256_store_ps(packed + k * 16, left);
		_mm256_store_ps(packed + k * 16 + 8, right);
		nnps_im2col_split_walk_next(panel, &walk);
	}
	return true;
}

/* Stride 2 (nnps_im2col_plan_stride2): each run's 32 source floats loaded under its lanes' mask, the even ones kept;
 * one run filling the panel and reading inside the image for a tap takes plain loads. */
static void pack_stride2(const struct nnps_im2col_panel* panel, size_t row0, size_t depth, float* packed) {
	const ptrdiff_t width = panel->width;
	struct nnps_im2col_tap tap = nnps_im2col_first_tap(panel, row0);
	const bool whole = panel->count == 1 && panel->valid == 16;
	struct nnps_im2col_stride2_run prepared[16];
	nnps_im2col_plan_stride2(panel, prepared);
	struct nnps_im2col_prefetch prefetch;
	nnps_im2col_plan_prefetch(panel, &prefetch);
	for (size_t k = 0; k < depth; k++) {
		__m256 left = _mm256_setzero_ps(), right = _mm256_setzero_ps();
		const struct nnps_im2col_run* first_run = &panel->runs[0];
		const ptrdiff_t first_iy = first_run->y + (ptrdiff_t) tap.ky, first_x = first_run->x + (ptrdiff_t) tap.kx;
		if (whole && first_iy >= 0 && first_iy < panel->height && first_x >= 0 && first_x + 30 < width) {
			const float* base = first_run->image + tap.channel * tap.plane + (size_t) first_iy * (size_t) width + (size_t) first_x;
			left = nnps_even_lanes(_mm256_loadu_ps(base), _mm256_loadu_ps(base + 8));
			right = nnps_even_lanes(_mm256_loadu_ps(base + 16), nnps_load_lanes(0x7F, base + 24));
		} else {
			const ptrdiff_t shift = (ptrdiff_t) (tap.channel * tap.plane + tap.ky * (size_t) width + tap.kx);
			for (size_t i = 0; i < panel->count; i++) {
				const uint64_t lanes = (prepared[i].row_inside >> tap.ky & 1u) != 0 ? prepared[i].columns[tap.kx] : 0;
				const float* base = nnps_lane0_address(prepared[i].lane0, shift);
				if ((lanes & 0xFFFF) != 0) left = _mm256_or_ps(left, nnps_even_lanes(nnps_load_lanes(lanes & 0xFF, base), nnps_load_lanes(lanes >> 8 & 0xFF, base + 8)));
				if ((lanes >> 16 & 0xFFFF) != 0) right = _mm256_or_ps(right, nnps_even_lanes(nnps_load_lanes(lanes >> 16 & 0xFF, base + 16), nnps_load_lanes(lanes >> 24 & 0xFF, base + 24)));
			}
		}
		nnps_im2col_prefetch_ahead(panel, &prefetch, &tap, k, depth);
		_mm256_store_ps(packed + k * 16, left);
		_mm256_store_ps(packed + k * 16 + 8, right);
		nnps_im2col_next_tap(panel, &tap);
	}
}

void nnps_im2col_pack__avx2(const struct nnps_im2col_panel* panel, size_t row0, size_t depth, float* packed) {
	const bool tables_fit = panel->kernel_height <= NNPS_MAX_SEGMENT_TAPS && panel->kernel_width <= NNPS_MAX_SEGMENT_TAPS;
	if (panel->nr == 16 && panel->phase_plane != 0 && tables_fit && pack_split(panel, row0, depth, packed)) return;
	if (panel->nr == 16 && panel->stride_width == 1 && tables_fit) {
		pack_stride1(panel, row0, depth, packed);
	} else if (panel->nr == 16 && panel->stride_width == 2 && tables_fit) {
		pack_stride2(panel, row0, depth, packed);
	} else {
		nnps_im2col_pack__scalar(panel, row0, depth, packed);
	}
}
