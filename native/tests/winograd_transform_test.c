/* The Winograd F(6x6, 3x3) transforms of every ISA table this CPU runs against the portable ones (scalar/, the
 * reference) on random blocks: odd image sizes and row strides, tiles overlapping the padding on every side (offsets
 * before the plane), row and column masks with holes, unused lanes at the block's tail, V and M rows wider than a
 * block, bias with and without ReLU, and now and then a NaN. The plane sits between NaN guards and its stride padding
 * is NaN too, so an input transform that reads outside its masks shows a NaN the reference does not have; the output
 * plane starts as a sentinel, so a write outside the masks shows as a changed sentinel. Values agree to a relative
 * 1e-5 of the block's largest (the factored vector transforms round differently from the matrix products). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/hardware.h"
#include "xorshift.h"

#define LANES NNPS_WINOGRAD_LANES
#define GUARD 256 /* NaN floats before and after the plane: more than a tile's reach over the padding */
#define SENTINEL 7777.0f

static unsigned long long rng_state = 0x9E3779B97F4A7C15ull;
static size_t below(size_t n) {
	xorshift64(&rng_state);
	return (size_t) (rng_state % n);
}
static float uniform(void) { return (float) below(2001) / 1000.0f - 1.0f; }

/* One random image and block: lane t's tile at (top, left), rows/columns masked to the part inside the image (the
 * input's 8x8 or the output's 6x6), a bit now and then cleared; the lanes from `used` on have no rows. Input tiles
 * may overlap (they only read); output tiles lie on a 6x6 grid shifted by up to 2 (the padding), in distinct cells,
 * as winograd.c's do: which of two overlapping writes lands last is no part of the contract. */
struct case_geometry {
	size_t height, width, row_stride, stride, used;
	struct nnps_winograd_block block;
};

static struct case_geometry random_geometry(size_t tile) {
	struct case_geometry c = { 1 + below(19), 1 + below(19), 0, LANES + below(3) * 4, 1 + below(LANES), { { 0 }, { 0 }, { 0 } } };
	c.row_stride = c.width + below(4);
	const size_t cells_x = (c.width + 2 + 5) / 6, cells = (c.height + 2 + 5) / 6 * cells_x, first = below(cells);
	const ptrdiff_t shift_y = (ptrdiff_t) below(3), shift_x = (ptrdiff_t) below(3);
	if (tile == 6 && c.used > cells) c.used = cells;
	for (size_t t = 0; t < c.used; t++) {
		const size_t cell = (first + t) % cells;
		const ptrdiff_t top = tile == 6 ? (ptrdiff_t) (cell / cells_x * 6) - shift_y : (ptrdiff_t) below(c.height + 2) - 2;
		const ptrdiff_t left = tile == 6 ? (ptrdiff_t) (cell % cells_x * 6) - shift_x : (ptrdiff_t) below(c.width + 2) - 2;
		c.block.offset[t] = top * (ptrdiff_t) c.row_stride + left;
		for (size_t i = 0; i < tile; i++) {
			if (top + (ptrdiff_t) i >= 0 && top + (ptrdiff_t) i < (ptrdiff_t) c.height) c.block.rows[t] |= (uint8_t) (1u << i);
			if (left + (ptrdiff_t) i >= 0 && left + (ptrdiff_t) i < (ptrdiff_t) c.width) c.block.columns[t] |= (uint8_t) (1u << i);
		}
		if (below(4) == 0) c.block.rows[t] &= (uint8_t) ~(1u << below(tile));
		if (below(4) == 0) c.block.columns[t] &= (uint8_t) ~(1u << below(tile));
	}
	return c;
}

/* The plane between guards: the image's elements from `value`, everything else (guards, stride padding) `outside`. */
static float* new_plane(const struct case_geometry* c, float outside, bool with_nan, float** plane) {
	const size_t floats = 2 * GUARD + c->height * c->row_stride;
	float* memory = malloc(floats * sizeof(float));
	for (size_t i = 0; i < floats; i++) memory[i] = outside;
	*plane = memory + GUARD;
	for (size_t y = 0; y < c->height; y++) {
		for (size_t x = 0; x < c->width; x++) (*plane)[y * c->row_stride + x] = uniform();
	}
	if (with_nan) (*plane)[below(c->height) * c->row_stride + below(c->width)] = NAN;
	return memory;
}

/* a and b agree: both NaN, equal, or within 1e-5 of `scale`. */
static bool agree(float a, float b, float scale) {
	return (isnan(a) && isnan(b)) || a == b || fabsf(a - b) <= 1e-5f * scale;
}

static float largest(const float* values, size_t count) {
	float m = 1.0f;
	for (size_t i = 0; i < count; i++) m = isfinite(values[i]) && fabsf(values[i]) > m ? fabsf(values[i]) : m;
	return m;
}

