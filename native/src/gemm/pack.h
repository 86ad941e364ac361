/* Packing into the micro-kernel's panel layouts (see ukernels.h); partial panels are padded with zeros. */
#ifndef NNPS_GEMM_PACK_H
#define NNPS_GEMM_PACK_H

#include "sgemm.h"

/* Rows row0.. (rows of them) and columns col0.. (depth of them) of strided A, in panels of the config's mr rows. */
NNPS_INTERNAL void nnps_pack_a(
	const struct nnps_sgemm_config* config, const float* a, size_t row_stride, size_t column_stride, size_t row0, size_t rows, size_t col0, size_t depth,
	float* packed);

/* Rows row0.. (depth of them) and columns col0.. (columns of them) of B, in panels of the config's nr columns. Not for
 * nnps_b_packed, whose panels the GEMM driver reads in place. */
NNPS_INTERNAL void nnps_pack_b(
	const struct nnps_sgemm_config* config, const struct nnps_b_source* b, size_t row0, size_t depth, size_t col0, size_t columns, float* packed);

#endif
