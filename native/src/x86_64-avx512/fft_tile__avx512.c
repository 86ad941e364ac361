/* The AVX-512 FFT tile transforms: fft-tile-lanes.h's butterflies compiled with AVX-512's flags, each 16-lane vector
 * one zmm register. */
#include "../fft-tile-lanes.h"

NNPS_FFT_DEFINE_TRANSFORMS(avx512)
