/* Extreme and impossible sizes at every entry point (issue 11, defects 6 and 7). The contract: a problem whose
 * tensors cannot exist (a byte count past PTRDIFF_MAX, a padded extent that overflows) returns a status and touches
 * nothing (the buffers here are NULL: any access crashes); a possible problem small enough to allocate runs on
 * exact-size buffers (ASan sees any stray access) and matches a reference computed with 128-bit index arithmetic;
 * a possible but huge convolution answers a workspace-size query with success or nnp_status_out_of_memory. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nnpacksharp.h"

static int failures = 0, checks = 0;
#define CHECK(condition, ...) do { checks++; if (!(condition)) { failures++; printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } } while (0)

#define TWO_TO(n) ((size_t) 1 << (n))
/* Sizes that sit next to the limits the library's arithmetic must respect. */
static const size_t extremes[] = { 1, 2, 3, TWO_TO(31), TWO_TO(32) + 1, TWO_TO(61), TWO_TO(62), TWO_TO(63), SIZE_MAX / 3, SIZE_MAX - 1, SIZE_MAX };
#define EXTREMES (sizeof(extremes) / sizeof(extremes[0]))
/* A possible problem up to this many floats per tensor runs for real; above it only the size query runs. */
#define RUNNABLE_FLOATS ((unsigned __int128) 1 << 16)

typedef unsigned __int128 wide;

static bool fits(wide floats) { return floats * sizeof(float) <= (wide) PTRDIFF_MAX; }
static float value_at(size_t i) { return (float) ((i * 7919u) % 23u) - 11.0f; }
static float* filled(wide floats) {
	float* v = malloc((size_t) floats * sizeof(float) + 1);
	for (size_t i = 0; i < (size_t) floats; i++) v[i] = value_at(i);
	return v;
}

struct conv { size_t n, ci, co, h, w, kh, kw, top, bottom, left, right, sh, sw; };

/* The output extent, or 0 when the padded extent overflows or is smaller than the kernel. */
static wide windows(size_t before, size_t extent, size_t after, size_t kernel, size_t stride) {
	const wide padded = (wide) before + extent + after;
	return padded < kernel ? 0 : (padded - kernel) / stride + 1;
}

/* Forward reference with 128-bit coordinates; returns the worst absolute difference from `output`. */
static double forward_error(const struct conv* c, const float* x, const float* k, const float* output, size_t oh, size_t ow) {
	double worst = 0;
	for (size_t b = 0; b < c->n; b++) for (size_t o = 0; o < c->co; o++) for (size_t y = 0; y < oh; y++) for (size_t z = 0; z < ow; z++) {
		double sum = 0;
		for (size_t i = 0; i < c->ci; i++) for (size_t ky = 0; ky < c->kh; ky++) for (size_t kx = 0; kx < c->kw; kx++) {
			const __int128 iy = (__int128) y * c->sh + ky - c->top, ix = (__int128) z * c->sw + kx - c->left;
			if (iy < 0 || ix < 0 || iy >= (__int128) c->h || ix >= (__int128) c->w) continue;
			sum += (double) x[((b * c->ci + i) * c->h + (size_t) iy) * c->w + (size_t) ix] * k[((o * c->ci + i) * c->kh + ky) * c->kw + kx];
		}
		worst = fmax(worst, fabs(sum - output[((b * c->co + o) * oh + y) * ow + z]));
	}
	return worst;
}

/* The four convolutions that take a stride: forward, its two gradients, and inference (batch 1). */
enum function { forward, input_gradient, kernel_gradient, inference, functions };

/* Operands: x the input (or grad_input), k the kernel (or grad_kernel), y the output (or grad_output). */
static enum nnp_status convolve(enum function f, const struct conv* c, float* x, float* k, float* y, size_t* workspace_size) {
	const struct nnp_size in = { c->w, c->h }, kernel = { c->kw, c->kh }, stride = { c->sw, c->sh };
	const struct nnp_padding pad = { c->top, c->right, c->bottom, c->left };
	const enum nnp_convolution_algorithm a = nnp_convolution_algorithm_auto;
	const enum nnp_activation identity = nnp_activation_identity;
	switch (f) {
		case forward:
			return nnpsharp_convolution_output_strided(a, c->n, c->ci, c->co, in, pad, kernel, stride, x, k, NULL, y, NULL, workspace_size, identity, NULL, NULL, NULL);
		case input_gradient:
			return nnpsharp_convolution_input_gradient_strided(a, c->n, c->ci, c->co, in, pad, kernel, stride, y, k, x, NULL, workspace_size, identity, NULL, NULL, NULL);
		case kernel_gradient:
			return nnpsharp_convolution_kernel_gradient_strided(a, c->n, c->ci, c->co, in, pad, kernel, stride, x, y, k, NULL, workspace_size, identity, NULL, NULL, NULL);
		default:
			return nnp_convolution_inference(a, nnp_convolution_transform_strategy_compute, c->ci, c->co, in, pad, kernel, stride, x, k, NULL, y,
				NULL, workspace_size, identity, NULL, NULL, NULL);
	}
}

