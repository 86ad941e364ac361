/* Tests of libnnpack's non-convolution layers against direct references: fully connected (batched, single vector,
 * FP16 kernel), max pooling, softmax and ReLU with its gradient; validation statuses; NULL and real thread pools. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nnpacksharp.h"

static int failures = 0, checks = 0;
#define CHECK(condition, ...) do { checks++; if (!(condition)) { failures++; printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } } while (0)

static unsigned long long state = 0x9E3779B97F4A7C15ull;
static double uniform(void) {
	state ^= state << 13; state ^= state >> 7; state ^= state << 17;
	return (double) (state >> 11) / 9007199254740992.0 * 2.0 - 1.0;
}
static size_t pick(size_t low, size_t high) { return low + (size_t) ((uniform() + 1.0) * 0.5 * (double) (high - low + 1)) % (high - low + 1); }
static float* random_floats(size_t n) { float* v = malloc(n * sizeof(float)); for (size_t i = 0; i < n; i++) v[i] = (float) uniform(); return v; }

static void test_fully_connected(pthreadpool_t pool) {
	for (int round = 0; round < 30; round++) {
		const size_t batch = pick(1, 70), ic = pick(1, 300), oc = pick(1, 100);
		float *x = random_floats(batch * ic), *w = random_floats(oc * ic), *y = malloc(batch * oc * sizeof(float));
		memset(y, 0xff, batch * oc * sizeof(float));
		CHECK(nnp_fully_connected_output(batch, ic, oc, x, w, y, pool, NULL) == nnp_status_success, "fully connected status");
		double worst = 0;
		for (size_t b = 0; b < batch; b++) {
			for (size_t o = 0; o < oc; o++) {
				double sum = 0, magnitude = 0;
				for (size_t i = 0; i < ic; i++) { sum += (double) x[b * ic + i] * w[o * ic + i]; magnitude += fabs((double) x[b * ic + i] * w[o * ic + i]); }
				const double error = fabs(y[b * oc + o] - sum) / fmax(magnitude, FLT_MIN);
				worst = error > worst || isnan(error) ? (isnan(error) ? INFINITY : error) : worst;
			}
		}
		CHECK(worst <= 1e-5, "fully connected %zux%zu->%zu: error %g", batch, ic, oc, worst);

		float* v = malloc(oc * sizeof(float));
		CHECK(nnp_fully_connected_inference(ic, oc, x, w, v, pool) == nnp_status_success, "inference status");
		for (size_t o = 0; o < oc; o++) {
			double sum = 0, magnitude = 0;
			for (size_t i = 0; i < ic; i++) { sum += (double) x[i] * w[o * ic + i]; magnitude += fabs((double) x[i] * w[o * ic + i]); }
			CHECK(fabs(v[o] - sum) <= 1e-5 * fmax(magnitude, FLT_MIN), "inference row %zu", o);
		}
		free(x); free(w); free(y); free(v);
	}
	CHECK(nnp_fully_connected_output(0, 1, 1, NULL, NULL, NULL, NULL, NULL) == nnp_status_invalid_batch_size, "batch 0");
	CHECK(nnp_fully_connected_output(1, 0, 1, NULL, NULL, NULL, NULL, NULL) == nnp_status_invalid_input_channels, "input channels 0");
	CHECK(nnp_fully_connected_inference(1, 0, NULL, NULL, NULL, NULL) == nnp_status_invalid_output_channels, "output channels 0");
}

static void test_fully_connected_f16(pthreadpool_t pool) {
	/* Kernel values k/64 are exact in half precision; 0x7C00 (exponent 31) is 65536 in the alternative format. */
	const size_t ic = 37, oc = 11;
	uint16_t* w = malloc(ic * oc * sizeof(uint16_t));
	float* wf = malloc(ic * oc * sizeof(float));
	for (size_t i = 0; i < ic * oc; i++) {
		const int k = (int) pick(0, 126) - 63;
		wf[i] = (float) k / 64.0f;
		const unsigned magnitude = (unsigned) abs(k);
		uint16_t h = 0;
		if (magnitude != 0) {
			int exponent = 0;
			while ((magnitude >> exponent) > 1) exponent++;
			/* value = magnitude * 2^-6 = (1 + m/1024) * 2^(exponent - 6) */
			h = (uint16_t) (((exponent - 6 + 15) << 10) | (((magnitude << 10) >> exponent) & 0x3ff));
		}
		w[i] = (uint16_t) (h | (k < 0 ? 0x8000 : 0));
	}
	float *x = random_floats(ic), y[11];
	CHECK(nnp_fully_connected_inference_f16f32(ic, oc, x, w, y, pool) == nnp_status_success, "f16 status");
	for (size_t o = 0; o < oc; o++) {
		double sum = 0, magnitude = 0;
		for (size_t i = 0; i < ic; i++) { sum += (double) x[i] * wf[o * ic + i]; magnitude += fabs((double) x[i] * wf[o * ic + i]); }
		CHECK(fabs(y[o] - sum) <= 1e-5 * fmax(magnitude, FLT_MIN), "f16 row %zu: %g vs %g", o, y[o], sum);
	}
	const uint16_t big = 0x7C00;
	const float one = 1.0f;
	float out = 0;
	CHECK(nnp_fully_connected_inference_f16f32(1, 1, &one, &big, &out, NULL) == nnp_status_success && out == 65536.0f, "exponent 31 is normal: got %g", out);
	free(w); free(wf); free(x);
}

