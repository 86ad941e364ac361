/* The FFT tile transforms of every ISA table this CPU runs (the portable ones included) against a naive double DFT on
 * random blocks: lanes with data in any sub-rectangle of the tile (row0, col0, odd extents, empty and unused lanes),
 * odd row strides whose padding is NaN (a read outside a lane's data shows as a NaN), spectra at a stride wider than
 * the lanes; the inverse of a random tile's exact spectrum must give the tile back (cropped, bias, ReLU) and leave a
 * sentinel everywhere else. Agreement to 1e-5 of the block's largest value. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "runtime/hardware.h"
#include "xorshift.h"

#define LANES NNPS_FFT_LANES
#define SENTINEL 7777.0f
#define CASES 200 /* random blocks per transform and ISA level */
#define PI 3.14159265358979323846

/* cos and sin of 2 pi n / tile in double, by n (the DFT's angles are whole multiples; no libm call per term, which
 * under qemu made this test take minutes). */
static double cos_of[17][16], sin_of[17][16];
static void make_twiddles(void) {
	for (size_t tile = 8; tile <= 16; tile += 8) for (size_t n = 0; n < tile; n++) {
		cos_of[tile][n] = cos(2.0 * PI * (double) n / (double) tile), sin_of[tile][n] = sin(2.0 * PI * (double) n / (double) tile);
	}
}

static unsigned long long rng_state = 0xD1B54A32D192ED03ull;
static size_t below(size_t n) {
	xorshift64(&rng_state);
	return (size_t) (rng_state % n);
}

/* Lane t's data: rows x columns at (row0, col0) of the tile, from plane[t * rows_per_lane * stride]. */
static bool check_forward(nnps_fft_forward_fn forward, size_t tile, const char* name) {
	const size_t half = tile / 2 + 1, points = tile * half, row_stride = tile + below(5), stride = LANES + 16 * below(2);
	float* plane = malloc(LANES * tile * row_stride * sizeof(float));
	float *re = malloc(points * stride * sizeof(float)), *im = malloc(points * stride * sizeof(float));
	for (size_t i = 0; i < LANES * tile * row_stride; i++) plane[i] = NAN;
	struct nnps_fft_block block = { { 0 }, { 0 }, { 0 }, { 0 }, { 0 } };
	const size_t used = 1 + below(LANES);
	for (size_t t = 0; t < used; t++) {
		if (below(8) == 0) continue; /* an empty lane among used ones */
		block.row0[t] = (uint8_t) below(tile), block.col0[t] = (uint8_t) below(tile);
		block.rows[t] = (uint8_t) (1 + below(tile - block.row0[t])), block.columns[t] = (uint8_t) (1 + below(tile - block.col0[t]));
		block.offset[t] = (ptrdiff_t) (t * tile * row_stride);
		for (size_t i = 0; i < block.rows[t]; i++) for (size_t j = 0; j < block.columns[t]; j++) {
			plane[block.offset[t] + (ptrdiff_t) (i * row_stride + j)] = (float) below(2001) / 1000.0f - 1.0f;
		}
	}
	forward(&block, plane, row_stride, re, im, stride);
	bool ok = true;
	for (size_t t = 0; t < LANES && ok; t++) {
		for (size_t p = 0; p < points && ok; p++) {
			const size_t u = p / half, v = p % half;
			double r = 0.0, s = 0.0;
			for (size_t i = 0; i < block.rows[t] && block.columns[t] > 0; i++) for (size_t j = 0; j < block.columns[t]; j++) {
				const double x = plane[block.offset[t] + (ptrdiff_t) (i * row_stride + j)];
				const size_t n = (u * (block.row0[t] + i) + v * (block.col0[t] + j)) % tile;
				r += x * cos_of[tile][n], s -= x * sin_of[tile][n];
			}
			const double error = fmax(fabs(re[p * stride + t] - r), fabs(im[p * stride + t] - s)) / (double) (tile * tile);
			if (!(error <= 1e-5)) {
				printf("%s: ft%zu forward lane %zu point %zu: (%g, %g), DFT (%g, %g)\n", name, tile, t, p, re[p * stride + t], im[p * stride + t], r, s);
				ok = false;
			}
		}
	}
	free(plane); free(re); free(im);
	return ok;
}

