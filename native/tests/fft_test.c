/* FFT convolution (ft8x8, ft16x16) against a double-precision reference: every function (output with bias and relu,
 * inference, input and kernel gradients) on odd maps 1..20, square and non-square kernels up to each tile's limit,
 * padding 0..k-1, batch 1, channels off the vector widths; the error relative to the largest term magnitude of each
 * result, held to FFT_TOLERANCE and the worst printed; bit-identical results on 1, 2 and 3 threads; the status codes
 * (kernel past the tile, strides, input-gradient padding); auto's FFT rule. argv[1] names the ISA cap (NNPACKSHARP_ISA, by ctest). */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nnpacksharp.h"
#include "xorshift.h"

static int failures = 0;
static int checks = 0;

#define CHECK(condition, ...) do { checks++; if (!(condition)) { failures++; printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } } while (0)

/* Measured worst on random data: ~3e-7 (8x8) and ~6e-7 (16x16); single-precision DFTs of 8 or 16 terms per axis. */
#define FFT_TOLERANCE 1e-5

struct shape {
	size_t n, ci, co, h, w, kh, kw, top, right, bottom, left;
};

static size_t out_h(const struct shape* s) { return s->top + s->h + s->bottom - s->kh + 1; }
static size_t out_w(const struct shape* s) { return s->left + s->w + s->right - s->kw + 1; }

static unsigned long long rng_state = 0x2545F4914F6CDD1Dull;
static size_t pick(size_t low, size_t high) {
	xorshift64(&rng_state);
	return low + (size_t) (rng_state % (high - low + 1));
}
static float* random_floats(size_t count) {
	float* values = malloc((count ? count : 1) * sizeof(float));
	for (size_t i = 0; i < count; i++) values[i] = (float) pick(0, 2000000) / 1000000.0f - 1.0f;
	return values;
}

/* Worst |x - ref| / (largest sum |terms| of the tensor). */
static double error_of_largest(const float* actual, const double* reference, const double* magnitude, size_t count) {
	double worst = 0.0, largest = FLT_MIN;
	for (size_t i = 0; i < count; i++) largest = fmax(largest, magnitude[i]);
	for (size_t i = 0; i < count; i++) {
		const double error = fabs((double) actual[i] - reference[i]) / largest;
		if (!(error <= worst)) worst = isnan(error) ? INFINITY : error;
	}
	return worst;
}

static double worst[2];
static const struct nnp_size unit = { 1, 1 };

