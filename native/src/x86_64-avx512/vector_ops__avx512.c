/* The avx512 loops of the non-convolution operators and of col2im's stride-2 fold: vector-ops-lanes.h and fold-lanes.h compiled with this folder's flags (one zmm register per vector). */
#include "../fold-lanes.h"

NNPS_VECTOR_OPS_DEFINE(avx512)
NNPS_FOLD_OPS_DEFINE(avx512)
