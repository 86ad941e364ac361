/* Tests of libnnpack against a double-precision reference: every function on random shapes (odd sizes, non-square
 * kernels, strides, asymmetric padding, batch 1, 1x1), the validation order, the workspace protocol, and thread pools.
 * argv[1] names the ISA cap the run expects (set through NNPACKSHARP_ISA by ctest). */
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

struct shape {
	size_t n, ci, co, h, w, kh, kw, top, right, bottom, left, sh, sw;
};

static size_t out_h(const struct shape* s) { return (s->top + s->h + s->bottom - s->kh) / s->sh + 1; }
static size_t out_w(const struct shape* s) { return (s->left + s->w + s->right - s->kw) / s->sw + 1; }

static unsigned long long rng_state = 88172645463325252ull;
static double uniform(void) {
	xorshift64(&rng_state);
	return (double) (rng_state >> 11) / 9007199254740992.0 * 2.0 - 1.0;
}
static size_t pick(size_t low, size_t high) { return low + (size_t) ((uniform() + 1.0) / 2.0 * (double) (high - low + 1)) % (high - low + 1); }

static float* random_floats(size_t count) {
	float* values = malloc((count ? count : 1) * sizeof(float));
	for (size_t i = 0; i < count; i++) values[i] = (float) uniform();
	return values;
}

/* Visits every product of the direct convolution that reads no padding. */
#define FOR_EACH_TERM(s, BODY) \
	for (size_t n = 0; n < (s)->n; n++) for (size_t o = 0; o < (s)->co; o++) for (size_t oy = 0; oy < out_h(s); oy++) for (size_t ox = 0; ox < out_w(s); ox++) \
	for (size_t c = 0; c < (s)->ci; c++) for (size_t ky = 0; ky < (s)->kh; ky++) for (size_t kx = 0; kx < (s)->kw; kx++) { \
		const long iy = (long) (oy * (s)->sh + ky) - (long) (s)->top, ix = (long) (ox * (s)->sw + kx) - (long) (s)->left; \
		if (iy < 0 || ix < 0 || iy >= (long) (s)->h || ix >= (long) (s)->w) continue; \
		const size_t xi = ((n * (s)->ci + c) * (s)->h + (size_t) iy) * (s)->w + (size_t) ix; \
		const size_t wi = ((o * (s)->ci + c) * (s)->kh + ky) * (s)->kw + kx; \
		const size_t yi = ((n * (s)->co + o) * out_h(s) + oy) * out_w(s) + ox; \
		BODY \
	}

/* Worst |x - ref| / max(FLT_MIN, sum|terms|): error relative to the magnitude the sum was built from. */
static double worst_error(const float* actual, const double* reference, const double* magnitude, size_t count) {
	double worst = 0.0;
	for (size_t i = 0; i < count; i++) {
		const double error = fabs((double) actual[i] - reference[i]) / fmax(FLT_MIN, magnitude[i]);
		if (!(error <= worst)) worst = isnan(error) ? INFINITY : error;
	}
	return worst;
}

/* Worst |x - ref| / max over the tensor of sum|terms|: error relative to the largest term magnitude of the result,
 * the measure Winograd's bound is stated in (its rounding spreads over a tile, so an element near a border whose own
 * terms are few and small sees the error of its tile's larger neighbours). */
static double worst_error_of_largest(const float* actual, const double* reference, const double* magnitude, size_t count) {
	double worst = 0.0, largest = FLT_MIN;
	for (size_t i = 0; i < count; i++) largest = fmax(largest, magnitude[i]);
	for (size_t i = 0; i < count; i++) {
		const double error = fabs((double) actual[i] - reference[i]) / largest;
		if (!(error <= worst)) worst = isnan(error) ? INFINITY : error;
	}
	return worst;
}

static const struct nnp_size unit = { 1, 1 };
static double worst_winograd = 0.0, worst_winograd_element = 0.0, worst_winograd_f4x4 = 0.0, worst_winograd_f4x4_element = 0.0;

/* Winograd's bounds are relative to the largest term magnitude of the result (worst_error_of_largest), as the issue
 * states them: 1e-3 for F(6x6, 3x3), 1e-5 for F(4x4, 3x3), whose interpolation points 0, +-1, +-2 keep the
 * transforms' coefficients small. Against each element's own terms F(4x4) is also held to 1e-3 and F(6x6) to 1e-2:
 * an element whose own terms are few and small (the input gradient of a layer with one output channel sums at most
 * 9 per element, fewer at the border) sees the rounding of its tile's larger neighbours: 1.5e-3 of its own magnitude
 * on one such draw (x[2,4,9,9], one 3x3 kernel), in a run whose worst error against the largest term magnitude was
 * 4.4e-6. */
#define F4X4_TOLERANCE 1e-5
/* The kernel gradient by Winograd, against the largest term magnitude: F(3x3, 4x4) on 6x6 tiles (grad_output's
 * transform multiplies by up to 8 per axis, the input's by up to 5) and F(3x3, 6x6) on 8x8 tiles (up to 32 and 5.25). */
#define F4X4_GRADIENT_TOLERANCE 2e-5
static double worst_kernel_gradient_f6x6 = 0.0, worst_kernel_gradient_f4x4 = 0.0;

static bool is_winograd(enum nnp_convolution_algorithm algorithm) {
	return algorithm == nnp_convolution_algorithm_wt8x8 || algorithm == nnpsharp_convolution_algorithm_wt6x6;
}

/* The error in the measure the algorithm's bound is stated in (winograd: the algorithm is or may be Winograd); the
 * per-element error is recorded and held to its own bound. */
