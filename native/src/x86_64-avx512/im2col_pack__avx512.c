/* Implicit im2col packing of one B micro-panel (contract in ukernels.h), AVX-512, for the 32-column panels of the
 * 6x32 kernel: a panel row is built in two zmm registers from masked loads (a masked-off lane is neither read nor
 * faulted on, so clipping to the image is a mask, not a branch per element), then stored whole. Stride 1 loads whole
 * segments of address-contiguous runs under per-tap masks made once per panel; stride 2 loads each run's source span
 * and keeps its even lanes; wider strides take the portable packer. */
#include <immintrin.h>
#include <stdint.h>

#include "../ukernels.h"

/* Bits [lo, hi) of a 64-bit mask, 0 <= lo <= hi <= 64. */
static inline uint64_t bit_range(size_t lo, size_t hi) {
	const uint64_t below_hi = hi >= 64 ? ~(uint64_t) 0 : ((uint64_t) 1 << hi) - 1;
	return below_hi & ~(((uint64_t) 1 << lo) - 1);
}

/* Where lane 0 of the panel row would read: the address arithmetic may leave the image (masked lanes never load). */
static inline const float* lane0_address(const float* row, ptrdiff_t offset) {
	return (const float*) ((uintptr_t) row + (uintptr_t) (offset * (ptrdiff_t) sizeof(float)));
}

/* The input rows of a channel some rows ahead: consecutive channels are a plane apart, so without a hint each row
 * of the panel waits for its own miss. */
#define PREFETCH_CHANNELS 2
static inline __attribute__((always_inline)) void prefetch_plane(const struct nnps_im2col_panel* panel, size_t plane_offset) {
	for (size_t i = 0; i < panel->count; i++) {
		const struct nnps_im2col_run* run = &panel->runs[i];
		for (size_t ky = 0; ky < panel->kernel_height; ky++) {
			const ptrdiff_t iy = run->y + (ptrdiff_t) ky;
			if (iy < 0 || iy >= panel->height) continue;
			/* The run's span on that row, clipped to it: at most a few lines. */
			const ptrdiff_t end = run->x + (ptrdiff_t) ((run->length - 1) * panel->stride_width + panel->kernel_width);
			const ptrdiff_t from = run->x < 0 ? 0 : run->x, to = end < panel->width ? end : panel->width;
			const char* row = (const char*) (run->image + plane_offset + (size_t) iy * (size_t) panel->width);
			for (ptrdiff_t byte = from * 4; byte < to * 4; byte += 64) _mm_prefetch(row + byte, _MM_HINT_T0);
		}
	}
}

/* Stride 1: runs whose lanes continue each other's addresses (consecutive output rows of a map whose output is as wide
 * as the input, "same" padding along x) merge into one segment that one pair of loads fills; a lane's validity for tap
 * (ky, kx) is rows[ky] & columns[kx], masks made once per panel, so a panel row costs two masked loads per segment
 * (one per image the panel spans, for a same-padded map) instead of per-run bounds and mask arithmetic. */
/* The im2col row being packed, (channel, ky, kx), counted up row by row: no division per row. */
struct tap {
	size_t channel, ky, kx;
	size_t taps, plane;
};

static struct tap first_tap(const struct nnps_im2col_panel* panel, size_t row0) {
	const size_t taps = panel->kernel_height * panel->kernel_width;
	return (struct tap) { row0 / taps, row0 % taps / panel->kernel_width, row0 % panel->kernel_width, taps, (size_t) (panel->height * panel->width) };
}

