/* auto's policies (operators/measured-auto.h). Measured (the default): on layers where several algorithms compete, the
 * first call's result is exactly one named algorithm's result; every later call, at any thread count and with or
 * without a caller's workspace, gives the same bits; the size query covers every candidate, so a buffer of exactly
 * that size serves the measuring call. Static (argument "static", run with NNPACKSHARP_AUTO=static): auto follows the
 * cost model, which takes implicit GEMM below 16 channels and F(6x6) on a large 32-channel map. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nnpacksharp.h"
#include "xorshift.h"

static int failures = 0;
static int checks = 0;

#define CHECK(condition, ...) do { checks++; if (!(condition)) { failures++; printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } } while (0)

enum function { output, input_gradient, kernel_gradient, inference };
static const char* const function_names[] = { "output", "input gradient", "kernel gradient", "inference" };

struct layer {
	size_t n, ci, co, h, w;
};

static unsigned long long rng_state = 0xD1B54A32D192ED03ull;
static float* random_floats(size_t count) {
	float* values = malloc(count * sizeof(float));
	for (size_t i = 0; i < count; i++) values[i] = (float) (xorshift64(&rng_state) % 2001) / 1000.0f - 1.0f;
	return values;
}

/* One 3x3, padding-1 call of `function` on l: x, w, b and dy in, the function's result into *result. */
struct operands {
	float *x, *w, *b, *dy;
	size_t result_floats;
};

static size_t result_floats(enum function function, const struct layer* l) {
	switch (function) {
		case input_gradient: return l->n * l->ci * l->h * l->w;
		case kernel_gradient: return l->co * l->ci * 9;
		default: return l->n * l->co * l->h * l->w;
	}
}

static enum nnp_status call(enum function function, enum nnp_convolution_algorithm algorithm, const struct layer* l, const struct operands* o, float* result,
	void* workspace, size_t* size, pthreadpool_t pool)
{
	const struct nnp_size input = { l->w, l->h }, kernel = { 3, 3 }, stride = { 1, 1 };
	const struct nnp_padding padding = { 1, 1, 1, 1 };
	switch (function) {
		case output:
			return nnp_convolution_output(algorithm, l->n, l->ci, l->co, input, padding, kernel, o->x, o->w, o->b, result, workspace, size,
				nnp_activation_identity, NULL, pool, NULL);
		case input_gradient:
			return nnp_convolution_input_gradient(algorithm, l->n, l->ci, l->co, input, padding, kernel, o->dy, o->w, result, workspace, size,
				nnp_activation_identity, NULL, pool, NULL);
		case kernel_gradient:
			return nnp_convolution_kernel_gradient(algorithm, l->n, l->ci, l->co, input, padding, kernel, o->x, o->dy, result, workspace, size,
				nnp_activation_identity, NULL, pool, NULL);
		default:
			return nnp_convolution_inference(algorithm, nnp_convolution_transform_strategy_compute, l->ci, l->co, input, padding, kernel, stride, o->x, o->w, o->b,
				result, workspace, size, nnp_activation_identity, NULL, pool, NULL);
	}
}

static const enum nnp_convolution_algorithm named[] = {
	nnp_convolution_algorithm_implicit_gemm, nnp_convolution_algorithm_wt8x8, nnpsharp_convolution_algorithm_wt6x6, nnp_convolution_algorithm_ft8x8,
	nnp_convolution_algorithm_ft16x16,
};
#define NAMED (sizeof named / sizeof named[0])

/* The named algorithms' results on l (NULL where one refuses the call) and their workspace sizes. */
static void named_results(enum function function, const struct layer* l, const struct operands* o, float* results[NAMED], size_t sizes[NAMED]) {
	for (size_t a = 0; a < NAMED; a++) {
		results[a] = malloc(o->result_floats * sizeof(float));
		sizes[a] = 0;
		if (call(function, named[a], l, o, results[a], NULL, NULL, NULL) != nnp_status_success) {
			free(results[a]);
			results[a] = NULL;
			continue;
		}
		CHECK(call(function, named[a], l, o, NULL, NULL, &sizes[a], NULL) == nnp_status_success, "size query of algorithm %d", named[a]);
	}
}

/* The named algorithm whose result `result` is, bit for bit; -1 for none. */
static int which(float* const results[NAMED], const float* result, size_t count) {
	for (size_t a = 0; a < NAMED; a++) if (results[a] != NULL && memcmp(results[a], result, count * sizeof(float)) == 0) return (int) named[a];
	return -1;
}

