/*
 * Where the time of the fast algorithms goes: for each 3x3 stride-1 benchmark layer (and AlexNet conv2 for the FFT),
 * each function and each algorithm that computes it, auto included, the median over rounds of nnp_profile's phases
 * (input, kernel and output transforms, the multiplications, the total) of one call, with the effective GFLOP/s
 * (direct count 2*N*Cout*H*W*Cin*kH*kW) and the FMA peak of one core measured in the same run. The algorithms of a
 * function take turns within each round, in an order rotating from round to round, each after an untimed pre-roll of
 * at least 15 ms (auto's first call, before the rounds, measures its candidates). auto's row names the algorithm it
 * chose (the one whose result it matches bit for bit: every algorithm is deterministic), and whether that is the
 * fastest explicit one; every row gives its speed against the fastest explicit algorithm's, auto's from further rounds
 * of the two alone (where auto chose that algorithm, the same code timed twice: what it shows off 1.00x is noise).
 * Not a test: run it on a quiet machine.
 *
 *   nnpack_profile_bench [threads] [rounds] [layer name filter] [algorithm name filter]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nnpacksharp.h"
#include "peak.h"

struct layer {
	const char* name;
	size_t n, ci, h, co, k;
};

static const struct layer layers[] = {
	{ "AlexNet conv2", 8, 64, 27, 192, 5 }, { "AlexNet conv3", 8, 192, 13, 384, 3 }, { "VGG conv3.2", 4, 256, 56, 256, 3 },
	{ "VGG conv5", 8, 512, 14, 512, 3 }, { "7x7 maps 512ch N16", 16, 512, 7, 512, 3 }, { "batch 32 3x3", 32, 64, 28, 64, 3 },
	{ "odd 17->33 5x5", 3, 17, 31, 33, 5 }, /* channel counts off every vector width, a 1-3 ms call */
	{ "batch 1 112x112", 1, 64, 112, 64, 3 }, /* one image: the kernel transform is a larger share of the call */
};
static const char* const functions[] = { "output", "input gradient", "kernel gradient", "inference" };
static const struct {
	enum nnp_convolution_algorithm value;
	const char* name;
} algorithms[] = {
	{ nnp_convolution_algorithm_wt8x8, "wt8x8" }, { nnpsharp_convolution_algorithm_wt6x6, "wt6x6" }, { nnp_convolution_algorithm_ft8x8, "ft8x8" },
	{ nnp_convolution_algorithm_ft16x16, "ft16x16" }, { nnp_convolution_algorithm_implicit_gemm, "implicit_gemm" },
	{ nnp_convolution_algorithm_auto, "auto" }, /* last: the explicit ones before it are what it is compared with */
};
#define ALGORITHMS (sizeof algorithms / sizeof algorithms[0])
#define MAX_ROUNDS 99

struct operands {
	float *x, *w, *b, *y, *dy, *dx, *dw;
	void* workspace; /* the caller's, touched once: an internal one would be faulted in again by every call */
};

static float* random_floats(size_t count) {
	float* values = aligned_alloc(64, (count * sizeof(float) + 63) / 64 * 64);
	for (size_t i = 0; i < count; i++) values[i] = (float) rand() / (float) RAND_MAX - 0.5f;
	return values;
}

/* With o->workspace NULL, a size query into *size; else a call on that buffer of *size bytes. */
static enum nnp_status call(int function, enum nnp_convolution_algorithm algorithm, const struct layer* l, const struct operands* o, size_t* size_pointer,
	pthreadpool_t pool, struct nnp_profile* profile)
{
	void* workspace = o->workspace;
	const struct nnp_size input = { l->h, l->h }, kernel = { l->k, l->k }, stride = { 1, 1 };
	const size_t p = l->k / 2;
	const struct nnp_padding padding = { p, p, p, p };
	switch (function) {
		case 0: return nnp_convolution_output(algorithm, l->n, l->ci, l->co, input, padding, kernel, o->x, o->w, o->b, o->y, workspace, size_pointer,
			nnp_activation_identity, NULL, pool, profile);
		case 1: return nnp_convolution_input_gradient(algorithm, l->n, l->ci, l->co, input, padding, kernel, o->dy, o->w, o->dx, workspace, size_pointer,
			nnp_activation_identity, NULL, pool, profile);
		case 2: return nnp_convolution_kernel_gradient(algorithm, l->n, l->ci, l->co, input, padding, kernel, o->x, o->dy, o->dw, workspace, size_pointer,
			nnp_activation_identity, NULL, pool, profile);
		default: return nnp_convolution_inference(algorithm, nnp_convolution_transform_strategy_compute, l->ci, l->co, input, padding, kernel, stride,
			o->x, o->w, o->b, o->y, workspace, size_pointer, nnp_activation_identity, NULL, pool, profile);
	}
}

