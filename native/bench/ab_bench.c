/*
 * A/B benchmark of two libnnpack builds in one process: each is dlopen'ed on its own (RTLD_LOCAL), and the three
 * training functions run on the public benchmark layers in interleaved rounds with rotating order, an untimed pre-roll
 * before each timed batch, medians over the rounds, and the FMA peak of this core measured in the same run.
 *
 *   nnpack_ab_bench <libnnpack A> <libnnpack B> [threads] [rounds] [layer name filter] [pass name filter]
 *
 * Ratios are B / A speed (above 1: B is faster). GFLOP/s count the direct convolution, 2*N*Cout*Hout*Wout*Cin*kH*kW.
 * "same bits": one more call of each after the rounds, whether B's result equals A's bit for bit (what a change meant
 * to keep every sum's order must show; algorithms or thread counts that sum differently show "no").
 * NNPS_AB_ALGORITHMS=<A's>,<B's> pins each library's algorithm (auto, implicit_gemm, wt8x8, wt6x6, ft8x8, ft16x16; auto
 * when unset), so one build can be A/B'd against itself algorithm against algorithm.
 * NNPS_AB_B_OFFSET=<bytes> (a multiple of 4 below 64) gives B copies of the operands that start that many bytes past a
 * cache line, A's starting on one: a .NET array's data starts 16 bytes past an 8-byte-aligned object, so this is what
 * the managed callers hand the library; one build as both A and B shows what misaligned operands cost.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nnpacksharp.h"
#include "peak.h"

typedef enum nnp_status (*initialize_fn)(void);
typedef pthreadpool_t (*pool_create_fn)(size_t);
typedef enum nnp_status (*output_fn)(enum nnp_convolution_algorithm, size_t, size_t, size_t, struct nnp_size, struct nnp_padding, struct nnp_size,
	struct nnp_size, const float*, const float*, const float*, float*, void*, size_t*, enum nnp_activation, const void*, pthreadpool_t, struct nnp_profile*);
/* The two gradients share this shape: two inputs, one result. */
typedef enum nnp_status (*gradient_fn)(enum nnp_convolution_algorithm, size_t, size_t, size_t, struct nnp_size, struct nnp_padding, struct nnp_size,
	struct nnp_size, const float*, const float*, float*, void*, size_t*, enum nnp_activation, const void*, pthreadpool_t, struct nnp_profile*);

struct library {
	const char* path;
	enum nnp_convolution_algorithm algorithm;
	pthreadpool_t pool;
	output_fn output;
	gradient_fn gradient[2]; /* input gradient, kernel gradient */
};

struct layer {
	const char* name;
	size_t n, ci, h, co, kh, kw, stride, pad_h, pad_w; /* square input maps; kernel and padding per axis */
};

static const struct layer layers[] = {
	{ "AlexNet conv2", 8, 64, 27, 192, 5, 5, 1, 2, 2 }, { "AlexNet conv3", 8, 192, 13, 384, 3, 3, 1, 1, 1 }, { "VGG conv3.2", 4, 256, 56, 256, 3, 3, 1, 1, 1 },
	{ "VGG conv5", 8, 512, 14, 512, 3, 3, 1, 1, 1 }, { "ResNet stem", 4, 3, 224, 64, 7, 7, 2, 3, 3 }, { "ResNet 3x3/2", 8, 128, 56, 128, 3, 3, 2, 1, 1 },
	{ "ResNet 1x1", 8, 256, 56, 64, 1, 1, 1, 0, 0 }, { "small", 1, 3, 32, 16, 3, 3, 1, 0, 0 },
	/* Beyond the public eight: small maps with many channels, a large batch. */
	{ "7x7 maps 512ch", 8, 512, 7, 512, 3, 3, 1, 1, 1 }, { "7x7 maps 512ch N16", 16, 512, 7, 512, 3, 3, 1, 1, 1 }, { "batch 32 3x3", 32, 64, 28, 64, 3, 3, 1, 1, 1 },
	/* The FFT's home: AlexNet conv2 at its training batch, and a 7x7 kernel. */
	{ "AlexNet conv2 N128", 128, 64, 27, 192, 5, 5, 1, 2, 2 }, { "7x7 kernel 28x28 64ch", 16, 64, 28, 64, 7, 7, 1, 3, 3 },
	{ "1x1/2 projection", 8, 256, 56, 512, 1, 1, 2, 0, 0 },
	/* Non-square kernels and a batch-1 map, as in the protocol's own layers. */
	{ "Inception 1x7", 8, 128, 17, 128, 1, 7, 1, 0, 3 }, { "Inception 7x1", 8, 128, 17, 128, 7, 1, 1, 3, 0 },
	{ "batch 1 112x112", 1, 64, 112, 64, 3, 3, 1, 1, 1 }, { "batch 1 128ch 112x112", 1, 128, 112, 128, 3, 3, 1, 1, 1 },
	{ "batch 1 14x14 512ch", 1, 512, 14, 512, 3, 3, 1, 1, 1 },
	/* Channel counts off every vector width: 1-3 ms calls whose split between threads matters. */
	{ "odd 17->33 5x5", 3, 17, 31, 33, 5, 5, 1, 2, 2 },
	/* Strided kernels between the stem's 7x7 and ResNet's 3x3: where the phase split starts to pay. */
	{ "5x5/2 64ch", 8, 64, 56, 64, 5, 5, 2, 2, 2 }, { "3x3/2 16ch", 8, 16, 112, 32, 3, 3, 2, 1, 1 },
	/* The same 5x5/2 on a map of 1024 output pixels: its forward splits per task, not per batch. */
	{ "5x5/2 64x64", 8, 64, 64, 64, 5, 5, 2, 2, 2 },
};