/* Lane t's tile x_t, its exact spectrum in the lanes, the inverse written cropped to rows x columns at plane + t * tile. */
static bool check_inverse(nnps_fft_inverse_fn inverse, size_t tile, const char* name) {
	const size_t half = tile / 2 + 1, points = tile * half, row_stride = LANES * tile + below(3), stride = LANES + 16 * below(2);
	double* x = malloc(LANES * tile * tile * sizeof(double));
	float *re = malloc(points * stride * sizeof(float)), *im = malloc(points * stride * sizeof(float)), *plane = malloc(tile * row_stride * sizeof(float));
	for (size_t i = 0; i < LANES * tile * tile; i++) x[i] = (double) below(2001) / 1000.0 - 1.0;
	for (size_t i = 0; i < tile * row_stride; i++) plane[i] = SENTINEL;
	for (size_t t = 0; t < LANES; t++) for (size_t p = 0; p < points; p++) {
		const size_t u = p / half, v = p % half;
		double r = 0.0, s = 0.0;
		for (size_t i = 0; i < tile; i++) for (size_t j = 0; j < tile; j++) {
			const size_t n = (u * i + v * j) % tile;
			r += x[(t * tile + i) * tile + j] * cos_of[tile][n], s -= x[(t * tile + i) * tile + j] * sin_of[tile][n];
		}
		re[p * stride + t] = (float) r, im[p * stride + t] = (float) s;
	}
	struct nnps_fft_block block = { { 0 }, { 0 }, { 0 }, { 0 }, { 0 } };
	for (size_t t = 0; t < LANES; t++) {
		if (below(6) == 0) continue; /* unused */
		block.rows[t] = (uint8_t) (1 + below(tile)), block.columns[t] = (uint8_t) (1 + below(tile));
		block.offset[t] = (ptrdiff_t) (t * tile);
	}
	const float bias = below(2) ? 0.0f : 0.25f;
	const bool relu = below(2);
	inverse(re, im, stride, &block, plane, row_stride, bias, relu);
	bool ok = true;
	for (size_t t = 0; t < LANES && ok; t++) for (size_t i = 0; i < tile && ok; i++) for (size_t j = 0; j < tile && ok; j++) {
		const float actual = plane[i * row_stride + t * tile + j];
		const bool written = i < block.rows[t] && j < block.columns[t];
		double expected = x[(t * tile + i) * tile + j] + bias;
		if (relu && expected < 0) expected = 0;
		if (written ? !(fabs(actual - expected) <= 1e-5) : actual != SENTINEL) {
			printf("%s: ft%zu inverse lane %zu (%zu, %zu): %g, expected %g (%s)\n", name, tile, t, i, j, actual, written ? expected : SENTINEL, written ? "written" : "not to be written");
			ok = false;
		}
	}
	free(x); free(re); free(im); free(plane);
	return ok;
}

int main(void) {
	make_twiddles();
	const struct nnps_cache_sizes caches = nnps_detect_cache_sizes();
	int compared = 0, failures = 0;
	for (int level = nnps_isa_avx512; level >= nnps_isa_scalar; level--) {
		struct nnps_isa_table isa;
		if (!nnps_isa_table_for((enum nnps_isa_level) level, &caches, &isa) || !nnps_isa_supported(isa.level)) continue;
		int cases = 0;
		for (; cases < CASES && check_forward(isa.fft8x8.forward, 8, isa.name) && check_forward(isa.fft16x16.forward, 16, isa.name) &&
			check_inverse(isa.fft8x8.inverse, 8, isa.name) && check_inverse(isa.fft16x16.inverse, 16, isa.name); cases++) {}
		if (cases < CASES) failures++;
		printf("%s: %d random blocks of each FFT transform %s\n", isa.name, cases, cases < CASES ? "until a failure" : "agree with the naive DFT");
		compared++;
	}
	printf("%d ISA levels' FFT transforms checked, %d failures\n", compared, failures);
	return failures == 0 && compared > 0 ? 0 : 1;
}