static int by_value(const void* a, const void* b) { return (*(const double*) a > *(const double*) b) - (*(const double*) a < *(const double*) b); }

static double median(double* values, size_t count) {
	qsort(values, count, sizeof(double), by_value);
	return count % 2 ? values[count / 2] : 0.5 * (values[count / 2 - 1] + values[count / 2]);
}

/* The function's result: the output (forward, inference), grad_input or grad_kernel. */
static const float* result_of(int function, const struct operands* o) {
	return function == 1 ? o->dx : function == 2 ? o->dw : o->y;
}

/* One algorithm of a function in the rounds: its workspace, a copy of its result, its phases per round. */
struct candidate {
	size_t algorithm; /* index into algorithms */
	void* workspace;
	size_t size;
	float* result;
	double phases[5][MAX_ROUNDS];
	double median[5];
};

static double now(void) {
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double) t.tv_sec + 1e-9 * (double) t.tv_nsec;
}

static void call_candidate(int function, const struct layer* shape, struct operands* o, struct candidate* c, pthreadpool_t pool, struct nnp_profile* profile) {
	o->workspace = c->workspace;
	size_t size = c->size;
	call(function, algorithms[c->algorithm].value, shape, o, &size, pool, profile);
	o->workspace = NULL;
}

/* Every algorithm that computes `function` on `shape`, in interleaved rounds; one table row each. */
static void profile_function(const struct layer* l, int function, const char* filter, struct operands* o, size_t rounds, pthreadpool_t pool, size_t threads,
	double peak)
{
	const struct layer single = { l->name, 1, l->ci, l->h, l->co, l->k };
	const struct layer* shape = function == 3 ? &single : l;
	const double flops = 2.0 * (double) shape->n * (double) l->co * (double) (l->h * l->h) * (double) l->ci * (double) (l->k * l->k);
	const size_t result_floats = function == 2 ? l->co * l->ci * l->k * l->k : shape->n * l->co * l->h * l->h;
	struct candidate candidates[ALGORITHMS];
	size_t count = 0;
	struct nnp_profile profile;
	for (size_t a = 0; a < ALGORITHMS; a++) {
		if (filter != NULL && strstr(algorithms[a].name, filter) == NULL) continue;
		struct candidate* c = &candidates[count];
		c->algorithm = a;
		c->size = 0;
		if (call(function, algorithms[a].value, shape, o, &c->size, pool, &profile) != nnp_status_success) continue;
		c->workspace = aligned_alloc(64, (c->size + 64) / 64 * 64);
		memset(c->workspace, 0, c->size);
		call_candidate(function, shape, o, c, pool, &profile); /* untimed: faults the workspace in; auto measures here */
		c->result = malloc(result_floats * sizeof(float));
		memcpy(c->result, result_of(function, o), result_floats * sizeof(float));
		count++;
	}
	for (size_t r = 0; r < rounds; r++) {
		for (size_t i = 0; i < count; i++) {
			struct candidate* c = &candidates[(r + i) % count];
			/* An untimed pre-roll of at least 15 ms (the protocol's): the previous algorithm's data leaves the caches. */
			for (const double start = now(); now() - start < 0.015;) call_candidate(function, shape, o, c, pool, &profile);
			call_candidate(function, shape, o, c, pool, &profile);
			const double values[5] = { profile.input_transform, profile.kernel_transform, profile.output_transform, profile.block_multiplication, profile.total };
			for (size_t f = 0; f < 5; f++) c->phases[f][r] = values[f];
		}
	}
	double best = 0.0;
	size_t fastest = count, automatic = count;
	for (size_t i = 0; i < count; i++) {
		for (size_t f = 0; f < 5; f++) candidates[i].median[f] = median(candidates[i].phases[f], rounds);
		if (algorithms[candidates[i].algorithm].value == nnp_convolution_algorithm_auto) {
			automatic = i;
		} else if (best == 0.0 || candidates[i].median[4] < best) {
			best = candidates[i].median[4];
			fastest = i;
		}
	}
	/* auto against the fastest explicit algorithm head to head, the two alone taking turns: among all the algorithms, a
	 * short call after long ones ran up to 1.8x slower than alone on this VM (batch 32 3x3's wt6x6), whichever it was. */
	double auto_vs_best = 0.0;
	if (automatic < count && fastest < count) {
		double times[2][MAX_ROUNDS];
		struct candidate* pair[2] = { &candidates[fastest], &candidates[automatic] };
		for (size_t r = 0; r < rounds; r++) {
			for (size_t i = 0; i < 2; i++) {
				struct candidate* c = pair[(r + i) % 2];
				for (const double start = now(); now() - start < 0.015;) call_candidate(function, shape, o, c, pool, &profile);
				call_candidate(function, shape, o, c, pool, &profile);
				times[(r + i) % 2][r] = profile.total;
			}
		}
		auto_vs_best = median(times[0], rounds) / median(times[1], rounds);
	}
	for (size_t i = 0; i < count; i++) {
		const struct candidate* c = &candidates[i];
		char name[64];
		snprintf(name, sizeof name, "%s", algorithms[c->algorithm].name);
		if (algorithms[c->algorithm].value == nnp_convolution_algorithm_auto) {
			const char* chosen = "?";
			for (size_t j = 0; j < count; j++) {
				if (j != i && memcmp(candidates[j].result, c->result, result_floats * sizeof(float)) == 0) chosen = algorithms[candidates[j].algorithm].name;
			}
			const bool same = fastest < count && strcmp(chosen, algorithms[candidates[fastest].algorithm].name) == 0;
			snprintf(name, sizeof name, "auto (chose %s%s)", chosen, same ? ", the fastest" : "");
		}
		const double gflops = flops / c->median[4] / 1e9;
		printf("| %s | %s | %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.1f | %.0f%% | %.2fx |\n", l->name, functions[function], name, c->median[0] * 1e3,
			c->median[1] * 1e3, c->median[2] * 1e3, c->median[3] * 1e3, c->median[4] * 1e3, gflops, 100.0 * gflops / (peak * (double) threads),
			i == automatic ? auto_vs_best : best > 0.0 ? best / c->median[4] : 0.0);
	}
	for (size_t i = 0; i < count; i++) {
		free(candidates[i].workspace);
		free(candidates[i].result);
	}
}