static int impossible = 0, runnable = 0, queried = 0;

/* One convolution through the four functions, judged by the contract above. */
static void check_convolution(const struct conv* c) {
	const wide oh = windows(c->top, c->h, c->bottom, c->kh, c->sh), ow = windows(c->left, c->w, c->right, c->kw, c->sw);
	const wide in = (wide) c->n * c->ci * c->h * c->w, out = (wide) c->n * c->co * oh * ow, kernel = (wide) c->co * c->ci * c->kh * c->kw;
	const bool possible = oh > 0 && ow > 0 && fits(in) && fits(out) && fits(kernel);
	char shape[256];
	snprintf(shape, sizeof shape, "n %zu ci %zu co %zu in %zux%zu k %zux%zu pad %zu,%zu,%zu,%zu stride %zux%zu",
		c->n, c->ci, c->co, c->h, c->w, c->kh, c->kw, c->top, c->bottom, c->left, c->right, c->sh, c->sw);
	const bool huge = in > RUNNABLE_FLOATS || out > RUNNABLE_FLOATS || kernel > RUNNABLE_FLOATS;
	float *x = NULL, *k = NULL, *y = NULL;
	if (possible && !huge) {
		runnable++;
		x = filled(in); k = filled(kernel); y = filled(out);
	} else {
		impossible += !possible;
		queried += possible;
	}
	for (enum function f = forward; f < functions; f++) {
		if (f == inference && c->n != 1) continue;
		size_t size = 0;
		const enum nnp_status query = convolve(f, c, NULL, NULL, NULL, &size);
		if (!possible) {
			CHECK(query != nnp_status_success, "impossible size query of function %d reports success: %s", f, shape);
			CHECK(convolve(f, c, NULL, NULL, NULL, NULL) != nnp_status_success, "impossible call of function %d reports success: %s", f, shape);
			continue;
		}
		/* A padded extent past the library's signed-index limit is refused with invalid_input_size, even when tiny. */
		CHECK(query == nnp_status_success || query == nnp_status_out_of_memory || query == nnp_status_invalid_input_size,
			"size query of function %d: status %d, %s", f, query, shape);
		if (huge) continue;
		const enum nnp_status status = convolve(f, c, x, k, y, NULL);
		CHECK(status == query, "function %d: status %d, its size query %d: %s", f, status, query, shape);
		if (f == forward && status == nnp_status_success) {
			const double error = forward_error(c, x, k, y, (size_t) oh, (size_t) ow);
			CHECK(error <= 1e-3, "forward differs from the reference by %g: %s", error, shape);
		}
	}
	free(x); free(k); free(y);
}

/* Every size argument at every extreme, one at a time and in pairs of (padding, stride) and (batch, channels). */
static void test_convolutions(void) {
	const struct conv base = { 2, 2, 3, 5, 6, 3, 3, 1, 1, 1, 1, 1, 1 };
	for (size_t e = 0; e < EXTREMES; e++) {
		const size_t v = extremes[e];
		struct conv c;
		for (int field = 0; field < 13; field++) {
			c = base;
			((size_t*) &c)[field] = v;
			check_convolution(&c);
		}
		for (size_t f = 0; f < EXTREMES; f++) {
			c = base; c.top = c.bottom = c.left = c.right = v; c.sh = c.sw = extremes[f]; check_convolution(&c);
			c = base; c.top = v; c.sh = extremes[f]; c.h = 1; c.kh = 1; check_convolution(&c);
			c = base; c.n = v; c.ci = extremes[f]; check_convolution(&c);
			c = base; c.co = v; c.kh = extremes[f]; check_convolution(&c);
		}
	}
	printf("convolutions: %d impossible, %d run against the reference, %d huge size queries\n", impossible, runnable, queried);
}