static void check_shape(const struct shape* s, enum nnp_convolution_algorithm algorithm, size_t tile, pthreadpool_t pool, bool relu) {
	const size_t oh = out_h(s), ow = out_w(s);
	const size_t xs = s->n * s->ci * s->h * s->w, ws = s->co * s->ci * s->kh * s->kw, ys = s->n * s->co * oh * ow;
	float *x = random_floats(xs), *w = random_floats(ws), *b = random_floats(s->co), *dy = random_floats(ys);
	float *y = malloc(ys * sizeof(float)), *dx = malloc(xs * sizeof(float)), *dw = malloc(ws * sizeof(float));
	double *ry = calloc(ys, sizeof(double)), *my = calloc(ys, sizeof(double)), *rdx = calloc(xs, sizeof(double)), *mdx = calloc(xs, sizeof(double));
	double *rdw = calloc(ws, sizeof(double)), *mdw = calloc(ws, sizeof(double));
	for (size_t i = 0; i < ys; i++) ry[i] = b[(i / (oh * ow)) % s->co], my[i] = fabs(ry[i]);
	for (size_t n = 0; n < s->n; n++) for (size_t o = 0; o < s->co; o++) for (size_t oy = 0; oy < oh; oy++) for (size_t ox = 0; ox < ow; ox++)
	for (size_t c = 0; c < s->ci; c++) for (size_t ky = 0; ky < s->kh; ky++) for (size_t kx = 0; kx < s->kw; kx++) {
		const long iy = (long) (oy + ky) - (long) s->top, ix = (long) (ox + kx) - (long) s->left;
		if (iy < 0 || ix < 0 || iy >= (long) s->h || ix >= (long) s->w) continue;
		const size_t xi = ((n * s->ci + c) * s->h + (size_t) iy) * s->w + (size_t) ix, wi = ((o * s->ci + c) * s->kh + ky) * s->kw + kx;
		const size_t yi = ((n * s->co + o) * oh + oy) * ow + ox;
		ry[yi] += (double) x[xi] * w[wi]; my[yi] += fabs((double) x[xi] * w[wi]);
		rdx[xi] += (double) dy[yi] * w[wi]; mdx[xi] += fabs((double) dy[yi] * w[wi]);
		rdw[wi] += (double) dy[yi] * x[xi]; mdw[wi] += fabs((double) dy[yi] * x[xi]);
	}
	if (relu) for (size_t i = 0; i < ys; i++) ry[i] = ry[i] > 0 ? ry[i] : 0;
	const struct nnp_size input = { s->w, s->h }, kernel = { s->kw, s->kh };
	const struct nnp_padding padding = { s->top, s->right, s->bottom, s->left };
	const enum nnp_activation activation = relu ? nnp_activation_relu : nnp_activation_identity;
	double* const slot = &worst[tile == 16];
	char label[160];
	snprintf(label, sizeof label, "ft%zux%zu n%zu ci%zu co%zu %zux%zu k%zux%zu pad %zu,%zu,%zu,%zu", tile, tile, s->n, s->ci, s->co, s->h, s->w, s->kh, s->kw,
		s->top, s->right, s->bottom, s->left);
	enum nnp_status status = nnp_convolution_output(algorithm, s->n, s->ci, s->co, input, padding, kernel, x, w, b, y, NULL, NULL, activation, NULL, pool, NULL);
	double error = error_of_largest(y, ry, my, ys);
	CHECK(status == nnp_status_success && error <= FFT_TOLERANCE, "%s: output status %d error %g", label, status, error);
	*slot = fmax(*slot, error);
	if (s->n == 1) {
		memset(y, 0xff, ys * sizeof(float));
		status = nnp_convolution_inference(algorithm, nnp_convolution_transform_strategy_compute, s->ci, s->co, input, padding, kernel, unit, x, w, b, y, NULL, NULL,
			activation, NULL, pool, NULL);
		error = error_of_largest(y, ry, my, ys);
		CHECK(status == nnp_status_success && error <= FFT_TOLERANCE, "%s: inference status %d error %g", label, status, error);
	}
	status = nnp_convolution_input_gradient(algorithm, s->n, s->ci, s->co, input, padding, kernel, dy, w, dx, NULL, NULL, nnp_activation_identity, NULL, pool, NULL);
	error = error_of_largest(dx, rdx, mdx, xs);
	CHECK(status == nnp_status_success && error <= FFT_TOLERANCE, "%s: input gradient status %d error %g", label, status, error);
	*slot = fmax(*slot, error);
	status = nnp_convolution_kernel_gradient(algorithm, s->n, s->ci, s->co, input, padding, kernel, x, dy, dw, NULL, NULL, nnp_activation_identity, NULL, pool, NULL);
	error = error_of_largest(dw, rdw, mdw, ws);
	CHECK(status == nnp_status_success && error <= FFT_TOLERANCE, "%s: kernel gradient status %d error %g", label, status, error);
	*slot = fmax(*slot, error);
	free(x); free(w); free(b); free(dy); free(y); free(dx); free(dw); free(ry); free(my); free(rdx); free(mdx); free(rdw); free(mdw);
}

/* A shape of kernel up to `limit` on each side, padding below the kernel (upstream's rule), odd map 1..20. */
static struct shape random_shape(size_t limit, bool square) {
	struct shape s;
	s.kh = pick(1, limit);
	s.kw = square ? s.kh : pick(1, limit);
	s.top = pick(0, s.kh - 1); s.bottom = pick(0, s.kh - 1); s.left = pick(0, s.kw - 1); s.right = pick(0, s.kw - 1);
	const size_t min_h = s.kh > s.top + s.bottom ? s.kh - s.top - s.bottom : 1, min_w = s.kw > s.left + s.right ? s.kw - s.left - s.right : 1;
	s.h = pick(min_h > 1 ? min_h : 1, 20); s.w = pick(min_w > 1 ? min_w : 1, 20);
	s.n = pick(1, 3); s.ci = pick(1, 19); s.co = pick(1, 21);
	return s;
}

