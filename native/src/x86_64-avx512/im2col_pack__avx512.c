/* Implicit im2col packing of one B micro-panel (contract in ukernels.h), AVX-512, for the 32-column panels of the
 * 6x32 kernel: a panel row is built in two zmm registers from masked loads (a masked-off lane is neither read nor
 * faulted on, so clipping to the image is a mask, not a branch per element), then stored whole. Stride 1 loads whole
 * segments of address-contiguous runs under per-tap masks made once per panel; stride 2 loads each run's source span
 * and keeps its even lanes; wider strides take the portable packer. */
#include <immintrin.h>
#include <stdint.h>

#include "../im2col-pack-runs.h"

/* Stores panel row k (after the prefetch a channel ahead at each channel's first tap) and moves to the next tap. */
static inline void store_row(
	const struct nnps_im2col_panel* panel, const struct nnps_im2col_prefetch* prefetch, struct nnps_im2col_tap* tap, size_t k, size_t depth, __m512 left,
	__m512 right, float* packed)
{
	nnps_im2col_prefetch_ahead(panel, prefetch, tap, k, depth);
	_mm512_store_ps(packed + k * 32, left);
	_mm512_store_ps(packed + k * 32 + 16, right);
	nnps_im2col_next_tap(panel, tap);
}

/* Stride 1 (nnps_im2col_plan_segments): two masked loads per segment, or two plain ones where all 32 lanes are in. */
static void pack_stride1(const struct nnps_im2col_panel* panel, size_t row0, size_t depth, float* packed) {
	struct nnps_im2col_segments plan;
	nnps_im2col_plan_segments(panel, &plan);
	struct nnps_im2col_prefetch prefetch;
	nnps_im2col_plan_prefetch(panel, &prefetch);
	struct nnps_im2col_tap tap = nnps_im2col_first_tap(panel, row0);
	for (size_t k = 0; k < depth; k++) {
		__m512 left = _mm512_setzero_ps(), right = _mm512_setzero_ps();
		const uint32_t valid = plan.rows[tap.ky] & plan.columns[tap.kx];
		const size_t offset = nnps_im2col_tap_offset(panel, &tap);
		for (size_t i = 0; i < plan.count; i++) {
			const uint32_t lanes = valid & plan.segments[i].lanes;
			const float* base = nnps_lane0_address(plan.segments[i].lane0, (ptrdiff_t) offset);
			if (lanes == UINT32_MAX) {
				left = _mm512_loadu_ps(base);
				right = _mm512_loadu_ps(base + 16);
			} else if (lanes != 0) {
				left = _mm512_or_ps(left, _mm512_maskz_loadu_ps((__mmask16) lanes, base));
				right = _mm512_or_ps(right, _mm512_maskz_loadu_ps((__mmask16) (lanes >> 16), base + 16));
			}
		}
		store_row(panel, &prefetch, &tap, k, depth, left, right, packed);
	}
}

/* A phase-split image (nnps_im2col_panel.phase_plane): no tap reads outside its planes, so a panel of one or two runs
 * (one output row, or the end of one and the start of the next) needs no bounds at all; each row is a pair of masked
 * loads per run, the second run's merged into the first's. The ResNet stem's forward (nnpack_ab_bench, CPU time, one
 * thread, with the split made per task): 1.02x over pack_stride1 above. */
static bool pack_split(const struct nnps_im2col_panel* panel, size_t row0, size_t depth, float* packed) {
	struct nnps_im2col_split_runs runs;
	if (!nnps_im2col_plan_split(panel, &runs)) return false;
	/* Lanes of neither run (past the panel's last column) stay zero. */
	const __mmask16 low = (__mmask16) runs.lanes, high = (__mmask16) (runs.lanes >> 16);
	const __mmask16 low_later = (__mmask16) runs.later, high_later = (__mmask16) (runs.later >> 16);
	struct nnps_im2col_prefetch prefetch;
	nnps_im2col_plan_prefetch(panel, &prefetch);
	struct nnps_im2col_split_walk walk;
	nnps_im2col_split_walk_start(panel, row0, &walk);
	for (size_t k = 0; k < depth; k++) {
		const ptrdiff_t offset = nnps_im2col_split_walk_offset(&walk);
		const float* a = nnps_lane0_address(runs.first, offset);
		const float* b = nnps_lane0_address(runs.second, offset);
		const __m512 left = _mm512_mask_loadu_ps(_mm512_maskz_loadu_ps(low, a), low_later, b);
		const __m512 right = _mm512_mask_loadu_ps(_mm512_maskz_loadu_ps(high, a + 16), high_later, b + 16);
		nnps_im2col_prefetch_ahead(panel, &prefetch, &walk.tap, k, depth);
		_mm512_store_ps(packed + k * 32, left);
		_mm512_store_ps(packed + k * 32 + 16, right);
		nnps_im2col_split_walk_next(panel, &walk);
	}
	return true;
}

/* Lanes j of the panel row (32) from base[2j] where bit 2j of `lanes` is set: two masked loads and a permute per half
 * that has any, OR-ed into left and right. */