/* The algorithm named `name` (see the usage above). */
static enum nnp_convolution_algorithm algorithm_named(const char* name, size_t length) {
	static const struct { const char* name; enum nnp_convolution_algorithm value; } names[] = {
		{ "auto", nnp_convolution_algorithm_auto }, { "implicit_gemm", nnp_convolution_algorithm_implicit_gemm }, { "wt8x8", nnp_convolution_algorithm_wt8x8 },
		{ "ft8x8", nnp_convolution_algorithm_ft8x8 }, { "ft16x16", nnp_convolution_algorithm_ft16x16 }, { "wt6x6", nnpsharp_convolution_algorithm_wt6x6 },
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (strlen(names[i].name) == length && strncmp(names[i].name, name, length) == 0) return names[i].value;
	}
	fprintf(stderr, "NNPS_AB_ALGORITHMS: unknown algorithm %.*s\n", (int) length, name);
	exit(2);
}
static const char* const pass_names[3] = { "forward", "grad-input", "grad-weight" };

/* NNPS_AB_CPU_TIME=1 with one thread times the calling thread's CPU time instead of the wall clock: A/B ratios that
 * hold while other processes share the cores (cache effects remain). Never for figures against peers. */
static clockid_t timing_clock = CLOCK_MONOTONIC;

static double now(void) {
	struct timespec t;
	clock_gettime(timing_clock, &t);
	return (double) t.tv_sec + 1e-9 * (double) t.tv_nsec;
}

static void* symbol(void* handle, const char* path, const char* name) {
	void* address = dlsym(handle, name);
	if (address == NULL) {
		fprintf(stderr, "%s lacks %s\n", path, name);
		exit(2);
	}
	return address;
}

static struct library open_library(const char* path, size_t threads, enum nnp_convolution_algorithm algorithm) {
	void* handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (handle == NULL) {
		fprintf(stderr, "cannot load %s: %s\n", path, dlerror());
		exit(2);
	}
	struct library library = { .path = path, .algorithm = algorithm };
	if (((initialize_fn) symbol(handle, path, "nnp_initialize"))() != nnp_status_success) {
		fprintf(stderr, "%s: nnp_initialize failed\n", path);
		exit(2);
	}
	library.pool = threads > 1 ? ((pool_create_fn) symbol(handle, path, "pthreadpool_create"))(threads) : NULL;
	library.output = (output_fn) symbol(handle, path, "nnpsharp_convolution_output_strided");
	library.gradient[0] = (gradient_fn) symbol(handle, path, "nnpsharp_convolution_input_gradient_strided");
	library.gradient[1] = (gradient_fn) symbol(handle, path, "nnpsharp_convolution_kernel_gradient_strided");
	return library;
}

struct problem {
	const struct layer* layer;
	struct nnp_size input, kernel, stride;
	struct nnp_padding padding;
	float *x, *w, *b, *y, *dy, *dx, *dw;
};

static float* random_floats(size_t count) {
	float* values = aligned_alloc(64, (count * sizeof(float) + 63) / 64 * 64);
	for (size_t i = 0; i < count; i++) values[i] = (float) rand() / (float) RAND_MAX - 0.5f;
	return values;
}

/* A copy of `count` floats that starts `offset` bytes past a cache line; *base is what to free. */
static float* offset_copy(const float* source, size_t count, size_t offset, void** base) {
	*base = aligned_alloc(64, (count * sizeof(float) + offset + 63) / 64 * 64);
	float* values = (float*) ((char*) *base + offset);
	memcpy(values, source, count * sizeof(float));
	return values;
}