static double measured_error(enum nnp_convolution_algorithm algorithm, bool winograd, const float* actual, const double* reference, const double* magnitude, size_t count) {
	const double element = worst_error(actual, reference, magnitude, count);
	if (!winograd) return element;
	const bool f4x4 = algorithm == nnpsharp_convolution_algorithm_wt6x6;
	CHECK(element <= (f4x4 ? 1e-3 : 1e-2), "%s: error %g relative to an element's own terms", f4x4 ? "F(4x4)" : "F(6x6)", element);
	double* worst = f4x4 ? &worst_winograd_f4x4_element : &worst_winograd_element;
	*worst = fmax(*worst, element);
	return worst_error_of_largest(actual, reference, magnitude, count);
}

static void check_shape(const struct shape* s, pthreadpool_t pool, bool relu) {
	const size_t xs = s->n * s->ci * s->h * s->w, ws = s->co * s->ci * s->kh * s->kw, ys = s->n * s->co * out_h(s) * out_w(s);
	float *x = random_floats(xs), *w = random_floats(ws), *b = random_floats(s->co), *dy = random_floats(ys);
	float *y = malloc(ys * sizeof(float)), *dx = malloc(xs * sizeof(float)), *dw = malloc(ws * sizeof(float));
	double *ry = calloc(ys, sizeof(double)), *my = calloc(ys, sizeof(double));
	double *rdx = calloc(xs, sizeof(double)), *mdx = calloc(xs, sizeof(double)), *rdw = calloc(ws, sizeof(double)), *mdw = calloc(ws, sizeof(double));
	for (size_t i = 0; i < ys; i++) {
		const size_t o = (i / (out_h(s) * out_w(s))) % s->co;
		ry[i] = b[o];
		my[i] = fabs(b[o]);
	}
	FOR_EACH_TERM(s, {
		ry[yi] += (double) x[xi] * w[wi]; my[yi] += fabs((double) x[xi] * w[wi]);
		rdx[xi] += (double) dy[yi] * w[wi]; mdx[xi] += fabs((double) dy[yi] * w[wi]);
		rdw[wi] += (double) dy[yi] * x[xi]; mdw[wi] += fabs((double) dy[yi] * x[xi]);
	})
	if (relu) for (size_t i = 0; i < ys; i++) ry[i] = ry[i] > 0 ? ry[i] : 0;

	const struct nnp_size input = { s->w, s->h }, kernel = { s->kw, s->kh }, stride = { s->sw, s->sh };
	const struct nnp_padding padding = { s->top, s->right, s->bottom, s->left };
	const enum nnp_activation activation = relu ? nnp_activation_relu : nnp_activation_identity;
	const bool strided = s->sh != 1 || s->sw != 1;
	/* Upstream's functions refuse a padding side as large as the kernel; our extensions take it. */
	const bool wide_padding = s->top >= s->kh || s->bottom >= s->kh || s->left >= s->kw || s->right >= s->kw;
	const bool extension = strided || wide_padding;
	const bool pointwise = s->kh == 1 && s->kw == 1 && !strided && s->top + s->bottom + s->left + s->right == 0;
	const enum nnp_convolution_algorithm algorithms[] = { nnp_convolution_algorithm_auto, nnp_convolution_algorithm_implicit_gemm, nnp_convolution_algorithm_direct,
		nnp_convolution_algorithm_wt8x8, nnpsharp_convolution_algorithm_wt6x6 };
	const bool winograd_fits = s->kh == 3 && s->kw == 3 && !strided && s->top <= 2 && s->left <= 2;
	char label[160];
	snprintf(label, sizeof label, "x[%zu,%zu,%zu,%zu] w[%zu,%zu] pad(%zu,%zu,%zu,%zu) stride(%zu,%zu)%s", s->n, s->ci, s->h, s->w, s->co, s->kh * 10 + s->kw,
		s->top, s->right, s->bottom, s->left, s->sh, s->sw, relu ? " relu" : "");

	for (size_t a = 0; a < sizeof algorithms / sizeof algorithms[0]; a++) {
		const enum nnp_convolution_algorithm algorithm = algorithms[a];
		if ((algorithm == nnp_convolution_algorithm_direct && !pointwise) || (is_winograd(algorithm) && !winograd_fits)) {
			CHECK(nnpsharp_convolution_output_strided(algorithm, s->n, s->ci, s->co, input, padding, kernel, stride, x, w, b, y, NULL, NULL, activation, NULL, pool, NULL)
				== nnp_status_unsupported_algorithm, "%s: algorithm %d must refuse this convolution", label, algorithm);
			continue;
		}
		/* Winograd trades accuracy for speed (upstream's tolerance is 1e-3); auto may pick it for 3x3 stride-1 layers. */
		const bool winograd = is_winograd(algorithm) || (algorithm == nnp_convolution_algorithm_auto && winograd_fits);
		const double tolerance = algorithm == nnpsharp_convolution_algorithm_wt6x6 ? F4X4_TOLERANCE
			: (algorithm == nnp_convolution_algorithm_wt8x8 || (algorithm == nnp_convolution_algorithm_auto && winograd_fits)) ? 1e-3 : 1e-5;
		memset(y, 0xff, ys * sizeof(float));
		enum nnp_status status = extension
			? nnpsharp_convolution_output_strided(algorithm, s->n, s->ci, s->co, input, padding, kernel, stride, x, w, b, y, NULL, NULL, activation, NULL, pool, NULL)
			: nnp_convolution_output(algorithm, s->n, s->ci, s->co, input, padding, kernel, x, w, b, y, NULL, NULL, activation, NULL, pool, NULL);
		CHECK(status == nnp_status_success, "%s algorithm %d: output status %d", label, algorithm, status);
		CHECK(measured_error(algorithm, winograd, y, ry, my, ys) <= tolerance, "%s algorithm %d: output error %g", label, algorithm, measured_error(algorithm, winograd, y, ry, my, ys));
		if (algorithm == nnp_convolution_algorithm_wt8x8) worst_winograd = fmax(worst_winograd, measured_error(algorithm, winograd, y, ry, my, ys));
		if (algorithm == nnpsharp_convolution_algorithm_wt6x6) worst_winograd_f4x4 = fmax(worst_winograd_f4x4, measured_error(algorithm, winograd, y, ry, my, ys));

		if (s->n == 1 && !wide_padding) {
			memset(y, 0xff, ys * sizeof(float));
			status = nnp_convolution_inference(algorithm, nnp_convolution_transform_strategy_compute, s->ci, s->co, input, padding, kernel, stride,
				x, w, b, y, NULL, NULL, activation, NULL, pool, NULL);
			CHECK(status == nnp_status_success, "%s algorithm %d: inference status %d", label, algorithm, status);
			CHECK(measured_error(algorithm, winograd, y, ry, my, ys) <= tolerance, "%s algorithm %d: inference error %g", label, algorithm, measured_error(algorithm, winograd, y, ry, my, ys));
		}
		if (relu) continue;

		memset(dx, 0xff, xs * sizeof(float));
		status = extension
			? nnpsharp_convolution_input_gradient_strided(algorithm, s->n, s->ci, s->co, input, padding, kernel, stride, dy, w, dx, NULL, NULL, nnp_activation_identity, NULL, pool, NULL)
			: nnp_convolution_input_gradient(algorithm, s->n, s->ci, s->co, input, padding, kernel, dy, w, dx, NULL, NULL, nnp_activation_identity, NULL, pool, NULL);
		CHECK(status == nnp_status_success, "%s algorithm %d: input gradient status %d", label, algorithm, status);
		CHECK(measured_error(algorithm, winograd, dx, rdx, mdx, xs) <= tolerance, "%s algorithm %d: input gradient error %g", label, algorithm, measured_error(algorithm, winograd, dx, rdx, mdx, xs));

		if (algorithm == nnp_convolution_algorithm_wt8x8) worst_winograd = fmax(worst_winograd, measured_error(algorithm, winograd, dx, rdx, mdx, xs));
		if (algorithm == nnpsharp_convolution_algorithm_wt6x6) worst_winograd_f4x4 = fmax(worst_winograd_f4x4, measured_error(algorithm, winograd, dx, rdx, mdx, xs));
		memset(dw, 0xff, ws * sizeof(float));
		status = extension
			? nnpsharp_convolution_kernel_gradient_strided(algorithm, s->n, s->ci, s->co, input, padding, kernel, stride, x, dy, dw, NULL, NULL, nnp_activation_identity, NULL, pool, NULL)
			: nnp_convolution_kernel_gradient(algorithm, s->n, s->ci, s->co, input, padding, kernel, x, dy, dw, NULL, NULL, nnp_activation_identity, NULL, pool, NULL);
		CHECK(status == nnp_status_success, "%s algorithm %d: kernel gradient status %d", label, algorithm, status);
		if (is_winograd(algorithm) || (algorithm == nnp_convolution_algorithm_auto && winograd_fits)) {
			/* The Winograd kernel gradient (auto's with F(4x4)-sized tiles from 16 channels) sums whole tiles of the
			 * batch: bounded against the largest term. */
			const double error = worst_error_of_largest(dw, rdw, mdw, ws);
			const bool f6x6 = algorithm == nnp_convolution_algorithm_wt8x8;
			CHECK(error <= (f6x6 ? 1e-3 : F4X4_GRADIENT_TOLERANCE), "%s algorithm %d: Winograd kernel gradient error %g", label, algorithm, error);
			if (is_winograd(algorithm)) {
				double* worst = f6x6 ? &worst_kernel_gradient_f6x6 : &worst_kernel_gradient_f4x4;
				*worst = fmax(*worst, error);
			}
		} else {
			CHECK(worst_error(dw, rdw, mdw, ws) <= 1e-5, "%s algorithm %d: kernel gradient error %g", label, algorithm, worst_error(dw, rdw, mdw, ws));
		}
	}
	free(x); free(w); free(b); free(dy); free(y); free(dx); free(dw);
	free(ry); free(my); free(rdx); free(mdx); free(rdw); free(mdw);
}

