/* Implicit im2col packing of one B micro-panel, as is and transposed (contract in ukernels.h), portable C: each run's
 * row is a plain (for stride 1, contiguous) copy clipped to the image, with no bounds check per element. */
#include "../ukernels.h"

/* dst[t * step] = row[x + t * stride] for t < length where that lies in [0, width), else 0. */
static void copy_clipped(float* dst, size_t step, const float* row, ptrdiff_t x, size_t stride, size_t length, ptrdiff_t width) {
	const ptrdiff_t s = (ptrdiff_t) stride, n = (ptrdiff_t) length;
	if (n == 1) {
		dst[0] = x >= 0 && x < width ? row[x] : 0.0f;
		return;
	}
	/* The first t inside the image and one past the last (no division for stride 1). */
	ptrdiff_t lo = x >= 0 ? 0 : s == 1 ? -x : (-x + s - 1) / s;
	ptrdiff_t hi = x >= width ? 0 : s == 1 ? width - x : (width - x + s - 1) / s;
	lo = lo < n ? lo : n;
	hi = hi < lo ? lo : hi < n ? hi : n;
	if (step == 1) {
		/* Runs are short (an output row, at most NR): plain loops the compiler vectorises beat library calls. */
		for (ptrdiff_t t = 0; t < lo; t++) dst[t] = 0.0f;
		if (s == 1) {
			for (ptrdiff_t t = lo; t < hi; t++) dst[t] = row[x + t];
		} else {
			for (ptrdiff_t t = lo; t < hi; t++) dst[t] = row[x + t * s];
		}
		for (ptrdiff_t t = hi; t < n; t++) dst[t] = 0.0f;
		return;
	}
	for (ptrdiff_t t = 0; t < lo; t++) dst[(size_t) t * step] = 0.0f;
	for (ptrdiff_t t = lo; t < hi; t++) dst[(size_t) t * step] = row[x + t * s];
	for (ptrdiff_t t = hi; t < n; t++) dst[(size_t) t * step] = 0.0f;
}

void nnps_im2col_pack__scalar(const struct nnps_im2col_panel* panel, size_t row0, size_t depth, float* packed) {
	const size_t taps = panel->kernel_height * panel->kernel_width;
	/* (channel, ky, kx) of row0, then counted up row by row: no division per row. */
	size_t channel = row0 / taps, ky = row0 % taps / panel->kernel_width, kx = row0 % panel->kernel_width;
	for (size_t k = 0; k < depth; k++) {
		float* row = packed + k * panel->nr;
		for (size_t i = 0; i < panel->count; i++) {
			const struct nnps_im2col_run* run = &panel->runs[i];
			const ptrdiff_t iy = run->y + (ptrdiff_t) ky;
			if (iy < 0 || iy >= panel->height) {
				for (size_t t = 0; t < run->length; t++) row[run->first + t] = 0.0f;
			} else {
				size_t column;
				const float* source = run->image + nnps_im2col_tap_plane(panel, channel, kx, &column) + (size_t) iy * (size_t) panel->width;
				copy_clipped(row + run->first, 1, source, run->x + (ptrdiff_t) column, panel->stride_width, run->length, panel->width);
			}
		}
		for (size_t j = panel->valid; j < panel->nr; j++) row[j] = 0.0f;
		if (++kx == panel->kernel_width) {
			kx = 0;
			if (++ky == panel->kernel_height) {
				ky = 0;
				channel++;
			}
		}
	}
}

/* Each tap's column walked down its runs: reads follow the image, writes stride through the L1-sized panel. */
void nnps_im2col_transposed_pack__scalar(const struct nnps_im2col_panel* panel, size_t tap0, size_t depth, float* packed) {
	const size_t taps = panel->kernel_height * panel->kernel_width, nr = panel->nr;
	for (size_t j = 0; j < panel->valid; j++) {
		const size_t r = tap0 + j, ky = r % taps / panel->kernel_width;
		size_t column;
		const size_t plane_offset = nnps_im2col_tap_plane(panel, r / taps, r % panel->kernel_width, &column);
		for (size_t i = 0; i < panel->count; i++) {
			const struct nnps_im2col_run* run = &panel->runs[i];
			const ptrdiff_t iy = run->y + (ptrdiff_t) ky;
			float* target = packed + run->first * nr + j;
			if (iy < 0 || iy >= panel->height) {
				for (size_t t = 0; t < run->length; t++) target[t * nr] = 0.0f;
			} else {
				const float* source = run->image + plane_offset + (size_t) iy * (size_t) panel->width;
				copy_clipped(target, nr, source, run->x + (ptrdiff_t) column, panel->stride_width, run->length, panel->width);
			}
		}
	}
	for (size_t k = 0; k < depth; k++) {
		for (size_t j = panel->valid; j < nr; j++) packed[k * nr + j] = 0.0f;
	}
}
