/* nnp_initialize: the widest ISA level the CPU and OS support (capped by NNPACKSHARP_ISA), its table, the caches. */
#include <stdlib.h>
#include <string.h>

#include "nnpacksharp.h"
#include "hardware.h"
#include "workspace-cache.h"

/* NNPACKSHARP_ISA caps the level; an unknown value is ignored rather than failing initialisation. */
static enum nnps_isa_level isa_cap(void) {
	const char* cap = getenv("NNPACKSHARP_ISA");
	if (cap == NULL) return nnps_isa_avx512;
	if (strcmp(cap, "scalar") == 0) return nnps_isa_scalar;
	if (strcmp(cap, "neon") == 0) return nnps_isa_neon;
	if (strcmp(cap, "avx2") == 0) return nnps_isa_avx2;
	return nnps_isa_avx512;
}

/* NNPACKSHARP_AUTO=static makes auto follow the cost model alone (the same choice in every process); anything else
 * keeps the default, measured. */
static bool auto_measured(void) {
	const char* policy = getenv("NNPACKSHARP_AUTO");
	return policy == NULL || strcmp(policy, "static") != 0;
}

enum nnp_status nnp_initialize(void) {
	if (nnps_hardware.initialized) return nnp_status_success;
	nnps_hardware.auto_measured = auto_measured();
	nnps_hardware.caches = nnps_detect_cache_sizes();
	/* Unlike upstream, never nnp_status_unsupported_hardware: the scalar level runs everywhere. */
	for (int level = (int) isa_cap(); level >= (int) nnps_isa_scalar; level--) {
		if (nnps_isa_supported((enum nnps_isa_level) level) && nnps_isa_table_for((enum nnps_isa_level) level, &nnps_hardware.caches, &nnps_hardware.isa)) break;
	}
	nnps_hardware.initialized = true;
	return nnp_status_success;
}

enum nnp_status nnp_deinitialize(void) {
	nnps_hardware.initialized = false;
	nnps_workspace_cache_drop();
	return nnp_status_success;
}

const char* nnpsharp_isa(void) {
	return nnps_hardware.initialized ? nnps_hardware.isa.name : NULL;
}
