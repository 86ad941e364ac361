/* nnp_convolution_inference's stored kernels: for every algorithm on random batch-1 shapes (3x3 that Winograd takes,
 * pointwise, strided, odd sizes, relu), precompute then reuse gives exactly the compute strategy's output and a smaller
 * workspace; the size query and the buffer checks follow the workspace protocol; a stored kernel made for another
 * problem, a damaged one, NULL, or an explicit algorithm other than the stored one is refused with
 * nnp_status_invalid_transform_strategy and the output left untouched (a Winograd kernel by implicit GEMM and by the
 * other tile size: wt8x8's F(6x6) and nnpsharp_convolution_algorithm_wt6x6's F(4x4); an FFT kernel likewise between
 * ft8x8 and ft16x16). Run at each ISA cap by ctest. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nnpacksharp.h"
#include "xorshift.h"

static int failures = 0;
static int checks = 0;

#define CHECK(condition, ...) do { checks++; if (!(condition)) { failures++; printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } } while (0)

static unsigned long long rng_state = 0x9E3779B97F4A7C15ull;
static size_t pick(size_t low, size_t high) {
	xorshift64(&rng_state);
	return low + (size_t) (rng_state % (high - low + 1));
}

static float* random_floats(size_t count) {
	float* values = malloc(count * sizeof(float));
	for (size_t i = 0; i < count; i++) values[i] = (float) pick(0, 2000) / 1000.0f - 1.0f;
	return values;
}

struct problem {
	size_t ci, co;
	struct nnp_size input, kernel, stride;
	struct nnp_padding padding;
	enum nnp_activation activation;
};

static size_t output_floats(const struct problem* p) {
	const size_t oh = (p->padding.top + p->input.height + p->padding.bottom - p->kernel.height) / p->stride.height + 1;
	const size_t ow = (p->padding.left + p->input.width + p->padding.right - p->kernel.width) / p->stride.width + 1;
	return p->co * oh * ow;
}

static enum nnp_status infer(const struct problem* p, enum nnp_convolution_algorithm algorithm, enum nnp_convolution_transform_strategy strategy,
	const float* x, const void* kernel, const float* b, float* y, void* workspace, size_t* size, pthreadpool_t pool)
{
	return nnp_convolution_inference(algorithm, strategy, p->ci, p->co, p->input, p->padding, p->kernel, p->stride, x, kernel, b, y, workspace, size,
		p->activation, NULL, pool, NULL);
}

/* Precomputes the stored kernel of (p, algorithm) into a fresh buffer; NULL when the algorithm does not apply. */
static void* precompute(const struct problem* p, enum nnp_convolution_algorithm algorithm, const float* w, pthreadpool_t pool) {
	size_t bytes = 0;
	if (infer(p, algorithm, nnp_convolution_transform_strategy_precompute, NULL, w, NULL, NULL, NULL, &bytes, pool) != nnp_status_success) return NULL;
	void* stored = malloc(bytes); /* a stored kernel needs no alignment */
	size_t small = bytes - 1;
	CHECK(infer(p, algorithm, nnp_convolution_transform_strategy_precompute, NULL, w, NULL, NULL, stored, &small, pool) == nnp_status_insufficient_buffer,
		"a buffer one byte short must be refused");
	CHECK(infer(p, algorithm, nnp_convolution_transform_strategy_precompute, NULL, w, NULL, NULL, stored, &bytes, pool) == nnp_status_success, "precompute");
	return stored;
}

/* The same transform at the other tile size (Winograd F(6x6) and F(4x4), FFT 8x8 and 16x16); the algorithm itself
 * for those with no transform. */
static enum nnp_convolution_algorithm other_tile_size(enum nnp_convolution_algorithm algorithm) {
	switch ((int) algorithm) { /* (the extension's value is outside upstream's enum) */
		case nnp_convolution_algorithm_wt8x8: return nnpsharp_convolution_algorithm_wt6x6;
		case nnpsharp_convolution_algorithm_wt6x6: return nnp_convolution_algorithm_wt8x8;
		case nnp_convolution_algorithm_ft8x8: return nnp_convolution_algorithm_ft16x16;
		case nnp_convolution_algorithm_ft16x16: return nnp_convolution_algorithm_ft8x8;
		default: return algorithm;
	}
}

