/*
 * The native SGEMM itself (nnps_sgemm: BLIS's loops, the table's packers and micro-kernel), one thread, for every ISA
 * table this CPU runs that has a vector kernel: C = A B with A, B, C row-major, on M = N = K = 1024 and on the GEMMs
 * of the benchmark layers (an image's implicit-GEMM forward: M output channels, N pixels, K the patch). GFLOP/s are
 * 2 M N K / the median over rounds of one call's time, beside the FMA peak of the table's vector width measured in
 * the same rounds (zmm for AVX-512, ymm for AVX2): each round measures the peak, then runs every shape and variant
 * once, so that a slow phase of a shared host lands on one round of all of them. Each shape twice: the plain SGEMM,
 * packing A on every call, and the product as the convolutions run it, A (their kernel) packed once per call outside
 * the per-image products. A spot check against a double product guards each shape first. Not a test: run it on a
 * quiet machine.
 *
 *   nnpack_sgemm_bench [rounds] [shape name filter]
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gemm/pack.h"
#include "peak.h"
#include "runtime/hardware.h"

struct shape {
	const char* name;
	size_t m, n, k;
};

static const struct shape shapes[] = {
	{ "1024^3", 1024, 1024, 1024 },
	{ "VGG conv3.2 (256 x 3136 x 2304)", 256, 3136, 2304 },
	{ "AlexNet conv3 (384 x 169 x 1728)", 384, 169, 1728 },
	{ "ResNet 1x1 (64 x 3136 x 256)", 64, 3136, 256 },
	{ "ResNet 3x3/2 (128 x 784 x 1152)", 128, 784, 1152 },
	{ "Inception 7x1 (128 x 289 x 896)", 128, 289, 896 },
};

static double now(void) {
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double) t.tv_sec + 1e-9 * (double) t.tv_nsec;
}

static float* random_floats(size_t count) {
	float* v = aligned_alloc(64, (count * sizeof(float) + 63) / 64 * 64);
	for (size_t i = 0; i < count; i++) v[i] = (float) rand() / (float) RAND_MAX - 0.5f;
	return v;
}

static int compare(const void* a, const void* b) {
	const double x = *(const double*) a, y = *(const double*) b;
	return x < y ? -1 : x > y;
}

struct operands {
	const struct shape* shape;
	const float *a, *b;
	float* c;
	float* buffer;
	float* packed_a; /* A in the micro-kernel's row panels, packed once */
};

typedef void (*multiply_fn)(const struct nnps_sgemm_config* config, const struct operands* o);

/* The plain SGEMM: A packed per block on every call. */
static void multiply(const struct nnps_sgemm_config* config, const struct operands* o) {
	const struct shape* s = o->shape;
	const struct nnps_b_source b = { nnps_b_strided, o->b, s->n, 1, NULL };
	const struct nnps_gemm_buffers buffers = nnps_gemm_buffers_carve(config, s->m, s->n, s->k, o->buffer);
	nnps_sgemm(config, s->m, s->n, s->k, o->a, s->k, 1, &b, 0, 0, o->c, s->n, false, &buffers);
}

/* As the convolutions run it: A (their kernel) packed once per call and reused by every image's product, so the
 * product alone is timed. */
static void multiply_packed_a(const struct nnps_sgemm_config* config, const struct operands* o) {
	const struct shape* s = o->shape;
	const struct nnps_b_source b = { nnps_b_strided, o->b, s->n, 1, NULL };
	const struct nnps_gemm_buffers buffers = nnps_gemm_buffers_carve(config, 0, s->n, s->k, o->buffer);
	nnps_sgemm_packed_a(config, s->m, s->n, s->k, o->packed_a, s->k, &b, 0, 0, o->c, s->n, false, NULL, &buffers);
}

/* One round's time of one call: an untimed call, then a batch of at least 50 ms. */
static double call_seconds(const struct nnps_sgemm_config* config, const struct operands* o, multiply_fn fn) {
	fn(config, o);
	size_t calls = 0;
	const double start = now();
	double elapsed;
	do {
		fn(config, o);
		calls++;
		elapsed = now() - start;
	} while (elapsed < 0.05 || calls < 2);
	return elapsed / (double) calls;
}

static double median(double* values, size_t count) {
	qsort(values, count, sizeof(double), compare);
	return values[count / 2];
}

/* C against a double product at 64 spread-out elements, relative to the sum of the terms' magnitudes. */
static bool spot_check(const struct operands* o) {
	const struct shape* s = o->shape;
	for (size_t t = 0; t < 64; t++) {
		const size_t i = t * 7919 % s->m, j = t * 104729 % s->n;
		double sum = 0.0, magnitude = 0.0;
		for (size_t p = 0; p < s->k; p++) {
			sum += (double) o->a[i * s->k + p] * o->b[p * s->n + j];
			magnitude += fabs((double) o->a[i * s->k + p] * o->b[p * s->n + j]);
		}
		if (!(fabs(o->c[i * s->n + j] - sum) <= 1e-5 * magnitude)) return false;
	}
	return true;
}