/* y [planes][oh][ow] against the windows of x [planes][h][w]: the greatest value a window covers, -inf for none. */
static void check_pooled(const float* x, const float* y, size_t planes, size_t h, size_t w, struct nnp_padding pad, size_t ph, size_t pw, size_t sh, size_t sw,
	size_t oh, size_t ow)
{
	for (size_t plane = 0; plane < planes; plane++) {
		for (size_t oy = 0; oy < oh; oy++) {
			for (size_t ox = 0; ox < ow; ox++) {
				float best = -INFINITY;
				for (size_t py = 0; py < ph; py++) for (size_t px = 0; px < pw; px++) {
					const long iy = (long) (oy * sh + py) - (long) pad.top, ix = (long) (ox * sw + px) - (long) pad.left;
					if (iy >= 0 && ix >= 0 && iy < (long) h && ix < (long) w && x[plane * h * w + (size_t) iy * w + (size_t) ix] > best) best = x[plane * h * w + (size_t) iy * w + (size_t) ix];
				}
				CHECK(y[(plane * oh + oy) * ow + ox] == best, "pooling element");
			}
		}
	}
}

/* Rounds past 60 take wide rows: several chunks of output columns per row (1024 input floats each), and windows wider
 * than a chunk, which read the input directly. */
static void test_max_pooling(pthreadpool_t pool) {
	for (int round = 0; round < 72; round++) {
		const bool wide = round >= 60;
		const size_t n = wide ? 1 : pick(1, 3), c = wide ? 1 : pick(1, 5), h = wide ? pick(1, 3) : pick(1, 17), w = wide ? pick(1000, 2600) : pick(1, 17);
		const size_t ph = pick(1, 4), pw = wide ? (round % 3 == 0 ? pick(1025, 1300) : pick(1, 1300)) : pick(1, 4), sh = pick(1, 3), sw = wide ? pick(1, 600) : pick(1, 3);
		const struct nnp_padding pad = { pick(0, ph - 1), pick(0, pw - 1), pick(0, ph - 1), pick(0, pw - 1) };
		const size_t padded_h = pad.top + h + pad.bottom, padded_w = pad.left + w + pad.right;
		const size_t oh = (padded_h > ph ? (padded_h - ph + sh - 1) / sh : 0) + 1, ow = (padded_w > pw ? (padded_w - pw + sw - 1) / sw : 0) + 1;
		float *x = random_floats(n * c * h * w), *y = malloc(n * c * oh * ow * sizeof(float));
		CHECK(nnp_max_pooling_output(n, c, (struct nnp_size) { w, h }, pad, (struct nnp_size) { pw, ph }, (struct nnp_size) { sw, sh }, x, y, pool) == nnp_status_success,
			"pooling status");
		check_pooled(x, y, n * c, h, w, pad, ph, pw, sh, sw, oh, ow);
		/* The extension: any padding (here up to twice the window), the first windows only (Arraymancer's floor). */
		const struct nnp_padding any = { pick(0, 2 * ph), pick(0, 2 * pw), pick(0, 2 * ph), pick(0, 2 * pw) };
		const size_t any_h = any.top + h + any.bottom, any_w = any.left + w + any.right;
		const size_t most_h = (any_h > ph ? (any_h - ph + sh - 1) / sh : 0) + 1, most_w = (any_w > pw ? (any_w - pw + sw - 1) / sw : 0) + 1;
		const size_t fh = pick(1, most_h), fw = pick(1, most_w);
		float* z = malloc(n * c * most_h * most_w * sizeof(float));
		CHECK(nnpsharp_max_pooling_output(n, c, (struct nnp_size) { w, h }, any, (struct nnp_size) { pw, ph }, (struct nnp_size) { sw, sh }, (struct nnp_size) { fw, fh },
			x, z, pool) == nnp_status_success, "sized pooling status");
		check_pooled(x, z, n * c, h, w, any, ph, pw, sh, sw, fh, fw);
		CHECK(nnpsharp_max_pooling_output(n, c, (struct nnp_size) { w, h }, any, (struct nnp_size) { pw, ph }, (struct nnp_size) { sw, sh }, (struct nnp_size) { most_w + 1, fh },
			x, z, pool) == nnp_status_invalid_input_size, "sized pooling past upstream's count");
		CHECK(nnpsharp_max_pooling_output(n, c, (struct nnp_size) { w, h }, any, (struct nnp_size) { pw, ph }, (struct nnp_size) { sw, sh }, (struct nnp_size) { fw, 0 },
			x, z, pool) == nnp_status_invalid_input_size, "sized pooling to no rows");
		free(z);
		free(x); free(y);
	}
	const struct nnp_size two = { 2, 2 }, zero = { 0, 0 }, four = { 4, 4 };
	const struct nnp_padding none = { 0, 0, 0, 0 }, wide = { 2, 0, 0, 0 };
	CHECK(nnp_max_pooling_output(1, 0, four, none, two, two, NULL, NULL, NULL) == nnp_status_invalid_channels, "channels 0");
	CHECK(nnp_max_pooling_output(1, 1, four, none, zero, two, NULL, NULL, NULL) == nnp_status_invalid_pooling_size, "pool 0");
	CHECK(nnp_max_pooling_output(1, 1, four, none, two, zero, NULL, NULL, NULL) == nnp_status_invalid_pooling_stride, "stride 0");
	CHECK(nnp_max_pooling_output(1, 1, four, wide, two, two, NULL, NULL, NULL) == nnp_status_invalid_input_padding, "padding >= pool");
}

