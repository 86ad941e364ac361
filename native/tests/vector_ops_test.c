/* The other operators' loops (ReLU and its gradient, softmax rows, float and half-precision dot products) of every ISA
 * table this CPU runs, the portable ones included, against double references on random lengths around the lane count
 * (0 to 70, and 1000): max pooling's row and column maxima exactly (NaN, signed zeros), ReLU exactly (slope 0 and leaky; NaN, -0, infinities in input and gradient), softmax to 2e-6 of each value plus a few ulp
 * of the row's largest (a row of -inf but one, a +inf-free row with huge gaps, in place), dot products to 1e-5 of the
 * sum of |terms|, half precision bit-exactly decoded (subnormals, signs; exponent 31 a normal number in NNPACK's format, infinity or NaN in IEEE's), in a row's tail and a whole vector. Every output
 * array is followed by sentinels that must survive: no write past the end. col2im's stride-2 fold rows exactly, bit for bit,
 * with signalling NaNs around them that no store may touch. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/hardware.h"
#include "xorshift.h"

#define GUARD 16
#define SENTINEL 7777.0f

static unsigned long long rng_state = 0x9E3779B97F4A7C15ull;
static size_t below(size_t n) { return (size_t) (xorshift64(&rng_state) % n); }
static float uniform(float lo, float hi) { return lo + (hi - lo) * (float) below(1u << 24) / (float) (1u << 24); }

static size_t random_length(void) { return below(8) == 0 ? 1000 : below(71); }

static float* output_with_guard(size_t n) {
	float* out = malloc((n + GUARD) * sizeof(float));
	for (size_t i = 0; i < n + GUARD; i++) out[i] = SENTINEL;
	return out;
}

static bool guard_intact(const float* out, size_t n, const char* what, const char* isa) {
	for (size_t i = n; i < n + GUARD; i++) {
		if (out[i] != SENTINEL) {
			printf("%s %s: wrote past the end (n %zu, index %zu)\n", isa, what, n, i);
			return false;
		}
	}
	return true;
}

static float special(void) {
	static const float values[] = { 0.0f, -0.0f, INFINITY, -INFINITY, NAN, 1e-40f, -1e-40f };
	return values[below(sizeof values / sizeof values[0])];
}

static bool same(float a, float b) { return (isnan(a) && isnan(b)) || memcmp(&a, &b, sizeof a) == 0; }

/* Leaky ReLU; slope 0 is max(x, +0) keeping NaN, and its gradient exactly +0 where x is not positive. */
static float relu_of(float x, float slope) { return x > 0.0f ? x : slope != 0.0f ? x * slope : isnan(x) ? x : 0.0f; }
static float relu_gradient_of(float g, float x, float slope) { return x > 0.0f ? g : slope != 0.0f ? g * slope : 0.0f; }

static bool check_relu(const struct nnps_vector_ops* ops, const char* isa) {
	const size_t n = random_length();
	const float slope = below(2) ? 0.0f : uniform(0.0f, 1.0f);
	float *x = malloc((n + 1) * sizeof(float)), *g = malloc((n + 1) * sizeof(float)), *y = output_with_guard(n), *dx = output_with_guard(n);
	for (size_t i = 0; i < n; i++) x[i] = below(10) == 0 ? special() : uniform(-4.0f, 4.0f), g[i] = below(10) == 0 ? special() : uniform(-2.0f, 2.0f);
	ops->relu(x, y, n, slope);
	ops->relu_gradient(g, x, dx, n, slope);
	bool ok = guard_intact(y, n, "relu", isa) && guard_intact(dx, n, "relu_gradient", isa);
	for (size_t i = 0; ok && i < n; i++) {
		const float want = relu_of(x[i], slope), want_gradient = relu_gradient_of(g[i], x[i], slope);
		if (!same(y[i], want) || !same(dx[i], want_gradient)) {
			printf("%s relu: n %zu slope %g index %zu: x %g -> %g (want %g), gradient %g (want %g)\n", isa, n, slope, i, x[i], y[i], want, dx[i], want_gradient);
			ok = false;
		}
	}
	if (ok && n > 0) { /* in place */
		memcpy(y, x, n * sizeof(float));
		ops->relu(y, y, n, slope);
		for (size_t i = 0; ok && i < n; i++) ok = same(y[i], relu_of(x[i], slope));
		if (!ok) printf("%s relu in place: n %zu differs\n", isa, n);
	}
	free(x); free(g); free(y); free(dx);
	return ok;
}

