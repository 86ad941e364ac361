/* col2im's fold (see fold.h). */
#include "fold.h"

/* The output columns ox whose tap kx lands inside the image: [*first, *end). */
static void valid_columns(const struct nnps_conv* g, size_t kx, size_t* first, size_t* end) {
	const size_t width = g->input_width, stride = nnps_conv_stride_x(g), pad = g->pad_left;
	/* ix = ox * stride + kx - pad must satisfy 0 <= ix < width. */
	*first = kx >= pad ? 0 : nnps_ceil_div(pad - kx, stride);
	*end = width + pad > kx ? nnps_min(g->output_width, nnps_ceil_div(width + pad - kx, stride)) : 0;
	if (*first > *end) *first = *end;
}

/* Adds tap kx's values of output row `source` (columns [first, end) valid) onto input row `line`, pad_left subtracted:
 * column ox lands at line[ox * 2 + kx]. */
static void fold_stride2_row(const struct nnps_vector_ops* ops, size_t kx, const float* source, size_t first, size_t end, float* line) {
	if (first < end) ops->fold_every_other(line + first * 2 + kx, source + first, end - first);
}

/* Taps kx and kx + 1 of a stride-2 layer together: they land on neighbouring input columns, so their shared valid
 * columns are one contiguous interleaved run (loads, an interleave, an add in the table's vectors), where each tap
 * alone was a read-modify-write every other float. Every element gets the same additions in the same order as tap by
 * tap. */
static void fold_stride2_pair_row(
	const struct nnps_vector_ops* ops, size_t kx, const float* even, const float* odd, const size_t* first, const size_t* end, float* line)
{
	const size_t lo = nnps_max(first[0], first[1]), hi = nnps_max(lo, nnps_min(end[0], end[1]));
	fold_stride2_row(ops, kx, even, first[0], nnps_min(lo, end[0]), line);
	fold_stride2_row(ops, kx + 1, odd, first[1], nnps_min(lo, end[1]), line);
	if (lo < hi) ops->fold_pairs(line + 2 * lo + kx, even + lo, odd + lo, hi - lo);
	fold_stride2_row(ops, kx, even, nnps_max(hi, first[0]), end[0], line);
	fold_stride2_row(ops, kx + 1, odd, nnps_max(hi, first[1]), end[1], line);
}

/* nnps_fold_channel's band for a stride-2 layer: its taps in pairs (the last alone where the kernel is odd). */
static void fold_stride2_band(const struct nnps_conv* g, const struct nnps_vector_ops* ops, const float* columns, size_t ld, size_t first_row, size_t band, size_t band_end, float* target) {
	const size_t stride_y = nnps_conv_stride_y(g);
	for (size_t ky = 0; ky < g->kernel_height; ky++) {
		for (size_t kx = 0; kx < g->kernel_width; kx += 2) {
			const bool pair = kx + 1 < g->kernel_width;
			const float* rows[2];
			size_t first[2], end[2];
			for (size_t t = 0; t < (pair ? 2u : 1u); t++) {
				rows[t] = columns + (ky * g->kernel_width + kx + t) * ld;
				valid_columns(g, kx + t, &first[t], &end[t]);
			}
			for (size_t oy = band; oy < band_end; oy++) {
				const ptrdiff_t iy = (ptrdiff_t) (oy * stride_y + ky) - (ptrdiff_t) g->pad_top;
				if (iy < 0 || iy >= (ptrdiff_t) g->input_height) continue;
				/* The row with pad_left subtracted, as an address: only columns inside the image are touched. */
				float* line = (float*) ((uintptr_t) (target + (size_t) iy * g->input_width) - g->pad_left * sizeof(float));
				const size_t offset = (oy - first_row) * g->output_width;
				if (pair) {
					fold_stride2_pair_row(ops, kx, rows[0] + offset, rows[1] + offset, first, end, line);
				} else {
					fold_stride2_row(ops, kx, rows[0] + offset, first[0], end[0], line);
				}
			}
		}
	}
}

/* Adds output rows [first_row, end_row) of one input channel's rows of the column matrix onto its plane, band_rows at
 * a time: `columns` is the channel's first tap row from output row first_row on, its tap rows `ld` floats apart. */
void nnps_fold_channel(const struct nnps_conv* g, const struct nnps_vector_ops* ops, const float* columns, size_t ld, size_t first_row, size_t end_row, size_t band_rows, float* target) {
	const size_t width = g->input_width, stride = nnps_conv_stride_x(g), stride_y = nnps_conv_stride_y(g);
	const ptrdiff_t height = (ptrdiff_t) g->input_height;
	for (size_t band = first_row; band < end_row; band += band_rows) {
		const size_t band_end = nnps_min(end_row, band + band_rows);
		if (stride == 2) {
			fold_stride2_band(g, ops, columns, ld, first_row, band, band_end, target);
			continue;
		}
		for (size_t ky = 0; ky < g->kernel_height; ky++) {
			for (size_t kx = 0; kx < g->kernel_width; kx++) {
				const float* row = columns + (ky * g->kernel_width + kx) * ld;
				size_t first, end;
				valid_columns(g, kx, &first, &end);
				if (first == end) continue;
				for (size_t oy = band; oy < band_end; oy++) {
					const ptrdiff_t iy = (ptrdiff_t) (oy * stride_y + ky) - (ptrdiff_t) g->pad_top;
					if (iy < 0 || iy >= height) continue;
					/* Columns past `first` start at ix = first * stride + kx - pad >= 0. */
					float* line = target + (size_t) iy * width + (first * stride + kx - g->pad_left);
					const float* source = row + (oy - first_row) * g->output_width;
					if (stride == 1) {
						/* Contiguous on both sides: a vector add. */
						for (size_t ox = first; ox < end; ox++) line[ox - first] += source[ox];
					} else {
						for (size_t ox = first; ox < end; ox++) line[(ox - first) * stride] += source[ox];
					}
				}
			}
		}
	}
}
