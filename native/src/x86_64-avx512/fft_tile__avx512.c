/* The AVX-512 FFT tile transforms: the lane loops of fft-tile-lanes.h compiled with AVX-512's flags, so the 16 lanes of a block are one zmm register (the compiler's vectorisation, not intrinsics: measured against the portable ones in DEVELOPERS.md). */
#include "../fft-tile-lanes.h"

NNPS_FFT_DEFINE_TRANSFORMS(avx512)