static struct shape random_shape(void) {
	struct shape s;
	s.n = pick(1, 3); s.ci = pick(1, 9); s.co = pick(1, 40); s.h = pick(1, 13); s.w = pick(1, 13);
	s.kh = pick(1, 5); s.kw = pick(1, 5);
	s.top = pick(0, s.kh - 1); s.bottom = pick(0, s.kh - 1); s.left = pick(0, s.kw - 1); s.right = pick(0, s.kw - 1);
	s.sh = pick(1, 3); s.sw = pick(1, 3);
	if (s.top + s.h + s.bottom < s.kh) s.h = s.kh;
	if (s.left + s.w + s.right < s.kw) s.w = s.kw;
	return s;
}

static void test_validation_order(void) {
	float buffer[64] = { 0 };
	const struct nnp_size in = { 5, 5 }, k3 = { 3, 3 }, k0 = { 0, 0 };
	const struct nnp_padding p0 = { 0, 0, 0, 0 }, p3 = { 3, 0, 0, 0 };
	const float negative = -1.0f;
#define OUT(alg, n, ci, co, input, pad, kernel, act, params) nnp_convolution_output(alg, n, ci, co, input, pad, kernel, buffer, buffer, buffer, buffer, NULL, NULL, act, params, NULL, NULL)
	CHECK(OUT(0, 0, 0, 0, ((struct nnp_size) { 0, 0 }), p3, k0, 7, &negative) == nnp_status_invalid_batch_size, "batch 0 wins");
	CHECK(OUT(0, 1, 0, 0, in, p0, k3, 0, NULL) == nnp_status_invalid_input_channels, "input channels");
	CHECK(OUT(0, 1, 1, 0, in, p0, k3, 0, NULL) == nnp_status_invalid_output_channels, "output channels");
	CHECK(OUT(0, 1, 1, 1, ((struct nnp_size) { 5, 0 }), p0, k3, 0, NULL) == nnp_status_invalid_input_size, "input size");
	CHECK(OUT(0, 1, 1, 1, in, p3, k3, 0, NULL) == nnp_status_invalid_input_padding, "padding >= kernel");
	CHECK(nnpsharp_convolution_output_strided(0, 1, 1, 1, in, p3, k3, unit, buffer, buffer, buffer, buffer, NULL, NULL, 0, NULL, NULL, NULL) == nnp_status_success,
		"the extension takes padding >= kernel");
	const struct nnp_padding huge = { SIZE_MAX / 2, 0, SIZE_MAX / 2, 0 };
	CHECK(nnpsharp_convolution_output_strided(0, 1, 1, 1, in, huge, k3, unit, buffer, buffer, buffer, buffer, NULL, NULL, 0, NULL, NULL, NULL) == nnp_status_invalid_input_size,
		"a padded extent past a signed index");
	CHECK(OUT(0, 1, 1, 1, in, p0, k0, 0, NULL) == nnp_status_invalid_input_padding, "empty kernel gives 12 through the padding check");
	CHECK(OUT(0, 1, 1, 1, in, p0, k3, 7, NULL) == nnp_status_invalid_activation, "unknown activation");
	CHECK(OUT(0, 1, 1, 1, in, p0, k3, 0, &negative) == nnp_status_invalid_activation_parameters, "identity with parameters");
	CHECK(OUT(0, 1, 1, 1, in, p0, k3, 1, &negative) == nnp_status_invalid_activation_parameters, "relu with a negative slope");
	const float zero = 0.0f;
	CHECK(OUT(0, 1, 1, 1, in, p0, k3, 1, &zero) == nnp_status_unsupported_activation_parameters, "output with relu parameters");
	CHECK(OUT(9, 1, 1, 1, in, p0, k3, 0, NULL) == nnp_status_invalid_algorithm, "unknown algorithm");
	CHECK(OUT(nnp_convolution_algorithm_wt8x8_fp16, 1, 1, 1, in, p0, k3, 0, NULL) == nnp_status_unsupported_algorithm, "wt8x8_fp16 not implemented");
	CHECK(nnp_convolution_kernel_gradient(0, 1, 1, 1, in, p0, k3, buffer, buffer, buffer, NULL, NULL, nnp_activation_relu, NULL, NULL, NULL) == nnp_status_unsupported_activation,
		"gradients refuse relu");
	CHECK(nnp_convolution_inference(0, 0, 1, 1, in, p0, k3, ((struct nnp_size) { 0, 1 }), buffer, buffer, buffer, buffer, NULL, NULL, 0, NULL, NULL, NULL) == nnp_status_invalid_output_subsampling,
		"zero subsampling");
	CHECK(nnp_convolution_inference(0, 9, 1, 1, in, p0, k3, unit, buffer, buffer, buffer, buffer, NULL, NULL, 0, NULL, NULL, NULL) == nnp_status_invalid_transform_strategy,
		"unknown transform strategy");
#undef OUT
}