/* Stores panel row k, prefetching a channel ahead at each channel's first tap, and moves to the next tap. */
static inline void store_row(const struct nnps_im2col_panel* panel, struct tap* tap, size_t k, size_t depth, __m512 left, __m512 right, float* packed) {
	if (tap->kx == 0 && tap->ky == 0 && k + PREFETCH_CHANNELS * tap->taps < depth) {
		const size_t channel = tap->channel + PREFETCH_CHANNELS;
		if (panel->phase_plane == 0) {
			prefetch_plane(panel, channel * tap->plane);
		} else {
			prefetch_plane(panel, 2 * channel * panel->phase_plane);
			prefetch_plane(panel, (2 * channel + 1) * panel->phase_plane);
		}
	}
	_mm512_store_ps(packed + k * 32, left);
	_mm512_store_ps(packed + k * 32 + 16, right);
	if (++tap->kx == panel->kernel_width) {
		tap->kx = 0;
		if (++tap->ky == panel->kernel_height) {
			tap->ky = 0;
			tap->channel++;
		}
	}
}

#define MAX_SEGMENT_TAPS 16
struct segment {
	const float* lane0;  /* lane 0's element for tap (0, 0) of channel 0, as an address (may lie outside the image) */
	uint32_t lanes;
};

static void pack_stride1(const struct nnps_im2col_panel* panel, size_t row0, size_t depth, float* packed) {
	const ptrdiff_t width = panel->width, height = panel->height;
	uint32_t rows[MAX_SEGMENT_TAPS] = { 0 }, columns[MAX_SEGMENT_TAPS] = { 0 };
	struct segment segments[32];
	size_t count = 0;
	for (size_t i = 0; i < panel->count; i++) {
		const struct nnps_im2col_run* run = &panel->runs[i];
		const uint32_t lanes = (uint32_t) bit_range(run->first, run->first + run->length);
		for (size_t ky = 0; ky < panel->kernel_height; ky++) {
			const ptrdiff_t iy = run->y + (ptrdiff_t) ky;
			if (iy >= 0 && iy < height) rows[ky] |= lanes;
		}
		for (size_t kx = 0; kx < panel->kernel_width; kx++) {
			/* Columns t of the run with 0 <= x + kx + t < width (kx >> 1 in a phase-split image). */
			const ptrdiff_t x = run->x + (ptrdiff_t) (panel->phase_plane != 0 ? kx >> 1 : kx), n = (ptrdiff_t) run->length;
			const ptrdiff_t lo = x >= 0 ? 0 : -x < n ? -x : n, hi = width - x < lo ? lo : width - x < n ? width - x : n;
			columns[kx] |= (uint32_t) bit_range(run->first + (size_t) lo, run->first + (size_t) hi);
		}
		const float* lane0 = lane0_address(run->image, run->y * width + run->x - (ptrdiff_t) run->first);
		if (count > 0 && segments[count - 1].lane0 == lane0) {
			segments[count - 1].lanes |= lanes;
		} else {
			segments[count++] = (struct segment) { lane0, lanes };
		}
	}
	struct tap tap = first_tap(panel, row0);
	for (size_t k = 0; k < depth; k++) {
		__m512 left = _mm512_setzero_ps(), right = _mm512_setzero_ps();
		const uint32_t valid = rows[tap.ky] & columns[tap.kx];
		size_t column;
		const size_t offset = nnps_im2col_tap_plane(panel, tap.channel, tap.kx, &column) + tap.ky * (size_t) width + column;
		for (size_t i = 0; i < count; i++) {
			const uint32_t lanes = valid & segments[i].lanes;
			const float* base = lane0_address(segments[i].lane0, (ptrdiff_t) offset);
			if (lanes == UINT32_MAX) {
				left = _mm512_loadu_ps(base);
				right = _mm512_loadu_ps(base + 16);
			} else if (lanes != 0) {
				left = _mm512_or_ps(left, _mm512_maskz_loadu_ps((__mmask16) lanes, base));
				right = _mm512_or_ps(right, _mm512_maskz_loadu_ps((__mmask16) (lanes >> 16), base + 16));
			}
		}
		store_row(panel, &tap, k, depth, left, right, packed);
	}
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

/* Stride 2 with the panel's runs and their bounds worked out once per panel: lane j of a run reads lane0[the tap's
 * shift + 2j], inside the image where the run's row + ky is (bit ky of row_inside) and its column + kx is (bit 2j of
 * columns[kx], a mask of the 64 source floats the 32 lanes span). A panel that crosses output rows then costs a
 * table lookup and the masked loads per run and tap instead of the clipping arithmetic. */
struct stride2_run {
	const float* lane0;
	uint32_t row_inside;
	uint64_t columns[MAX_SEGMENT_TAPS];
};

/* Kernels up to MAX_SEGMENT_TAPS per axis; a panel has at most 32 runs (one column each). */
static void prepare_stride2_runs(const struct nnps_im2col_panel* panel, struct stride2_run* prepared) {
	const ptrdiff_t width = panel->width;
	for (size_t i = 0; i < panel->count; i++) {
		const struct nnps_im2col_run* run = &panel->runs[i];
		struct stride2_run* r = &prepared[i];
		r->lane0 = lane0_address(run->image, run->y * width + run->x - 2 * (ptrdiff_t) run->first);
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
			r->columns[kx] = lo < hi ? bit_range(2 * (run->first + (size_t) lo), 2 * (run->first + (size_t) hi)) & UINT64_C(0x5555555555555555) : 0;
		}
	}
}