/* Fully connected, softmax and ReLU: impossible [batch][channels] products refused with NULL operands. */
static void test_rows(void) {
	int refused = 0;
	for (size_t e = 0; e < EXTREMES; e++) {
		for (size_t f = 0; f < EXTREMES; f++) {
			const size_t a = extremes[e], b = extremes[f];
			if (fits((wide) a * b)) continue;
			refused++;
			CHECK(nnp_fully_connected_output(a, b, 1, NULL, NULL, NULL, NULL, NULL) != nnp_status_success, "fully connected %zu x %zu -> 1", a, b);
			CHECK(nnp_fully_connected_output(1, a, b, NULL, NULL, NULL, NULL, NULL) != nnp_status_success, "fully connected 1 x %zu -> %zu", a, b);
			CHECK(nnp_fully_connected_output(a, 1, b, NULL, NULL, NULL, NULL, NULL) != nnp_status_success, "fully connected %zu x 1 -> %zu", a, b);
			CHECK(nnp_fully_connected_inference(a, b, NULL, NULL, NULL, NULL) != nnp_status_success, "fully connected inference %zu -> %zu", a, b);
			CHECK(nnp_fully_connected_inference_f16f32(a, b, NULL, NULL, NULL, NULL) != nnp_status_success, "fp16 inference %zu -> %zu", a, b);
			CHECK(nnp_softmax_output(a, b, NULL, NULL, NULL) != nnp_status_success, "softmax %zu x %zu", a, b);
			CHECK(nnp_relu_output(a, b, NULL, NULL, 0.0f, NULL) != nnp_status_success, "relu %zu x %zu", a, b);
			CHECK(nnp_relu_input_gradient(a, b, NULL, NULL, NULL, 0.0f, NULL) != nnp_status_success, "relu gradient %zu x %zu", a, b);
		}
	}
	printf("rows: %d impossible products refused by 8 functions\n", refused);
}

/* Upstream's pooled extent, ceil(max(0, padded - pool) / stride) + 1, in 128 bits. */
static wide pooled(size_t before, size_t extent, size_t after, size_t pool, size_t stride) {
	const wide padded = (wide) before + extent + after, span = padded > pool ? padded - pool : 0;
	return (span + stride - 1) / stride + 1;
}

/* One max pooling: impossible sizes refused; possible ones run on exact buffers against a 128-bit reference (a window
 * wholly past the input, which a stride larger than the window allows, is -inf). */
static void check_pooling(size_t n, size_t c, size_t h, size_t w, struct nnp_padding pad, size_t ph, size_t pw, size_t sh, size_t sw) {
	const struct nnp_size in = { w, h }, pool = { pw, ph }, stride = { sw, sh };
	const wide oh = pooled(pad.top, h, pad.bottom, ph, sh), ow = pooled(pad.left, w, pad.right, pw, sw);
	const bool possible = fits((wide) n * c * ((wide) pad.top + h + pad.bottom) * ((wide) pad.left + w + pad.right)) && pad.top < ph && pad.bottom < ph &&
		pad.left < pw && pad.right < pw;
	if (!possible) {
		CHECK(nnp_max_pooling_output(n, c, in, pad, pool, stride, NULL, NULL, NULL) != nnp_status_success, "impossible pooling %zux%zu pool %zux%zu", h, w, ph, pw);
		return;
	}
	if ((wide) n * c * oh * ow > RUNNABLE_FLOATS || (wide) n * c * h * w > RUNNABLE_FLOATS) return;
	float *x = filled((wide) n * c * h * w), *y = filled((wide) n * c * oh * ow);
	CHECK(nnp_max_pooling_output(n, c, in, pad, pool, stride, x, y, NULL) == nnp_status_success, "pooling status");
	for (size_t p = 0; p < n * c; p++) for (size_t oy = 0; oy < (size_t) oh; oy++) for (size_t ox = 0; ox < (size_t) ow; ox++) {
		float best = -INFINITY;
		/* The window's rows and columns in input coordinates, clipped to the input (a window may be 2^64 wide). */
		const __int128 y0 = (__int128) oy * sh - pad.top, x0 = (__int128) ox * sw - pad.left;
		for (__int128 iy = y0 < 0 ? 0 : y0; iy < y0 + (__int128) ph && iy < (__int128) h; iy++) {
			for (__int128 ix = x0 < 0 ? 0 : x0; ix < x0 + (__int128) pw && ix < (__int128) w; ix++) best = fmaxf(best, x[(p * h + (size_t) iy) * w + (size_t) ix]);
		}
		const float got = y[(p * (size_t) oh + oy) * (size_t) ow + ox];
		CHECK(got == best, "pooling %zux%zu pool %zux%zu stride %zux%zu pad %zu,%zu: output (%zu,%zu) is %g, not %g",
			h, w, ph, pw, sh, sw, pad.top, pad.left, oy, ox, got, best);
	}
	free(x); free(y);
}

