/* The avx2 loops of the non-convolution operators: vector-ops-lanes.h compiled with this folder's flags (two ymm registers per vector, FMA contracted). */
#include "../vector-ops-lanes.h"

NNPS_VECTOR_OPS_DEFINE(avx2)