/* Both results element by element; false (with a message naming the ISA, the transform and the case) on the first. */
static bool compare(const char* isa, const char* what, const float* got, const float* expected, size_t count, const struct case_geometry* c) {
	const float scale = largest(expected, count);
	for (size_t i = 0; i < count; i++) {
		if (!agree(got[i], expected[i], scale)) {
			printf("FAIL: the %s %s transform, image %zux%zu row stride %zu, %zu lanes used, V/M stride %zu: float %zu = %g, the portable one %g\n", isa, what,
				c->height, c->width, c->row_stride, c->used, c->stride, i, got[i], expected[i]);
			return false;
		}
	}
	return true;
}

static bool check_input(const struct nnps_winograd_transforms* isa, const struct nnps_winograd_transforms* reference, const char* name) {
	const struct case_geometry c = random_geometry(8);
	float* plane;
	float* memory = new_plane(&c, NAN, below(50) == 0, &plane);
	const size_t count = 64 * c.stride;
	float* got = malloc(count * sizeof(float));
	float* expected = malloc(count * sizeof(float));
	for (size_t i = 0; i < count; i++) got[i] = expected[i] = SENTINEL;
	reference->input_transform(&c.block, plane, c.row_stride, expected, c.stride);
	isa->input_transform(&c.block, plane, c.row_stride, got, c.stride);
	const bool ok = compare(name, "input", got, expected, count, &c);
	free(memory);
	free(got);
	free(expected);
	return ok;
}

static bool check_output(const struct nnps_winograd_transforms* isa, const struct nnps_winograd_transforms* reference, const char* name) {
	const struct case_geometry c = random_geometry(6);
	const size_t count = 64 * c.stride, floats = 2 * GUARD + c.height * c.row_stride;
	float* products = malloc(count * sizeof(float));
	for (size_t i = 0; i < count; i++) products[i] = uniform() * 100.0f;
	if (below(50) == 0) products[below(count)] = NAN;
	const float bias = uniform();
	const bool relu = below(2) == 0;
	float *got_plane, *expected_plane;
	float* got = new_plane(&c, SENTINEL, false, &got_plane);
	float* expected = malloc(floats * sizeof(float));
	memcpy(expected, got, floats * sizeof(float));
	expected_plane = expected + GUARD;
	reference->output_transform(products, c.stride, &c.block, expected_plane, c.row_stride, bias, relu);
	isa->output_transform(products, c.stride, &c.block, got_plane, c.row_stride, bias, relu);
	const bool ok = compare(name, relu ? "output (ReLU)" : "output", got, expected, floats, &c);
	free(products);
	free(got);
	free(expected);
	return ok;
}

static bool check_kernel(const struct nnps_winograd_transforms* isa, const struct nnps_winograd_transforms* reference, const char* name) {
	const struct case_geometry c = { 3, 3, 3, LANES + below(3) * 4, LANES, { { 0 }, { 0 }, { 0 } } };
	float kernels[9 * LANES];
	for (size_t i = 0; i < 9 * LANES; i++) kernels[i] = uniform();
	const size_t count = 64 * c.stride;
	float* got = malloc(count * sizeof(float));
	float* expected = malloc(count * sizeof(float));
	for (size_t i = 0; i < count; i++) got[i] = expected[i] = SENTINEL;
	reference->kernel_transform(kernels, expected, c.stride);
	isa->kernel_transform(kernels, got, c.stride);
	const bool ok = compare(name, "kernel", got, expected, count, &c);
	free(got);
	free(expected);
	return ok;
}

int main(void) {
	const struct nnps_cache_sizes caches = nnps_detect_cache_sizes();
	struct nnps_isa_table reference;
	if (!nnps_isa_table_for(nnps_isa_scalar, &caches, &reference)) return 1;
	int compared = 0, failures = 0;
	for (int level = nnps_isa_avx512; level > nnps_isa_scalar; level--) {
		struct nnps_isa_table isa;
		if (!nnps_isa_table_for((enum nnps_isa_level) level, &caches, &isa) || !nnps_isa_supported(isa.level)) continue;
		const struct nnps_winograd_transforms *own = &isa.winograd_f6x6k3x3, *portable = &reference.winograd_f6x6k3x3;
		if (own->input_transform == portable->input_transform) {
			printf("%s: the portable transforms (nothing to compare)\n", isa.name);
			continue;
		}
		int cases = 0;
		for (; cases < 2000 && check_input(own, portable, isa.name) && check_output(own, portable, isa.name) && check_kernel(own, portable, isa.name); cases++) {}
		if (cases < 2000) failures++;
		printf("%s: %d random blocks of each transform %s\n", isa.name, cases, cases < 2000 ? "until a failure" : "agree with the portable ones");
		compared++;
	}
	printf("%d ISA levels' own transforms compared, %d failures\n", compared, failures);
	return failures == 0 ? 0 : 1;
}