static void check_measured(enum function function, const struct layer* l, const struct operands* o, pthreadpool_t pools[3]) {
	const size_t count = o->result_floats;
	float* results[NAMED];
	size_t sizes[NAMED];
	named_results(function, l, o, results, sizes);

	size_t auto_size = 0;
	CHECK(call(function, nnp_convolution_algorithm_auto, l, o, NULL, NULL, &auto_size, pools[0]) == nnp_status_success, "auto's size query");
	/* With an exact buffer: the first call of this shape, which measures. */
	/* Aligned by hand: posix_memalign is not in mingw-w64's C library (the test runs on Windows too). */
	unsigned char* raw = malloc(auto_size + 64);
	void* workspace = raw + (64 - (uintptr_t) raw % 64) % 64;
	float* first = malloc(count * sizeof(float));
	size_t given = auto_size;
	CHECK(call(function, nnp_convolution_algorithm_auto, l, o, first, workspace, &given, pools[0]) == nnp_status_success, "%s: auto with its own size",
		function_names[function]);
	const int chosen = which(results, first, count);
	CHECK(chosen >= 0, "%s: auto's result is no named algorithm's", function_names[function]);
	for (size_t a = 0; a < NAMED; a++) {
		if ((int) named[a] == chosen) CHECK(auto_size >= sizes[a], "%s: auto's workspace %zu is short of its choice's %zu", function_names[function], auto_size, sizes[a]);
	}
	float* again = malloc(count * sizeof(float));
	for (size_t t = 0; t < 3; t++) {
		memset(again, 0xff, count * sizeof(float));
		CHECK(call(function, nnp_convolution_algorithm_auto, l, o, again, NULL, NULL, pools[t]) == nnp_status_success &&
			memcmp(first, again, count * sizeof(float)) == 0, "%s: auto differs from its first call with %zu threads", function_names[function], t + 1);
	}
	printf("%s, N=%zu %zu->%zu %zux%zu: auto chose algorithm %d (workspace %zu bytes)\n", function_names[function], l->n, l->ci, l->co, l->h, l->w, chosen,
		auto_size);
	for (size_t a = 0; a < NAMED; a++) free(results[a]);
	free(raw); free(first); free(again);
}

/* Static: auto's result is exactly `expected`'s. */
static void check_static(enum function function, const struct layer* l, const struct operands* o, enum nnp_convolution_algorithm expected) {
	const size_t count = o->result_floats;
	float *chosen = malloc(count * sizeof(float)), *reference = malloc(count * sizeof(float));
	CHECK(call(function, nnp_convolution_algorithm_auto, l, o, chosen, NULL, NULL, NULL) == nnp_status_success &&
		call(function, expected, l, o, reference, NULL, NULL, NULL) == nnp_status_success && memcmp(chosen, reference, count * sizeof(float)) == 0,
		"%s, N=%zu %zu->%zu %zux%zu: static auto is not algorithm %d", function_names[function], l->n, l->ci, l->co, l->h, l->w, expected);
	free(chosen); free(reference);
}

static struct operands operands_of(const struct layer* l) {
	return (struct operands) {
		random_floats(l->n * l->ci * l->h * l->w), random_floats(l->co * l->ci * 9), random_floats(l->co), random_floats(l->n * l->co * l->h * l->w), 0,
	};
}

int main(int argc, char** argv) {
	const bool static_policy = argc > 1 && strcmp(argv[1], "static") == 0;
	CHECK(nnp_initialize() == nnp_status_success, "initialize");
	if (static_policy) {
		const struct layer few = { 2, 8, 24, 20, 20 }, large = { 1, 32, 32, 96, 96 };
		struct operands o = operands_of(&few), p = operands_of(&large);
		for (enum function f = output; f <= inference; f++) {
			const struct layer* l = f == inference ? &(struct layer) { 1, 8, 24, 20, 20 } : &few;
			o.result_floats = result_floats(f, l);
			check_static(f, l, &o, nnp_convolution_algorithm_implicit_gemm);
		}
		p.result_floats = result_floats(output, &large);
		check_static(output, &large, &p, nnp_convolution_algorithm_wt8x8);
		free(o.x); free(o.w); free(o.b); free(o.dy); free(p.x); free(p.w); free(p.b); free(p.dy);
	} else {
		/* Above the serial threshold (4 M multiply-adds), with 32 channels each way: Winograd's two tile sizes and implicit
		 * GEMM all within the model's reach on a 14x14 map. */
		pthreadpool_t pools[3] = { NULL, pthreadpool_create(2), pthreadpool_create(3) };
		const struct layer layers[] = { { 4, 32, 32, 14, 14 }, { 2, 48, 40, 23, 17 } };
		for (size_t i = 0; i < sizeof layers / sizeof layers[0]; i++) {
			const struct layer single = { 1, layers[i].ci, layers[i].co, layers[i].h, layers[i].w };
			struct operands o = operands_of(&layers[i]);
			for (enum function f = output; f <= inference; f++) {
				const struct layer* l = f == inference ? &single : &layers[i];
				o.result_floats = result_floats(f, l);
				check_measured(f, l, &o, pools);
			}
			free(o.x); free(o.w); free(o.b); free(o.dy);
		}
		pthreadpool_destroy(pools[1]);
		pthreadpool_destroy(pools[2]);
	}
	printf("%d checks, %d failures\n", checks, failures);
	return failures == 0 ? 0 : 1;
}