static void test_workspace_protocol(void) {
	const struct shape s = { 2, 3, 3, 9, 7, 3, 3, 1, 1, 1, 1, 1, 1 };
	const struct nnp_size input = { s.w, s.h }, kernel = { s.kw, s.kh };
	const struct nnp_padding padding = { 1, 1, 1, 1 };
	float *x = random_floats(2 * 3 * 9 * 7), *w = random_floats(3 * 3 * 9), *b = random_floats(3), *y = random_floats(2 * 3 * 9 * 7), *y2 = malloc(2 * 3 * 9 * 7 * sizeof(float));
	size_t need = 0;
	CHECK(nnp_convolution_output(0, 2, 3, 3, input, padding, kernel, x, w, b, y, NULL, &need, 0, NULL, NULL, NULL) == nnp_status_success && need > 0, "size query");
	/* Aligned by hand: this test links only the library's API, and Windows' C runtime has no aligned_alloc. */
	char* block = malloc(need + 192);
	CHECK(block != NULL, "allocation");
	void* workspace = block + (64 - (uintptr_t) block % 64);
	size_t small = need - 1;
	CHECK(nnp_convolution_output(0, 2, 3, 3, input, padding, kernel, x, w, b, y, workspace, &small, 0, NULL, NULL, NULL) == nnp_status_insufficient_buffer, "insufficient buffer");
	size_t plenty = need + 64;
	CHECK(nnp_convolution_output(0, 2, 3, 3, input, padding, kernel, x, w, b, y, (char*) workspace + 4, &plenty, 0, NULL, NULL, NULL) == nnp_status_misaligned_buffer, "misaligned buffer");
	CHECK(nnp_convolution_output(0, 2, 3, 3, input, padding, kernel, x, w, b, y, workspace, &need, 0, NULL, NULL, NULL) == nnp_status_success, "caller's workspace");
	CHECK(nnp_convolution_output(0, 2, 3, 3, input, padding, kernel, x, w, b, y2, NULL, NULL, 0, NULL, NULL, NULL) == nnp_status_success, "internal workspace");
	CHECK(memcmp(y, y2, 2 * 3 * 9 * 7 * sizeof(float)) == 0, "same result with either workspace");
	free(block); free(x); free(w); free(b); free(y); free(y2);
}

/* The Winograd kernel gradient under upstream's workspace protocol (size query, too small a buffer, the caller's
 * buffer, an internal one: the same bits), with its profile phases filled. */
