/* The AVX2 FFT tile transforms: fft-tile-lanes.h's butterflies compiled with AVX2 and FMA, each 16-lane vector two ymm
 * registers (the portable build has no FMA and four xmm registers per vector). */
#include "../fft-tile-lanes.h"

NNPS_FFT_DEFINE_TRANSFORMS(avx2)
