/* libFuzzer harness for every entry point of libnnpack's C API (nnpack.h and nnpacksharp.h), built with
 * -fsanitize=fuzzer,address,undefined. The input's first byte picks the function; the rest gives its sizes (mostly
 * 0..15, so calls run, sometimes an extreme such as 2^63 or SIZE_MAX), algorithm, activation, workspace protocol,
 * thread pool and operand values. Beyond the sanitizers, it aborts when:
 *  - a problem whose tensors cannot exist (a zero size, a byte count past PTRDIFF_MAX, a padded extent that
 *    overflows or is smaller than the kernel) reports success (its operands are NULL: any access crashes anyway);
 *  - a call that fails writes to its destination (destinations start as a canary);
 *  - a convolution's forward result differs from a direct reference with 128-bit index arithmetic.
 * A possible problem too large to allocate here only answers a convolution's workspace-size query. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nnpacksharp.h"

typedef unsigned __int128 wide;

/* Operands up to this many floats each, and convolutions up to this many multiply-adds, run for real. */
#define RUN_FLOATS ((wide) 1 << 16)
#define RUN_MULTIPLY_ADDS ((wide) 1 << 20)
#define CANARY 0xA5

struct reader { const uint8_t* data; size_t size; };

static uint8_t next_byte(struct reader* r) {
	if (r->size == 0) return 0;
	r->size--;
	return *r->data++;
}

static const size_t extremes[16] = {
	17, 31, 64, 255, 4097, 65537, (size_t) 1 << 31, ((size_t) 1 << 32) + 1,
	(size_t) 1 << 61, (size_t) 1 << 62, (size_t) 1 << 63, SIZE_MAX / 3, SIZE_MAX / 2, SIZE_MAX - 1, SIZE_MAX, (size_t) PTRDIFF_MAX / 4 + 1,
};

/* A size: 0..15 for most bytes, an extreme for the top sixteen. */
static size_t next_size(struct reader* r) {
	const uint8_t b = next_byte(r);
	return b >= 0xF0 ? extremes[b & 15] : b % 16;
}

static bool fits(wide floats) { return floats * sizeof(float) <= (wide) PTRDIFF_MAX; }

static void fail(const char* what, int function) {
	fprintf(stderr, "fuzz_api: %s (function %d)\n", what, function);
	abort();
}

/* Operands: values in [-1, 1] from a seed byte; destinations: the canary. */
static float* operand(wide floats, uint8_t seed) {
	float* v = malloc((size_t) floats * sizeof(float) + 1);
	uint32_t state = seed * 2654435761u + 1;
	for (size_t i = 0; i < (size_t) floats; i++) {
		state = state * 1664525u + 1013904223u;
		v[i] = (float) (state >> 8) / 8388608.0f - 1.0f;
	}
	return v;
}
static float* destination(wide floats) {
	float* v = malloc((size_t) floats * sizeof(float) + 1);
	memset(v, CANARY, (size_t) floats * sizeof(float));
	return v;
}
static bool untouched(const float* v, wide floats) {
	const uint8_t* bytes = (const uint8_t*) v;
	for (size_t i = 0; i < (size_t) floats * sizeof(float); i++) if (bytes[i] != CANARY) return false;
	return true;
}

static pthreadpool_t pools[3]; /* none, one thread, three threads */

enum function {
	conv_output, conv_input_gradient, conv_kernel_gradient, conv_inference, strided_output, strided_input_gradient, strided_kernel_gradient,
	fc_output, fc_inference, fc_inference_f16, max_pooling, softmax, relu_output, relu_gradient, uninitialized, functions,
};

struct conv {
	enum function f;
	size_t n, ci, co;
	struct nnp_size in, kernel, stride;
	struct nnp_padding pad;
	enum nnp_convolution_algorithm algorithm;
	enum nnp_activation activation;
	const float* slope;
	pthreadpool_t pool;
};

