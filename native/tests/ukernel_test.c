/* The micro-kernel tester: every SGEMM micro-kernel this build has and this CPU runs (and the dot-product and gather
 * kernels of the tables that have one), in one process, against a
 * double-precision product, on the promises of src/ukernels.h: depth 0..300, accumulate on and off, with and without
 * a row bias (added last, in single precision), ldc > NR, unaligned A and C, B packed (rows NR apart, aligned) and read
 * in place (rows further apart, unaligned), partial tiles (only the m x n corner
 * written; rows of A and columns of B past it and bias values past m never stored or read into it; bit-identical to
 * the same corner of a full tile). A failure names the kernel, e.g.
 * "the 6x16 avx2 kernel (sgemm_ukernel_6x16__avx2) is wrong at depth 1 ...". */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/hardware.h"
#include "xorshift.h"

#define MAX_DEPTH 300
#define LDC_EXTRA 5
#define LDB_EXTRA 3
#define SENTINEL -12345.0f

static int failures = 0;
static long checks = 0;

static unsigned long long rng_state = 0x9E3779B97F4A7C15ull;
static float uniform(void) {
	xorshift64(&rng_state);
	return (float) ((double) (rng_state >> 11) / 9007199254740992.0 * 2.0 - 1.0);
}

struct buffers {
	float* a;  /* MR * MAX_DEPTH + 1: offset by one float so A is unaligned */
	float* b;  /* (NR + LDB_EXTRA) * MAX_DEPTH + 1, 64-byte aligned */
	float* c;  /* MR * ldc + 1: offset by one float so C is unaligned */
	float* full;
	float* bias; /* MR floats: a row bias */
};

/* Runs the kernel on an m x n corner and checks it against the reference; returns false on the first wrong element.
 * in_place: B's rows LDB_EXTRA floats further apart than a packed panel's and off alignment by one float, as a
 * row-major matrix read in place. */
static bool check_tile(const struct nnps_isa_table* isa, const struct buffers* buffers, size_t depth, size_t m, size_t n, bool accumulate, bool biased, bool in_place) {
	const struct nnps_sgemm_config* k = &isa->sgemm;
	const size_t mr = k->mr, nr = k->nr, ldc = nr + LDC_EXTRA, ldb = in_place ? nr + LDB_EXTRA : nr;
	float* a = buffers->a + 1;
	float* b = in_place ? buffers->b + 1 : buffers->b;
	float* c = buffers->c + 1;
	for (size_t p = 0; p < depth; p++) {
		for (size_t i = 0; i < mr; i++) a[p * mr + i] = i < m ? uniform() : NAN; /* rows past m: never stored */
		for (size_t j = 0; j < ldb; j++) b[p * ldb + j] = j < n ? uniform() : NAN; /* and columns past n, or between rows */
	}
	float initial[64 * 64];
	for (size_t i = 0; i < mr; i++) {
		for (size_t j = 0; j < ldc; j++) c[i * ldc + j] = (i < m && j < n) ? uniform() : SENTINEL;
	}
	memcpy(initial, c, mr * ldc * sizeof(float));
	for (size_t i = 0; i < mr; i++) buffers->bias[i] = i < m ? uniform() : NAN; /* rows past m: never read into C */
	k->ukernel(m, n, depth, a, b, ldb, c, ldc, accumulate, biased ? buffers->bias : NULL);
	checks++;
	for (size_t i = 0; i < mr; i++) {
		for (size_t j = 0; j < ldc; j++) {
			const float actual = c[i * ldc + j];
			if (i >= m || j >= n) {
				if (actual != SENTINEL) {
					printf("FAIL: the %ux%u %s kernel (%s) wrote outside its %zux%zu tile at depth %zu (accumulate %d, bias %d, ldb %zu): C[%zu][%zu] = %g\n",
						k->mr, k->nr, isa->name, k->name, m, n, depth, accumulate, biased, ldb, i, j, actual);
					return false;
				}
				continue;
			}
			double expected = accumulate ? initial[i * ldc + j] : 0.0, magnitude = fabs(expected);
			for (size_t p = 0; p < depth; p++) {
				expected += (double) a[p * mr + i] * b[p * ldb + j];
				magnitude += fabs((double) a[p * mr + i] * b[p * ldb + j]);
			}
			if (biased) {
				expected += buffers->bias[i];
				magnitude += fabs(buffers->bias[i]);
			}
			if (!(fabs(actual - expected) <= 1e-6 * magnitude + 1e-30)) {
				printf("FAIL: the %ux%u %s kernel (%s) is wrong at depth %zu (tile %zux%zu, accumulate %d, bias %d, ldb %zu): C[%zu][%zu] = %.9g, expected %.9g\n",
					k->mr, k->nr, isa->name, k->name, depth, m, n, accumulate, biased, ldb, i, j, actual, expected);
				return false;
			}
		}
	}
	return true;
}