/* 1, 2 and 3 threads give the same bits, each function, on a call large enough to be split (>= 4 M multiply-adds). */
static void test_thread_count_independence(enum nnp_convolution_algorithm algorithm, pthreadpool_t pool2, pthreadpool_t pool3) {
	const struct shape s = { 3, 19, 37, 27, 23, 5, 4, 2, 1, 2, 3 };
	const size_t xs = s.n * s.ci * s.h * s.w, ws = s.co * s.ci * s.kh * s.kw, ys = s.n * s.co * out_h(&s) * out_w(&s);
	float *x = random_floats(xs), *w = random_floats(ws), *b = random_floats(s.co), *dy = random_floats(ys), *results[3][3];
	const struct nnp_size input = { s.w, s.h }, kernel = { s.kw, s.kh };
	const struct nnp_padding padding = { s.top, s.right, s.bottom, s.left };
	const pthreadpool_t pools[3] = { NULL, pool2, pool3 };
	for (size_t t = 0; t < 3; t++) {
		results[t][0] = malloc(ys * sizeof(float)); results[t][1] = malloc(xs * sizeof(float)); results[t][2] = malloc(ws * sizeof(float));
		CHECK(nnp_convolution_output(algorithm, s.n, s.ci, s.co, input, padding, kernel, x, w, b, results[t][0], NULL, NULL, 0, NULL, pools[t], NULL) == nnp_status_success &&
			nnp_convolution_input_gradient(algorithm, s.n, s.ci, s.co, input, padding, kernel, dy, w, results[t][1], NULL, NULL, 0, NULL, pools[t], NULL) == nnp_status_success &&
			nnp_convolution_kernel_gradient(algorithm, s.n, s.ci, s.co, input, padding, kernel, x, dy, results[t][2], NULL, NULL, 0, NULL, pools[t], NULL) == nnp_status_success,
			"algorithm %d on %zu threads", algorithm, t + 1);
	}
	const size_t sizes[3] = { ys, xs, ws };
	for (size_t t = 1; t < 3; t++) for (size_t f = 0; f < 3; f++) {
		CHECK(memcmp(results[0][f], results[t][f], sizes[f] * sizeof(float)) == 0, "algorithm %d: function %zu differs on %zu threads", algorithm, f, t + 1);
	}
	for (size_t t = 0; t < 3; t++) for (size_t f = 0; f < 3; f++) free(results[t][f]);
	free(x); free(w); free(b); free(dy);
}

static void test_status_codes(void) {
	float buffer[4096] = { 0 };
	const struct nnp_size in = { 20, 20 }, k9 = { 9, 9 }, k17 = { 17, 2 }, k5 = { 5, 5 }, two = { 2, 2 };
	const struct nnp_padding p0 = { 0, 0, 0, 0 }, p5 = { 5, 0, 0, 0 };
	CHECK(nnp_convolution_output(nnp_convolution_algorithm_ft8x8, 1, 1, 1, in, p0, k9, buffer, buffer, buffer, buffer, NULL, NULL, 0, NULL, NULL, NULL) ==
		nnp_status_unsupported_algorithm, "ft8x8 refuses a 9x9 kernel");
	CHECK(nnp_convolution_kernel_gradient(nnp_convolution_algorithm_ft16x16, 1, 1, 1, in, p0, k17, buffer, buffer, buffer, NULL, NULL, 0, NULL, NULL, NULL) ==
		nnp_status_unsupported_algorithm, "ft16x16 refuses a 17-row kernel");
	CHECK(nnp_convolution_output(nnp_convolution_algorithm_ft16x16, 1, 1, 1, in, p0, k9, buffer, buffer, buffer, buffer, NULL, NULL, 0, NULL, NULL, NULL) ==
		nnp_status_success, "ft16x16 takes a 9x9 kernel");
	CHECK(nnp_convolution_inference(nnp_convolution_algorithm_ft8x8, 0, 1, 1, in, p0, k5, two, buffer, buffer, buffer, buffer, NULL, NULL, 0, NULL, NULL, NULL) ==
		nnp_status_unsupported_algorithm, "strided inference");
	CHECK(nnpsharp_convolution_output_strided(nnp_convolution_algorithm_ft8x8, 1, 1, 1, in, p0, k5, two, buffer, buffer, buffer, buffer, NULL, NULL, 0, NULL, NULL, NULL) ==
		nnp_status_unsupported_algorithm, "strided training");
	CHECK(nnpsharp_convolution_input_gradient_strided(nnp_convolution_algorithm_ft8x8, 1, 1, 1, in, p5, k5, unit, buffer, buffer, buffer, NULL, NULL, 0, NULL, NULL, NULL) ==
		nnp_status_unsupported_algorithm, "input gradient with padding as large as the kernel");
	CHECK(nnpsharp_convolution_output_strided(nnp_convolution_algorithm_ft8x8, 1, 1, 1, in, p5, k5, unit, buffer, buffer, buffer, buffer, NULL, NULL, 0, NULL, NULL, NULL) ==
		nnp_status_success, "output with padding as large as the kernel (an extension)");
}