static void check_problem(const struct problem* p, pthreadpool_t pool) {
	const size_t xs = p->ci * p->input.height * p->input.width, ws = p->co * p->ci * p->kernel.height * p->kernel.width, ys = output_floats(p);
	float *x = random_floats(xs), *w = random_floats(ws), *b = random_floats(p->co), *y0 = malloc(ys * sizeof(float)), *y1 = malloc(ys * sizeof(float));
	const enum nnp_convolution_algorithm algorithms[] = { nnp_convolution_algorithm_auto, nnp_convolution_algorithm_implicit_gemm,
		nnp_convolution_algorithm_direct, nnp_convolution_algorithm_wt8x8, nnpsharp_convolution_algorithm_wt6x6, nnp_convolution_algorithm_ft8x8,
		nnp_convolution_algorithm_ft16x16 };
	for (size_t a = 0; a < sizeof algorithms / sizeof algorithms[0]; a++) {
		if (infer(p, algorithms[a], nnp_convolution_transform_strategy_compute, x, w, b, y0, NULL, NULL, pool) != nnp_status_success) continue;
		void* stored = precompute(p, algorithms[a], w, pool);
		CHECK(stored != NULL, "algorithm %d computes but does not precompute", algorithms[a]);
		if (stored == NULL) continue;
		size_t compute_size = 0, reuse_size = 0;
		CHECK(infer(p, algorithms[a], nnp_convolution_transform_strategy_compute, x, w, b, y0, NULL, &compute_size, pool) == nnp_status_success &&
			infer(p, algorithms[a], nnp_convolution_transform_strategy_reuse, x, stored, b, y1, NULL, &reuse_size, pool) == nnp_status_success &&
			reuse_size < compute_size, "algorithm %d: reuse needs %zu bytes of workspace, compute %zu", algorithms[a], reuse_size, compute_size);
		memset(y1, 0xff, ys * sizeof(float));
		CHECK(infer(p, algorithms[a], nnp_convolution_transform_strategy_reuse, x, stored, b, y1, NULL, NULL, pool) == nnp_status_success &&
			memcmp(y0, y1, ys * sizeof(float)) == 0, "algorithm %d: reuse differs from compute (ci %zu co %zu kernel %zux%zu)", algorithms[a], p->ci, p->co,
			p->kernel.height, p->kernel.width);
		/* Refusals leave the output as it was. */
		memset(y1, 0x7f, ys * sizeof(float));
		((unsigned char*) stored)[3] ^= 1;
		CHECK(infer(p, algorithms[a], nnp_convolution_transform_strategy_reuse, x, stored, b, y1, NULL, NULL, pool) == nnp_status_invalid_transform_strategy,
			"a damaged header must be refused");
		((unsigned char*) stored)[3] ^= 1;
		struct problem other = *p;
		other.ci += 1;
		float* x2 = random_floats(other.ci * p->input.height * p->input.width);
		CHECK(infer(&other, nnp_convolution_algorithm_auto, nnp_convolution_transform_strategy_reuse, x2, stored, b, y1, NULL, NULL, pool) ==
			nnp_status_invalid_transform_strategy, "a stored kernel of another channel count must be refused");
		free(x2);
		CHECK(infer(p, algorithms[a], nnp_convolution_transform_strategy_reuse, x, NULL, b, y1, NULL, NULL, pool) == nnp_status_invalid_transform_strategy,
			"a NULL stored kernel must be refused");
		const enum nnp_convolution_algorithm other_tile = other_tile_size(algorithms[a]);
		if (other_tile != algorithms[a]) {
			CHECK(infer(p, nnp_convolution_algorithm_implicit_gemm, nnp_convolution_transform_strategy_reuse, x, stored, b, y1, NULL, NULL, pool) ==
				nnp_status_invalid_transform_strategy, "implicit GEMM must refuse a kernel transformed for algorithm %d", algorithms[a]);
			CHECK(infer(p, other_tile, nnp_convolution_transform_strategy_reuse, x, stored, b, y1, NULL, NULL, pool) == nnp_status_invalid_transform_strategy,
				"algorithm %d must refuse a kernel transformed for algorithm %d's tile size", other_tile, algorithms[a]);
		}
		bool untouched = true;
		for (size_t i = 0; i < ys; i++) untouched = untouched && ((const unsigned char*) y1)[i * 4] == 0x7f;
		CHECK(untouched, "a refused call wrote its output");
		free(stored);
	}
	free(x); free(w); free(b); free(y0); free(y1);
}

int main(void) {
	CHECK(nnp_initialize() == nnp_status_success, "initialize");
	pthreadpool_t pool = pthreadpool_create(2);
	const struct problem fixed[] = {
		{ 20, 24, { 30, 30 }, { 3, 3 }, { 1, 1 }, { 1, 1, 1, 1 }, nnp_activation_identity }, /* Winograd under auto, pooled */
		{ 7, 5, { 9, 11 }, { 3, 3 }, { 1, 1 }, { 2, 0, 1, 2 }, nnp_activation_relu },
		{ 33, 17, { 8, 8 }, { 1, 1 }, { 1, 1 }, { 0, 0, 0, 0 }, nnp_activation_identity },      /* pointwise */
		{ 3, 64, { 40, 40 }, { 7, 7 }, { 2, 2 }, { 3, 3, 3, 3 }, nnp_activation_identity },    /* strided, pooled */
		{ 40, 36, { 17, 9 }, { 7, 1 }, { 1, 1 }, { 0, 3, 0, 3 }, nnp_activation_relu },        /* 1x7: a stored kernel of one row */
		{ 40, 36, { 9, 17 }, { 1, 7 }, { 1, 1 }, { 3, 0, 3, 0 }, nnp_activation_identity },    /* 7x1: a column kernel's */
	};
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
		check_problem(&fixed[i], NULL);
		check_problem(&fixed[i], pool);
	}
	for (int i = 0; i < 40; i++) {
		const size_t k = pick(1, 5);
		struct problem p = {
			pick(1, 40), pick(1, 40), { pick(k, 20), pick(k, 20) }, { k, i % 3 == 0 ? k : pick(1, 5) }, { pick(1, 3), pick(1, 3) },
			{ 0, 0, 0, 0 }, i % 4 == 1 ? nnp_activation_relu : nnp_activation_identity,
		};
		if (i % 2 == 0) {
			/* Winograd's shapes. */
			p.kernel = (struct nnp_size) { 3, 3 };
			p.stride = (struct nnp_size) { 1, 1 };
			p.padding = (struct nnp_padding) { pick(0, 2), pick(0, 2), pick(0, 2), pick(0, 2) };
		}
		check_problem(&p, (i & 1) ? pool : NULL);
	}
	pthreadpool_destroy(pool);
	printf("%d checks, %d failures\n", checks, failures);
	return failures == 0 ? 0 : 1;
}
