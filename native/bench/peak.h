/* The FMA peak of one core, measured: independent multiply-add chains at the widest vector width this CPU runs. */
#ifndef NNPS_BENCH_PEAK_H
#define NNPS_BENCH_PEAK_H

double nnps_bench_fma_peak_gflops(void);

#endif
