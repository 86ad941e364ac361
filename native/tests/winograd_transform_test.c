/* The Winograd transforms of both tile sizes (F(6x6, 3x3) and F(4x4, 3x3), the kernel gradient's grad_output and
 * gradient transforms included) of every ISA table this CPU runs against the portable ones (scalar/, the reference)
 * on random blocks: odd image sizes and row strides, tiles overlapping the padding on every side (offsets
 * before the plane), row and column masks with holes, unused lanes at the block's tail, V and M rows wider than a
 * block, bias with and without ReLU, and now and then a NaN. The plane sits between NaN guards and its stride padding
 * is NaN too, so an input transform that reads outside its masks shows a NaN the reference does not have; the output
 * plane starts as a sentinel, so a write outside the masks shows as a changed sentinel. Values agree to a relative
 * 1e-5 of the block's largest (the factored vector transforms round differently from the matrix products). The
 * portable kernel-gradient transforms are checked first against their definition: G^T [(A g A^T) .* (B^T d B)] G of
 * random tiles is the correlation of d with g in double precision. Then at page edges: planes that end just before
 * an inaccessible page or start just after one, so that a transform touching any element outside its masks (a
 * masked-off lane of a vector load or store that the CPU does not suppress) faults. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _WIN32
#include <windows.h>
#else
#include <sys/mman.h>
#include <unistd.h>
#endif

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

/* One random image and block: lane t's tile (`tile` square) at (top, left), rows/columns masked to the part inside
 * the image, a bit now and then cleared; the lanes from `used` on have no rows. With grid 0 the tiles lie anywhere and
 * may overlap (input tiles only read); otherwise (output tiles) on a grid of that step shifted by up to 2 (the
 * padding), in distinct cells, as winograd.c's do: which of two overlapping writes lands last is no part of the
 * contract. tight_rows: rows exactly the image's width apart (no stride padding after the last row). */
struct case_geometry {
	size_t height, width, row_stride, stride, used;
	struct nnps_winograd_block block;
};