/* auto's cost model (algorithm.c; the static policy, set before nnp_initialize, so the choice does not depend on
 * timing): ft16x16 on a 7x7 kernel over a 48x48 map with 32 channels each way (the model: 1.5x cheaper than implicit
 * GEMM), implicit GEMM on a small 7x7 layer (2 images of 11x12, 16 channels: the kernel's spectra would dominate) and
 * on a 5x5 one there. "auto takes A" means its output has A's bits. */
static void check_auto(size_t batch, size_t channels, struct nnp_size input, struct nnp_size kernel, enum nnp_convolution_algorithm expected, const char* what) {
	const size_t pad = kernel.width / 2, outputs = batch * channels * input.height * input.width;
	const struct nnp_padding padding = { pad, pad, pad, pad };
	float *x = random_floats(outputs), *w = random_floats(channels * channels * kernel.height * kernel.width);
	float *y0 = malloc(outputs * sizeof(float)), *y1 = malloc(outputs * sizeof(float));
	CHECK(nnp_convolution_output(nnp_convolution_algorithm_auto, batch, channels, channels, input, padding, kernel, x, w, NULL, y0, NULL, NULL, 0, NULL, NULL, NULL) ==
		nnp_status_success && nnp_convolution_output(expected, batch, channels, channels, input, padding, kernel, x, w, NULL, y1, NULL, NULL, 0, NULL, NULL, NULL) ==
		nnp_status_success && memcmp(y0, y1, outputs * sizeof(float)) == 0, "%s", what);
	free(x); free(w); free(y0); free(y1);
}

static void test_auto_rule(void) {
	const struct nnp_size small = { 11, 12 }, large = { 48, 48 }, k7 = { 7, 7 }, k5 = { 5, 5 };
	check_auto(1, 32, large, k7, nnp_convolution_algorithm_ft16x16, "static auto takes ft16x16 on a 7x7 kernel over a 48x48 map, 32 channels");
	check_auto(2, 16, small, k7, nnp_convolution_algorithm_implicit_gemm, "static auto keeps implicit GEMM on a small 7x7 layer");
	check_auto(2, 16, small, k5, nnp_convolution_algorithm_implicit_gemm, "static auto keeps implicit GEMM on a small 5x5 layer");
}

int main(int argc, char** argv) {
	putenv((char*) "NNPACKSHARP_AUTO=static"); /* (putenv: mingw-w64 has no setenv) test_auto_rule checks the model's choice (auto_test covers the measured policy) */
	CHECK(nnp_initialize() == nnp_status_success, "initialize");
	printf("ISA %s (cap %s)\n", nnpsharp_isa(), argc > 1 ? argv[1] : "none");
	pthreadpool_t pool2 = pthreadpool_create(2), pool3 = pthreadpool_create(3);
	test_status_codes();
	test_auto_rule();
	const enum nnp_convolution_algorithm algorithms[2] = { nnp_convolution_algorithm_ft8x8, nnp_convolution_algorithm_ft16x16 };
	for (size_t a = 0; a < 2; a++) {
		const size_t tile = a == 0 ? 8 : 16;
		for (size_t h = 1; h <= 20; h += 2) {
			/* Odd maps, batch 1, the tile's largest kernel that fits and a 1x1. */
			const size_t k = h < tile ? h : tile;
			const struct shape big = { 1, 17, 19, h, h, k, k, k / 2, k / 2, k - 1 - k / 2, k - 1 - k / 2 }, one = { 1, 3, 5, h, h + 2, 1, 1, 0, 0, 0, 0 };
			check_shape(&big, algorithms[a], tile, h % 3 == 0 ? pool2 : NULL, h % 4 == 1);
			check_shape(&one, algorithms[a], tile, NULL, false);
		}
		for (int i = 0; i < (a == 0 ? 60 : 20); i++) {
			const struct shape s = random_shape(tile, i % 3 == 0);
			check_shape(&s, algorithms[a], tile, i % 2 ? pool3 : NULL, i % 5 == 2);
		}
		test_thread_count_independence(algorithms[a], pool2, pool3);
	}
	printf("worst FFT error relative to the largest term magnitude: ft8x8 %g, ft16x16 %g\n", worst[0], worst[1]);
	pthreadpool_destroy(pool2);
	pthreadpool_destroy(pool3);
	printf("%d checks, %d failures\n", checks, failures);
	return failures == 0 ? 0 : 1;
}
