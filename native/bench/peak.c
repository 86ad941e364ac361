/* FMA peak: 16 independent accumulator chains (enough to cover the FMA latency on two pipes) for ~0.2 s. */
#include <time.h>

#include "peak.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define CHAINS 16
#define ITERATIONS 20000000

__attribute__((target("avx512f"))) static double avx512_flops_per_second(void) {
	__m512 acc[CHAINS];
	for (int i = 0; i < CHAINS; i++) acc[i] = _mm512_set1_ps((float) i);
	const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long n = 0; n < ITERATIONS; n++) {
		for (int i = 0; i < CHAINS; i++) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	float sink = 0.0f;
	for (int i = 0; i < CHAINS; i++) sink += _mm512_reduce_add_ps(acc[i]);
	const double seconds = (double) (t1.tv_sec - t0.tv_sec) + 1e-9 * (double) (t1.tv_nsec - t0.tv_nsec);
	return (double) ITERATIONS * CHAINS * 32 / seconds + (sink == 12345.0f ? 1 : 0);
}

__attribute__((target("avx2,fma"))) static double avx2_flops_per_second(void) {
	__m256 acc[CHAINS];
	for (int i = 0; i < CHAINS; i++) acc[i] = _mm256_set1_ps((float) i);
	const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long n = 0; n < ITERATIONS; n++) {
		for (int i = 0; i < CHAINS; i++) acc[i] = _mm256_fmadd_ps(acc[i], a, b);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	float sink[8] = { 0 };
	for (int i = 0; i < CHAINS; i++) _mm256_storeu_ps(sink, _mm256_add_ps(_mm256_loadu_ps(sink), acc[i]));
	const double seconds = (double) (t1.tv_sec - t0.tv_sec) + 1e-9 * (double) (t1.tv_nsec - t0.tv_nsec);
	return (double) ITERATIONS * CHAINS * 16 / seconds + (sink[0] == 12345.0f ? 1 : 0);
}

double nnps_bench_fma_peak_gflops(void) {
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx512f")) return avx512_flops_per_second() / 1e9;
	if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return avx2_flops_per_second() / 1e9;
	return 0.0;
}
#else
double nnps_bench_fma_peak_gflops(void) { return 0.0; }
#endif