static void test_softmax_and_relu(pthreadpool_t pool) {
	const size_t batch = 9, channels = 37;
	float *x = random_floats(batch * channels), *y = malloc(batch * channels * sizeof(float));
	x[5] = 1000.0f; /* must not overflow */
	CHECK(nnp_softmax_output(batch, channels, x, y, pool) == nnp_status_success, "softmax status");
	for (size_t b = 0; b < batch; b++) {
		double max = x[b * channels], sum = 0;
		for (size_t c = 0; c < channels; c++) max = fmax(max, x[b * channels + c]);
		for (size_t c = 0; c < channels; c++) sum += exp(x[b * channels + c] - max);
		for (size_t c = 0; c < channels; c++) {
			const double expected = exp(x[b * channels + c] - max) / sum;
			CHECK(fabs(y[b * channels + c] - expected) <= 1e-6 * fmax(expected, 1e-30) + 1e-7, "softmax %zu,%zu: %g vs %g", b, c, y[b * channels + c], expected);
		}
	}
	memcpy(y, x, batch * channels * sizeof(float));
	CHECK(nnp_softmax_output(batch, channels, y, y, NULL) == nnp_status_success, "softmax in place");

	float *g = random_floats(batch * channels), *r = malloc(batch * channels * sizeof(float));
	CHECK(nnp_relu_output(batch, channels, x, r, 0.25f, pool) == nnp_status_success, "relu status");
	for (size_t i = 0; i < batch * channels; i++) CHECK(r[i] == (x[i] > 0 ? x[i] : x[i] * 0.25f), "relu %zu", i);
	CHECK(nnp_relu_input_gradient(batch, channels, g, x, r, 0.25f, pool) == nnp_status_success, "relu gradient status");
	for (size_t i = 0; i < batch * channels; i++) CHECK(r[i] == (x[i] > 0 ? g[i] : g[i] * 0.25f), "relu gradient %zu", i);
	CHECK(nnp_relu_output(batch, channels, x, r, -1.0f, NULL) == nnp_status_invalid_activation_parameters, "negative slope");
	CHECK(nnp_relu_output(batch, channels, x, r, NAN, NULL) == nnp_status_invalid_activation_parameters, "NaN slope");
	CHECK(nnp_softmax_output(0, channels, x, y, NULL) == nnp_status_invalid_batch_size, "softmax batch 0");
	CHECK(nnp_relu_input_gradient(1, 0, g, x, r, 0.0f, NULL) == nnp_status_invalid_channels, "relu channels 0");
	free(x); free(y); free(g); free(r);
}

