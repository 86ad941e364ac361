/* The avx512 loops of the non-convolution operators: vector-ops-lanes.h compiled with this folder's flags (one zmm register per vector). */
#include "../vector-ops-lanes.h"

NNPS_VECTOR_OPS_DEFINE(avx512)