static size_t out_height(const struct layer* l) { return (l->h + 2 * l->pad_h - l->kh) / l->stride + 1; }
static size_t out_width(const struct layer* l) { return (l->h + 2 * l->pad_w - l->kw) / l->stride + 1; }

static enum nnp_status call(const struct library* library, int pass, const struct problem* p, void* workspace, size_t* size) {
	const struct layer* l = p->layer;
	switch (pass) {
		case 0: return library->output(library->algorithm, l->n, l->ci, l->co, p->input, p->padding, p->kernel, p->stride,
			p->x, p->w, p->b, p->y, workspace, size, nnp_activation_identity, NULL, library->pool, NULL);
		case 1: return library->gradient[0](library->algorithm, l->n, l->ci, l->co, p->input, p->padding, p->kernel, p->stride,
			p->dy, p->w, p->dx, workspace, size, nnp_activation_identity, NULL, library->pool, NULL);
		default: return library->gradient[1](library->algorithm, l->n, l->ci, l->co, p->input, p->padding, p->kernel, p->stride,
			p->x, p->dy, p->dw, workspace, size, nnp_activation_identity, NULL, library->pool, NULL);
	}
}

/* Seconds per call: an untimed pre-roll of >= 15 ms, then a timed batch of >= 50 ms (at least 2 calls). */
static double time_batch(const struct library* library, int pass, const struct problem* p, void* workspace, size_t size) {
	for (double start = now(); now() - start < 0.015;) call(library, pass, p, workspace, &size);
	size_t calls = 0;
	const double start = now();
	double elapsed;
	do {
		call(library, pass, p, workspace, &size);
		calls++;
		elapsed = now() - start;
	} while (elapsed < 0.05 || calls < 2);
	return elapsed / (double) calls;
}

static int by_value(const void* a, const void* b) { return (*(const double*) a > *(const double*) b) - (*(const double*) a < *(const double*) b); }

static double median(double* values, size_t count) {
	qsort(values, count, sizeof(double), by_value);
	return count % 2 ? values[count / 2] : 0.5 * (values[count / 2 - 1] + values[count / 2]);
}

