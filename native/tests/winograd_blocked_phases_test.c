/* Winograd's blocked phases (winograd-blocked-phases.c), one layer for each:
 * - fused: small maps whose U exceeds 4 MiB transform the kernel per block of output channels inside the
 *   multiplication. 384 -> 384 channels on 7x7 maps is such a layer for both tile sizes; the plan fuses at batch 1 on
 *   every thread count, and at batch 5 (32 columns) on 1 thread but not on 20 (more tasks, fewer rows each).
 * - column blocks: large maps with few channels run per block of tiles (their input transform, every point's GEMM and
 *   their output transform). 48 -> 48 channels on 67x67 maps is such a layer at batch 3: F(4x4) in groups of two
 *   images and one (289 tiles each: blocks that cross images, a group's last block half a panel), F(6x6) in one group
 *   of 432 tiles.
 * Checked for the output and the input gradient: bit-identical on 1, 2, 3 and 20 threads, bit-identical to inference
 * on a kernel transformed beforehand (at batch 1 and 3: the unfused path reading a stored U, or column blocks reading
 * it), and within Winograd's error bound of implicit GEMM. Too large for valgrind: not under memcheck. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nnpacksharp.h"
#include "xorshift.h"

static int failures = 0, checks = 0;
#define CHECK(condition, ...) do { checks++; if (!(condition)) { failures++; printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } } while (0)

enum { POOLS = 4 };

/* A layer: channels (in = out) and map side; 3x3 kernel, padding 1. */
struct layer {
	size_t c, h;
};

static unsigned long long rng_state = 0x5eed0f05edULL;

static float* random_floats(size_t count) {
	float* values = malloc(count * sizeof(float));
	for (size_t i = 0; i < count; i++) values[i] = (float) (xorshift64(&rng_state) % 2001) / 1000.0f - 1.0f;
	return values;
}

/* function 0: output (+ bias), 1: input gradient; x is the input or grad_output, y the result. */
static enum nnp_status run(struct layer l, int function, enum nnp_convolution_algorithm algorithm, size_t batch, const float* x, const float* w, const float* b,
	float* y, pthreadpool_t pool)
{
	const struct nnp_size size = { l.h, l.h }, kernel = { 3, 3 };
	const struct nnp_padding padding = { 1, 1, 1, 1 };
	return function == 0
		? nnp_convolution_output(algorithm, batch, l.c, l.c, size, padding, kernel, x, w, b, y, NULL, NULL, nnp_activation_identity, NULL, pool, NULL)
		: nnp_convolution_input_gradient(algorithm, batch, l.c, l.c, size, padding, kernel, x, w, y, NULL, NULL, nnp_activation_identity, NULL, pool, NULL);
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

/* One algorithm on one function: every pool bit-identical, near the exact result, and (forward, at most batch 3) equal to
 * inference on a stored kernel, image by image. */
static void check_algorithm(struct layer l, int function, size_t batch, enum nnp_convolution_algorithm algorithm, const float* x, const float* w,
	const float* b, const float* exact, const pthreadpool_t pools[POOLS])
{
	const size_t image = l.c * l.h * l.h, count = batch * image;
	float* y[POOLS];
	for (size_t p = 0; p < POOLS; p++) {
		y[p] = malloc(count * sizeof(float));
		CHECK(run(l, function, algorithm, batch, x, w, b, y[p], pools[p]) == nnp_status_success, "%zu channels: algorithm %d function %d batch %zu: call failed",
			l.c, algorithm, function, batch);
		CHECK(memcmp(y[0], y[p], count * sizeof(float)) == 0, "%zu channels: algorithm %d function %d batch %zu: differs on pool %zu", l.c, algorithm, function,
			batch, p);
	}
	const double error = relative_error(y[0], exact, count);
	CHECK(error < 1e-3, "%zu channels: algorithm %d function %d batch %zu: error %.2e against implicit GEMM", l.c, algorithm, function, batch, error);
	if (function == 0 && batch <= 3) {
		/* inference on a stored kernel (one image per call): the same U, read from where it was stored */
		const struct nnp_size size = { l.h, l.h }, kernel = { 3, 3 }, stride = { 1, 1 };
		const struct nnp_padding padding = { 1, 1, 1, 1 };
		size_t bytes = 0;
		CHECK(nnp_convolution_inference(algorithm, nnp_convolution_transform_strategy_precompute, l.c, l.c, size, padding, kernel, stride, NULL, NULL, NULL,
			NULL, NULL, &bytes, nnp_activation_identity, NULL, NULL, NULL) == nnp_status_success, "precompute size query failed");
		/* Aligned by hand: mingw-w64's C library has neither aligned_alloc nor posix_memalign. */
		unsigned char* raw = malloc(bytes + 64);
		void* stored = raw + (64 - (uintptr_t) raw % 64) % 64;
		float* reused = malloc(count * sizeof(float));
		CHECK(nnp_convolution_inference(algorithm, nnp_convolution_transform_strategy_precompute, l.c, l.c, size, padding, kernel, stride, NULL, w, NULL,
			NULL, stored, &bytes, nnp_activation_identity, NULL, NULL, NULL) == nnp_status_success, "precompute failed");
		for (size_t i = 0; i < batch; i++) {
			CHECK(nnp_convolution_inference(algorithm, nnp_convolution_transform_strategy_reuse, l.c, l.c, size, padding, kernel, stride, x + i * image, stored,
				b, reused + i * image, NULL, NULL, nnp_activation_identity, NULL, pools[2], NULL) == nnp_status_success, "reuse failed");
		}
		CHECK(memcmp(y[0], reused, count * sizeof(float)) == 0, "%zu channels: algorithm %d batch %zu: the output differs from inference on a stored kernel",
			l.c, algorithm, batch);
		free(raw);
		free(reused);
	}
	for (size_t p = 0; p < POOLS; p++) free(y[p]);
}

static void check_batch(struct layer l, size_t batch, const pthreadpool_t pools[POOLS]) {
	const size_t count = batch * l.c * l.h * l.h;
	float *x = random_floats(count), *w = random_floats(l.c * l.c * 9), *b = random_floats(l.c), *exact = malloc(count * sizeof(float));
	const enum nnp_convolution_algorithm algorithms[] = { nnp_convolution_algorithm_wt8x8, nnpsharp_convolution_algorithm_wt6x6 };
	for (int function = 0; function < 2; function++) {
		CHECK(run(l, function, nnp_convolution_algorithm_implicit_gemm, batch, x, w, b, exact, pools[1]) == nnp_status_success, "implicit GEMM failed");
		for (size_t a = 0; a < 2; a++) check_algorithm(l, function, batch, algorithms[a], x, w, b, exact, pools);
	}
	free(x); free(w); free(b); free(exact);
}

int main(void) {
	if (nnp_initialize() != nnp_status_success) {
		printf("FAIL: nnp_initialize\n");
		return 1;
	}
	const pthreadpool_t pools[POOLS] = { NULL, pthreadpool_create(2), pthreadpool_create(3), pthreadpool_create(20) };
	const struct layer fused = { 384, 7 }, column_blocks = { 48, 67 };
	check_batch(fused, 1, pools);
	check_batch(fused, 5, pools);
	check_batch(column_blocks, 3, pools);
	for (size_t p = 1; p < POOLS; p++) pthreadpool_destroy(pools[p]);
	printf("%d checks, %d failures (ISA %s)\n", checks, failures, nnpsharp_isa());
	return failures == 0 ? 0 : 1;
}
