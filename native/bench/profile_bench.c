/*
 * Where the time of the fast algorithms goes: for each 3x3 stride-1 benchmark layer (and AlexNet conv2 for the FFT),
 * each function and each algorithm that computes it, the median over rounds of nnp_profile's phases (input, kernel
 * and output transforms, the multiplications, the total) of one call, with the effective GFLOP/s (direct count
 * 2*N*Cout*H*W*Cin*kH*kW) and the FMA peak of one core measured in the same run. Not a test: run it on a quiet machine.
 *
 *   nnpack_profile_bench [threads] [rounds] [layer name filter] [algorithm name filter]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
};
static const char* const functions[] = { "output", "input gradient", "kernel gradient", "inference" };
static const struct {
	enum nnp_convolution_algorithm value;
	const char* name;
} algorithms[] = {
	{ nnp_convolution_algorithm_wt8x8, "wt8x8" }, { nnpsharp_convolution_algorithm_wt6x6, "wt6x6" }, { nnp_convolution_algorithm_ft8x8, "ft8x8" },
	{ nnp_convolution_algorithm_ft16x16, "ft16x16" }, { nnp_convolution_algorithm_implicit_gemm, "implicit_gemm" },
};

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

int main(int argc, char** argv) {
	const size_t threads = argc > 1 ? (size_t) atoi(argv[1]) : 1, rounds = argc > 2 ? (size_t) atoi(argv[2]) : 9;
	if (nnp_initialize() != nnp_status_success || rounds == 0 || rounds > 99) {
		fprintf(stderr, "usage: %s [threads] [rounds (1..99)] [layer name filter] [algorithm name filter]\n", argv[0]);
		return 2;
	}
	pthreadpool_t pool = threads > 1 ? pthreadpool_create(threads) : NULL;
	const double peak = nnps_bench_fma_peak_gflops();
	printf("ISA %s, %zu thread(s), %zu rounds; FMA peak of one core measured now: %.1f GFLOP/s\n", nnpsharp_isa(), threads, rounds, peak);
	printf("phases in ms (medians over rounds, each phase's own median); GFLOP/s effective (the direct count)\n\n");
	printf("| layer | function | algorithm | input tr. | kernel tr. | output tr. | multiply | total | GFLOP/s | %% peak |\n|---|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
	for (size_t i = 0; i < sizeof layers / sizeof layers[0]; i++) {
		const struct layer* l = &layers[i];
		if (argc > 3 && strstr(l->name, argv[3]) == NULL) continue;
		const size_t xs = l->n * l->ci * l->h * l->h, ys = l->n * l->co * l->h * l->h, ws = l->co * l->ci * l->k * l->k;
		struct operands o = { random_floats(xs), random_floats(ws), random_floats(l->co), random_floats(ys), random_floats(ys), random_floats(xs), random_floats(ws), NULL };
		for (int function = 0; function < 4; function++) {
			const struct layer single = { l->name, 1, l->ci, l->h, l->co, l->k };
			const struct layer* shape = function == 3 ? &single : l;
			const double flops = 2.0 * (double) shape->n * (double) l->co * (double) (l->h * l->h) * (double) l->ci * (double) (l->k * l->k);
			for (size_t a = 0; a < sizeof algorithms / sizeof algorithms[0]; a++) {
				if (argc > 4 && strstr(algorithms[a].name, argv[4]) == NULL) continue;
				struct nnp_profile profile;
				size_t size = 0;
				if (call(function, algorithms[a].value, shape, &o, &size, pool, &profile) != nnp_status_success) continue;
				o.workspace = aligned_alloc(64, (size + 64) / 64 * 64);
				memset(o.workspace, 0, size);
				call(function, algorithms[a].value, shape, &o, &size, pool, &profile);
				double phases[5][99];
				for (size_t r = 0; r < rounds; r++) {
					call(function, algorithms[a].value, shape, &o, &size, pool, &profile);
					const double values[5] = { profile.input_transform, profile.kernel_transform, profile.output_transform, profile.block_multiplication, profile.total };
					for (size_t f = 0; f < 5; f++) phases[f][r] = values[f];
				}
				double m[5];
				for (size_t f = 0; f < 5; f++) m[f] = median(phases[f], rounds);
				const double gflops = flops / m[4] / 1e9;
				free(o.workspace);
				o.workspace = NULL;
				printf("| %s | %s | %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.1f | %.0f%% |\n", l->name, functions[function], algorithms[a].name, m[0] * 1e3, m[1] * 1e3,
					m[2] * 1e3, m[3] * 1e3, m[4] * 1e3, gflops, 100.0 * gflops / (peak * (double) threads));
			}
		}
		free(o.x); free(o.w); free(o.b); free(o.y); free(o.dy); free(o.dx); free(o.dw);
	}
	if (pool != NULL) pthreadpool_destroy(pool);
	return 0;
}
