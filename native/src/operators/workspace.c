/* The workspace protocol of upstream's convolution functions. */
#include "workspace.h"
#include "../runtime/workspace-cache.h"

enum nnp_status nnps_workspace_acquire(void* buffer, size_t* size, size_t floats, struct nnps_workspace* workspace) {
	*workspace = (struct nnps_workspace) { buffer, false, false, 0 };
	size_t bytes;
	if (__builtin_mul_overflow(floats, sizeof(float), &bytes)) return nnp_status_out_of_memory;
	if (buffer == NULL) {
		if (size != NULL) {
			*size = bytes;
			workspace->size_query = true;
			return nnp_status_success;
		}
		size_t capacity;
		void* memory = nnps_workspace_cache_take(bytes, &capacity);
		if (memory == NULL) return nnp_status_out_of_memory;
		*workspace = (struct nnps_workspace) { memory, true, false, capacity };
		return nnp_status_success;
	}
	if (size == NULL || *size < bytes) return nnp_status_insufficient_buffer;
	if ((uintptr_t) buffer % NNPS_ALIGNMENT != 0) return nnp_status_misaligned_buffer;
	return nnp_status_success;
}

void nnps_workspace_release(struct nnps_workspace* workspace) {
	if (workspace->owned) nnps_workspace_cache_give(workspace->memory, workspace->capacity);
	workspace->memory = NULL;
	workspace->owned = false;
}
