/* The portable FFT tile transforms (the reference for the others): the lane loops of fft-tile-lanes.h at the baseline ISA's vector width. */
#include "../fft-tile-lanes.h"

NNPS_FFT_DEFINE_TRANSFORMS(scalar)
