/* The implicit-im2col packers of every ISA table this CPU runs, through nnps_pack_b (the runs pack.c cuts, then the
 * table's packer), against a naive im2col on random geometries: strides 1..4 (the vector packers' own paths and the
 * fallback), any padding, kernel wider than the image, maps not a multiple of the panel, several images per panel; as
 * is and transposed (the kernel gradient's layout), from the images or (stride 2) their phase split. Also the table's transpose and rows packers (B's columns or rows
 * contiguous: a fully connected layer's kernel, a pointwise image), through the same entry, on random shapes with NaN
 * between and after the columns or rows; and A's row panels (the transpose packer at the table's mr for row-major A),
 * starting at any float.
 * The images sit between NaN guards, so a packer that reads outside an image (instead of writing the padding's zero)
 * shows a NaN; a sentinel after the packed panels catches writes past them. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "convolution/phase-split.h"
#include "gemm/pack.h"
#include "xorshift.h"

#define GUARD 64  /* NaN floats before each image's channels and after the last */
#define SENTINEL -12345.0f

static unsigned long long rng_state = 0x2545F4914F6CDD1Dull;
static size_t below(size_t n) {
	xorshift64(&rng_state);
	return (size_t) (rng_state % n);
}

static long checks = 0;

/* The packed panels of `floats` floats followed by 16 sentinels. */
static float* sentinel_panels(size_t floats) {
	float* packed = nnps_aligned_alloc(64, (floats + 16) * sizeof(float));
	for (size_t i = 0; i < floats + 16; i++) packed[i] = SENTINEL;
	return packed;
}

static bool sentinels_intact(const float* packed, size_t floats, const char* isa, const char* packer) {
	for (size_t i = floats; i < floats + 16; i++) {
		if (packed[i] != SENTINEL) {
			printf("FAIL: the %s %s packer wrote past its %zu floats\n", isa, packer, floats);
			return false;
		}
	}
	return true;
}

/* One random geometry and packing call, B as is (rows = taps, columns = pixels) or transposed; false (with a message)
 * on the first wrong float. */