static enum nnp_status convolve(const struct conv* c, float* x, float* k, float* b, float* y, void* workspace, size_t* workspace_size) {
	const enum nnp_convolution_algorithm a = c->algorithm;
	switch (c->f) {
		case conv_output:
			return nnp_convolution_output(a, c->n, c->ci, c->co, c->in, c->pad, c->kernel, x, k, b, y, workspace, workspace_size, c->activation, c->slope, c->pool, NULL);
		case conv_input_gradient:
			return nnp_convolution_input_gradient(a, c->n, c->ci, c->co, c->in, c->pad, c->kernel, y, k, x, workspace, workspace_size, c->activation, c->slope, c->pool, NULL);
		case conv_kernel_gradient:
			return nnp_convolution_kernel_gradient(a, c->n, c->ci, c->co, c->in, c->pad, c->kernel, x, y, k, workspace, workspace_size, c->activation, c->slope, c->pool, NULL);
		case conv_inference:
			return nnp_convolution_inference(a, nnp_convolution_transform_strategy_compute, c->ci, c->co, c->in, c->pad, c->kernel, c->stride, x, k, b, y,
				workspace, workspace_size, c->activation, c->slope, c->pool, NULL);
		case strided_output:
			return nnpsharp_convolution_output_strided(a, c->n, c->ci, c->co, c->in, c->pad, c->kernel, c->stride, x, k, b, y, workspace, workspace_size,
				c->activation, c->slope, c->pool, NULL);
		case strided_input_gradient:
			return nnpsharp_convolution_input_gradient_strided(a, c->n, c->ci, c->co, c->in, c->pad, c->kernel, c->stride, y, k, x, workspace, workspace_size,
				c->activation, c->slope, c->pool, NULL);
		default:
			return nnpsharp_convolution_kernel_gradient_strided(a, c->n, c->ci, c->co, c->in, c->pad, c->kernel, c->stride, x, y, k, workspace, workspace_size,
				c->activation, c->slope, c->pool, NULL);
	}
}

static wide extent(size_t before, size_t size, size_t after, size_t window, size_t stride) {
	const wide padded = (wide) before + size + after;
	return padded < window || stride == 0 ? 0 : (padded - window) / stride + 1;
}

/* Whether the algorithm may compute in a transformed domain (FFT, Winograd; auto may pick either): its rounding is
 * bounded against the largest term magnitude of the result, not against each element's own (a border element with
 * one term of 1e-4 was off by 1.3e-6 in ft16x16, within 1e-5 of the largest term but not 1e-3 of its own). */
static bool transformed(enum nnp_convolution_algorithm a) {
	return a == nnp_convolution_algorithm_auto || a == nnp_convolution_algorithm_ft8x8 || a == nnp_convolution_algorithm_ft16x16 ||
		a == nnp_convolution_algorithm_wt8x8 || a == nnpsharp_convolution_algorithm_wt6x6;
}

/* The forward against the direct sum: within 1e-3 of the sum of each element's term magnitudes (and 1e-6), plus for a
 * transformed algorithm 1e-5 of the largest such sum (the FFT's and F(4x4)'s bound; F(6x6)'s is 1e-3, and it measures
 * below 1e-5 in the C tests). */
static void check_forward(const struct conv* c, const float* x, const float* k, const float* b, const float* y, size_t oh, size_t ow) {
	const size_t kh = c->kernel.height, kw = c->kernel.width, h = c->in.height, w = c->in.width, count = c->n * c->co * oh * ow;
	double* sums = malloc(2 * count * sizeof(double));
	double *magnitudes = sums + count, largest = 0.0;
	for (size_t i = 0; i < count; i++) {
		const size_t ox = i % ow, oy = i / ow % oh, o = i / (ow * oh) % c->co, image = i / (ow * oh * c->co);
		double sum = b[o], magnitude = fabs(b[o]);
		for (size_t ic = 0; ic < c->ci; ic++) for (size_t ky = 0; ky < kh; ky++) for (size_t kx = 0; kx < kw; kx++) {
			const __int128 iy = (__int128) oy * c->stride.height + ky - c->pad.top, ix = (__int128) ox * c->stride.width + kx - c->pad.left;
			if (iy < 0 || ix < 0 || iy >= (__int128) h || ix >= (__int128) w) continue;
			const double term = (double) x[((image * c->ci + ic) * h + (size_t) iy) * w + (size_t) ix] * k[((o * c->ci + ic) * kh + ky) * kw + kx];
			sum += term;
			magnitude += fabs(term);
		}
		if (c->activation == nnp_activation_relu && sum < 0) sum = 0;
		sums[i] = sum;
		magnitudes[i] = magnitude;
		largest = fmax(largest, magnitude);
	}
	const double shared = transformed(c->algorithm) ? 1e-5 * largest : 0.0;
	for (size_t i = 0; i < count; i++) {
		if (!(fabs(y[i] - sums[i]) <= 1e-3 * magnitudes[i] + shared + 1e-6)) fail("forward result differs from the reference", c->f);
	}
	free(sums);
}

