/* The SGEMM driver's loops (gemm/sgemm.c) on every ISA table this CPU runs, against a double-precision product: shapes
 * around the table's blocking (row blocks of mc and a quarter more, a remainder of one row, depth blocks, a B block
 * too large for L2 that is packed during its first row block's tiles), B row-major with aligned and unaligned rows
 * (read in place or packed) and streamed, A strided (packed per block) or packed once (with a row bias), C overwritten
 * or accumulated. Columns of C past n must keep their sentinel. A failure names the table, the shape and the element. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gemm/sgemm.h"
#include "runtime/platform.h"
#include "xorshift.h"

#define SENTINEL -12345.0f
#define C_EXTRA 3

static int failures = 0;
static long checks = 0;
static unsigned long long rng_state = 0x2545F4914F6CDD1Dull;

static float uniform(void) {
	xorshift64(&rng_state);
	return (float) ((double) (rng_state >> 11) / 9007199254740992.0 * 2.0 - 1.0);
}

struct problem {
	size_t m, n, k;
	size_t ldb, b_offset;  /* B's row stride and its first element's offset in floats from a 64-byte line */
	bool streamed, packed_a, accumulate;
};

static void* aligned_floats(size_t count) {
	/* The library's allocator: Windows' C runtime has no aligned_alloc. */
	void* p = nnps_aligned_alloc(64, (count * sizeof(float) + 63) / 64 * 64);
	if (p == NULL) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	return p;
}

/* Runs one problem on one table and compares every element of C with the double product. */
static void check(const struct nnps_isa_table* isa, const struct problem* p) {
	const struct nnps_sgemm_config* config = &isa->sgemm;
	const size_t m = p->m, n = p->n, k = p->k, lda = k + 3, ldc = n + C_EXTRA;
	float* a = aligned_floats(m * lda);
	float* b_base = aligned_floats(k * p->ldb + p->b_offset);
	float* b = b_base + p->b_offset;
	float* c = aligned_floats(m * ldc);
	float* bias = aligned_floats(m);
	for (size_t i = 0; i < m * lda; i++) a[i] = uniform();
	for (size_t i = 0; i < k * p->ldb; i++) b[i] = uniform();
	for (size_t i = 0; i < m; i++) bias[i] = uniform();
	for (size_t i = 0; i < m; i++) {
		for (size_t j = 0; j < ldc; j++) c[i * ldc + j] = j < n ? uniform() : SENTINEL;
	}
	/* The reference before the call overwrites C. */
	double* expected = malloc(m * n * sizeof(double));
	double* magnitude = malloc(m * n * sizeof(double));
	for (size_t i = 0; i < m; i++) {
		for (size_t j = 0; j < n; j++) {
			double sum = p->accumulate ? c[i * ldc + j] : 0.0, size = fabs(sum);
			for (size_t q = 0; q < k; q++) {
				const double product = (double) a[i * lda + q] * (double) b[q * p->ldb + j];
				sum += product;
				size += fabs(product);
			}
			if (p->packed_a) {
				sum += bias[i];
				size += fabs(bias[i]);
			}
			expected[i * n + j] = sum;
			magnitude[i * n + j] = size;
		}
	}
	const struct nnps_b_source source = { p->streamed ? nnps_b_streamed : nnps_b_strided, b, p->ldb, 1, NULL };
	float* workspace = aligned_floats(nnps_gemm_buffer_floats(config, p->packed_a ? 0 : m, n, k));
	const struct nnps_gemm_buffers buffers = nnps_gemm_buffers_carve(config, p->packed_a ? 0 : m, n, k, workspace);
	float* packed = NULL;
	if (p->packed_a) {
		packed = aligned_floats(nnps_packed_a_floats(config, m, k));
		nnps_pack_a_panels(config, a, lda, 1, m, k, 0, (m + config->mr - 1) / config->mr, packed);
		nnps_sgemm_packed_a(config, m, n, k, packed, k, &source, 0, 0, c, ldc, p->accumulate, bias, &buffers);
	} else {
		nnps_sgemm(config, m, n, k, a, lda, 1, &source, 0, 0, c, ldc, p->accumulate, &buffers);
	}
	checks++;
	bool ok = true;
	for (size_t i = 0; i < m && ok; i++) {
		for (size_t j = 0; j < ldc && ok; j++) {
			const float got = c[i * ldc + j];
			if (j >= n) {
				if (got != SENTINEL) {
					printf("%s: %zu x %zu x %zu (ldb %zu, offset %zu%s%s%s): C[%zu][%zu] past n written (%g)\n", isa->name, m, n, k, p->ldb, p->b_offset,
						p->streamed ? ", streamed" : "", p->packed_a ? ", A packed once" : "", p->accumulate ? ", accumulate" : "", i, j, got);
					ok = false;
				}
				continue;
			}
			const double want = expected[i * n + j], bound = 4.0 * (double) (k + 2) * FLT_EPSILON * magnitude[i * n + j] + 1e-30;
			if (!(fabs((double) got - want) <= bound)) {
				printf("%s: %zu x %zu x %zu (ldb %zu, offset %zu%s%s%s): C[%zu][%zu] = %.9g, expected %.9g\n", isa->name, m, n, k, p->ldb, p->b_offset,
					p->streamed ? ", streamed" : "", p->packed_a ? ", A packed once" : "", p->accumulate ? ", accumulate" : "", i, j, got, want);
				ok = false;
			}
		}
	}
	if (!ok) failures++;
	nnps_aligned_free(packed);
	nnps_aligned_free(workspace);
	free(expected);
	free(magnitude);
	nnps_aligned_free(a);
	nnps_aligned_free(b_base);
	nnps_aligned_free(c);
	nnps_aligned_free(bias);
}

