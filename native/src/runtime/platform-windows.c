/* platform.h on Windows (built by mingw-w64): the CRT's aligned heap, processor and cache queries from kernel32. */
#define WIN32_LEAN_AND_MEAN
#include <malloc.h>
#include <windows.h>

#include "platform.h"

void* nnps_aligned_alloc(size_t alignment, size_t bytes) {
	return _aligned_malloc(bytes == 0 ? alignment : bytes, alignment);
}

void nnps_aligned_free(void* memory) {
	_aligned_free(memory);
}

size_t nnps_processor_count(void) {
	/* Every processor group: a pool's threads are spread over groups by the scheduler on Windows 11 and later. */
	const DWORD count = GetActiveProcessorCount(ALL_PROCESSOR_GROUPS);
	return count > 0 ? (size_t) count : 1;
}

size_t nnps_cache_bytes(unsigned level) {
	DWORD bytes = 0;
	if (GetLogicalProcessorInformation(NULL, &bytes) || GetLastError() != ERROR_INSUFFICIENT_BUFFER || bytes == 0) return 0;
	SYSTEM_LOGICAL_PROCESSOR_INFORMATION* entries = malloc(bytes);
	if (entries == NULL) return 0;
	size_t size = 0;
	if (GetLogicalProcessorInformation(entries, &bytes)) {
		for (size_t i = 0; i < bytes / sizeof(*entries) && size == 0; i++) {
			const CACHE_DESCRIPTOR* cache = &entries[i].Cache;
			if (entries[i].Relationship == RelationCache && cache->Level == level && (cache->Type == CacheData || cache->Type == CacheUnified)) {
				size = cache->Size;
			}
		}
	}
	free(entries);
	return size;
}

double nnps_now_seconds(void) {
	LARGE_INTEGER frequency, now;
	QueryPerformanceFrequency(&frequency);
	QueryPerformanceCounter(&now);
	return (double) now.QuadPart / (double) frequency.QuadPart;
}