static bool check_random_call(const struct nnps_sgemm_config* config, const char* isa, bool transposed) {
	const size_t batch = 1 + below(3), channels = 1 + below(4), height = 1 + below(12), width = 1 + below(90); /* past 64: whole 32-column panels at stride 2 */
	size_t kh = 1 + below(5), kw = 1 + below(5), sh = 1 + below(4), sw = 1 + below(4), pt = below(kh + 2), pl = below(kw + 2);
	if (below(4) == 0) {
		/* Stride 1, "same" padding: consecutive output rows continue each other in the image (the AVX-512 packer's
		 * merged segments), odd kernels up to 9, now and then 17 (past its mask tables: the portable fallback). */
		kh = below(8) == 0 ? 17 : 1 + 2 * below(5);
		kw = below(8) == 0 ? 17 : 1 + 2 * below(5);
		sh = sw = 1;
		pt = (kh - 1) / 2;
		pl = (kw - 1) / 2;
	}
	if (height + 2 * pt < kh || width + 2 * pl < kw) return true;
	const size_t oh = (height + 2 * pt - kh) / sh + 1, ow = (width + 2 * pl - kw) / sw + 1;
	const size_t image = channels * height * width, image_stride = image + GUARD;
	float* images = malloc((GUARD + batch * image_stride) * sizeof(float));
	for (size_t i = 0; i < GUARD + batch * image_stride; i++) images[i] = NAN;
	const float* first = images + GUARD;
	for (size_t b = 0; b < batch; b++) {
		for (size_t i = 0; i < image; i++) images[GUARD + b * image_stride + i] = (float) (1 + b * image + i);
	}
	struct nnps_im2col g = { height, width, kh, kw, pt, pl, sh, sw, ow, oh * ow, image_stride, 0 };
	const float* source_images = first;
	/* Half the stride-2 calls read a phase split of the images (NaN around it), as the kernel gradient packs them. */
	const struct nnps_conv conv = { 1, channels, 1, height, width, kh, kw, pt, pl, sh, sw, oh, ow };
	struct nnps_phase_split split;
	float* split_images = NULL;
	if (below(2) == 0 && nnps_phase_split_of(&conv, &split)) {
		split_images = malloc((2 * GUARD + batch * split.image) * sizeof(float));
		for (size_t i = 0; i < 2 * GUARD + batch * split.image; i++) split_images[i] = NAN;
		for (size_t b = 0; b < batch; b++) nnps_phase_split_copy(&conv, &split, first + b * image_stride, split_images + GUARD + b * split.image, NULL);
		g = nnps_phase_split_im2col(&conv, &split);
		source_images = split_images + GUARD;
	}
	const struct nnps_b_source source = { transposed ? nnps_b_im2col_transposed : nnps_b_im2col, source_images, 0, 0, &g };
	const size_t taps = channels * kh * kw, pixels = batch * oh * ow, nr = config->nr;
	const size_t rows = transposed ? pixels : taps, total_columns = transposed ? taps : pixels;
	const size_t row0 = below(rows), depth = 1 + below(rows - row0), col0 = below(total_columns), columns = 1 + below(total_columns - col0);
	const size_t packed_floats = nnps_round_up(columns, nr) * depth;
	float* packed = sentinel_panels(packed_floats);
	nnps_pack_b(config, &source, row0, depth, col0, columns, packed);
	bool ok = true;
	for (size_t q = 0; q < nnps_round_up(columns, nr) && ok; q++) {
		for (size_t k = 0; k < depth && ok; k++) {
			float expected = 0.0f;
			if (q < columns) {
				const size_t p = transposed ? row0 + k : col0 + q, r = transposed ? col0 + q : row0 + k;
				const size_t b = p / (oh * ow), pixel = p % (oh * ow), c = r / (kh * kw), ky = r % (kh * kw) / kw, kx = r % kw;
				const ptrdiff_t iy = (ptrdiff_t) (pixel / ow * sh + ky) - (ptrdiff_t) pt, ix = (ptrdiff_t) (pixel % ow * sw + kx) - (ptrdiff_t) pl;
				if (iy >= 0 && iy < (ptrdiff_t) height && ix >= 0 && ix < (ptrdiff_t) width) expected = first[b * image_stride + (c * height + (size_t) iy) * width + (size_t) ix];
			}
			const float got = packed[q / nr * nr * depth + k * nr + q % nr];
			checks++;
			if (!(got == expected)) {
				printf("FAIL: the %s im2col packer%s%s, input [%zu,%zu,%zu,%zu] kernel %zux%zu stride %zux%zu padding %zux%zu, rows %zu+%zu, columns %zu+%zu: "
					"column %zu row %zu = %g, expected %g\n", isa, transposed ? " (transposed)" : "", split_images != NULL ? " (phase split)" : "", batch, channels, height, width, kh, kw, sh, sw, pt, pl, row0, depth, col0, columns, q, k, got, expected);
				ok = false;
			}
		}
	}
	ok = ok && sentinels_intact(packed, packed_floats, isa, "im2col");
	free(split_images);
	free(images);
	nnps_aligned_free(packed);
	return ok;
}

/* `outer` lines of `inner` floats, `stride` apart: element i is i + 1, the floats between lines and GUARD after the
 * last NaN (a packer that reads past a line shows a NaN). */
static float* guarded_matrix(size_t outer, size_t inner, size_t stride) {
	float* data = malloc((outer * stride + GUARD) * sizeof(float));
	for (size_t i = 0; i < outer * stride + GUARD; i++) data[i] = i % stride < inner && i < outer * stride ? (float) (i + 1) : NAN;
	return data;
}

/* B a transposed matrix, B[k][j] = data[k + j * stride], or (row_major) a row-major one, B[k][j] = data[k * stride + j];
 * the floats between columns (rows) NaN. */
static bool check_strided_matrix(const struct nnps_sgemm_config* config, const char* isa, bool row_major) {
	const size_t rows = 1 + below(300), total_columns = 1 + below(100), nr = config->nr;
	const size_t inner = row_major ? total_columns : rows, outer = row_major ? rows : total_columns, stride = inner + below(20);
	float* data = guarded_matrix(outer, inner, stride);
	const struct nnps_b_source source = { nnps_b_strided, data, row_major ? stride : 1, row_major ? 1 : stride, NULL };
	const size_t row0 = below(rows), depth = 1 + below(rows - row0), col0 = below(total_columns), columns = 1 + below(total_columns - col0);
	const size_t packed_floats = nnps_round_up(columns, nr) * depth;
	float* packed = sentinel_panels(packed_floats);
	nnps_pack_b(config, &source, row0, depth, col0, columns, packed);
	bool ok = true;
	for (size_t q = 0; q < nnps_round_up(columns, nr) && ok; q++) {
		for (size_t k = 0; k < depth && ok; k++) {
			const size_t at = row_major ? (row0 + k) * stride + col0 + q : row0 + k + (col0 + q) * stride;
			const float expected = q < columns ? data[at] : 0.0f, got = packed[q / nr * nr * depth + k * nr + q % nr];
			checks++;
			if (!(got == expected)) {
				printf("FAIL: the %s %s packer, %zu x %zu (stride %zu), rows %zu+%zu, columns %zu+%zu: column %zu row %zu = %g, expected %g\n",
					isa, row_major ? "rows" : "transpose", rows, total_columns, stride, row0, depth, col0, columns, q, k, got, expected);
				ok = false;
			}
		}
	}
	ok = ok && sentinels_intact(packed, packed_floats, isa, row_major ? "rows" : "transpose");
	free(data);
	nnps_aligned_free(packed);
	return ok;
}