/* A partial tile equals the same corner of the full tile, bit for bit. */
static bool check_partial_matches_full(const struct nnps_isa_table* isa, const struct buffers* buffers, size_t depth, size_t m, size_t n) {
	const struct nnps_sgemm_config* k = &isa->sgemm;
	const size_t mr = k->mr, nr = k->nr, ldc = nr + LDC_EXTRA;
	float* a = buffers->a + 1;
	float* c = buffers->c + 1;
	for (size_t p = 0; p < depth * mr; p++) a[p] = uniform();
	for (size_t p = 0; p < depth * nr; p++) buffers->b[p] = uniform();
	for (size_t i = 0; i < mr; i++) buffers->bias[i] = uniform();
	k->ukernel(mr, nr, depth, a, buffers->b, nr, buffers->full, nr, false, buffers->bias);
	k->ukernel(m, n, depth, a, buffers->b, nr, c, ldc, false, buffers->bias);
	checks++;
	for (size_t i = 0; i < m; i++) {
		if (memcmp(c + i * ldc, buffers->full + i * nr, n * sizeof(float)) != 0) {
			printf("FAIL: the %ux%u %s kernel (%s): its %zux%zu partial tile differs from the full tile at depth %zu, row %zu\n",
				k->mr, k->nr, isa->name, k->name, m, n, depth, i);
			return false;
		}
	}
	return true;
}

static void test_kernel(const struct nnps_isa_table* isa) {
	const struct nnps_sgemm_config* k = &isa->sgemm;
	const size_t mr = k->mr, nr = k->nr;
	struct buffers buffers = {
		malloc((mr * MAX_DEPTH + 1) * sizeof(float)), nnps_aligned_alloc(64, ((nr + LDB_EXTRA) * MAX_DEPTH + 1) * sizeof(float)),
		malloc((mr * (nr + LDC_EXTRA) + 1) * sizeof(float)), malloc(mr * nr * sizeof(float)), malloc(mr * sizeof(float)),
	};
	const int before = failures;
	/* Full tiles at every depth, then every partial shape at a few depths (one, odd, past a register's worth, 300). */
	for (size_t depth = 0; depth <= MAX_DEPTH && failures == before; depth++) {
		for (int variant = 0; variant < 8 && failures == before; variant++) {
			if (!check_tile(isa, &buffers, depth, mr, nr, variant & 1, variant & 2, variant >= 4)) failures++;
		}
	}
	const size_t depths[] = { 1, 3, 17, MAX_DEPTH };
	for (size_t d = 0; d < sizeof depths / sizeof depths[0] && failures == before; d++) {
		for (size_t m = 1; m <= mr && failures == before; m++) {
			for (size_t n = 1; n <= nr && failures == before; n++) {
				for (int variant = 0; variant < 8 && failures == before; variant++) {
					if (!check_tile(isa, &buffers, depths[d], m, n, variant & 1, variant & 2, variant >= 4)) failures++;
				}
				if (failures == before && !check_partial_matches_full(isa, &buffers, depths[d], m, n)) failures++;
			}
		}
	}
	printf("%s: %s %ux%u (mc %zu, kc %zu, nc %zu): %s\n", isa->name, k->name, k->mr, k->nr, k->mc, k->kc, k->nc, failures == before ? "ok" : "WRONG");
	free(buffers.a); nnps_aligned_free(buffers.b); free(buffers.c); free(buffers.full); free(buffers.bias);
}

/* Fills `rows` rows of stride ld: k random floats, then NaN up to the stride (read, they would poison the sums). */
static void fill_rows(float* rows, size_t count, size_t k, size_t ld) {
	for (size_t r = 0; r < count; r++) {
		for (size_t p = 0; p < ld; p++) rows[r * ld + p] = p < k ? uniform() : NAN;
	}
}

/* The dot-product kernel (see ukernels.h) on an m x n corner at depth k: A and B hold exactly m and n rows of stride
 * k + 3 (NaN past k), unaligned, at the very end of their allocations (a row past m or n would be read out of bounds:
 * the sanitizer leg catches it); C with sentinels around the corner; against a double product; then, bit for bit, the
 * same corner of a full tile whose first rows are these. */
