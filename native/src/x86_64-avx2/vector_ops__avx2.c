/* The avx2 loops of the non-convolution operators and of col2im's stride-2 fold: vector-ops-lanes.h and fold-lanes.h compiled with this folder's flags (two ymm registers per vector, FMA contracted). */
#include "../fold-lanes.h"

NNPS_VECTOR_OPS_DEFINE(avx2)
NNPS_FOLD_OPS_DEFINE(avx2)
