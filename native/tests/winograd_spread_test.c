/* How far Winograd F(6x6,3x3) and F(4x4,3x3) spread one non-finite or huge input (issue 11, defect 8; the README's accuracy notes
 * quote this test). Layer [1,16,96,96] * [16,16,3,3], padding 1 (the issue's). An exact algorithm (implicit GEMM)
 * poisons only the outputs whose 3x3 window reads the input: 9 positions x 16 channels = 144. Winograd computes
 * each 6x6 output tile from an 8x8 input tile through transforms that mix the tile's inputs, so a NaN or Inf poisons
 * outputs throughout the tiles that read it (1, 2 or 4 tiles of 36 outputs x 16 channels; measured 576 to 672) and
 * a huge value M perturbs those tiles' other outputs (measured ~1e-6 M). F(4x4) (nnpsharp_convolution_algorithm_wt6x6)
 * likewise with 4x4 output tiles read from 6x6 input tiles. Checked here, for both: the exact spread equals the
 * 3x3 window, Winograd's lies between the window and the tiles that read the input, and the perturbation stays
 * within Winograd's error bound (1e-3 of the terms' magnitude). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "nnpacksharp.h"

static int failures = 0, checks = 0;
#define CHECK(condition, ...) do { checks++; if (!(condition)) { failures++; printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } } while (0)

enum { C = 16, H = 96, W = 96, TAPS = 3, PAD = 1 };

/* The Winograd algorithm under test and its output tile side. */
static enum nnp_convolution_algorithm algorithm_tested;
static int tile;

static float input[C * H * W], kernel[C * C * TAPS * TAPS], bias[C], exact[C * H * W], winograd[C * H * W];

static void convolve(enum nnp_convolution_algorithm algorithm, float* output) {
	const enum nnp_status status = nnp_convolution_output(algorithm, 1, C, C, (struct nnp_size) { W, H }, (struct nnp_padding) { PAD, PAD, PAD, PAD },
		(struct nnp_size) { TAPS, TAPS }, input, kernel, bias, output, NULL, NULL, nnp_activation_identity, NULL, NULL, NULL);
	CHECK(status == nnp_status_success, "algorithm %d: status %d", algorithm, status);
}

/* Output o reads input i (one axis) through its 3x3 window. */
static int window_reads(int o, int i) { return i >= o - PAD && i < o - PAD + TAPS; }
/* Output o's Winograd tile reads input i through its 8x8 input tile. */
static int tile_reads(int o, int i) { const int first = o / tile * tile - PAD; return i >= first && i < first + tile + TAPS - 1; }

/* One special value at input (channel 3, y, x): counts and bounds the outputs it reaches. */
static void spread(float special, int y, int x) {
	for (int i = 0; i < C * H * W; i++) input[i] = (float) ((i * 7919) % 2001) / 1000.0f - 1.0f;
	input[(3 * H + y) * W + x] = special;
	convolve(nnp_convolution_algorithm_implicit_gemm, exact);
	convolve(algorithm_tested, winograd);
	int exact_reached = 0, winograd_reached = 0, window = 0, tiles = 0;
	double worst_neighbour = 0.0; /* a huge value: the largest change of an output outside its 3x3 reach */
	for (int o = 0; o < C; o++) {
		for (int oy = 0; oy < H; oy++) {
			for (int ox = 0; ox < W; ox++) {
				const int i = (o * H + oy) * W + ox, in_window = window_reads(oy, y) && window_reads(ox, x), in_tile = tile_reads(oy, y) && tile_reads(ox, x);
				const int exact_hit = isfinite(special) ? 0 : !isfinite(exact[i]), winograd_hit = isfinite(special) ? 0 : !isfinite(winograd[i]);
				window += in_window;
				tiles += in_tile;
				exact_reached += exact_hit;
				winograd_reached += winograd_hit;
				CHECK(isfinite(special) || exact_hit == in_window, "exact: output (%d,%d,%d) %s", o, oy, ox, exact_hit ? "poisoned outside its window" : "missed");
				CHECK(!winograd_hit || in_tile, "winograd: output (%d,%d,%d) poisoned outside the tiles that read (%d,%d)", o, oy, ox, y, x);
				CHECK(isfinite(special) || !in_window || winograd_hit, "winograd: output (%d,%d,%d) in the window but finite", o, oy, ox);
				if (isfinite(special) && !in_window) worst_neighbour = fmax(worst_neighbour, fabs((double) winograd[i] - exact[i]));
			}
		}
	}
	if (isfinite(special)) {
		CHECK(worst_neighbour <= 1e-3 * special, "a %g input changes an output outside its window by %g", special, worst_neighbour);
		printf("input %g at (%d,%d): outputs outside its 3x3 window change by up to %.3g under F(%dx%d) (%.1e of it), 0 under implicit GEMM\n",
			special, y, x, worst_neighbour, tile, tile, worst_neighbour / special);
	} else {
		printf("input %g at (%d,%d): implicit GEMM poisons %d outputs (its 3x3 window: %d), F(%dx%d) %d (the tiles that read it: %d)\n",
			special, y, x, exact_reached, window, tile, tile, winograd_reached, tiles);
	}
}

int main(void) {
	if (nnp_initialize() != nnp_status_success) return 1;
	for (int i = 0; i < C * C * TAPS * TAPS; i++) kernel[i] = (float) ((i * 104729) % 1999) / 1000.0f - 1.0f;
	for (int i = 0; i < C; i++) bias[i] = 0.25f;
	const struct { enum nnp_convolution_algorithm algorithm; int tile; } variants[] = {
		{ nnp_convolution_algorithm_wt8x8, 6 }, { nnpsharp_convolution_algorithm_wt6x6, 4 },
	};
	for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++) {
		algorithm_tested = variants[v].algorithm;
		tile = variants[v].tile;
		/* (40,41) and (42,43): read by one or two tiles per axis (F(6x6): one, then two); (0,95): a corner. */
		spread(NAN, 40, 41);
		spread(INFINITY, 42, 43);
		spread(-INFINITY, 0, 95);
		spread(1e30f, 40, 41);
		spread(1e30f, 42, 43);
	}
	printf("%d checks, %d failures\n", checks, failures);
	return failures == 0 ? 0 : 1;
}