static void fuzz_convolution(struct conv* c, struct reader* r) {
	const bool strided = c->f == conv_inference || c->f >= strided_output;
	c->n = c->f == conv_inference ? 1 : next_size(r);
	c->ci = next_size(r); c->co = next_size(r);
	c->in = (struct nnp_size) { next_size(r), next_size(r) };
	c->kernel = (struct nnp_size) { next_size(r), next_size(r) };
	c->pad = (struct nnp_padding) { next_size(r), next_size(r), next_size(r), next_size(r) };
	c->stride = strided ? (struct nnp_size) { next_size(r), next_size(r) } : (struct nnp_size) { 1, 1 };
	const uint8_t protocol = next_byte(r), seed = next_byte(r);
	const wide oh = extent(c->pad.top, c->in.height, c->pad.bottom, c->kernel.height, c->stride.height);
	const wide ow = extent(c->pad.left, c->in.width, c->pad.right, c->kernel.width, c->stride.width);
	const wide in = (wide) c->n * c->ci * c->in.height * c->in.width, kernel = (wide) c->co * c->ci * c->kernel.height * c->kernel.width;
	const wide out = (wide) c->n * c->co * oh * ow;
	const bool exists = in > 0 && kernel > 0 && out > 0 && c->stride.height > 0 && c->stride.width > 0 && fits(in) && fits(kernel) && fits(out);
	if (!exists) {
		size_t size = 0;
		if (convolve(c, NULL, NULL, NULL, NULL, NULL, &size) == nnp_status_success) fail("impossible size query reports success", c->f);
		if (convolve(c, NULL, NULL, NULL, NULL, NULL, NULL) == nnp_status_success) fail("impossible call reports success", c->f);
		return;
	}
	if (in > RUN_FLOATS || kernel > RUN_FLOATS || out > RUN_FLOATS || out * c->ci * c->kernel.height * c->kernel.width > RUN_MULTIPLY_ADDS) {
		size_t size = 0;
		convolve(c, NULL, NULL, NULL, NULL, NULL, &size);
		return;
	}
	const bool forward = c->f == conv_output || c->f == conv_inference || c->f == strided_output;
	const bool input_gradient = c->f == conv_input_gradient || c->f == strided_input_gradient;
	const bool kernel_gradient = !forward && !input_gradient;
	float *x = input_gradient ? destination(in) : operand(in, seed), *k = kernel_gradient ? destination(kernel) : operand(kernel, seed + 1);
	float *b = operand(c->co, seed + 2), *y = forward ? destination(out) : operand(out, seed + 3);
	/* The workspace protocol: internal allocation, or the caller's buffer after a query (exact, one byte short, or
	 * misaligned by 4). */
	size_t size = 0;
	void* workspace = NULL;
	size_t* workspace_size = NULL;
	if (protocol % 4 != 0 && convolve(c, NULL, NULL, NULL, NULL, NULL, &size) == nnp_status_success) {
		const size_t shift = protocol % 4 == 3 ? 4 : 0;
		if (posix_memalign(&workspace, 64, size + shift + 1) != 0) abort();
		size -= protocol % 4 == 2 && size > 0;
		workspace = (char*) workspace + shift;
		workspace_size = &size;
	}
	const enum nnp_status status = convolve(c, x, k, b, y, workspace, workspace_size);
	if (status != nnp_status_success && !(forward ? untouched(y, out) : input_gradient ? untouched(x, in) : untouched(k, kernel))) {
		fail("a failed call wrote its destination", c->f);
	}
	if (status == nnp_status_success && forward) check_forward(c, x, k, b, y, (size_t) oh, (size_t) ow);
	if (workspace != NULL) free((char*) workspace - (protocol % 4 == 3 ? 4 : 0));
	free(x); free(k); free(b); free(y);
}