/* Slope 0 is ReLU, max(x, 0): -infinity and -0 give +0, NaN stays NaN; its gradient is exactly 0 where x <= 0. */
static void test_relu_special_values(pthreadpool_t pool) {
	const float x[6] = { -INFINITY, -0.0f, NAN, INFINITY, -3.0f, 2.0f }, g[6] = { INFINITY, NAN, 1.0f, 5.0f, -INFINITY, 7.0f };
	float r[6];
	CHECK(nnp_relu_output(1, 6, x, r, 0.0f, pool) == nnp_status_success, "relu status");
	const float expected[6] = { 0.0f, 0.0f, NAN, INFINITY, 0.0f, 2.0f };
	for (size_t i = 0; i < 6; i++) CHECK(i == 2 ? isnan(r[i]) : r[i] == expected[i] && !signbit(r[i]), "relu special value %zu: %g", i, r[i]);
	CHECK(nnp_relu_input_gradient(1, 6, g, x, r, 0.0f, pool) == nnp_status_success, "relu gradient status");
	const float expected_gradient[6] = { 0.0f, 0.0f, 0.0f, 5.0f, 0.0f, 7.0f };
	for (size_t i = 0; i < 6; i++) CHECK(r[i] == expected_gradient[i] && !signbit(r[i]), "relu gradient special value %zu: %g", i, r[i]);
}

int main(void) {
	CHECK(nnp_softmax_output(1, 1, NULL, NULL, NULL) == nnp_status_uninitialized, "uninitialized");
	CHECK(nnp_initialize() == nnp_status_success, "initialize");
	printf("ISA: %s\n", nnpsharp_isa());
	pthreadpool_t pool = pthreadpool_create(2);
	for (int pass = 0; pass < 2; pass++) {
		pthreadpool_t p = pass == 0 ? NULL : pool;
		test_fully_connected(p);
		test_fully_connected_f16(p);
		test_max_pooling(p);
		test_softmax_and_relu(p);
		test_relu_special_values(p);
	}
	pthreadpool_destroy(pool);
	printf("%d checks, %d failures\n", checks, failures);
	return failures == 0 ? 0 : 1;
}