static bool check_dot_tile(const struct nnps_isa_table* isa, size_t k, size_t m, size_t n, bool accumulate) {
	const struct nnps_sgemm_config* config = &isa->sgemm;
	const size_t mr = config->dot_mr, nr = config->dot_nr, ld = k + 3, ldc = nr + LDC_EXTRA;
	float* a = malloc((m * ld + 1) * sizeof(float));
	float* b = malloc((n * ld + 1) * sizeof(float));
	float* a_full = malloc(mr * ld * sizeof(float));
	float* b_full = malloc(nr * ld * sizeof(float));
	float* c = malloc((mr * ldc + 1) * sizeof(float));
	float* full = malloc(mr * nr * sizeof(float));
	fill_rows(a + 1, m, k, ld);
	fill_rows(b + 1, n, k, ld);
	fill_rows(a_full, mr, k, ld);
	fill_rows(b_full, nr, k, ld);
	memcpy(a_full, a + 1, m * ld * sizeof(float));
	memcpy(b_full, b + 1, n * ld * sizeof(float));
	float initial[64 * 64];
	for (size_t i = 0; i < mr; i++) {
		for (size_t j = 0; j < ldc; j++) c[1 + i * ldc + j] = (i < m && j < n) ? uniform() : SENTINEL;
	}
	memcpy(initial, c + 1, mr * ldc * sizeof(float));
	config->dot_ukernel(m, n, k, a + 1, ld, b + 1, ld, c + 1, ldc, accumulate);
	checks++;
	bool ok = true;
	for (size_t i = 0; i < mr && ok; i++) {
		for (size_t j = 0; j < ldc && ok; j++) {
			const float actual = c[1 + i * ldc + j];
			if (i >= m || j >= n) {
				if (actual != SENTINEL) {
					printf("FAIL: the %ux%u %s dot kernel wrote outside its %zux%zu tile at depth %zu: C[%zu][%zu] = %g\n", config->dot_mr, config->dot_nr, isa->name, m, n, k, i, j, actual);
					ok = false;
				}
				continue;
			}
			double expected = accumulate ? initial[i * ldc + j] : 0.0, magnitude = fabs(expected);
			for (size_t p = 0; p < k; p++) {
				expected += (double) a[1 + i * ld + p] * b[1 + j * ld + p];
				magnitude += fabs((double) a[1 + i * ld + p] * b[1 + j * ld + p]);
			}
			if (!(fabs(actual - expected) <= 1e-6 * magnitude + 1e-30)) {
				printf("FAIL: the %ux%u %s dot kernel is wrong at depth %zu (tile %zux%zu, accumulate %d): C[%zu][%zu] = %.9g, expected %.9g\n",
					config->dot_mr, config->dot_nr, isa->name, k, m, n, accumulate, i, j, actual, expected);
				ok = false;
			}
		}
	}
	if (ok && !accumulate) {
		config->dot_ukernel(mr, nr, k, a_full, ld, b_full, ld, full, nr, false);
		for (size_t i = 0; i < m && ok; i++) {
			if (memcmp(c + 1 + i * ldc, full + i * nr, n * sizeof(float)) != 0) {
				printf("FAIL: the %ux%u %s dot kernel: its %zux%zu partial tile differs from the full tile at depth %zu, row %zu\n", config->dot_mr, config->dot_nr, isa->name, m, n, k, i);
				ok = false;
			}
		}
	}
	free(a); free(b); free(a_full); free(b_full); free(c); free(full);
	return ok;
}

static void test_dot_kernel(const struct nnps_isa_table* isa) {
	const struct nnps_sgemm_config* config = &isa->sgemm;
	const int before = failures;
	for (size_t k = 0; k <= MAX_DEPTH && failures == before; k++) {
		for (int accumulate = 0; accumulate < 2 && failures == before; accumulate++) {
			if (!check_dot_tile(isa, k, config->dot_mr, config->dot_nr, accumulate)) failures++;
		}
	}
	const size_t depths[] = { 1, 15, 16, 17, 33, MAX_DEPTH };
	for (size_t d = 0; d < sizeof depths / sizeof depths[0] && failures == before; d++) {
		for (size_t m = 1; m <= config->dot_mr && failures == before; m++) {
			for (size_t n = 1; n <= config->dot_nr && failures == before; n++) {
				for (int accumulate = 0; accumulate < 2 && failures == before; accumulate++) {
					if (!check_dot_tile(isa, depths[d], m, n, accumulate)) failures++;
				}
			}
		}
	}
	printf("%s: dot kernel %ux%u: %s\n", isa->name, config->dot_mr, config->dot_nr, failures == before ? "ok" : "WRONG");
}

/* The gather kernel (ukernels-gather.h) on an m x n corner, its rows of A read from one image at the given steps
 * (rows 7 floats apart, overlapping as a kernel's taps do), against a double-precision sum. */
