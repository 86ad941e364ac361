/* Packing a B micro-panel from a transposed or a row-major matrix (contracts in ukernels.h), portable. The transposed
 * one walks each column down its contiguous depth, so reads follow memory and the strided writes stay inside the
 * L1-sized panel; the row-major one copies a row's columns at a time. */
#include <string.h>

#include "../ukernels.h"

void nnps_transpose_pack__scalar(const float* source, size_t stride, size_t valid, size_t nr, size_t depth, float* packed) {
	for (size_t j = 0; j < valid; j++) {
		for (size_t k = 0; k < depth; k++) packed[k * nr + j] = source[j * stride + k];
	}
	if (valid == nr) return;
	for (size_t k = 0; k < depth; k++) memset(packed + k * nr + valid, 0, (nr - valid) * sizeof(float));
}

void nnps_rows_pack__scalar(const float* source, size_t stride, size_t valid, size_t nr, size_t depth, float* packed) {
	for (size_t k = 0; k < depth; k++) {
		memcpy(packed + k * nr, source + k * stride, valid * sizeof(float));
		memset(packed + k * nr + valid, 0, (nr - valid) * sizeof(float));
	}
}
