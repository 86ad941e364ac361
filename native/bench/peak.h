/* The FMA peak of one core, measured: independent multiply-add chains at the widest vector width this CPU runs. */
#ifndef NNPS_BENCH_PEAK_H
#define NNPS_BENCH_PEAK_H

double nnps_bench_fma_peak_gflops(void);

/* The same with 256-bit vectors (AVX2 and FMA; 0 without them): the peak an AVX2 kernel is measured against. */
double nnps_bench_fma_peak_ymm_gflops(void);

#endif