static bool check_gather_tile(const struct nnps_isa_table* isa, size_t m, size_t n, size_t pixel_rows, size_t columns, size_t column_step, bool accumulate) {
	const size_t nr = isa->sgemm.nr, row_step = columns * column_step + 3, ldc = nr + LDC_EXTRA, depth = pixel_rows * columns;
	const size_t image_floats = 7 * 5 + pixel_rows * row_step;
	float* image = malloc(image_floats * sizeof(float));
	float* b = nnps_aligned_alloc(64, (depth * nr + 16) * sizeof(float));
	float c[6 * (32 + LDC_EXTRA)], initial[6 * (32 + LDC_EXTRA)];
	for (size_t e = 0; e < image_floats; e++) image[e] = uniform();
	for (size_t q = 0; q < depth; q++) {
		for (size_t j = 0; j < nr; j++) b[q * nr + j] = j < n ? uniform() : NAN; /* columns past n: never stored */
	}
	const float* a[6];
	for (size_t i = 0; i < m; i++) a[i] = image + 7 * i;
	for (size_t e = 0; e < 6 * ldc; e++) c[e] = (e / ldc < m && e % ldc < n) ? uniform() : SENTINEL;
	memcpy(initial, c, sizeof c);
	isa->sgemm.gather_ukernel(m, n, pixel_rows, columns, a, row_step, column_step, b, c, ldc, accumulate);
	checks++;
	bool ok = true;
	for (size_t i = 0; i < 6 && ok; i++) {
		for (size_t j = 0; j < ldc && ok; j++) {
			const float actual = c[i * ldc + j];
			if (i >= m || j >= n) {
				ok = actual == SENTINEL;
				continue;
			}
			double expected = accumulate ? initial[i * ldc + j] : 0.0, magnitude = fabs(expected);
			for (size_t r = 0; r < pixel_rows; r++) {
				for (size_t x = 0; x < columns; x++) {
					const double term = (double) a[i][r * row_step + x * column_step] * b[(r * columns + x) * nr + j];
					expected += term;
					magnitude += fabs(term);
				}
			}
			ok = fabs(actual - expected) <= 4.0 * FLT_EPSILON * (magnitude + 1.0);
		}
	}
	if (!ok) {
		printf("the gather kernel of %s is wrong at m %zu n %zu rows %zu columns %zu step %zu accumulate %d\n", isa->name, m, n, pixel_rows, columns, column_step,
			(int) accumulate);
	}
	free(image);
	nnps_aligned_free(b);
	return ok;
}

static void test_gather_kernel(const struct nnps_isa_table* isa) {
	const int before = failures;
	const size_t nr = isa->sgemm.nr, widths[] = { 1, nr / 4, nr / 2, nr / 2 + 1, nr - 1, nr }, shapes[][2] = { { 1, 1 }, { 2, 7 }, { 3, 17 }, { 5, 30 } };
	for (size_t m = 1; m <= 6 && failures == before; m++) {
		for (size_t w = 0; w < sizeof widths / sizeof widths[0] && failures == before; w++) {
			for (size_t sh = 0; sh < sizeof shapes / sizeof shapes[0] && failures == before; sh++) {
				for (size_t variant = 0; variant < 4 && failures == before; variant++) {
					if (!check_gather_tile(isa, m, widths[w], shapes[sh][0], shapes[sh][1], 1 + variant % 2, variant >= 2)) failures++;
				}
			}
		}
	}
	printf("%s: gather kernel 6x%zu: %s\n", isa->name, nr, failures == before ? "ok" : "WRONG");
}

int main(void) {
	const struct nnps_cache_sizes caches = nnps_detect_cache_sizes();
	printf("caches: L1 %zu, L2 %zu, L3 %zu bytes\n", caches.l1_bytes, caches.l2_bytes, caches.l3_bytes);
	int tested = 0;
	for (int level = nnps_isa_avx512; level >= nnps_isa_scalar; level--) {
		struct nnps_isa_table isa;
		if (!nnps_isa_table_for((enum nnps_isa_level) level, &caches, &isa)) {
			printf("ISA level %d: not in this build\n", level);
			continue;
		}
		if (!nnps_isa_supported(isa.level)) {
			printf("%s: skipped, this CPU does not run it\n", isa.name);
			continue;
		}
		test_kernel(&isa);
		tested++;
		if (isa.sgemm.dot_ukernel != NULL) {
			test_dot_kernel(&isa);
			tested++;
		}
		if (isa.sgemm.gather_ukernel != NULL) {
			test_gather_kernel(&isa);
			tested++;
		}
	}
	printf("%d kernels, %ld checks, %d failures\n", tested, checks, failures);
	return failures == 0 && tested > 0 ? 0 : 1;
}
