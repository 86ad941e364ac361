/* Winograd's fused kernel transform (winograd.c: small maps whose U exceeds 4 MiB transform the kernel per block of
 * output channels inside the multiplication). 384 -> 384 channels on 7x7 maps is such a layer for both tile sizes; the
 * plan fuses at batch 1 on every thread count, and at batch 5 (32 columns) on 1 thread but not on 20 (more tasks, fewer
 * rows each).
 * Checked for the output and the input gradient: bit-identical on 1, 2, 3 and 20 threads (fused against fused with
 * other blocks, and fused against unfused), bit-identical to inference on a kernel transformed beforehand (the unfused
 * path reading a stored U), and within Winograd's error bound of implicit GEMM. Too large for valgrind: not under
 * memcheck. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nnpacksharp.h"
#include "xorshift.h"

static int failures = 0, checks = 0;
#define CHECK(condition, ...) do { checks++; if (!(condition)) { failures++; printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } } while (0)

enum { C = 384, H = 7, POOLS = 4 };

static unsigned long long rng_state = 0x5eed0f05edULL;

static float* random_floats(size_t count) {
	float* values = malloc(count * sizeof(float));
	for (size_t i = 0; i < count; i++) values[i] = (float) (xorshift64(&rng_state) % 2001) / 1000.0f - 1.0f;
	return values;
}

/* function 0: output (+ bias), 1: input gradient; x is the input or grad_output, y the result. */
static enum nnp_status run(int function, enum nnp_convolution_algorithm algorithm, size_t batch, const float* x, const float* w, const float* b, float* y,
	pthreadpool_t pool)
{
	const struct nnp_size size = { H, H }, kernel = { 3, 3 };
	const struct nnp_padding padding = { 1, 1, 1, 1 };
	return function == 0
		? nnp_convolution_output(algorithm, batch, C, C, size, padding, kernel, x, w, b, y, NULL, NULL, nnp_activation_identity, NULL, pool, NULL)
		: nnp_convolution_input_gradient(algorithm, batch, C, C, size, padding, kernel, x, w, y, NULL, NULL, nnp_activation_identity, NULL, pool, NULL);
}

/* The largest |a - b| over the largest |b|. */
static double relative_error(const float* a, const float* b, size_t count) {
	double worst = 0.0, largest = 1e-30;
	for (size_t i = 0; i < count; i++) {
		const double difference = fabs((double) a[i] - (double) b[i]), magnitude = fabs((double) b[i]);
		if (difference > worst) worst = difference;
		if (magnitude > largest) largest = magnitude;
	}
	return worst / largest;
}

/* One algorithm on one function: every pool bit-identical, near the exact result, and (forward, batch 1) equal to
 * inference on a stored kernel. */
static void check_algorithm(int function, size_t batch, enum nnp_convolution_algorithm algorithm, const float* x, const float* w, const float* b,
	const float* exact, const pthreadpool_t pools[POOLS])
{
	const size_t count = batch * C * H * H;
	float* y[POOLS];
	for (size_t p = 0; p < POOLS; p++) {
		y[p] = malloc(count * sizeof(float));
		CHECK(run(function, algorithm, batch, x, w, b, y[p], pools[p]) == nnp_status_success, "algorithm %d function %d batch %zu: call failed", algorithm,
			function, batch);
		CHECK(memcmp(y[0], y[p], count * sizeof(float)) == 0, "algorithm %d function %d batch %zu: differs on pool %zu", algorithm, function, batch, p);
	}
	const double error = relative_error(y[0], exact, count);
	CHECK(error < 1e-3, "algorithm %d function %d batch %zu: error %.2e against implicit GEMM", algorithm, function, batch, error);
	if (function == 0 && batch == 1) {
		/* inference on a stored kernel: the unfused path over the same U */
		const struct nnp_size size = { H, H }, kernel = { 3, 3 }, stride = { 1, 1 };
		const struct nnp_padding padding = { 1, 1, 1, 1 };
		size_t bytes = 0;
		CHECK(nnp_convolution_inference(algorithm, nnp_convolution_transform_strategy_precompute, C, C, size, padding, kernel, stride, NULL, NULL, NULL, NULL,
			NULL, &bytes, nnp_activation_identity, NULL, NULL, NULL) == nnp_status_success, "precompute size query failed");
		/* Aligned by hand: mingw-w64's C library has neither aligned_alloc nor posix_memalign. */
		unsigned char* raw = malloc(bytes + 64);
		void* stored = raw + (64 - (uintptr_t) raw % 64) % 64;
		float* reused = malloc(count * sizeof(float));
		CHECK(nnp_convolution_inference(algorithm, nnp_convolution_transform_strategy_precompute, C, C, size, padding, kernel, stride, NULL, w, NULL, NULL,
			stored, &bytes, nnp_activation_identity, NULL, NULL, NULL) == nnp_status_success, "precompute failed");
		CHECK(nnp_convolution_inference(algorithm, nnp_convolution_transform_strategy_reuse, C, C, size, padding, kernel, stride, x, stored, b, reused,
			NULL, NULL, nnp_activation_identity, NULL, pools[2], NULL) == nnp_status_success, "reuse failed");
		CHECK(memcmp(y[0], reused, count * sizeof(float)) == 0, "algorithm %d: the fused output differs from inference on a stored kernel", algorithm);
		free(raw);
		free(reused);
	}
	for (size_t p = 0; p < POOLS; p++) free(y[p]);
}

static void check_batch(size_t batch, const pthreadpool_t pools[POOLS]) {
	const size_t count = batch * C * H * H;
	float *x = random_floats(count), *w = random_floats((size_t) C * C * 9), *b = random_floats(C), *exact = malloc(count * sizeof(float));
	const enum nnp_convolution_algorithm algorithms[] = { nnp_convolution_algorithm_wt8x8, nnpsharp_convolution_algorithm_wt6x6 };
	for (int function = 0; function < 2; function++) {
		CHECK(run(function, nnp_convolution_algorithm_implicit_gemm, batch, x, w, b, exact, pools[1]) == nnp_status_success, "implicit GEMM failed");
		for (size_t a = 0; a < 2; a++) check_algorithm(function, batch, algorithms[a], x, w, b, exact, pools);
	}
	free(x); free(w); free(b); free(exact);
}

int main(void) {
	if (nnp_initialize() != nnp_status_success) {
		printf("FAIL: nnp_initialize\n");
		return 1;
	}
	const pthreadpool_t pools[POOLS] = { NULL, pthreadpool_create(2), pthreadpool_create(3), pthreadpool_create(20) };
	check_batch(1, pools);
	check_batch(5, pools);
	for (size_t p = 1; p < POOLS; p++) pthreadpool_destroy(pools[p]);
	printf("%d checks, %d failures (ISA %s)\n", checks, failures, nnpsharp_isa());
	return failures == 0 ? 0 : 1;
}
