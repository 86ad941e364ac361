/* Implicit im2col packing of one B micro-panel (contract in ukernels.h), AVX-512, for the 32-column panels of the
 * 6x32 kernel: a panel row is built in two zmm registers from masked loads (one per run and half; a masked-off lane
 * is neither read nor faulted on, so clipping to the image is a mask, not a branch per element), then stored whole.
 * Stride 2 loads the run's source span and keeps its even lanes; wider strides take the portable packer. */
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
static void prefetch_channel(const struct nnps_im2col_panel* panel, size_t channel, size_t plane) {
	for (size_t i = 0; i < panel->count; i++) {
		const struct nnps_im2col_run* run = &panel->runs[i];
		for (size_t ky = 0; ky < panel->kernel_height; ky++) {
			const ptrdiff_t iy = run->y + (ptrdiff_t) ky;
			if (iy < 0 || iy >= panel->height) continue;
			/* The run's span on that row, clipped to it: at most a few lines. */
			const ptrdiff_t end = run->x + (ptrdiff_t) ((run->length - 1) * panel->stride_width + panel->kernel_width);
			const ptrdiff_t from = run->x < 0 ? 0 : run->x, to = end < panel->width ? end : panel->width;
			const char* row = (const char*) (run->image + channel * plane + (size_t) iy * (size_t) panel->width);
			for (ptrdiff_t byte = from * 4; byte < to * 4; byte += 64) _mm_prefetch(row + byte, _MM_HINT_T0);
		}
	}
}

void nnps_im2col_pack__avx512(const struct nnps_im2col_panel* panel, size_t row0, size_t depth, float* packed) {
	const size_t stride = panel->stride_width;
	if (stride > 2 || panel->nr != 32) {
		nnps_im2col_pack__scalar(panel, row0, depth, packed);
		return;
	}
	const ptrdiff_t width = panel->width, s = (ptrdiff_t) stride;
	const size_t taps = panel->kernel_height * panel->kernel_width, plane = (size_t) (panel->height * width);
	const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
	size_t channel = row0 / taps, ky = row0 % taps / panel->kernel_width, kx = row0 % panel->kernel_width;
	/* One run filling the panel (wide maps): a tap whose 32 columns all read inside the image needs no masks. */
	const bool whole = panel->count == 1 && panel->valid == 32;
	for (size_t k = 0; k < depth; k++) {
		__m512 left = _mm512_setzero_ps(), right = _mm512_setzero_ps();
		if (whole) {
			const struct nnps_im2col_run* run = &panel->runs[0];
			const ptrdiff_t iy = run->y + (ptrdiff_t) ky, x = run->x + (ptrdiff_t) kx;
			if (iy >= 0 && iy < panel->height && x >= 0 && x + 31 * s < width) {
				const float* base = run->image + channel * plane + (size_t) iy * (size_t) width + (size_t) x;
				if (s == 1) {
					left = _mm512_loadu_ps(base);
					right = _mm512_loadu_ps(base + 16);
				} else {
					left = _mm512_permutex2var_ps(_mm512_loadu_ps(base), even, _mm512_loadu_ps(base + 16));
					right = _mm512_permutex2var_ps(_mm512_loadu_ps(base + 32), even, _mm512_maskz_loadu_ps(0x7FFF, base + 48));
				}
				goto store;
			}
		}
		for (size_t i = 0; i < panel->count; i++) {
			const struct nnps_im2col_run* run = &panel->runs[i];
			const ptrdiff_t iy = run->y + (ptrdiff_t) ky, n = (ptrdiff_t) run->length;
			if (iy < 0 || iy >= panel->height) continue;
			const ptrdiff_t x = run->x + (ptrdiff_t) kx;
			/* The run's columns t in [lo, hi) read inside the image (s is 1 or 2: a shift, not a division). */
			/* s is 1 or 2 here: a shift, not a division. */
		ptrdiff_t lo = x >= 0 ? 0 : (-x + s - 1) >> (s - 1), hi = x >= width ? 0 : (width - x + s - 1) >> (s - 1);
			lo = lo < n ? lo : n;
			hi = hi < lo ? lo : hi < n ? hi : n;
			if (lo == hi) continue;
			const float* source = run->image + channel * plane + (size_t) iy * (size_t) width;
			const float* base = lane0_address(source, x - s * (ptrdiff_t) run->first);
			const size_t from = run->first + (size_t) lo, to = run->first + (size_t) hi;
			if (s == 1) {
				const uint64_t lanes = bit_range(from, to);
				left = _mm512_or_ps(left, _mm512_maskz_loadu_ps((__mmask16) lanes, base));
				right = _mm512_or_ps(right, _mm512_maskz_loadu_ps((__mmask16) (lanes >> 16), base + 16));
			} else {
				/* Lane j reads base[2j]: the even source lanes of the run, 64 source floats for 32 lanes. */
				const uint64_t lanes = bit_range(2 * from, 2 * to) & UINT64_C(0x5555555555555555);
				if ((uint32_t) lanes != 0) {
					const __m512 a = _mm512_maskz_loadu_ps((__mmask16) lanes, base), b = _mm512_maskz_loadu_ps((__mmask16) (lanes >> 16), base + 16);
					left = _mm512_or_ps(left, _mm512_permutex2var_ps(a, even, b));
				}
				if ((lanes >> 32) != 0) {
					const __m512 a = _mm512_maskz_loadu_ps((__mmask16) (lanes >> 32), base + 32), b = _mm512_maskz_loadu_ps((__mmask16) (lanes >> 48), base + 48);
					right = _mm512_or_ps(right, _mm512_permutex2var_ps(a, even, b));
				}
			}
		}
	store:
		if (kx == 0 && ky == 0 && k + PREFETCH_CHANNELS * taps < depth) prefetch_channel(panel, channel + PREFETCH_CHANNELS, plane);
		_mm512_store_ps(packed + k * 32, left);
		_mm512_store_ps(packed + k * 32 + 16, right);
		if (++kx == panel->kernel_width) {
			kx = 0;
			if (++ky == panel->kernel_height) {
				ky = 0;
				channel++;
			}
		}
	}
}
