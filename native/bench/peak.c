/* FMA peak: 24 independent accumulator chains in named registers (enough to cover the FMA latency on two pipes). */
#include <stdbool.h>
#include <time.h>

#include "peak.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define ITERATIONS 20000000L

static double seconds_between(const struct timespec* t0, const struct timespec* t1) {
	return (double) (t1->tv_sec - t0->tv_sec) + 1e-9 * (double) (t1->tv_nsec - t0->tv_nsec);
}

/* Declares acc0..acc11 (and acc12..acc23 when `WIDE`) of type T, runs `ITERATIONS` rounds of one FMA on each, and sums
 * them into `sink`. 24 chains plus two operands need the 32 vector registers of AVX-512 (EVEX reaches ymm16-31 too);
 * with the 16 of AVX2 they spill, a load and a store per FMA, so AVX2 alone runs 12 (enough for a 4-cycle latency on
 * two pipes). */
#define CHAINS(T, SET1, FMA, ADD, WIDE, sink) do { \
	T acc0 = SET1(0.0f), acc1 = SET1(1.0f), acc2 = SET1(2.0f), acc3 = SET1(3.0f), acc4 = SET1(4.0f), acc5 = SET1(5.0f); \
	T acc6 = SET1(6.0f), acc7 = SET1(7.0f), acc8 = SET1(8.0f), acc9 = SET1(9.0f), acc10 = SET1(10.0f), acc11 = SET1(11.0f); \
	T acc12 = SET1(12.0f), acc13 = SET1(13.0f), acc14 = SET1(14.0f), acc15 = SET1(15.0f), acc16 = SET1(16.0f), acc17 = SET1(17.0f); \
	T acc18 = SET1(18.0f), acc19 = SET1(19.0f), acc20 = SET1(20.0f), acc21 = SET1(21.0f), acc22 = SET1(22.0f), acc23 = SET1(23.0f); \
	const T a = SET1(0.999999f), b = SET1(1e-7f); \
	for (long n = 0; n < ITERATIONS; n++) { \
		acc0 = FMA(acc0, a, b); acc1 = FMA(acc1, a, b); acc2 = FMA(acc2, a, b); acc3 = FMA(acc3, a, b); \
		acc4 = FMA(acc4, a, b); acc5 = FMA(acc5, a, b); acc6 = FMA(acc6, a, b); acc7 = FMA(acc7, a, b); \
		acc8 = FMA(acc8, a, b); acc9 = FMA(acc9, a, b); acc10 = FMA(acc10, a, b); acc11 = FMA(acc11, a, b); \
		if (WIDE) { \
			acc12 = FMA(acc12, a, b); acc13 = FMA(acc13, a, b); acc14 = FMA(acc14, a, b); acc15 = FMA(acc15, a, b); \
			acc16 = FMA(acc16, a, b); acc17 = FMA(acc17, a, b); acc18 = FMA(acc18, a, b); acc19 = FMA(acc19, a, b); \
			acc20 = FMA(acc20, a, b); acc21 = FMA(acc21, a, b); acc22 = FMA(acc22, a, b); acc23 = FMA(acc23, a, b); \
		} \
	} \
	sink = ADD(ADD(ADD(ADD(acc0, acc1), ADD(acc2, acc3)), ADD(ADD(acc4, acc5), ADD(acc6, acc7))), \
		ADD(ADD(ADD(acc8, acc9), ADD(acc10, acc11)), ADD(ADD(acc12, acc13), ADD(acc14, acc15)))); \
	sink = ADD(sink, ADD(ADD(ADD(acc16, acc17), ADD(acc18, acc19)), ADD(ADD(acc20, acc21), ADD(acc22, acc23)))); \
} while (0)

static volatile float keep;

__attribute__((target("avx512f"))) static double avx512_flops_per_second(void) {
	struct timespec t0, t1;
	__m512 sink;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHAINS(__m512, _mm512_set1_ps, _mm512_fmadd_ps, _mm512_add_ps, true, sink);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	keep = _mm512_reduce_add_ps(sink);
	return (double) ITERATIONS * 24 * 32 / seconds_between(&t0, &t1);
}

#define YMM_CHAINS_BODY(wide) do { \
	struct timespec t0, t1; \
	__m256 sink; \
	clock_gettime(CLOCK_MONOTONIC, &t0); \
	CHAINS(__m256, _mm256_set1_ps, _mm256_fmadd_ps, _mm256_add_ps, wide, sink); \
	clock_gettime(CLOCK_MONOTONIC, &t1); \
	float lanes[8]; \
	_mm256_storeu_ps(lanes, sink); \
	keep = lanes[0]; \
	return (double) ITERATIONS * ((wide) ? 24 : 12) * 16 / seconds_between(&t0, &t1); \
} while (0)

/* ymm chains where AVX-512 gives them 32 registers, and where AVX2 gives them 16. */
__attribute__((target("avx512f,avx512vl,fma"))) static double avx512vl_ymm_flops_per_second(void) { YMM_CHAINS_BODY(true); }
__attribute__((target("avx2,fma"))) static double avx2_flops_per_second(void) { YMM_CHAINS_BODY(false); }

static double ymm_flops_per_second(void) {
	return __builtin_cpu_supports("avx512vl") ? avx512vl_ymm_flops_per_second() : avx2_flops_per_second();
}

double nnps_bench_fma_peak_gflops(void) {
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx512f")) return avx512_flops_per_second() / 1e9;
	if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return ymm_flops_per_second() / 1e9;
	return 0.0;
}

double nnps_bench_fma_peak_ymm_gflops(void) {
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? ymm_flops_per_second() / 1e9 : 0.0;
}
#else
double nnps_bench_fma_peak_gflops(void) { return 0.0; }
double nnps_bench_fma_peak_ymm_gflops(void) { return 0.0; }
#endif