static void test_winograd_kernel_gradient_protocol(void) {
	const struct nnp_size input = { 11, 9 }, kernel = { 3, 3 };
	const struct nnp_padding padding = { 1, 1, 1, 1 };
	const size_t n = 2, ci = 5, co = 6, xs = n * ci * 9 * 11, ys = n * co * 9 * 11, ws = co * ci * 9;
	/* Values by formula, not from the shared generator, so the random shapes after this test stay the ones they were. */
	float *x = malloc(xs * sizeof(float)), *dy = malloc(ys * sizeof(float)), *dw = malloc(ws * sizeof(float)), *dw2 = malloc(ws * sizeof(float));
	for (size_t i = 0; i < xs; i++) x[i] = (float) (i % 13) / 13.0f - 0.5f;
	for (size_t i = 0; i < ys; i++) dy[i] = (float) (i % 7) / 7.0f - 0.5f;
	const enum nnp_convolution_algorithm algorithms[] = { nnp_convolution_algorithm_wt8x8, nnpsharp_convolution_algorithm_wt6x6 };
	for (size_t a = 0; a < 2; a++) {
		size_t need = 0;
		CHECK(nnp_convolution_kernel_gradient(algorithms[a], n, ci, co, input, padding, kernel, x, dy, dw, NULL, &need, 0, NULL, NULL, NULL) == nnp_status_success && need > 0,
			"Winograd kernel gradient %d: size query", algorithms[a]);
		char* block = malloc(need + 64);
		void* workspace = block + (64 - (uintptr_t) block % 64);
		size_t small = need - 1;
		CHECK(nnp_convolution_kernel_gradient(algorithms[a], n, ci, co, input, padding, kernel, x, dy, dw, workspace, &small, 0, NULL, NULL, NULL) == nnp_status_insufficient_buffer,
			"Winograd kernel gradient %d: insufficient buffer", algorithms[a]);
		struct nnp_profile profile = { -1.0, -1.0, -1.0, -1.0, -1.0 };
		CHECK(nnp_convolution_kernel_gradient(algorithms[a], n, ci, co, input, padding, kernel, x, dy, dw, workspace, &need, 0, NULL, NULL, &profile) == nnp_status_success,
			"Winograd kernel gradient %d: caller's workspace", algorithms[a]);
		CHECK(profile.input_transform >= 0 && profile.kernel_transform >= 0 && profile.output_transform >= 0 && profile.block_multiplication > 0 &&
			profile.total >= profile.input_transform + profile.kernel_transform + profile.output_transform + profile.block_multiplication,
			"Winograd kernel gradient %d: profile phases %g %g %g %g of %g", algorithms[a], profile.input_transform, profile.kernel_transform,
			profile.output_transform, profile.block_multiplication, profile.total);
		CHECK(nnp_convolution_kernel_gradient(algorithms[a], n, ci, co, input, padding, kernel, x, dy, dw2, NULL, NULL, 0, NULL, NULL, NULL) == nnp_status_success &&
			memcmp(dw, dw2, ws * sizeof(float)) == 0, "Winograd kernel gradient %d: the same bits with an internal workspace", algorithms[a]);
		free(block);
	}
	free(x); free(dy); free(dw); free(dw2);
}

/* Results must not depend on the thread count: every element is summed by one task in a fixed order whatever the
 * split. Shapes above the serial threshold (4 M multiply-adds), under auto, implicit GEMM and both Winograd sizes,
 * with a caller-only run as the reference: implicit GEMM with shared chunks, the transposed input gradient, Winograd,
 * the kernel gradient by tiles, by segments and by Winograd (20 threads also split each of F(4x4)'s 36 per-point
 * GEMMs by rows: the plan wants 2 x 20 tasks). */
static void test_thread_count_independence(pthreadpool_t pool2, pthreadpool_t pool3, pthreadpool_t pool20) {
	const struct shape shapes[] = {
		{ 4, 48, 64, 13, 13, 3, 3, 1, 1, 1, 1, 1, 1 },
		{ 2, 260, 24, 9, 9, 3, 3, 1, 1, 1, 1, 1, 1 },
		{ 6, 16, 16, 40, 40, 3, 3, 1, 1, 1, 1, 1, 1 },
		{ 1, 4, 8, 130, 130, 3, 3, 1, 1, 1, 1, 1, 1 }, /* kernel gradient tap by tap (by segments where no gather kernel: 5 per image) */
		{ 3, 5, 33, 37, 35, 3, 3, 1, 1, 1, 1, 1, 1 },  /* tap by tap, 33 output channels: a last panel of one */
	};
	const pthreadpool_t pools[4] = { NULL, pool2, pool3, pool20 };
	const enum nnp_convolution_algorithm algorithms[] = { nnp_convolution_algorithm_auto, nnp_convolution_algorithm_implicit_gemm, nnp_convolution_algorithm_wt8x8,
		nnpsharp_convolution_algorithm_wt6x6 };
	for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
		const struct shape* s = &shapes[i];
		const size_t xs = s->n * s->ci * s->h * s->w, ws = s->co * s->ci * s->kh * s->kw, ys = s->n * s->co * out_h(s) * out_w(s);
		float *x = random_floats(xs), *w = random_floats(ws), *b = random_floats(s->co), *dy = random_floats(ys);
		float *y[4], *dx[4], *dw[4];
		const struct nnp_size input = { s->w, s->h }, kernel = { s->kw, s->kh };
		const struct nnp_padding padding = { s->top, s->right, s->bottom, s->left };
		for (size_t a = 0; a < sizeof algorithms / sizeof algorithms[0]; a++) {
			for (size_t t = 0; t < 4; t++) {
				y[t] = malloc(ys * sizeof(float)); dx[t] = malloc(xs * sizeof(float)); dw[t] = malloc(ws * sizeof(float));
				CHECK(nnp_convolution_output(algorithms[a], s->n, s->ci, s->co, input, padding, kernel, x, w, b, y[t], NULL, NULL, 0, NULL, pools[t], NULL) == nnp_status_success &&
					nnp_convolution_input_gradient(algorithms[a], s->n, s->ci, s->co, input, padding, kernel, dy, w, dx[t], NULL, NULL, 0, NULL, pools[t], NULL) == nnp_status_success &&
					nnp_convolution_kernel_gradient(algorithms[a], s->n, s->ci, s->co, input, padding, kernel, x, dy, dw[t], NULL, NULL, 0, NULL, pools[t], NULL) == nnp_status_success,
					"thread-count shape %zu: a call failed", i);
			}
			for (size_t t = 1; t < 4; t++) {
				const size_t threads = pthreadpool_get_threads_count(pools[t]);
				CHECK(memcmp(y[0], y[t], ys * sizeof(float)) == 0, "shape %zu algorithm %d: output differs with %zu threads", i, algorithms[a], threads);
				CHECK(memcmp(dx[0], dx[t], xs * sizeof(float)) == 0, "shape %zu algorithm %d: input gradient differs with %zu threads", i, algorithms[a], threads);
				CHECK(memcmp(dw[0], dw[t], ws * sizeof(float)) == 0, "shape %zu algorithm %d: kernel gradient differs with %zu threads", i, algorithms[a], threads);
			}
			for (size_t t = 0; t < 4; t++) { free(y[t]); free(dx[t]); free(dw[t]); }
		}
		free(x); free(w); free(b); free(dy);
	}
}