int main(int argc, char** argv) {
	const size_t rounds = argc > 1 ? (size_t) atoi(argv[1]) : 9;
	if (rounds == 0 || rounds > 64) {
		fprintf(stderr, "usage: %s [rounds 1..64] [shape name filter]\n", argv[0]);
		return 1;
	}
	const struct nnps_cache_sizes caches = nnps_detect_cache_sizes();
	const double zmm = nnps_bench_fma_peak_gflops(), ymm = nnps_bench_fma_peak_ymm_gflops();
	printf("one thread, %zu rounds (medians; each round the peak, then every shape once); caches L1 %zu KiB, L2 %zu KiB, L3 %zu KiB; FMA peak of one core measured now: zmm %.1f GFLOP/s, ymm %.1f\n\n",
		rounds, caches.l1_bytes >> 10, caches.l2_bytes >> 10, caches.l3_bytes >> 10, zmm, ymm);
	printf("| table | kernel | kc / mc / nc | shape | GFLOP/s | %% of its peak | A packed once: GFLOP/s | %% of its peak |\n|---|---|---|---|---:|---:|---:|---:|\n");
	int failures = 0;
	for (int level = nnps_isa_avx512; level >= nnps_isa_avx2; level--) {
		struct nnps_isa_table isa;
		if (!nnps_isa_supported((enum nnps_isa_level) level) || !nnps_isa_table_for((enum nnps_isa_level) level, &caches, &isa)) continue;
		struct operands operands[sizeof shapes / sizeof shapes[0]];
		size_t count = 0;
		for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
			const struct shape* shape = &shapes[s];
			if (argc > 2 && strstr(shape->name, argv[2]) == NULL) continue;
			struct operands o = { shape, random_floats(shape->m * shape->k), random_floats(shape->k * shape->n), random_floats(shape->m * shape->n),
				random_floats(nnps_gemm_buffer_floats(&isa.sgemm, shape->m, shape->n, shape->k)), random_floats(nnps_packed_a_floats(&isa.sgemm, shape->m, shape->k)) };
			nnps_pack_a(&isa.sgemm, o.a, shape->k, 1, 0, shape->m, 0, shape->k, o.packed_a);
			bool right = true;
			for (int variant = 0; variant < 2 && right; variant++) {
				(variant == 0 ? multiply : multiply_packed_a)(&isa.sgemm, &o);
				right = spot_check(&o);
			}
			if (!right) {
				printf("| %s | %s | | %s | wrong result | | | |\n", isa.name, isa.sgemm.name, shape->name);
				failures++;
				free((void*) o.a); free((void*) o.b); free(o.c); free(o.buffer); free(o.packed_a);
				continue;
			}
			operands[count++] = o;
		}
		if (count == 0) continue;
		/* Rounds over every shape and both variants, each round with its own peak measurement: a slow phase of the
		 * host (seconds long on this VM) then lands on one round of everything rather than on every round of one
		 * shape, and the medians leave it out. */
		double seconds[sizeof shapes / sizeof shapes[0]][2][64], peaks[64];
		for (size_t r = 0; r < rounds; r++) {
			peaks[r] = level == nnps_isa_avx512 ? nnps_bench_fma_peak_gflops() : nnps_bench_fma_peak_ymm_gflops();
			for (size_t s = 0; s < count; s++) {
				seconds[s][0][r] = call_seconds(&isa.sgemm, &operands[s], multiply);
				seconds[s][1][r] = call_seconds(&isa.sgemm, &operands[s], multiply_packed_a);
			}
		}
		const double peak = median(peaks, rounds);
		for (size_t s = 0; s < count; s++) {
			const struct shape* shape = operands[s].shape;
			const double flops = 2.0 * (double) shape->m * (double) shape->n * (double) shape->k;
			const double plain = flops / median(seconds[s][0], rounds) / 1e9, packed = flops / median(seconds[s][1], rounds) / 1e9;
			printf("| %s | %s | %zu / %zu / %zu | %s | %.1f | %.0f%% | %.1f | %.0f%% |\n", isa.name, isa.sgemm.name, isa.sgemm.kc, isa.sgemm.mc, isa.sgemm.nc,
				shape->name, plain, 100.0 * plain / peak, packed, 100.0 * packed / peak);
			free((void*) operands[s].a); free((void*) operands[s].b); free(operands[s].c); free(operands[s].buffer); free(operands[s].packed_a);
		}
		printf("| %s | peak of its width, median of the rounds | | | %.1f | | | |\n", isa.name, peak);
		fflush(stdout);
	}
	printf("\nFMA peak re-measured after the table: zmm %.1f GFLOP/s, ymm %.1f\n", nnps_bench_fma_peak_gflops(), nnps_bench_fma_peak_ymm_gflops());
	return failures != 0;
}