static void test_table(const struct nnps_isa_table* isa) {
	const struct nnps_sgemm_config* config = &isa->sgemm;
	const int before = failures;
	const size_t mr = config->mr, nr = config->nr, mc = config->mc, kc = config->kc;
	/* Rows: a remainder of one row after full tiles; mc and one more (one block of up to a quarter more, or two);
	 * past a quarter more (two or three blocks). Columns: one, a panel and one, past a B block of 512 KiB at the
	 * depth block (so it is packed during the first row block's tiles). Depth: one, kc and one (two blocks). */
	const size_t wide = 512 * 1024 / sizeof(float) / (kc / 2 + 1) + nr + 3;
	const size_t rows[] = { 1, mr + 1, mc, mc + 1, mc + mc / 4 + 1, 2 * mc + mc / 2 + 5 };
	const size_t columns[] = { 1, nr + 1, 3 * nr - 5 };
	const size_t depths[] = { 1, kc + 1 };
	for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
		for (size_t cl = 0; cl < sizeof columns / sizeof columns[0]; cl++) {
			for (size_t d = 0; d < sizeof depths / sizeof depths[0]; d++) {
				for (int variant = 0; variant < 6; variant++) {
					const size_t n = columns[cl];
					/* Row strides: a multiple of a line (in place where read once), one float past it (packed), and
					 * a first element 16 bytes past a line (its first columns packed, the rest in place). */
					const size_t ldb = variant % 3 == 1 ? n + 1 : (n + 15) / 16 * 16 + 16, offset = variant % 3 == 2 ? 4 : 0;
					const struct problem p = { rows[r], n, depths[d], ldb, offset, variant == 3, variant >= 4, variant % 2 == 1 };
					check(isa, &p);
				}
			}
		}
	}
	/* The large block, packed during the first row block's tiles: plain, A packed once, accumulated, unaligned rows. */
	const size_t big_rows = 2 * mc + mc / 2 + 5, deep = kc + 1;
	const struct problem large[] = {
		{ big_rows, wide, deep, (wide + 15) / 16 * 16, 0, false, false, false },
		{ big_rows, wide, deep, (wide + 15) / 16 * 16, 0, false, true, true },
		{ mc + 1, wide, deep, wide + 1, 4, false, false, true },
		{ mc + mc / 4 + 1, wide, deep, wide, 0, true, false, false },
	};
	for (size_t i = 0; i < sizeof large / sizeof large[0]; i++) check(isa, &large[i]);
	printf("%s: sgemm %zux%zu (kc %zu, mc %zu, nc %zu): %s\n", isa->name, mr, nr, kc, mc, config->nc, failures == before ? "ok" : "WRONG");
}

int main(void) {
	const struct nnps_cache_sizes caches = nnps_detect_cache_sizes();
	int tested = 0;
	for (int level = nnps_isa_avx512; level >= nnps_isa_scalar; level--) {
		struct nnps_isa_table isa;
		if (!nnps_isa_table_for((enum nnps_isa_level) level, &caches, &isa)) continue;
		if (!nnps_isa_supported(isa.level)) {
			printf("%s: skipped, this CPU does not run it\n", isa.name);
			continue;
		}
		test_table(&isa);
		tested++;
	}
	printf("%d tables, %ld products, %d failures\n", tested, checks, failures);
	return failures == 0 && tested > 0 ? 0 : 1;
}
