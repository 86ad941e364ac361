/* The transposed implicit-im2col packer (contract in ukernels.h), AVX2, for the 16-column panels of the 6x16 kernel, on
 * panels of one run: 8 pixels of 8 taps at a time. Each group of pixels has its rows' and columns' validity per tap
 * worked out once; a tap's 8 pixels are then one masked load (stride 1, a phase-split image's planes included), or two
 * and a permute keeping the even lanes (stride 2), with no clipping arithmetic per tap; an 8x8 register transpose turns
 * 8 taps into 8 panel rows, stored whole. Panels of many runs, wider strides and kernels past the tables take the
 * portable packer, which the AVX2 table used throughout before: 39% of ResNet 1x1's kernel gradient, 20% of Inception
 * 7x1's (perf, nnpack_ab_bench, implicit GEMM). */
#include <immintrin.h>
#include <stdbool.h>
#include <stdint.h>

#include "../im2col-pack-runs.h"
#include "lane-loads.h"
#include "transpose8.h"

#define GROUP 8
#define PREFETCH_PIXELS 64

/* The panel's one run over a group of pixels: lane t reads lane0[the tap's shift + stride * t], inside the image where
 * the run's row + ky is (bit ky of row_inside) and where bit stride * t of columns[kx] is set (bits of the source floats
 * the lanes span: 8 at stride 1, 16 at stride 2). */
struct part {
	const float* lane0;
	uint32_t row_inside;
	uint32_t columns[NNPS_MAX_SEGMENT_TAPS];
};

/* Rows [k0, k0 + rows) of the panel's run. */
static struct part cut_part(const struct nnps_im2col_panel* panel, size_t k0, size_t rows) {
	const ptrdiff_t width = panel->width, stride = (ptrdiff_t) panel->stride_width;
	const struct nnps_im2col_run* run = &panel->runs[0];
	/* Lane t's column for tap kx: origin + column(kx) + stride * t. */
	const ptrdiff_t origin = run->x + stride * ((ptrdiff_t) k0 - (ptrdiff_t) run->first);
	struct part part = { nnps_lane0_address(run->image, run->y * width + origin), 0, { 0 } };
	for (size_t ky = 0; ky < panel->kernel_height; ky++) {
		const ptrdiff_t iy = run->y + (ptrdiff_t) ky;
		if (iy >= 0 && iy < panel->height) part.row_inside |= 1u << ky;
	}
	for (size_t kx = 0; kx < panel->kernel_width; kx++) {
		/* Lanes t in [lo, hi) read inside: 0 <= x + stride * t < width (a phase-split plane's column kx >> 1). */
		const ptrdiff_t x = origin + (ptrdiff_t) (panel->phase_plane != 0 ? kx >> 1 : kx);
		const ptrdiff_t lo = x >= 0 ? 0 : (-x + stride - 1) / stride;
		ptrdiff_t hi = x >= width ? 0 : (width - x + stride - 1) / stride;
		hi = hi < (ptrdiff_t) rows ? hi : (ptrdiff_t) rows;
		for (ptrdiff_t t = lo; t < hi; t++) part.columns[kx] |= 1u << (stride * t);
	}
	return part;
}

/* One tap's 8 pixels of the group (zero where they read outside the image or lie past the group): the tap reads
 * `shift` floats on from each lane's window origin (its plane, row ky and column: kx, or kx >> 1 in a phase split); its
 * validity is looked up by ky and kx. */
static inline __m256 tap_pixels(const struct nnps_im2col_panel* panel, const struct part* part, ptrdiff_t shift, size_t ky, size_t kx) {
	const uint32_t lanes = (part->row_inside >> ky & 1u) != 0 ? part->columns[kx] : 0;
	if (lanes == 0) return _mm256_setzero_ps();
	const float* base = nnps_lane0_address(part->lane0, shift);
	if (panel->stride_width == 1) return nnps_load_lanes(lanes, base);
	/* Source bits 2t: lanes 0-3 from the first 8 floats, 4-7 from the next 8. */
	return nnps_even_lanes(nnps_load_lanes(lanes & 0xFF, base), nnps_load_lanes(lanes >> 8 & 0xFF, base + 8));
}

void nnps_im2col_transposed_pack__avx2(const struct nnps_im2col_panel* panel, size_t tap0, size_t depth, float* packed) {
	/* Panels of many runs (a kernel's windows along output rows) take the portable packer too: their parts cost more
	 * per tap than its copies along each tap's column (nnpack_ab_bench, kernel gradients: the stem 0.86x, AlexNet conv2
	 * 0.93-0.95x, Inception 7x1 0.99x against it), where a pointwise layer's one run (its image read as one row) gains
	 * (ResNet 1x1 1.12x). */
	if (panel->count > 1 || panel->stride_width > 2 || panel->nr != 16 || panel->kernel_height > NNPS_MAX_SEGMENT_TAPS ||
		panel->kernel_width > NNPS_MAX_SEGMENT_TAPS) {
		nnps_im2col_transposed_pack__scalar(panel, tap0, depth, packed);
		return;
	}
	const size_t taps = panel->kernel_height * panel->kernel_width;
	size_t kys[16], kxs[16];
	ptrdiff_t shifts[16];
	for (size_t j = 0; j < panel->valid; j++) {
		const size_t tap = tap0 + j;
		size_t column;
		kxs[j] = tap % panel->kernel_width;
		kys[j] = tap % taps / panel->kernel_width;
		const size_t plane = nnps_im2col_tap_plane(panel, tap / taps, kxs[j], &column);
		shifts[j] = (ptrdiff_t) (plane + kys[j] * (size_t) panel->width + column);
	}
	for (size_t k0 = 0; k0 < depth; k0 += GROUP) {
		const size_t rows = depth - k0 < GROUP ? depth - k0 : GROUP;
		const struct part part = cut_part(panel, k0, rows);
		/* Each tap's source PREFETCH_PIXELS on along the run: the 16 taps' rows are 16 streams a plane apart, which the
		 * hardware prefetchers did not follow (the loads waited on memory: half of the packer's time on ResNet 1x1's
		 * kernel gradient). A prefetch past the run or the image is dropped, never faulted. */
		for (size_t j = 0; j < panel->valid; j++) {
			__builtin_prefetch(nnps_lane0_address(part.lane0, shifts[j] + (ptrdiff_t) (PREFETCH_PIXELS * panel->stride_width)), 0, 3);
		}
		for (size_t half = 0; half < 16; half += 8) {
			__m256 r[8];
			for (size_t j = 0; j < 8; j++) {
				const size_t column = half + j;
				r[j] = column >= panel->valid ? _mm256_setzero_ps() : tap_pixels(panel, &part, shifts[column], kys[column], kxs[column]);
			}
			nnps_transpose8(r);
			for (size_t i = 0; i < rows; i++) _mm256_store_ps(packed + (k0 + i) * 16 + half, r[i]);
		}
	}
}