static struct case_geometry random_geometry(size_t tile, size_t grid, bool tight_rows) {
	struct case_geometry c = { 1 + below(19), 1 + below(19), 0, LANES + below(3) * 4, 1 + below(LANES), { { 0 }, { 0 }, { 0 } } };
	c.row_stride = c.width + (tight_rows ? 0 : below(4));
	const size_t step = grid != 0 ? grid : 1, cells_x = (c.width + 2 + step - 1) / step, cells = (c.height + 2 + step - 1) / step * cells_x;
	const size_t first = below(cells);
	const ptrdiff_t shift_y = (ptrdiff_t) below(3), shift_x = (ptrdiff_t) below(3);
	if (grid != 0 && c.used > cells) c.used = cells;
	for (size_t t = 0; t < c.used; t++) {
		const size_t cell = (first + t) % cells;
		const ptrdiff_t top = grid != 0 ? (ptrdiff_t) (cell / cells_x * grid) - shift_y : (ptrdiff_t) below(c.height + 2) - 2;
		const ptrdiff_t left = grid != 0 ? (ptrdiff_t) (cell % cells_x * grid) - shift_x : (ptrdiff_t) below(c.width + 2) - 2;
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

/* One tile size: its transforms' sides and points. */
struct variant {
	const char* name;
	size_t tile, out, points;
};
static const struct variant f6x6 = { "F(6x6)", 8, 6, 64 }, f4x4 = { "F(4x4)", 6, 4, 36 };

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
static bool compare(const char* isa, const struct variant* v, const char* what, const float* got, const float* expected, size_t count,
	const struct case_geometry* c)
{
	const float scale = largest(expected, count);
	for (size_t i = 0; i < count; i++) {
		if (!agree(got[i], expected[i], scale)) {
			printf("FAIL: the %s %s %s transform, image %zux%zu row stride %zu, %zu lanes used, V/M stride %zu: float %zu = %g, the portable one %g\n", isa,
				v->name, what, c->height, c->width, c->row_stride, c->used, c->stride, i, got[i], expected[i]);
			return false;
		}
	}
	return true;
}

/* A transform that reads tiles from a plane: the input transform (tile-sized tiles anywhere) or the kernel gradient's
 * grad_output transform (out-sized tiles on the output grid). */
static bool check_reading(nnps_winograd_input_transform_fn own, nnps_winograd_input_transform_fn portable, const struct variant* v, bool grad_output,
	const char* name)
{
	const struct case_geometry c = grad_output ? random_geometry(v->out, v->out, false) : random_geometry(v->tile, 0, false);
	float* plane;
	float* memory = new_plane(&c, NAN, below(50) == 0, &plane);
	const size_t count = v->points * c.stride;
	float* got = malloc(count * sizeof(float));
	float* expected = malloc(count * sizeof(float));
	for (size_t i = 0; i < count; i++) got[i] = expected[i] = SENTINEL;
	portable(&c.block, plane, c.row_stride, expected, c.stride);
	own(&c.block, plane, c.row_stride, got, c.stride);
	const bool ok = compare(name, v, grad_output ? "grad_output" : "input", got, expected, count, &c);
	free(memory);
	free(got);
	free(expected);
	return ok;
}

static bool check_output(const struct nnps_winograd_transforms* isa, const struct nnps_winograd_transforms* reference, const struct variant* v, const char* name) {
	const struct case_geometry c = random_geometry(v->out, v->out, false);
	const size_t count = v->points * c.stride, floats = 2 * GUARD + c.height * c.row_stride;
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
	const bool ok = compare(name, v, relu ? "output (ReLU)" : "output", got, expected, floats, &c);
	free(products);
	free(got);
	free(expected);
	return ok;
}

static bool check_kernel(const struct nnps_winograd_transforms* isa, const struct nnps_winograd_transforms* reference, const struct variant* v, const char* name) {
	const struct case_geometry c = { 3, 3, 3, LANES + below(3) * 4, LANES, { { 0 }, { 0 }, { 0 } } };
	float kernels[9 * LANES];
	for (size_t i = 0; i < 9 * LANES; i++) kernels[i] = uniform();
	const size_t count = v->points * c.stride;
	float* got = malloc(count * sizeof(float));
	float* expected = malloc(count * sizeof(float));
	for (size_t i = 0; i < count; i++) got[i] = expected[i] = SENTINEL;
	reference->kernel_transform(kernels, expected, c.stride);
	isa->kernel_transform(kernels, got, c.stride);
	const bool ok = compare(name, v, "kernel", got, expected, count, &c);
	free(got);
	free(expected);
	return ok;
}

/* The kernel gradient's final transform: `count` lanes of random products (the rest finite, never written). */
static bool check_grad_kernel(const struct nnps_winograd_transforms* isa, const struct nnps_winograd_transforms* reference, const struct variant* v,
	const char* name)
{
	const struct case_geometry c = { 3, 3, 3, LANES + below(3) * 4, 1 + below(LANES), { { 0 }, { 0 }, { 0 } } };
	const size_t count = v->points * c.stride;
	float* products = malloc(count * sizeof(float));
	for (size_t i = 0; i < count; i++) products[i] = uniform() * 100.0f;
	float got[9 * LANES + 1], expected[9 * LANES + 1];
	for (size_t i = 0; i < 9 * LANES + 1; i++) got[i] = expected[i] = SENTINEL;
	reference->grad_kernel_transform(products, c.stride, expected, c.used);
	isa->grad_kernel_transform(products, c.stride, got, c.used);
	free(products);
	return compare(name, v, "grad_kernel", got, expected, 9 * LANES + 1, &c);
}

/* The portable kernel-gradient transforms against their definition, on `cases` blocks of full tiles: G^T[(A g A^T) .*
 * (B^T d B)]G of lane t = sum over i, j < out of g[i][j] d[i + ky][j + kx], within `tolerance` of the largest term
 * magnitude. Returns the worst relative error (infinity on a failure to compute). */
static double kernel_gradient_error(const struct nnps_winograd_transforms* portable, const struct variant* v, size_t cases) {
	const size_t tile = v->tile, out = v->out;
	double worst = 0.0;
	float *d = malloc(LANES * tile * tile * sizeof(float)), *g = malloc(LANES * out * out * sizeof(float));
	float *vd = malloc(v->points * LANES * sizeof(float)), *tg = malloc(v->points * LANES * sizeof(float)), dw[9 * LANES];
	struct nnps_winograd_block input = { { 0 }, { 0 }, { 0 } }, grad = { { 0 }, { 0 }, { 0 } };
	for (size_t t = 0; t < LANES; t++) {
		input.offset[t] = (ptrdiff_t) (t * tile * tile);
		grad.offset[t] = (ptrdiff_t) (t * out * out);
		input.rows[t] = input.columns[t] = (uint8_t) ((1u << tile) - 1);
		grad.rows[t] = grad.columns[t] = (uint8_t) ((1u << out) - 1);
	}
	for (size_t n = 0; n < cases; n++) {
		for (size_t i = 0; i < LANES * tile * tile; i++) d[i] = uniform();
		for (size_t i = 0; i < LANES * out * out; i++) g[i] = uniform();
		portable->input_transform(&input, d, tile, vd, LANES);
		portable->grad_output_transform(&grad, g, out, tg, LANES);
		for (size_t i = 0; i < v->points * LANES; i++) vd[i] *= tg[i];
		portable->grad_kernel_transform(vd, LANES, dw, LANES);
		for (size_t t = 0; t < LANES; t++) {
			for (size_t k = 0; k < 9; k++) {
				double sum = 0.0, magnitude = 0.0;
				for (size_t i = 0; i < out; i++) {
					for (size_t j = 0; j < out; j++) {
						const double term = (double) g[(t * out + i) * out + j] * d[(t * tile + i + k / 3) * tile + j + k % 3];
						sum += term;
						magnitude += fabs(term);
					}
				}
				const double error = fabs((double) dw[t * 9 + k] - sum) / magnitude;
				if (!(error <= worst)) worst = isnan(error) ? INFINITY : error;
			}
		}
	}
	free(d); free(g); free(vd); free(tg);
	return worst;
}

/* Every transform of one tile size on one ISA against the portable ones, `rounds` random blocks each; false on the
 * first disagreement. Transforms the ISA shares with the portable table are skipped. */
static bool compare_variant(const struct nnps_winograd_transforms* own, const struct nnps_winograd_transforms* portable, const struct variant* v,
	const char* name, int rounds, int* compared)
{
	const bool forward = own->input_transform != portable->input_transform;
	const bool gradient = own->grad_output_transform != portable->grad_output_transform;
	if (!forward && !gradient) return true;
	for (int round = 0; round < rounds; round++) {
		if (forward && !(check_reading(own->input_transform, portable->input_transform, v, false, name) && check_output(own, portable, v, name) &&
				check_kernel(own, portable, v, name))) {
			return false;
		}
		if (gradient && !(check_reading(own->grad_output_transform, portable->grad_output_transform, v, true, name) && check_grad_kernel(own, portable, v, name))) {
			return false;
		}
	}
	const char* which = forward && gradient ? "forward and kernel-gradient" : forward ? "forward" : "kernel-gradient";
	printf("%s: %s %s transforms agree with the portable ones on %d random blocks each\n", name, v->name, which, rounds);
	(*compared)++;
	return true;
}

/* ---- page edges ---- */

/* An inaccessible page, `bytes` of accessible memory, another inaccessible page: the accessible part's start. */
static char* guarded_pages(size_t bytes, size_t* page, void** base, size_t* total) {
#ifdef _WIN32
	SYSTEM_INFO info;
	GetSystemInfo(&info);
	*page = info.dwPageSize;
#else
	*page = (size_t) sysconf(_SC_PAGESIZE);
#endif
	const size_t inside = (bytes + *page - 1) / *page * *page;
	*total = inside + 2 * *page;
#ifdef _WIN32
	*base = VirtualAlloc(NULL, *total, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
	DWORD old;
	VirtualProtect(*base, *page, PAGE_NOACCESS, &old);
	VirtualProtect((char*) *base + *page + inside, *page, PAGE_NOACCESS, &old);
#else
	*base = mmap(NULL, *total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	mprotect(*base, *page, PROT_NONE);
	mprotect((char*) *base + *page + inside, *page, PROT_NONE);
#endif
	return (char*) *base + *page;
}

static void free_guarded(void* base, size_t total) {
#ifdef _WIN32
	(void) total;
	VirtualFree(base, 0, MEM_RELEASE);
#else
	munmap(base, total);
#endif
}

/* A plane of c's image (row stride = width, so its last row ends the plane) against an inaccessible page: its last
 * float just before the page (at_end) or its first just after it; random values, copied to `copy` too. */
struct guarded_plane {
	void* base;
	size_t total;
	float* plane;
};
static struct guarded_plane guarded_plane_of(const struct case_geometry* c, bool at_end, float* copy) {
	const size_t floats = c->height * c->row_stride;
	size_t page;
	struct guarded_plane g;
	char* inside = guarded_pages(floats * sizeof(float), &page, &g.base, &g.total);
	g.plane = at_end ? (float*) (inside + (g.total - 2 * page) - floats * sizeof(float)) : (float*) inside;
	for (size_t i = 0; i < floats; i++) g.plane[i] = copy[i] = uniform();
	return g;
}

/* One table's transforms on planes against an inaccessible page (after them or before them), in lanes whose tiles
 * cross that edge into the padding: a masked-off element touched there faults; the results must also equal the
 * portable transforms' (reads: V; the output transform: the plane). */
static bool check_page_edge(const struct nnps_winograd_transforms* own, const struct nnps_winograd_transforms* portable, const struct variant* v,
	const char* name, bool at_end)
{
	const char* where = at_end ? "page after the plane" : "page before the plane";
	struct case_geometry reads[2] = { random_geometry(v->tile, 0, true), random_geometry(v->out, v->out, true) }; /* input, grad_output */
	const nnps_winograd_input_transform_fn own_reads[2] = { own->input_transform, own->grad_output_transform };
	const nnps_winograd_input_transform_fn portable_reads[2] = { portable->input_transform, portable->grad_output_transform };
	bool ok = true;
	for (size_t r = 0; r < 2 && ok; r++) {
		if (own_reads[r] == portable_reads[r]) continue;
		struct case_geometry* c = &reads[r];
		const size_t count = v->points * c->stride;
		float *copy = malloc(c->height * c->width * sizeof(float)), *got = malloc(count * sizeof(float)), *expected = malloc(count * sizeof(float));
		for (size_t i = 0; i < count; i++) got[i] = expected[i] = SENTINEL;
		const struct guarded_plane g = guarded_plane_of(c, at_end, copy);
		portable_reads[r](&c->block, copy, c->row_stride, expected, c->stride);
		own_reads[r](&c->block, g.plane, c->row_stride, got, c->stride);
		ok = compare(name, v, r == 0 ? "input" : "grad_output", got, expected, count, c);
		if (!ok) printf("  (with the %s)\n", where);
		free_guarded(g.base, g.total);
		free(copy); free(got); free(expected);
	}
	if (ok && own->output_transform != portable->output_transform) {
		const struct case_geometry c = random_geometry(v->out, v->out, true);
		const size_t count = v->points * c.stride, floats = c.height * c.width;
		float *copy = malloc(floats * sizeof(float)), *products = malloc(count * sizeof(float));
		for (size_t i = 0; i < count; i++) products[i] = uniform() * 100.0f;
		const struct guarded_plane g = guarded_plane_of(&c, at_end, copy);
		portable->output_transform(products, c.stride, &c.block, copy, c.row_stride, 0.5f, true);
		own->output_transform(products, c.stride, &c.block, g.plane, c.row_stride, 0.5f, true);
		ok = compare(name, v, "output", g.plane, copy, floats, &c);
		if (!ok) printf("  (with the %s)\n", where);
		free_guarded(g.base, g.total);
		free(copy); free(products);
	}
	return ok;
}

int main(void) {
	const struct nnps_cache_sizes caches = nnps_detect_cache_sizes();
	struct nnps_isa_table reference;
	if (!nnps_isa_table_for(nnps_isa_scalar, &caches, &reference)) return 1;
	int compared = 0, failures = 0;
	const double f6x6_error = kernel_gradient_error(&reference.winograd_f6x6k3x3, &f6x6, 200), f4x4_error = kernel_gradient_error(&reference.winograd_f4x4k3x3, &f4x4, 200);
	printf("portable kernel-gradient transforms against the direct correlation: F(6x6)-sized %g, F(4x4)-sized %g of the terms' magnitude\n", f6x6_error, f4x4_error);
	if (!(f6x6_error <= 1e-4) || !(f4x4_error <= 1e-5)) {
		printf("FAIL: the portable kernel-gradient transforms exceed 1e-4 (F(6x6)) or 1e-5 (F(4x4))\n");
		failures++;
	}
	for (int level = nnps_isa_avx512; level > nnps_isa_scalar; level--) {
		struct nnps_isa_table isa;
		if (!nnps_isa_table_for((enum nnps_isa_level) level, &caches, &isa) || !nnps_isa_supported(isa.level)) continue;
		const int before = compared;
		if (!compare_variant(&isa.winograd_f6x6k3x3, &reference.winograd_f6x6k3x3, &f6x6, isa.name, 2000, &compared)) failures++;
		if (!compare_variant(&isa.winograd_f4x4k3x3, &reference.winograd_f4x4k3x3, &f4x4, isa.name, 2000, &compared)) failures++;
		for (int round = 0; round < 500; round++) {
			if (!check_page_edge(&isa.winograd_f6x6k3x3, &reference.winograd_f6x6k3x3, &f6x6, isa.name, round % 2 == 0) ||
				!check_page_edge(&isa.winograd_f4x4k3x3, &reference.winograd_f4x4k3x3, &f4x4, isa.name, round % 2 == 0)) {
				failures++;
				break;
			}
		}
		if (compared == before) printf("%s: the portable transforms (nothing to compare)\n", isa.name);
	}
	printf("%d tile sizes' own transforms compared, %d failures\n", compared, failures);
	return failures == 0 ? 0 : 1;
}