static inline void load_even_lanes(uint64_t lanes, const float* base, __m512* left, __m512* right) {
	const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
	if ((uint32_t) lanes != 0) {
		const __m512 a = _mm512_maskz_loadu_ps((__mmask16) lanes, base), b = _mm512_maskz_loadu_ps((__mmask16) (lanes >> 16), base + 16);
		*left = _mm512_or_ps(*left, _mm512_permutex2var_ps(a, even, b));
	}
	if ((lanes >> 32) != 0) {
		const __m512 a = _mm512_maskz_loadu_ps((__mmask16) (lanes >> 32), base + 32), b = _mm512_maskz_loadu_ps((__mmask16) (lanes >> 48), base + 48);
		*right = _mm512_or_ps(*right, _mm512_permutex2var_ps(a, even, b));
	}
}

/* Stride 2: each run's source span loaded and its even lanes kept, 64 source floats for 32 lanes; one run filling the
 * panel and reading inside the image for a tap takes unmasked loads. */
static void pack_stride2(const struct nnps_im2col_panel* panel, size_t row0, size_t depth, float* packed) {
	const ptrdiff_t width = panel->width;
	const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
	struct nnps_im2col_tap tap = nnps_im2col_first_tap(panel, row0);
	/* One run filling the panel (wide maps): a tap whose 32 columns all read inside the image needs no masks. */
	const bool whole = panel->count == 1 && panel->valid == 32;
	struct nnps_im2col_stride2_run prepared[32];
	nnps_im2col_plan_stride2(panel, prepared);
	size_t prefetched_row = SIZE_MAX; /* channel * kernel_height + ky of the input row last prefetched */
	struct nnps_im2col_prefetch prefetch;
	nnps_im2col_plan_prefetch(panel, &prefetch);
	for (size_t k = 0; k < depth; k++) {
		__m512 left = _mm512_setzero_ps(), right = _mm512_setzero_ps();
		const struct nnps_im2col_run* first_run = &panel->runs[0];
		const ptrdiff_t first_iy = first_run->y + (ptrdiff_t) tap.ky, first_x = first_run->x + (ptrdiff_t) tap.kx;
		if (whole && first_iy >= 0 && first_iy < panel->height && first_x >= 0 && first_x + 62 < width) {
			const float* base = first_run->image + tap.channel * tap.plane + (size_t) first_iy * (size_t) width + (size_t) first_x;
			left = _mm512_permutex2var_ps(_mm512_loadu_ps(base), even, _mm512_loadu_ps(base + 16));
			right = _mm512_permutex2var_ps(_mm512_loadu_ps(base + 32), even, _mm512_maskz_loadu_ps(0x7FFF, base + 48));
			/* The next panel along the row reads the next 64 floats: asked for now, they arrive while this panel's
			 * tiles multiply (a prefetch past the image is dropped, not faulted). Once per input row, for all its
			 * taps: a row's kx taps read the same lines shifted by a float, and asking for them per tap (four lines
			 * each) left the prefetches waiting on each other (perf, the ResNet stem's forward: the packer 14% of
			 * the samples, a third of them on its prefetches). */
			const size_t row = tap.channel * panel->kernel_height + tap.ky;
			if (row != prefetched_row) {
				prefetched_row = row;
				const ptrdiff_t end = 128 + (ptrdiff_t) panel->kernel_width - (ptrdiff_t) tap.kx;
				for (ptrdiff_t line = 64; line < end; line += 16) _mm_prefetch((const char*) nnps_lane0_address(base, line), _MM_HINT_T0);
			}
		} else {
			const ptrdiff_t shift = (ptrdiff_t) (tap.channel * tap.plane + tap.ky * (size_t) width + tap.kx);
			for (size_t i = 0; i < panel->count; i++) {
				const uint64_t lanes = (prepared[i].row_inside >> tap.ky & 1u) != 0 ? prepared[i].columns[tap.kx] : 0;
				load_even_lanes(lanes, nnps_lane0_address(prepared[i].lane0, shift), &left, &right);
			}
		}
		store_row(panel, &prefetch, &tap, k, depth, left, right, packed);
	}
}

void nnps_im2col_pack__avx512(const struct nnps_im2col_panel* panel, size_t row0, size_t depth, float* packed) {
	const bool tables_fit = panel->kernel_height <= NNPS_MAX_SEGMENT_TAPS && panel->kernel_width <= NNPS_MAX_SEGMENT_TAPS;
	if (panel->nr == 32 && panel->phase_plane != 0 && tables_fit && pack_split(panel, row0, depth, packed)) return;
	if (panel->nr == 32 && panel->stride_width == 1 && tables_fit) {
		/* (A phase-split image included: its planes are read at stride 1.) */
		pack_stride1(panel, row0, depth, packed);
	} else if (panel->nr == 32 && panel->stride_width == 2 && tables_fit) {
		pack_stride2(panel, row0, depth, packed);
	} else {
		/* Wider strides and kernels beyond the tables (past the FFT's 16x16) take the portable packer. */
		nnps_im2col_pack__scalar(panel, row0, depth, packed);
	}
}