/* A strided 1x1 kernel's input gradient (col2im.c's scatter tasks) is cut into whole images or, below the batch the
 * threads want, rows of one image: the same bits on any thread count. Batch 1 and 3 on a 2x3 stride with an odd map,
 * so the tasks' row ranges fall on both step rows and the rows between them. */
static void test_strided_pointwise_thread_count_independence(pthreadpool_t pool2, pthreadpool_t pool3, pthreadpool_t pool20) {
	const pthreadpool_t pools[4] = { NULL, pool2, pool3, pool20 };
	const struct nnp_size input = { 47, 61 }, kernel = { 1, 1 }, stride = { 3, 2 };
	const struct nnp_padding padding = { 0, 0, 0, 0 };
	const size_t ci = 40, co = 72, oh = (61 - 1) / 2 + 1, ow = (47 - 1) / 3 + 1;
	for (size_t n = 1; n <= 3; n += 2) {
		const size_t xs = n * ci * 61 * 47, ys = n * co * oh * ow;
		float *w = random_floats(co * ci), *dy = random_floats(ys), *dx[4];
		for (size_t t = 0; t < 4; t++) {
			dx[t] = malloc(xs * sizeof(float));
			for (size_t i = 0; i < xs; i++) dx[t][i] = NAN; /* every element must be written */
			CHECK(nnpsharp_convolution_input_gradient_strided(nnp_convolution_algorithm_implicit_gemm, n, ci, co, input, padding, kernel, stride, dy, w, dx[t], NULL, NULL,
				nnp_activation_identity, NULL, pools[t], NULL) == nnp_status_success, "strided 1x1, batch %zu: the call failed", n);
		}
		size_t unwritten = 0;
		for (size_t i = 0; i < xs; i++) unwritten += isnan(dx[0][i]) ? 1 : 0;
		CHECK(unwritten == 0, "strided 1x1, batch %zu: %zu elements of the input gradient left unwritten", n, unwritten);
		for (size_t t = 1; t < 4; t++) {
			CHECK(memcmp(dx[0], dx[t], xs * sizeof(float)) == 0, "strided 1x1, batch %zu: input gradient differs with %zu threads", n, pthreadpool_get_threads_count(pools[t]));
		}
		for (size_t t = 0; t < 4; t++) free(dx[t]);
		free(w); free(dy);
	}
}