int main(int argc, char** argv) {
	const size_t threads = argc > 1 ? (size_t) atoi(argv[1]) : 1, rounds = argc > 2 ? (size_t) atoi(argv[2]) : 9;
	if (nnp_initialize() != nnp_status_success || rounds == 0 || rounds > MAX_ROUNDS) {
		fprintf(stderr, "usage: %s [threads] [rounds (1..99)] [layer name filter] [algorithm name filter]\n", argv[0]);
		return 2;
	}
	pthreadpool_t pool = threads > 1 ? pthreadpool_create(threads) : NULL;
	const double peak = nnps_bench_fma_peak_gflops();
	printf("ISA %s, %zu thread(s), %zu rounds; FMA peak of one core measured now: %.1f GFLOP/s\n", nnpsharp_isa(), threads, rounds, peak);
	printf("phases in ms (medians over interleaved rounds, each phase's own median); GFLOP/s effective (the direct count); "
		"vs best: the fastest explicit algorithm's time / this one's (auto's from rounds of the two alone)\n\n");
	printf("| layer | function | algorithm | input tr. | kernel tr. | output tr. | multiply | total | GFLOP/s | %% peak | vs best |\n"
		"|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
	for (size_t i = 0; i < sizeof layers / sizeof layers[0]; i++) {
		const struct layer* l = &layers[i];
		if (argc > 3 && strstr(l->name, argv[3]) == NULL) continue;
		const size_t xs = l->n * l->ci * l->h * l->h, ys = l->n * l->co * l->h * l->h, ws = l->co * l->ci * l->k * l->k;
		struct operands o = { random_floats(xs), random_floats(ws), random_floats(l->co), random_floats(ys), random_floats(ys), random_floats(xs), random_floats(ws), NULL };
		for (int function = 0; function < 4; function++) profile_function(l, function, argc > 4 ? argv[4] : NULL, &o, rounds, pool, threads, peak);
		free(o.x); free(o.w); free(o.b); free(o.y); free(o.dy); free(o.dx); free(o.dw);
	}
	if (pool != NULL) pthreadpool_destroy(pool);
	return 0;
}
