/* Upstream's workspace protocol for the convolutions: with no buffer and a size pointer, report the size needed;
 * with neither, use memory of the library's own (kept between calls: runtime/workspace-cache.h); with a buffer, check
 * its size and alignment. */
#ifndef NNPS_OPERATORS_WORKSPACE_H
#define NNPS_OPERATORS_WORKSPACE_H

#include "nnpack.h"
#include "../runtime/util.h"

struct nnps_workspace {
	float* memory;
	bool owned;      /* allocated here (from the workspace cache): nnps_workspace_release gives it back */
	bool size_query; /* the caller only asked for the size, which is now in *workspace_size: compute nothing */
	size_t capacity; /* bytes of an owned buffer */
};

/* Resolves the caller's (buffer, size) for a call needing `floats` floats. */
NNPS_INTERNAL enum nnp_status nnps_workspace_acquire(void* buffer, size_t* size, size_t floats, struct nnps_workspace* workspace);
NNPS_INTERNAL void nnps_workspace_release(struct nnps_workspace* workspace);

#endif