int main(int argc, char** argv) {
	const struct nnp_size in = { 4, 4 }, k = { 3, 3 };
	const struct nnp_padding p = { 0, 0, 0, 0 };
	float buffer[64] = { 0 };
	CHECK(nnp_convolution_output(0, 1, 1, 1, in, p, k, buffer, buffer, buffer, buffer, NULL, NULL, 0, NULL, NULL, NULL) == nnp_status_uninitialized, "uninitialized");
	CHECK(nnpsharp_isa() == NULL, "no ISA before initialisation");
	CHECK(nnp_initialize() == nnp_status_success, "initialize");
	const char* isa = nnpsharp_isa();
	printf("ISA: %s (cap %s)\n", isa, argc > 1 ? argv[1] : "none");
	if (argc > 1 && strcmp(argv[1], "scalar") == 0) CHECK(strcmp(isa, "scalar") == 0, "the scalar cap must give scalar, got %s", isa);
	if (argc > 1 && strcmp(argv[1], "avx2") == 0) CHECK(strcmp(isa, "avx512") != 0, "the avx2 cap must not give avx512");

	CHECK(pthreadpool_get_threads_count(NULL) == 1, "a NULL pool is the caller");
	pthreadpool_t pool = pthreadpool_create(3);
	CHECK(pool != NULL && pthreadpool_get_threads_count(pool) == 3, "pool of 3");

	test_validation_order();
	test_workspace_protocol();
	test_winograd_kernel_gradient_protocol();
	const struct shape fixed[] = {
		{ 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1 },
		{ 2, 5, 7, 6, 9, 1, 1, 0, 0, 0, 0, 1, 1 },     /* pointwise: direct */
		{ 1, 3, 64, 20, 19, 3, 3, 1, 1, 1, 1, 1, 1 },  /* wider than one tile */
		{ 2, 3, 8, 5, 4, 5, 4, 4, 3, 4, 3, 1, 1 },     /* kernel = padded input */
		{ 3, 2, 7, 11, 9, 3, 2, 2, 1, 0, 0, 3, 2 },    /* asymmetric padding, stride != padding */
		{ 1, 300, 7, 4, 4, 1, 1, 0, 0, 0, 0, 2, 2 },   /* depth past one KC block, 1x1 strided */
		{ 3, 5, 9, 11, 13, 1, 1, 0, 3, 2, 0, 2, 3 },   /* 1x1 strided, subsampled per chunk: bottom/right padding past the input */
		{ 2, 2100, 6, 31, 30, 1, 1, 0, 0, 0, 0, 2, 2 }, /* the same with chunks cut to the subsample buffer's size */
		{ 2, 6, 5, 100, 90, 3, 3, 1, 1, 1, 1, 2, 2 },  /* input gradient by column matrix and col2im, tasks owning column chunks */
		{ 2, 7, 9, 60, 61, 1, 1, 0, 0, 0, 0, 1, 1 },   /* the same, pointwise: straight into grad_input */
		{ 1, 3, 8, 80, 70, 1, 1, 0, 0, 0, 0, 1, 1 },   /* pointwise kernel gradient in blocks of pixels: 4096, then 1504 */
		{ 1, 2, 300, 40, 40, 1, 1, 0, 0, 0, 0, 1, 1 }, /* the same with 300 output channels: blocks of 1024 */
		{ 2, 20, 18, 13, 14, 3, 3, 1, 1, 1, 1, 1, 1 }, /* Winograd under auto: several 6x6 tiles, partial edge tiles */
		{ 1, 17, 17, 7, 20, 3, 3, 0, 2, 1, 0, 1, 1 },  /* Winograd, asymmetric padding */
		{ 3, 16, 16, 100, 100, 3, 3, 1, 1, 1, 1, 1, 1 }, /* Winograd image groups of 2 (289 tiles each) and a partial last group */
		{ 7, 2, 3, 106, 106, 3, 3, 1, 1, 1, 1, 1, 1 }, /* Winograd kernel gradient in groups of 2048 tiles (F(6x6): 2268, F(4x4): 5103) */
		{ 2, 256, 5, 7, 6, 3, 2, 1, 0, 2, 1, 1, 1 },   /* input gradient as a transposed convolution (>= 256 channels, small map) */
		{ 3, 260, 7, 5, 5, 1, 3, 0, 2, 0, 1, 1, 1 },   /* the same, 1x3 kernel, asymmetric padding */
		{ 2, 3, 9, 40, 38, 7, 7, 3, 3, 3, 3, 2, 2 },   /* packed from the phase split: a stem-like 7x7/2 (segments) */
		{ 2, 40, 40, 30, 30, 5, 5, 2, 2, 2, 2, 2, 2 }, /* the same, 5x5/2, kernel gradient by tiles */
		{ 2, 3, 9, 70, 67, 7, 7, 3, 1, 2, 3, 2, 2 },   /* the forward's split per task (maps of 1024+ pixels): bands mid-image on the pool, a partial last panel */
		{ 1, 4, 5, 100, 65, 5, 5, 2, 2, 1, 2, 3, 2 },  /* the same, 5x5 at row stride 3 */
		{ 2, 120, 300, 9, 10, 1, 1, 0, 0, 0, 0, 2, 2 }, /* kernel gradient by tiles one above the other (300 rows > 120 columns), decimated */
		{ 2, 5, 300, 81, 63, 1, 1, 1, 0, 0, 2, 2, 2 }, /* 1x1/2, top and left padding: the dot kernel gradient's decimated blocks (1024 + 329 pixels) cross rows */
		{ 2, 11, 340, 12, 11, 3, 3, 1, 1, 1, 1, 1, 1 }, /* the same from the transposed im2col packer (340 > 99) */
		{ 2, 5, 6, 23, 30, 5, 5, 2, 1, 0, 2, 3, 2 },   /* the same, asymmetric padding, row stride 3 */
		{ 1, 2, 3, 9, 31, 4, 4, 0, 1, 1, 0, 2, 2 },    /* the same, an odd width: the odd phase a column short */
		{ 1, 2, 3, 5, 5, 3, 3, 1, 1, 1, 1, SIZE_MAX / 3, SIZE_MAX / 3 }, /* a stride no product may see: one output */
		{ 2, 2, 3, 5, 6, 3, 2, 7, 7, 7, 7, SIZE_MAX / 3, 2 },         /* the same with padding past the kernel */
		{ 3, 2, 7, 1, 15, 1, 1, 0, 0, 12, 0, 1, SIZE_MAX },          /* the same, a subsampled 1x1 (the fuzzer's: all zeros) */
		{ 3, 3, 4, 2, 1, 6, 1, 2, 0, 2, 0, 3, 2 },                   /* a column kernel taller than the map: rows 4, 5 reach no output row */
		{ 3, 3, 5, 2, 1, 1, 1, 0, 0, 0, 0, 3, 2 },                   /* a strided 1x1 with one output row: the scatter zeroes the row below */
	};
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
		check_shape(&fixed[i], NULL, false);
		check_shape(&fixed[i], pool, false);
	}
	for (int i = 0; i < 480; i++) {
		const struct shape s = random_shape();
		check_shape(&s, (i & 1) ? pool : NULL, (i % 7) == 3);
	}
	for (int i = 0; i < 40; i++) {
		/* Winograd's shapes: 3x3, stride 1, channels on both sides of auto's threshold of 16. */
		struct shape s = random_shape();
		s.kh = s.kw = 3;
		s.sh = s.sw = 1;
		s.top = pick(0, 2); s.bottom = pick(0, 2); s.left = pick(0, 2); s.right = pick(0, 2);
		s.ci = pick(1, 24); s.co = pick(1, 24); s.h = pick(3, 20); s.w = pick(3, 20);
		check_shape(&s, (i & 1) ? pool : NULL, (i % 5) == 2);
	}
	for (size_t h = 1; h <= 15; h += 2) {
		/* Small odd maps (F(4x4)'s and auto's home), padding 0..2, batch 1, channels off the vector widths. */
		for (size_t pad = 0; pad <= 2; pad++) {
			if (h + 2 * pad < 3) continue;
			const struct shape s = { 1, 17, 19, h, h + 2 * (h < 9), 3, 3, pad, pad, pad, pad, 1, 1 };
			check_shape(&s, (h + pad) % 2 ? pool : NULL, pad == 1 && h == 7);
		}
	}
	for (int i = 0; i < 24; i++) {
		/* Kernels one column wide at stride 1 (column-kernel.c: one pointwise product per kernel row over the output
		 * rows it reaches), top and bottom padding that leaves some kernel row reaching every output row, output
		 * channels on both sides of the GEMM's row block (126 on AVX-512), planes that end mid-panel; every fourth
		 * padded past that (the general implicit GEMM). */
		struct shape s = random_shape();
		s.kw = 1; s.left = s.right = 0; s.sh = s.sw = 1;
		s.kh = pick(2, 7); s.top = pick(0, s.kh - 1); s.bottom = i % 4 == 3 ? pick(s.kh - s.top, s.kh + 2) : pick(0, s.kh - 1 - s.top);
		/* Maps from as short as the padded kernel allows (kernel rows that reach no output row) up. */
		s.h = pick(s.top + s.bottom >= s.kh ? 1 : s.kh - s.top - s.bottom, 20); s.w = pick(1, 20);
		s.co = i % 3 == 0 ? pick(120, 140) : pick(1, 40);
		check_shape(&s, (i & 1) ? pool : NULL, (i % 5) == 2);
	}
	for (int i = 0; i < 16; i++) {
		/* Kernels one row wide at stride 1 (Inception's 1x7) with 31 to 40 input channels and output channels on both
		 * sides of the GEMM's row block, left and right padding up to the kernel's width and past it every fourth. */
		struct shape s = random_shape();
		s.kh = 1; s.top = s.bottom = 0; s.sh = s.sw = 1;
		s.kw = pick(2, 7); s.left = pick(0, s.kw - 1); s.right = i % 4 == 3 ? pick(s.kw - s.left, s.kw + 2) : pick(0, s.kw - 1 - s.left);
		s.w = pick(s.left + s.right >= s.kw ? 1 : s.kw - s.left - s.right, 20); s.h = pick(1, 20);
		s.ci = i == 5 ? 31 : pick(32, 40);
		s.co = i == 6 ? 31 : i % 3 == 0 ? pick(120, 140) : pick(32, 40);
		s.n = pick(1, 3);
		check_shape(&s, (i & 1) ? pool : NULL, (i % 5) == 2);
	}
	for (int i = 0; i < 40; i++) {
		/* Padding as large as the kernel or larger (our extensions only), including outputs made wholly of padding. */
		struct shape s = random_shape();
		s.top = pick(0, 2 * s.kh + 3); s.bottom = pick(0, 2 * s.kh + 3); s.left = pick(0, 2 * s.kw + 3); s.right = pick(0, 2 * s.kw + 3);
		if (i % 4 == 0) { s.kh = s.kw = 3; s.sh = s.sw = 1; s.ci = pick(16, 20); s.co = pick(16, 20); }
		/* The new padding may leave the kernel larger than the padded input (a call the library refuses, and a
		 * reference whose output size would wrap): grow the map as random_shape does. */
		if (s.top + s.h + s.bottom < s.kh) s.h = s.kh;
		if (s.left + s.w + s.right < s.kw) s.w = s.kw;
		check_shape(&s, (i & 1) ? pool : NULL, false);
	}
	for (int i = 0; i < 6; i++) {
		/* Calls large enough (>= 4 M multiply-adds) that the library splits them over the pool rather than running
		 * them on the caller: every parallel phase, the shared chunks across images and their edges. */
		struct shape s = random_shape();
		s.n = pick(2, 4); s.ci = pick(16, 40); s.co = pick(20, 70); s.h = pick(18, 34); s.w = pick(18, 34);
		s.sh = s.sw = pick(1, 2);
		check_shape(&s, pool, i == 3);
	}
	const size_t gather_channels[] = { 1, 7, 16, 17, 32, 33, 40, 64 };
	for (int i = 0; i < 10; i++) {
		/* The kernel gradient tap by tap (kernel-gradient-gather.c, the AVX-512 and AVX2 tables: at least 512 pixels, strides 1
		 * and 2, either axis): output channels on and off its panels (32 or 16 wide) and their halves, taps off its
		 * 6-row tiles, blocks of rows that end mid-map. */
		struct shape s = random_shape();
		s.n = 3; s.ci = pick(1, 6); s.co = gather_channels[i % 8]; s.h = pick(32, 38); s.w = pick(32, 38);
		s.sh = pick(1, 2); s.sw = pick(1, 2);
		if (s.kh == 1 && s.kw == 1) s.kw = 2;
		check_shape(&s, (i & 1) ? pool : NULL, false);
	}
	pthreadpool_t pool2 = pthreadpool_create(2), pool20 = pthreadpool_create(20);
	test_thread_count_independence(pool2, pool, pool20);
	test_strided_pointwise_thread_count_independence(pool2, pool, pool20);
	pthreadpool_destroy(pool2);
	pthreadpool_destroy(pool20);
	printf("worst Winograd error (output and input gradient) against the largest term magnitude: F(6x6) %g, F(4x4) %g; against each element's own terms: "
		"F(6x6) %g, F(4x4) %g\n", worst_winograd, worst_winograd_f4x4, worst_winograd_element, worst_winograd_f4x4_element);
	printf("worst Winograd kernel gradient error against the largest term magnitude: F(6x6)-sized tiles %g, F(4x4)-sized %g\n", worst_kernel_gradient_f6x6,
		worst_kernel_gradient_f4x4);
	pthreadpool_destroy(pool);
	CHECK(nnp_deinitialize() == nnp_status_success, "deinitialize");
	printf("%d checks, %d failures\n", checks, failures);
	return failures == 0 ? 0 : 1;
}
