/*
 * Memory for the workspaces the library allocates itself (a caller who passes neither a buffer nor a size): kept
 * between calls, so a call does not fault in fresh pages each time (12-16 us per 4 KiB page on the dev VM: a
 * Winograd kernel gradient of AlexNet conv3 took 133 ms that way, 8.6 ms on a reused buffer). At most
 * NNPS_CACHED_WORKSPACES buffers and NNPS_CACHED_BYTES bytes stay cached; nnp_deinitialize frees them. Thread-safe.
 */
#ifndef NNPS_RUNTIME_WORKSPACE_CACHE_H
#define NNPS_RUNTIME_WORKSPACE_CACHE_H

#include "util.h"

#define NNPS_CACHED_WORKSPACES 4
#define NNPS_CACHED_BYTES ((size_t) 1 << 30)

/* A buffer of at least `bytes` bytes aligned to NNPS_ALIGNMENT (a cached one when one is large enough), its real size
 * in *capacity; NULL when out of memory. */
NNPS_INTERNAL void* nnps_workspace_cache_take(size_t bytes, size_t* capacity);

/* Gives a buffer from nnps_workspace_cache_take back: cached for the next call, or freed. */
NNPS_INTERNAL void nnps_workspace_cache_give(void* memory, size_t capacity);

/* Frees every cached buffer. */
NNPS_INTERNAL void nnps_workspace_cache_drop(void);

#endif