static bool check_softmax(const struct nnps_vector_ops* ops, const char* isa) {
	const size_t n = 1 + random_length(), kind = below(4);
	float *x = malloc(n * sizeof(float)), *y = output_with_guard(n);
	for (size_t i = 0; i < n; i++) {
		x[i] = kind == 0 ? uniform(-100.0f, 100.0f) : kind == 1 ? -INFINITY : uniform(-8.0f, 8.0f);
	}
	if (kind == 1) x[below(n)] = uniform(-3.0f, 3.0f); /* one finite logit among -inf: probability 1 there */
	const bool in_place = kind == 3;
	if (in_place) memcpy(y, x, n * sizeof(float));
	ops->softmax_row(in_place ? y : x, y, n);
	double max = -INFINITY, sum = 0.0;
	for (size_t i = 0; i < n; i++) max = x[i] > max ? x[i] : max;
	for (size_t i = 0; i < n; i++) sum += exp((double) x[i] - max);
	bool ok = guard_intact(y, n, "softmax_row", isa);
	for (size_t i = 0; ok && i < n; i++) {
		const double want = exp((double) x[i] - max) / sum;
		if (!(fabs(y[i] - want) <= 2e-6 * want + 1e-7)) {
			printf("%s softmax: n %zu kind %zu index %zu: %.9g, want %.9g\n", isa, n, kind, i, y[i], want);
			ok = false;
		}
	}
	free(x); free(y);
	return ok;
}

/* max_into and max_columns against the scalar rule `x > best ? x : best` (so NaN never wins, and ties keep the first). */
static bool check_max(const struct nnps_vector_ops* ops, const char* isa) {
	const size_t n = random_length(), stride = 1 + below(3), width = 1 + below(4), row_floats = (n > 0 ? (n - 1) * stride : 0) + width + 2 * NNPS_VECTOR_LANES;
	float *row = malloc(row_floats * sizeof(float)), *accumulator = output_with_guard(n), *before = malloc((n + 1) * sizeof(float)), *out = output_with_guard(n);
	for (size_t i = 0; i < row_floats; i++) row[i] = below(10) == 0 ? special() : uniform(-4.0f, 4.0f);
	for (size_t i = 0; i < n; i++) accumulator[i] = before[i] = below(10) == 0 ? special() : uniform(-4.0f, 4.0f);
	ops->max_into(accumulator, row, n);
	ops->max_columns(row, stride, width, n, out);
	bool ok = guard_intact(accumulator, n, "max_into", isa) && guard_intact(out, n, "max_columns", isa);
	for (size_t i = 0; ok && i < n; i++) {
		float best = -INFINITY;
		for (size_t kx = 0; kx < width; kx++) best = row[i * stride + kx] > best ? row[i * stride + kx] : best;
		ok = same(accumulator[i], row[i] > before[i] ? row[i] : before[i]) && same(out[i], best);
		if (!ok) printf("%s max: n %zu stride %zu width %zu index %zu: max_into %g, max_columns %g (want %g)\n", isa, n, stride, width, i, accumulator[i], out[i], best);
	}
	free(row); free(accumulator); free(before); free(out);
	return ok;
}

/* Half precision decoded in double, exponent 0 the subnormals; exponent 31 a normal exponent in NNPACK's format,
 * infinity (mantissa 0) or NaN in IEEE binary16. */
static double half_value(uint16_t h, bool ieee) {
	const int exponent = (h >> 10) & 31, mantissa = h & 1023;
	const double magnitude = ieee && exponent == 31 ? (mantissa == 0 ? INFINITY : NAN)
		: exponent == 0 ? ldexp(mantissa, -24) : ldexp(1024 + mantissa, exponent - 25);
	return h & 0x8000 ? -magnitude : magnitude;
}

/* weights: 0 float, 1 NNPACK's half precision, 2 IEEE half precision. */
static bool check_dot(const struct nnps_vector_ops* ops, const char* isa, int weights) {
	const bool half = weights > 0, ieee = weights == 2;
	const char* name = half ? (ieee ? "dot_rows_half (IEEE)" : "dot_rows_half") : "dot_rows";
	const size_t rows = below(10), columns = 1 + random_length();
	float *kernel = malloc(rows * columns * sizeof(float) + 1), *x = malloc(columns * sizeof(float)), *y = output_with_guard(rows);
	uint16_t* kernel_half = malloc(rows * columns * sizeof(uint16_t) + 1);
	for (size_t i = 0; i < rows * columns; i++) {
		kernel[i] = uniform(-1.0f, 1.0f);
		do kernel_half[i] = (uint16_t) below(65536); while (ieee && (kernel_half[i] & 0x7C00) == 0x7C00); /* finite; the sweep below has the rest */
	}
	for (size_t i = 0; i < columns; i++) x[i] = uniform(-1.0f, 1.0f) * (half ? 1e-5f : 1.0f); /* halves reach 2^17 */
	if (half) ops->dot_rows_half(kernel_half, rows, columns, x, y, ieee);
	else ops->dot_rows(kernel, rows, columns, x, y);
	bool ok = guard_intact(y, rows, name, isa);
	for (size_t o = 0; ok && o < rows; o++) {
		double want = 0.0, magnitude = 0.0;
		for (size_t i = 0; i < columns; i++) {
			const double term = (half ? half_value(kernel_half[o * columns + i], ieee) : kernel[o * columns + i]) * (double) x[i];
			want += term;
			magnitude += fabs(term);
		}
		if (!(fabs(y[o] - want) <= 1e-5 * magnitude + 1e-30)) {
			printf("%s %s: rows %zu columns %zu row %zu: %.9g, want %.9g (sum of |terms| %g)\n", isa, name, rows, columns, o, y[o], want, magnitude);
			ok = false;
		}
	}
	/* Every half value decoded exactly, in a row's tail (1 column) and in a whole vector (16, the rest zeros). */
	for (size_t columns_of_sweep = 1; ok && half && columns_of_sweep <= 16; columns_of_sweep += 15) {
		uint16_t h[16] = { 0 };
		float one[16] = { 1.0f }, value;
		for (uint32_t bits = 0; ok && bits < 65536; bits++) {
			h[0] = (uint16_t) bits;
			ops->dot_rows_half(h, 1, columns_of_sweep, one, &value, ieee);
			const double want = half_value((uint16_t) bits, ieee);
			ok = (double) value == want || (isnan(value) && isnan(want)); /* -0 sums to +0 */
			if (!ok) printf("%s %s: 0x%04x decoded as %.9g, want %.9g (%zu columns)\n", isa, name, bits, value, want, columns_of_sweep);
		}
	}
	free(kernel); free(kernel_half); free(x); free(y);
	return ok;
}

