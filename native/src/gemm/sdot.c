/* Products of two row-major operands along their rows (C = A B^T), unpacked, on the table's dot-product ukernel: a
 * pointwise layer's kernel gradient. */
#include "sgemm.h"

/* The dot ukernel on the tile at rows i, columns j of C. */
static inline void dot_tile(
	const struct nnps_sgemm_config* config, size_t m, size_t n, size_t k, const float* a, size_t lda, const float* b, size_t ldb,
	float* c, size_t ldc, bool accumulate, size_t i, size_t j)
{
	config->dot_ukernel(nnps_min(config->dot_mr, m - i), nnps_min(config->dot_nr, n - j), k, a + i * lda, lda, b + j * ldb, ldb, c + i * ldc + j, ldc,
		accumulate);
}

/* One depth chunk of nnps_sdot. */
static void sdot_chunk(
	const struct nnps_sgemm_config* config, size_t m, size_t n, size_t k, const float* a, size_t lda, const float* b, size_t ldb,
	float* c, size_t ldc, bool accumulate)
{
	/* The larger operand streams past once, the smaller one's rows stay in L2 and are read again for each tile of the
	 * other (the 1x1/2 projection's kernel gradient, 512 rows of grad_output against a block of 128-256 input
	 * channels: nnpack_ab_bench, 9 rounds, 1.08x / 1.01x on one / two threads over B's tiles outside; ResNet 1x1, where
	 * B has more rows, 1.00x / 1.02x). The order of the calls changes no element's sum. */
	if (m > n) {
		for (size_t i = 0; i < m; i += config->dot_mr) {
			for (size_t j = 0; j < n; j += config->dot_nr) dot_tile(config, m, n, k, a, lda, b, ldb, c, ldc, accumulate, i, j);
		}
		return;
	}
	for (size_t j = 0; j < n; j += config->dot_nr) {
		for (size_t i = 0; i < m; i += config->dot_mr) dot_tile(config, m, n, k, a, lda, b, ldb, c, ldc, accumulate, i, j);
	}
}

/* Depth chunks of at most SDOT_CHUNK floats, split evenly (multiples of 16): a tile's rows of the operand kept in L1
 * (six of B or four of A, 16-24 KiB at 1024) stay there while the other operand's tiles pass, where whole rows of a
 * 3072-pixel block (72 KiB for six) left both operands streaming from L2. The chunks' sums are added in order, so an
 * element's sum depends on k alone. nnpack_ab_bench, CPU time, 9 rounds: ResNet 1x1's kernel gradient 1.29x on one
 * and two threads (57-59% -> 73-76% of the peak), chunks of 512 or 1536 0.94x and 0.80x of 1024's; the 1x1/2
 * projection's blocks (1024 pixels) unchanged. */
#define SDOT_CHUNK 1024
void nnps_sdot(
	const struct nnps_sgemm_config* config, size_t m, size_t n, size_t k, const float* a, size_t lda, const float* b, size_t ldb,
	float* c, size_t ldc, bool accumulate)
{
	const size_t chunk = nnps_round_up(nnps_ceil_div(k, nnps_ceil_div(k, SDOT_CHUNK)), 16);
	for (size_t p = 0; p < k; p += chunk) sdot_chunk(config, m, n, nnps_min(chunk, k - p), a + p, lda, b + p, ldb, c, ldc, accumulate || p != 0);
}
