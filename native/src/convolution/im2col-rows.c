/* Rows of an im2col matrix gathered into a buffer (see implicit-gemm.h). */
#include <string.h>

#include "implicit-gemm.h"

void nnps_im2col_gather_rows(const struct nnps_im2col* im2col, const float* image, size_t channels, size_t oy0, size_t rows, float* out) {
	const size_t ow = im2col->output_width, pixels = rows * ow;
	const ptrdiff_t height = (ptrdiff_t) im2col->input_height, width = (ptrdiff_t) im2col->input_width;
	size_t tap = 0;
	for (size_t c = 0; c < channels; c++) {
		for (size_t ky = 0; ky < im2col->kernel_height; ky++) {
			for (size_t kx = 0; kx < im2col->kernel_width; kx++, tap++) {
				size_t column;
				const float* plane = image + nnps_tap_plane((size_t) (height * width), im2col->phase_plane, c, kx, &column);
				const ptrdiff_t x0 = (ptrdiff_t) column - (ptrdiff_t) im2col->pad_left;
				/* Columns [lo, hi) of a row read the image; the rest are padding. */
				const size_t lo = (size_t) nnps_min((size_t) (x0 < 0 ? -x0 : 0), ow);
				const size_t hi = x0 >= width ? lo : nnps_clamp((size_t) (width - x0), lo, ow);
				for (size_t r = 0; r < rows; r++) {
					float* row = out + tap * pixels + r * ow;
					const ptrdiff_t iy = (ptrdiff_t) ((oy0 + r) * im2col->stride_height + ky) - (ptrdiff_t) im2col->pad_top;
					if (iy < 0 || iy >= height) {
						memset(row, 0, ow * sizeof(float));
						continue;
					}
					memset(row, 0, lo * sizeof(float));
					if (hi > lo) memcpy(row + lo, plane + iy * width + x0 + (ptrdiff_t) lo, (hi - lo) * sizeof(float));
					memset(row + hi, 0, (ow - hi) * sizeof(float));
				}
			}
		}
	}
}
