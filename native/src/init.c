/* nnp_initialize: picks the widest ISA level the CPU and OS support (capped by NNPACKSHARP_ISA) and the cache sizes. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

NNPS_INTERNAL struct nnps_hardware nnps_hardware;

enum nnps_isa_level { nnps_isa_scalar = 0, nnps_isa_avx2 = 1, nnps_isa_avx512 = 2 };

static enum nnps_isa_level detect_isa(void) {
#if defined(__x86_64__) && defined(NNPS_HAVE_X86_KERNELS)
	/* __builtin_cpu_supports consults XGETBV too: a level counts only when the OS saves its registers. */
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw")) {
		return nnps_isa_avx512;
	}
	if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
		return nnps_isa_avx2;
	}
#endif
	return nnps_isa_scalar;
}

/* NNPACKSHARP_ISA caps the level; an unknown value is ignored rather than failing initialisation. */
static enum nnps_isa_level isa_cap(void) {
	const char* cap = getenv("NNPACKSHARP_ISA");
	if (cap == NULL) return nnps_isa_avx512;
	if (strcmp(cap, "scalar") == 0) return nnps_isa_scalar;
	if (strcmp(cap, "avx2") == 0) return nnps_isa_avx2;
	return nnps_isa_avx512;
}

/* Cache sizes from sysconf where the OS knows them; hypervisors often hide the CPUID cache leaves, so fall back to
 * sizes typical of current x86-64 cores instead of refusing to initialise (which is what upstream does). */
static size_t cache_size(int name, size_t fallback) {
	long size = sysconf(name);
	return size > 0 ? (size_t) size : fallback;
}

enum nnp_status nnp_initialize(void) {
	if (nnps_hardware.initialized) return nnp_status_success;
	enum nnps_isa_level level = detect_isa();
	enum nnps_isa_level cap = isa_cap();
	if (level > cap) level = cap;
	switch (level) {
#if defined(NNPS_HAVE_X86_KERNELS)
		case nnps_isa_avx512:
			nnps_hardware.isa = "avx512";
			nnps_hardware.sgemm = (struct nnps_sgemm_kernel) { nnps_sgemm_ukernel_6x32__avx512, 6, 32, "sgemm 6x32 avx512" };
			break;
		case nnps_isa_avx2:
			nnps_hardware.isa = "avx2";
			nnps_hardware.sgemm = (struct nnps_sgemm_kernel) { nnps_sgemm_ukernel_6x16__avx2, 6, 16, "sgemm 6x16 avx2" };
			break;
#endif
		default:
			nnps_hardware.isa = "scalar";
			nnps_hardware.sgemm = (struct nnps_sgemm_kernel) { nnps_sgemm_ukernel_4x8__scalar, 4, 8, "sgemm 4x8 scalar" };
			break;
	}
#if defined(_SC_LEVEL1_DCACHE_SIZE)
	nnps_hardware.l1_bytes = cache_size(_SC_LEVEL1_DCACHE_SIZE, 32 * 1024);
	nnps_hardware.l2_bytes = cache_size(_SC_LEVEL2_CACHE_SIZE, 1024 * 1024);
	nnps_hardware.l3_bytes = cache_size(_SC_LEVEL3_CACHE_SIZE, 8 * 1024 * 1024);
#else
	nnps_hardware.l1_bytes = 32 * 1024;
	nnps_hardware.l2_bytes = 1024 * 1024;
	nnps_hardware.l3_bytes = 8 * 1024 * 1024;
#endif
	nnps_hardware.initialized = true;
	return nnp_status_success;
}

enum nnp_status nnp_deinitialize(void) {
	nnps_hardware.initialized = false;
	return nnp_status_success;
}

const char* nnpsharp_isa(void) {
	return nnps_hardware.initialized ? nnps_hardware.isa : NULL;
}