/* Strides up to SIZE_MAX (defect 7: past 2^63 the output size overflowed), and every size at every extreme. */
static void test_max_pooling(void) {
	const struct nnp_padding none = { 0, 0, 0, 0 }, one = { 1, 1, 1, 1 };
	for (size_t e = 0; e < EXTREMES; e++) {
		const size_t v = extremes[e];
		check_pooling(1, 2, 5, 5, none, 2, 2, v, v);
		check_pooling(1, 2, 5, 6, one, 3, 2, v, 1);
		check_pooling(2, 1, 5, 7, one, 2, 3, 2, v);
		check_pooling(v, 2, 5, 5, none, 2, 2, 2, 2);
		check_pooling(2, v, 5, 5, none, 2, 2, 2, 2);
		check_pooling(1, 1, v, 5, none, 2, 2, 2, 2);
		check_pooling(1, 1, 5, v, none, 2, 2, 2, 2);
		check_pooling(1, 1, 5, 5, none, v, 2, 2, 2);
		check_pooling(1, 1, 5, 5, (struct nnp_padding) { v, v, v, v }, SIZE_MAX, SIZE_MAX, v, v);
	}
}

/* The statuses DEVELOPERS.md documents: operands that cannot exist get the invalid-size status of the argument at
 * fault; a workspace that cannot exist gets out_of_memory, from the size query too. First the reproductions
 * (a size query with input_channels = SIZE_MAX divided by zero; batch = SIZE_MAX overflowed the heap). */
static void test_statuses(void) {
	const struct nnp_size one = { 1, 1 }, four = { 4, 4 };
	const struct nnp_padding none = { 0, 0, 0, 0 };
	float small[16] = { 0 };
	size_t size = 0;
	CHECK(nnp_convolution_output(0, 1, SIZE_MAX, 1, one, none, one, NULL, NULL, NULL, NULL, NULL, &size, 0, NULL, NULL, NULL) == nnp_status_invalid_input_size,
		"size query, input_channels SIZE_MAX");
	CHECK(nnp_convolution_output(0, SIZE_MAX, 1, 1, four, none, one, small, small, small, small, NULL, NULL, 0, NULL, NULL, NULL) == nnp_status_invalid_input_size,
		"batch SIZE_MAX on small buffers");
	/* Only the kernel, 2^42 x 2^20 floats, cannot exist: a 2^20-tall kernel over a 1x1 input padded to 2^20 + 1. */
	const struct nnp_size tall = { 1, TWO_TO(20) };
	const struct nnp_padding half = { TWO_TO(19), 0, TWO_TO(19), 0 };
	CHECK(nnp_convolution_output(0, 1, 1, TWO_TO(42), one, half, tall, NULL, NULL, NULL, NULL, NULL, &size, 0, NULL, NULL, NULL) == nnp_status_invalid_kernel_size,
		"a kernel past PTRDIFF_MAX bytes");
	/* Operands of 2^32 floats whose input gradient's column buffer (2^30 taps x ~2^32 pixels) overflows size_t. */
	const struct nnp_size image = { TWO_TO(16), TWO_TO(16) }, wide_kernel = { TWO_TO(15), TWO_TO(15) };
	const struct nnp_padding quarter = { TWO_TO(15), TWO_TO(15), TWO_TO(15), TWO_TO(15) };
	CHECK(nnpsharp_convolution_input_gradient_strided(nnp_convolution_algorithm_implicit_gemm, 1, 1, 1, image, quarter, wide_kernel, one,
		NULL, NULL, NULL, NULL, &size, 0, NULL, NULL, NULL) == nnp_status_out_of_memory, "a workspace past size_t");
	CHECK(nnp_fully_connected_output(TWO_TO(62), TWO_TO(2), 1, NULL, NULL, NULL, NULL, NULL) == nnp_status_invalid_input_channels, "fully connected input");
	CHECK(nnp_fully_connected_output(1, TWO_TO(2), TWO_TO(62), NULL, NULL, NULL, NULL, NULL) == nnp_status_invalid_output_channels, "fully connected kernel");
	CHECK(nnp_softmax_output(TWO_TO(62), TWO_TO(2), NULL, NULL, NULL) == nnp_status_invalid_channels, "softmax");
	CHECK(nnp_relu_output(TWO_TO(62), TWO_TO(2), NULL, NULL, 0.0f, NULL) == nnp_status_invalid_channels, "relu");
	CHECK(nnp_max_pooling_output(TWO_TO(62), 1, four, none, (struct nnp_size) { 2, 2 }, (struct nnp_size) { 2, 2 }, NULL, NULL, NULL) == nnp_status_invalid_input_size,
		"max pooling");
}

int main(void) {
	setvbuf(stdout, NULL, _IONBF, 0); /* a hang under ctest's timeout still shows how far it got */
	if (nnp_initialize() != nnp_status_success) {
		printf("nnp_initialize failed\n");
		return 1;
	}
	test_statuses();
	test_convolutions();
	test_rows();
	test_max_pooling();
	printf("%d checks, %d failures\n", checks, failures);
	return failures == 0 ? 0 : 1;
}