int main(int argc, char** argv) {
	if (argc < 3) {
		fprintf(stderr, "usage: %s <libnnpack A> <libnnpack B> [threads] [rounds] [layer name filter] [pass name filter]\n", argv[0]);
		return 2;
	}
	const size_t threads = argc > 3 ? (size_t) atoi(argv[3]) : 1, rounds = argc > 4 ? (size_t) atoi(argv[4]) : 9;
	const char* cpu_time = getenv("NNPS_AB_CPU_TIME");
	if (cpu_time != NULL && strcmp(cpu_time, "1") == 0 && threads == 1) timing_clock = CLOCK_THREAD_CPUTIME_ID;
	const char* pinned = getenv("NNPS_AB_ALGORITHMS");
	const char* b_offset_text = getenv("NNPS_AB_B_OFFSET");
	const size_t b_offset = b_offset_text != NULL ? (size_t) strtoul(b_offset_text, NULL, 10) : 0;
	if (b_offset % sizeof(float) != 0 || b_offset >= 64) {
		fprintf(stderr, "NNPS_AB_B_OFFSET must be a multiple of 4 below 64\n");
		return 2;
	}
	enum nnp_convolution_algorithm algorithms[2] = { nnp_convolution_algorithm_auto, nnp_convolution_algorithm_auto };
	if (pinned != NULL) {
		const char* comma = strchr(pinned, ',');
		if (comma == NULL) return fprintf(stderr, "NNPS_AB_ALGORITHMS=<A's>,<B's>\n"), 2;
		algorithms[0] = algorithm_named(pinned, (size_t) (comma - pinned));
		algorithms[1] = algorithm_named(comma + 1, strlen(comma + 1));
	}
	const struct library libraries[2] = { open_library(argv[1], threads, algorithms[0]), open_library(argv[2], threads, algorithms[1]) };
	const double peak = nnps_bench_fma_peak_gflops();
	if (timing_clock != CLOCK_MONOTONIC) printf("timing: CPU time of the calling thread (NNPS_AB_CPU_TIME=1)\n");
	if (pinned != NULL) printf("algorithms pinned (A,B): %s\n", pinned);
	if (b_offset != 0) printf("B's operands start %zu bytes past a cache line (NNPS_AB_B_OFFSET), A's on one\n", b_offset);
	printf("A: %s\nB: %s\nthreads %zu, %zu rounds; FMA peak of one core measured now: %.1f GFLOP/s (x%zu threads = %.1f)\n\n", argv[1], argv[2], threads,
		rounds, peak, threads, peak * (double) threads);
	printf("| layer | pass | A GFLOP/s | A %% peak | B GFLOP/s | B %% peak | B / A | same bits |\n|---|---|---:|---:|---:|---:|---:|---|\n");
	for (size_t i = 0; i < sizeof layers / sizeof layers[0]; i++) {
		const struct layer* l = &layers[i];
		if (argc > 5 && strstr(l->name, argv[5]) == NULL) continue;
		const size_t oh = out_height(l), ow = out_width(l), taps = l->kh * l->kw;
		struct problem p = {
			l, { l->h, l->h }, { l->kw, l->kh }, { l->stride, l->stride }, { l->pad_h, l->pad_w, l->pad_h, l->pad_w },
			random_floats(l->n * l->ci * l->h * l->h), random_floats(l->co * l->ci * taps), random_floats(l->co), random_floats(l->n * l->co * oh * ow),
			random_floats(l->n * l->co * oh * ow), random_floats(l->n * l->ci * l->h * l->h), random_floats(l->co * l->ci * taps),
		};
		const size_t input_floats = l->n * l->ci * l->h * l->h, kernel_floats = l->co * l->ci * taps, output_floats = l->n * l->co * oh * ow;
		void* b_bases[7] = { NULL }; /* free(NULL) where B shares A's operands */
		struct problem pb = p;
		if (b_offset != 0) {
			pb.x = offset_copy(p.x, input_floats, b_offset, &b_bases[0]);
			pb.w = offset_copy(p.w, kernel_floats, b_offset, &b_bases[1]);
			pb.b = offset_copy(p.b, l->co, b_offset, &b_bases[2]);
			pb.y = offset_copy(p.y, output_floats, b_offset, &b_bases[3]);
			pb.dy = offset_copy(p.dy, output_floats, b_offset, &b_bases[4]);
			pb.dx = offset_copy(p.dx, input_floats, b_offset, &b_bases[5]);
			pb.dw = offset_copy(p.dw, kernel_floats, b_offset, &b_bases[6]);
		}
		const struct problem* problems[2] = { &p, &pb };
		const double flops = 2.0 * (double) (l->n * l->co * oh * ow) * (double) (l->ci * taps);
		for (int pass = 0; pass < 3; pass++) {
			if (argc > 6 && strstr(pass_names[pass], argv[6]) == NULL) continue;
			size_t sizes[2] = { 0, 0 };
			void* workspaces[2];
			for (int e = 0; e < 2; e++) {
				if (call(&libraries[e], pass, problems[e], NULL, &sizes[e]) != nnp_status_success) {
					fprintf(stderr, "%s: %s %s refused\n", libraries[e].path, l->name, pass_names[pass]);
					return 1;
				}
				workspaces[e] = aligned_alloc(64, (sizes[e] + 64) / 64 * 64);
				memset(workspaces[e], 0, sizes[e]); /* first touch outside the timed region */
			}
			double seconds[2][64];
			for (size_t r = 0; r < rounds && r < 64; r++) {
				for (int slot = 0; slot < 2; slot++) {
					const int e = (int) ((r + (size_t) slot) % 2); /* rotate which engine runs first */
					seconds[e][r] = time_batch(&libraries[e], pass, problems[e], workspaces[e], sizes[e]);
				}
			}
			const double a = flops / median(seconds[0], rounds) / 1e9, b = flops / median(seconds[1], rounds) / 1e9;
			const double limit = peak * (double) threads;
			/* One more call of each, A's result kept aside: a change meant to keep every sum's order must give the same bits. */
			const size_t result_floats = pass == 0 ? output_floats : pass == 1 ? input_floats : kernel_floats;
			float* results[2] = { pass == 0 ? p.y : pass == 1 ? p.dx : p.dw, pass == 0 ? pb.y : pass == 1 ? pb.dx : pb.dw };
			float* kept = malloc(result_floats * sizeof(float));
			call(&libraries[0], pass, problems[0], workspaces[0], &sizes[0]);
			memcpy(kept, results[0], result_floats * sizeof(float));
			call(&libraries[1], pass, problems[1], workspaces[1], &sizes[1]);
			const bool same = memcmp(kept, results[1], result_floats * sizeof(float)) == 0;
			free(kept);
			printf("| %s | %s | %.1f | %.0f%% | %.1f | %.0f%% | %.2fx | %s |\n", l->name, pass_names[pass], a, 100 * a / limit, b, 100 * b / limit, b / a,
				same ? "yes" : "no");
			fflush(stdout);
			free(workspaces[0]);
			free(workspaces[1]);
		}
		free(p.x); free(p.w); free(p.b); free(p.y); free(p.dy); free(p.dx); free(p.dw);
		for (int i = 0; i < 7; i++) free(b_bases[i]);
	}
	return 0;
}
