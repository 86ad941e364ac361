/* The scalar loops of the non-convolution operators: vector-ops-lanes.h compiled with this folder's flags (four xmm (or NEON) registers per vector, no FMA). */
#include "../vector-ops-lanes.h"

NNPS_VECTOR_OPS_DEFINE(scalar)
