/* The cache of internally allocated workspaces (see workspace-cache.h). */
#include <pthread.h>

#include "platform.h"
#include "workspace-cache.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	void* memory;
	size_t capacity;
} cached[NNPS_CACHED_WORKSPACES];
static size_t cached_bytes;

void* nnps_workspace_cache_take(size_t bytes, size_t* capacity) {
	pthread_mutex_lock(&lock);
	size_t best = NNPS_CACHED_WORKSPACES;
	for (size_t i = 0; i < NNPS_CACHED_WORKSPACES; i++) {
		if (cached[i].memory != NULL && cached[i].capacity >= bytes && (best == NNPS_CACHED_WORKSPACES || cached[i].capacity < cached[best].capacity)) best = i;
	}
	void* memory = NULL;
	if (best < NNPS_CACHED_WORKSPACES) {
		memory = cached[best].memory;
		*capacity = cached[best].capacity;
		cached_bytes -= cached[best].capacity;
		cached[best].memory = NULL;
	}
	pthread_mutex_unlock(&lock);
	if (memory != NULL) return memory;
	*capacity = bytes;
	return nnps_aligned_alloc(NNPS_ALIGNMENT, bytes == 0 ? 1 : bytes);
}

void nnps_workspace_cache_give(void* memory, size_t capacity) {
	pthread_mutex_lock(&lock);
	/* An empty slot, else the smallest cached buffer if this one is larger (the larger serves more calls). */
	size_t slot = NNPS_CACHED_WORKSPACES;
	for (size_t i = 0; i < NNPS_CACHED_WORKSPACES; i++) {
		if (cached[i].memory == NULL) {
			slot = i;
			break;
		}
		if (cached[i].capacity < capacity && (slot == NNPS_CACHED_WORKSPACES || cached[i].capacity < cached[slot].capacity)) slot = i;
	}
	void* evicted = NULL;
	if (slot < NNPS_CACHED_WORKSPACES) {
		const size_t freed = cached[slot].memory != NULL ? cached[slot].capacity : 0;
		if (cached_bytes - freed + capacity <= NNPS_CACHED_BYTES) {
			evicted = cached[slot].memory;
			cached_bytes = cached_bytes - freed + capacity;
			cached[slot].memory = memory;
			cached[slot].capacity = capacity;
			memory = NULL;
		}
	}
	pthread_mutex_unlock(&lock);
	if (evicted != NULL) nnps_aligned_free(evicted);
	if (memory != NULL) nnps_aligned_free(memory);
}

void nnps_workspace_cache_drop(void) {
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < NNPS_CACHED_WORKSPACES; i++) {
		if (cached[i].memory != NULL) nnps_aligned_free(cached[i].memory);
		cached[i].memory = NULL;
	}
	cached_bytes = 0;
	pthread_mutex_unlock(&lock);
}
