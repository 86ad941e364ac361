/* The scalar loops of the non-convolution operators and of col2im's stride-2 fold: vector-ops-lanes.h and fold-lanes.h compiled with this folder's flags (four xmm (or NEON) registers per vector, no FMA). */
#include "../fold-lanes.h"

NNPS_VECTOR_OPS_DEFINE(scalar)
NNPS_FOLD_OPS_DEFINE(scalar)