/* Stride 2: each run's source span loaded and its even lanes kept, 64 source floats for 32 lanes; one run filling the
 * panel and reading inside the image for a tap takes unmasked loads. */
static void pack_stride2(const struct nnps_im2col_panel* panel, size_t row0, size_t depth, float* packed) {
	const ptrdiff_t width = panel->width;
	const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
	struct tap tap = first_tap(panel, row0);
	/* One run filling the panel (wide maps): a tap whose 32 columns all read inside the image needs no masks. */
	const bool whole = panel->count == 1 && panel->valid == 32;
	struct stride2_run prepared[32];
	prepare_stride2_runs(panel, prepared);
	for (size_t k = 0; k < depth; k++) {
		__m512 left = _mm512_setzero_ps(), right = _mm512_setzero_ps();
		const struct nnps_im2col_run* first_run = &panel->runs[0];
		const ptrdiff_t first_iy = first_run->y + (ptrdiff_t) tap.ky, first_x = first_run->x + (ptrdiff_t) tap.kx;
		if (whole && first_iy >= 0 && first_iy < panel->height && first_x >= 0 && first_x + 62 < width) {
			const float* base = first_run->image + tap.channel * tap.plane + (size_t) first_iy * (size_t) width + (size_t) first_x;
			left = _mm512_permutex2var_ps(_mm512_loadu_ps(base), even, _mm512_loadu_ps(base + 16));
			right = _mm512_permutex2var_ps(_mm512_loadu_ps(base + 32), even, _mm512_maskz_loadu_ps(0x7FFF, base + 48));
			/* The next panel along the row reads the next 64 floats: asked for now, they arrive while this panel's
			 * tiles multiply (a prefetch past the image is dropped, not faulted). */
			for (ptrdiff_t line = 64; line < 128; line += 16) _mm_prefetch((const char*) lane0_address(base, line), _MM_HINT_T0);
		} else {
			const ptrdiff_t shift = (ptrdiff_t) (tap.channel * tap.plane + tap.ky * (size_t) width + tap.kx);
			for (size_t i = 0; i < panel->count; i++) {
				const uint64_t lanes = (prepared[i].row_inside >> tap.ky & 1u) != 0 ? prepared[i].columns[tap.kx] : 0;
				load_even_lanes(lanes, lane0_address(prepared[i].lane0, shift), &left, &right);
			}
		}
		store_row(panel, &tap, k, depth, left, right, packed);
	}
}

void nnps_im2col_pack__avx512(const struct nnps_im2col_panel* panel, size_t row0, size_t depth, float* packed) {
	const bool tables_fit = panel->kernel_height <= MAX_SEGMENT_TAPS && panel->kernel_width <= MAX_SEGMENT_TAPS;
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
