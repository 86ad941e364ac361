/* col2im's fold: one input channel's rows of a column matrix added back onto its plane. */
#ifndef NNPS_CONVOLUTION_FOLD_H
#define NNPS_CONVOLUTION_FOLD_H

#include "convolution.h"

/* Adds output rows [first_row, end_row) of one input channel's rows of the column matrix onto its plane `target`,
 * band_rows at a time: `columns` is the channel's first tap row from output row first_row on, its tap rows `ld` floats
 * apart; a stride-2 layer's rows through the table's fold loops (ops). */
NNPS_INTERNAL void nnps_fold_channel(
	const struct nnps_conv* g, const struct nnps_vector_ops* ops, const float* columns, size_t ld, size_t first_row, size_t end_row, size_t band_rows, float* target);

#endif