/* A signalling NaN: any arithmetic quiets it, so a store of x + -0.0 over it shows even where a plain sentinel would
 * come back equal. */
static float signalling_nan(void) {
	const uint32_t bits = 0x7FA00000u;
	float value;
	memcpy(&value, &bits, sizeof value);
	return value;
}

/* col2im's stride-2 rows: fold_pairs adds even[j] at 2j and odd[j] at 2j + 1, fold_every_other source[j] at 2j, each
 * one rounded addition, exactly; fold_every_other keeps every odd element's bits (signed zeros, NaN, infinities); a
 * signalling NaN before the row and after its last target must survive untouched. */
static bool check_fold(const struct nnps_vector_ops* ops, const char* isa) {
	const size_t n = random_length(), length = 2 * n + 2 + GUARD;
	float *line = malloc(length * sizeof(float)), *want = malloc(length * sizeof(float));
	float *even = malloc((n + 1) * sizeof(float)), *odd = malloc((n + 1) * sizeof(float));
	bool ok = true;
	for (int pairs = 0; pairs < 2 && ok; pairs++) {
		for (size_t i = 0; i < length; i++) line[i] = signalling_nan();
		const size_t last = pairs ? 2 * n : 2 * n - (n > 0); /* one past the last element the loop may touch */
		for (size_t i = 1; i < 1 + last; i++) line[i] = below(4) == 0 ? special() : uniform(-4.0f, 4.0f);
		for (size_t j = 0; j < n; j++) {
			even[j] = below(6) == 0 ? special() : uniform(-4.0f, 4.0f);
			odd[j] = below(6) == 0 ? special() : uniform(-4.0f, 4.0f);
		}
		memcpy(want, line, length * sizeof(float));
		for (size_t j = 0; j < n; j++) {
			want[1 + 2 * j] += even[j];
			if (pairs) want[1 + 2 * j + 1] += odd[j];
		}
		if (pairs) ops->fold_pairs(line + 1, even, odd, n); else ops->fold_every_other(line + 1, even, n);
		for (size_t i = 0; i < length && ok; i++) {
			ok = memcmp(&line[i], &want[i], sizeof(float)) == 0 || (i >= 1 && i < 1 + last && isnan(line[i]) && isnan(want[i]));
			if (!ok) printf("%s %s: n %zu index %zu: %g, want %g\n", isa, pairs ? "fold_pairs" : "fold_every_other", n, i - 1, line[i], want[i]);
		}
	}
	free(line); free(want); free(even); free(odd);
	return ok;
}

int main(void) {
	const struct nnps_cache_sizes caches = nnps_detect_cache_sizes();
	int compared = 0, failures = 0;
	for (int level = nnps_isa_avx512; level >= nnps_isa_scalar; level--) {
		struct nnps_isa_table isa;
		if (!nnps_isa_table_for((enum nnps_isa_level) level, &caches, &isa) || !nnps_isa_supported(isa.level)) continue;
		int cases = 0;
		for (; cases < 300 && check_relu(&isa.vector, isa.name) && check_softmax(&isa.vector, isa.name) && check_max(&isa.vector, isa.name) && check_dot(&isa.vector, isa.name, 0) &&
			check_dot(&isa.vector, isa.name, cases % 50 == 0 ? 1 + cases / 50 % 2 : 0) &&
			check_fold(&isa.vector, isa.name); cases++) {}
		if (cases < 300) failures++;
		printf("%s: %d random cases of each loop %s\n", isa.name, cases, cases < 300 ? "until a failure" : "agree with the references");
		compared++;
	}
	printf("%d ISA levels' operator loops checked, %d failures\n", compared, failures);
	return failures == 0 && compared > 0 ? 0 : 1;
}
