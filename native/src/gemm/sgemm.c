/* BLIS's five loops: blocks of nc columns, kc depth (pack B) and mc rows (pack A), then mr x nr micro-tiles, partial
 * ones included, on the table's micro-kernel. The blocking comes from the hardware table. */
#include "pack.h"

/* A block spans at most mc rows and kc depth, B's at most nc columns; no more than the call's GEMMs need. */
static size_t packed_a_floats(const struct nnps_sgemm_config* config, size_t max_rows, size_t max_depth) {
	return nnps_round_up(nnps_round_up(nnps_min(max_rows, config->mc), config->mr) * nnps_min(max_depth, config->kc), NNPS_FLOATS_PER_LINE);
}

static size_t packed_b_floats(const struct nnps_sgemm_config* config, size_t max_columns, size_t max_depth) {
	return nnps_round_up(nnps_round_up(nnps_min(max_columns, config->nc), config->nr) * nnps_min(max_depth, config->kc), NNPS_FLOATS_PER_LINE);
}

size_t nnps_gemm_buffer_floats(const struct nnps_sgemm_config* config, size_t max_rows, size_t max_columns, size_t max_depth) {
	return packed_a_floats(config, max_rows, max_depth) + packed_b_floats(config, max_columns, max_depth);
}

struct nnps_gemm_buffers nnps_gemm_buffers_carve(const struct nnps_sgemm_config* config, size_t max_rows, size_t max_columns, size_t max_depth, float* base) {
	(void) max_columns; /* B's panel comes last: its size does not move anything */
	return (struct nnps_gemm_buffers) { base, base + packed_a_floats(config, max_rows, max_depth) };
}

void nnps_sgemm(
	const struct nnps_sgemm_config* config, size_t m, size_t n, size_t k,
	const float* a, size_t row_stride_a, size_t column_stride_a,
	const struct nnps_b_source* b, size_t b_row0, size_t b_col0,
	float* c, size_t ldc, bool accumulate, const struct nnps_gemm_buffers* buffers)
{
	const size_t mr = config->mr, nr = config->nr;
	for (size_t jc = 0; jc < n; jc += config->nc) {
		const size_t nc = nnps_min(n - jc, config->nc);
		for (size_t pc = 0; pc < k; pc += config->kc) {
			const size_t kc = nnps_min(k - pc, config->kc);
			const bool add = accumulate || pc != 0;
			nnps_pack_b(b, b_row0 + pc, kc, b_col0 + jc, nc, nr, buffers->packed_b);
			for (size_t ic = 0; ic < m; ic += config->mc) {
				const size_t mc = nnps_min(m - ic, config->mc);
				nnps_pack_a(a, row_stride_a, column_stride_a, ic, mc, pc, kc, mr, buffers->packed_a);
				for (size_t jr = 0; jr < nc; jr += nr) {
					const float* panel_b = buffers->packed_b + jr * kc;
					for (size_t ir = 0; ir < mc; ir += mr) {
						config->ukernel(nnps_min(mr, mc - ir), nnps_min(nr, nc - jr), kc, buffers->packed_a + ir * kc, panel_b, c + (ic + ir) * ldc + jc + jr, ldc, add);
					}
				}
			}
		}
	}
}
