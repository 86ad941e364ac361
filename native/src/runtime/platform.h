/* What the library asks of the operating system, in one place: symbol visibility, aligned memory, the processor count,
 * the cache sizes, a monotonic clock, and the glibc versions the thread functions bind to. platform-posix.c (Linux and
 * other POSIX systems) and platform-windows.c implement it; CMake compiles the one for the target. Threads themselves
 * are POSIX threads everywhere: glibc's, or mingw-w64's winpthreads linked statically into nnpack.dll. */
#ifndef NNPS_RUNTIME_PLATFORM_H
#define NNPS_RUNTIME_PLATFORM_H

#include <stddef.h>
#include <stdlib.h> /* defines __GLIBC__ where the C library is glibc */

/* Internal functions: hidden, so the library exports the NNPACK API and our nnpsharp_* extensions only. A DLL exports
 * only what is marked dllexport (NNP_API), and GCC rejects the visibility attribute for PE targets. */
#if defined(_WIN32)
#define NNPS_INTERNAL
#else
#define NNPS_INTERNAL __attribute__((visibility("hidden")))
#endif

/* The glibc floor is 2.27 (the oldest .NET supports). glibc 2.34 moved pthread_create and pthread_join from
 * libpthread into libc under a new symbol version; a plain link binds that version, and the library would not load
 * on older glibc. Bind the original versions instead, which glibc 2.34 and later keep for binaries built before
 * them; on older glibc they resolve from libpthread.so.0, which CMakeLists.txt keeps NEEDED for that reason.
 * native/tests/check_dependencies.cmake fails when any imported symbol version exceeds the floor. */
#if defined(__GLIBC__) && defined(__x86_64__)
__asm__(".symver pthread_create,pthread_create@GLIBC_2.2.5");
__asm__(".symver pthread_join,pthread_join@GLIBC_2.2.5");
#elif defined(__GLIBC__) && defined(__aarch64__)
__asm__(".symver pthread_create,pthread_create@GLIBC_2.17");
__asm__(".symver pthread_join,pthread_join@GLIBC_2.17");
#endif

/* `bytes` (at least one) bytes aligned to `alignment` (a power of two, at least sizeof(void*)); NULL when out of
 * memory. Free with nnps_aligned_free, never free(): on Windows they come from _aligned_malloc. */
NNPS_INTERNAL void* nnps_aligned_alloc(size_t alignment, size_t bytes);
NNPS_INTERNAL void nnps_aligned_free(void* memory);

/* Logical processors online (at least 1): the default size of a thread pool. */
NNPS_INTERNAL size_t nnps_processor_count(void);

/* The size in bytes of the level-`level` data (or unified) cache (1, 2 or 3) as the OS reports it; 0 when it does not
 * (hypervisors often hide them). */
NNPS_INTERNAL size_t nnps_cache_bytes(unsigned level);

/* Monotonic seconds, for nnp_profile. */
NNPS_INTERNAL double nnps_now_seconds(void);

#endif
