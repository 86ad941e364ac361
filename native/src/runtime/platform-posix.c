/* platform.h on Linux and other POSIX systems. */
#include <time.h>
#include <unistd.h>

#include "platform.h"

void* nnps_aligned_alloc(size_t alignment, size_t bytes) {
	void* memory = NULL;
	/* posix_memalign may refuse a size of 0 (or return a pointer that must not be used): ask for one line instead. */
	return posix_memalign(&memory, alignment, bytes == 0 ? alignment : bytes) == 0 ? memory : NULL;
}

void nnps_aligned_free(void* memory) {
	free(memory);
}

size_t nnps_processor_count(void) {
	const long online = sysconf(_SC_NPROCESSORS_ONLN);
	return online > 0 ? (size_t) online : 1;
}

size_t nnps_cache_bytes(unsigned level) {
	long size = -1;
#if defined(_SC_LEVEL1_DCACHE_SIZE) && defined(_SC_LEVEL2_CACHE_SIZE) && defined(_SC_LEVEL3_CACHE_SIZE)
	/* glibc reads these from CPUID (x86) or the cache description the kernel exports. */
	switch (level) {
		case 1: size = sysconf(_SC_LEVEL1_DCACHE_SIZE); break;
		case 2: size = sysconf(_SC_LEVEL2_CACHE_SIZE); break;
		case 3: size = sysconf(_SC_LEVEL3_CACHE_SIZE); break;
		default: break;
	}
#else
	(void) level;
#endif
	return size > 0 ? (size_t) size : 0;
}

double nnps_now_seconds(void) {
	struct timespec time;
	clock_gettime(CLOCK_MONOTONIC, &time);
	return (double) time.tv_sec + 1e-9 * (double) time.tv_nsec;
}