/* A packed into the ukernel's row panels (nnps_pack_a): row-major (the transpose packer with the table's mr) or
 * strided, the floats between rows NaN, the panels starting at any float (A panels need not be aligned). */
static bool check_a_panels(const struct nnps_sgemm_config* config, const char* isa) {
	const size_t m = 1 + below(40), k = 1 + below(300), mr = config->mr, row_major = below(4) != 0;
	const size_t inner = row_major ? k : m, outer = row_major ? m : k, stride = inner + below(20);
	float* data = guarded_matrix(outer, inner, stride);
	const size_t row_stride = row_major ? stride : 1, column_stride = row_major ? 1 : stride;
	const size_t row0 = below(m), rows = 1 + below(m - row0), col0 = below(k), depth = 1 + below(k - col0), shift = below(16);
	const size_t packed_floats = nnps_round_up(rows, mr) * depth;
	float* buffer = sentinel_panels(shift + packed_floats);
	float* packed = buffer + shift;
	nnps_pack_a(config, data, row_stride, column_stride, row0, rows, col0, depth, packed);
	bool ok = true;
	for (size_t i = 0; i < nnps_round_up(rows, mr) && ok; i++) {
		for (size_t c = 0; c < depth && ok; c++) {
			const float expected = i < rows ? data[(row0 + i) * row_stride + (col0 + c) * column_stride] : 0.0f;
			const float got = packed[i / mr * mr * depth + c * mr + i % mr];
			checks++;
			if (!(got == expected)) {
				printf("FAIL: the %s A packer (%s), %zu x %zu (stride %zu), rows %zu+%zu, columns %zu+%zu at +%zu: row %zu column %zu = %g, expected %g\n",
					isa, row_major ? "row-major" : "column-major", m, k, stride, row0, rows, col0, depth, shift, i, c, got, expected);
				ok = false;
			}
		}
	}
	ok = ok && sentinels_intact(packed, packed_floats, isa, "A");
	free(data);
	nnps_aligned_free(buffer);
	return ok;
}

int main(void) {
	const struct nnps_cache_sizes caches = nnps_detect_cache_sizes();
	int tested = 0, failures = 0;
	for (int level = nnps_isa_avx512; level >= nnps_isa_scalar; level--) {
		struct nnps_isa_table isa;
		if (!nnps_isa_table_for((enum nnps_isa_level) level, &caches, &isa) || !nnps_isa_supported(isa.level)) continue;
		for (int transposed = 0; transposed < 2; transposed++) {
			int calls = 0;
			for (; calls < 3000 && check_random_call(&isa.sgemm, isa.name, transposed); calls++) {}
			if (calls < 3000) failures++;
			printf("%s%s: %d random packing calls %s\n", isa.name, transposed ? " transposed" : "", calls, calls < 3000 ? "until a failure" : "ok");
		}
		for (int row_major = 0; row_major < 2; row_major++) {
			int calls = 0;
			for (; calls < 1000 && check_strided_matrix(&isa.sgemm, isa.name, row_major); calls++) {}
			if (calls < 1000) failures++;
			printf("%s %s packer: %d random packing calls %s\n", isa.name, row_major ? "rows" : "transpose", calls, calls < 1000 ? "until a failure" : "ok");
		}
		int calls = 0;
		for (; calls < 1000 && check_a_panels(&isa.sgemm, isa.name); calls++) {}
		if (calls < 1000) failures++;
		printf("%s A packer: %d random packing calls %s\n", isa.name, calls, calls < 1000 ? "until a failure" : "ok");
		tested++;
	}
	printf("%d packers, %ld checks, %d failures\n", tested, checks, failures);
	return failures == 0 && tested > 0 ? 0 : 1;
}