static enum nnp_status call_rows(enum function f, size_t batch, size_t ic, size_t oc, const float* x, const float* k, const uint16_t* halves,
	const float* g, float* y, float slope, pthreadpool_t pool)
{
	switch (f) {
		case fc_output: return nnp_fully_connected_output(batch, ic, oc, x, k, y, pool, NULL);
		case fc_inference: return nnp_fully_connected_inference(ic, oc, x, k, y, pool);
		case fc_inference_f16: return nnp_fully_connected_inference_f16f32(ic, oc, x, halves, y, pool);
		case softmax: return nnp_softmax_output(batch, ic, x, y, pool);
		case relu_output: return nnp_relu_output(batch, ic, x, y, slope, pool);
		default: return nnp_relu_input_gradient(batch, ic, g, x, y, slope, pool);
	}
}

/* [batch][channels] rows: fully connected, softmax, ReLU and its gradient. */
static void fuzz_rows(enum function f, pthreadpool_t pool, struct reader* r) {
	const bool fully_connected = f >= fc_output && f <= fc_inference_f16;
	const size_t batch = f == fc_inference || f == fc_inference_f16 ? 1 : next_size(r), ic = next_size(r), oc = fully_connected ? next_size(r) : 1;
	const float slope = (float) next_byte(r) / 64.0f - 1.0f;
	const uint8_t seed = next_byte(r);
	const wide in = (wide) batch * ic, out = fully_connected ? (wide) batch * oc : in, kernel = (wide) oc * ic;
	const bool exists = in > 0 && out > 0 && fits(in) && fits(out) && fits(kernel);
	if (!exists) {
		if (call_rows(f, batch, ic, oc, NULL, NULL, NULL, NULL, NULL, slope, pool) == nnp_status_success) fail("impossible rows report success", f);
		return;
	}
	if (in > RUN_FLOATS || out > RUN_FLOATS || kernel > RUN_FLOATS) return;
	float *x = operand(in, seed), *k = operand(kernel, seed + 1), *g = operand(in, seed + 2), *y = destination(out);
	uint16_t* halves = malloc((size_t) kernel * sizeof(uint16_t)); /* exact: ASan sees a read past the FP16 kernel */
	memcpy(halves, k, (size_t) kernel * sizeof(uint16_t));
	if (call_rows(f, batch, ic, oc, x, k, halves, g, y, slope, pool) != nnp_status_success && !untouched(y, out)) fail("a failed call wrote its destination", f);
	free(x); free(k); free(g); free(y); free(halves);
}

