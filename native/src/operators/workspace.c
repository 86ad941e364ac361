/* The workspace protocol of upstream's convolution functions. */
#include "workspace.h"

enum nnp_status nnps_workspace_acquire(void* buffer, size_t* size, size_t floats, struct nnps_workspace* workspace) {
	*workspace = (struct nnps_workspace) { buffer, false, false };
	size_t bytes;
	if (__builtin_mul_overflow(floats, sizeof(float), &bytes)) return nnp_status_out_of_memory;
	if (buffer == NULL) {
		if (size != NULL) {
			*size = bytes;
			workspace->size_query = true;
			return nnp_status_success;
		}
		void* memory = nnps_aligned_alloc(NNPS_ALIGNMENT, bytes);
		if (memory == NULL) return nnp_status_out_of_memory;
		*workspace = (struct nnps_workspace) { memory, true, false };
		return nnp_status_success;
	}
	if (size == NULL || *size < bytes) return nnp_status_insufficient_buffer;
	if ((uintptr_t) buffer % NNPS_ALIGNMENT != 0) return nnp_status_misaligned_buffer;
	return nnp_status_success;
}

void nnps_workspace_release(struct nnps_workspace* workspace) {
	if (workspace->owned) nnps_aligned_free(workspace->memory);
	workspace->memory = NULL;
	workspace->owned = false;
}