static void fuzz_max_pooling(pthreadpool_t pool, struct reader* r) {
	const size_t n = next_size(r), c = next_size(r);
	const struct nnp_size in = { next_size(r), next_size(r) }, window = { next_size(r), next_size(r) }, stride = { next_size(r), next_size(r) };
	const struct nnp_padding pad = { next_size(r), next_size(r), next_size(r), next_size(r) };
	const uint8_t seed = next_byte(r);
	const wide padded_h = (wide) pad.top + in.height + pad.bottom, padded_w = (wide) pad.left + in.width + pad.right;
	const wide x_floats = (wide) n * c * in.height * in.width, padded = (wide) n * c * padded_h * padded_w;
	const bool exists = x_floats > 0 && window.height > 0 && window.width > 0 && stride.height > 0 && stride.width > 0 && fits(padded) &&
		pad.top < window.height && pad.bottom < window.height && pad.left < window.width && pad.right < window.width;
	if (!exists) {
		if (nnp_max_pooling_output(n, c, in, pad, window, stride, NULL, NULL, pool) == nnp_status_success) fail("impossible pooling reports success", max_pooling);
		return;
	}
	/* Upstream's output extent: ceil(max(0, padded - window) / stride) + 1. */
	const wide span_h = padded_h > window.height ? padded_h - window.height : 0, span_w = padded_w > window.width ? padded_w - window.width : 0;
	const wide rows = (span_h + stride.height - 1) / stride.height + 1, columns = (span_w + stride.width - 1) / stride.width + 1;
	const wide out = (wide) n * c * rows * columns;
	/* The extension's output size: anything from 0 to one past upstream's count on each axis. */
	/* The remainders in wide arithmetic: rows + 2 can pass SIZE_MAX (huge windows over a huge input, stride 1), and
	 * truncated to size_t it was 0 or 1 (a division by zero that the sanitizer leg's fuzzer found). */
	const struct nnp_size sized = { (size_t) ((wide) next_size(r) % (columns + 2)), (size_t) ((wide) next_size(r) % (rows + 2)) };
	const bool sized_fits = sized.width > 0 && sized.height > 0 && sized.width <= columns && sized.height <= rows;
	if (!sized_fits && nnpsharp_max_pooling_output(n, c, in, pad, window, stride, sized, NULL, NULL, pool) == nnp_status_success) fail("impossible sized pooling reports success", max_pooling);
	if (x_floats > RUN_FLOATS || out > RUN_FLOATS) return;
	float *x = operand(x_floats, seed), *y = destination(out);
	if (nnp_max_pooling_output(n, c, in, pad, window, stride, x, y, pool) != nnp_status_success && !untouched(y, out)) fail("a failed call wrote its destination", max_pooling);
	if (sized_fits) {
		const wide sized_out = (wide) n * c * sized.height * sized.width;
		float* z = destination(sized_out);
		if (nnpsharp_max_pooling_output(n, c, in, pad, window, stride, sized, x, z, pool) != nnp_status_success) fail("sized pooling within upstream's count refused", max_pooling);
		free(z);
	}
	free(x); free(y);
}

int LLVMFuzzerInitialize(int* argc, char*** argv) {
	(void) argc; (void) argv;
	if (nnp_initialize() != nnp_status_success || nnpsharp_isa() == NULL) abort();
	pools[1] = pthreadpool_create(1);
	pools[2] = pthreadpool_create(3);
	if (pools[1] == NULL || pools[2] == NULL || pthreadpool_get_threads_count(pools[2]) != 3) abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
	struct reader r = { data, size };
	const enum function f = (enum function) (next_byte(&r) % functions);
	const uint8_t settings = next_byte(&r);
	pthreadpool_t pool = pools[settings % 3];
	if (f <= strided_kernel_gradient || f == uninitialized) {
		static const float slopes[] = { 0.0f, 0.5f, -1.0f };
		const uint8_t choice = next_byte(&r);
		struct conv c = {
			.f = f == uninitialized ? conv_output : f, .algorithm = (enum nnp_convolution_algorithm) (choice % 10),
			.activation = (enum nnp_activation) (choice / 10 % 3), .slope = choice / 30 % 4 < 3 ? NULL : &slopes[choice / 120 % 3], .pool = pool,
		};
		if (f == uninitialized) {
			/* Every function refuses to run between nnp_deinitialize and nnp_initialize. */
			nnp_deinitialize();
			if (nnp_convolution_output(0, 1, 1, 1, (struct nnp_size) { 1, 1 }, (struct nnp_padding) { 0 }, (struct nnp_size) { 1, 1 },
				NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL) != nnp_status_uninitialized) fail("runs uninitialized", f);
			if (nnp_max_pooling_output(1, 1, (struct nnp_size) { 1, 1 }, (struct nnp_padding) { 0 }, (struct nnp_size) { 1, 1 }, (struct nnp_size) { 1, 1 },
				NULL, NULL, NULL) != nnp_status_uninitialized) fail("pools uninitialized", f);
			if (nnp_initialize() != nnp_status_success) abort();
		}
		fuzz_convolution(&c, &r);
	} else if (f == max_pooling) {
		fuzz_max_pooling(pool, &r);
	} else {
		fuzz_rows(f, pool, &r);
	}
	return 0;
}
