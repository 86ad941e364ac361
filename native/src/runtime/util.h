/* Small helpers every layer shares: alignment, integer rounding, overflow-checked products; the platform's services. */
#ifndef NNPS_RUNTIME_UTIL_H
#define NNPS_RUNTIME_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "platform.h"

/* Workspaces, packed panels and transform buffers are aligned to a cache line (and a zmm register). */
#define NNPS_ALIGNMENT 64
#define NNPS_FLOATS_PER_LINE (NNPS_ALIGNMENT / sizeof(float))

static inline size_t nnps_min(size_t a, size_t b) { return a < b ? a : b; }
static inline size_t nnps_max(size_t a, size_t b) { return a > b ? a : b; }
static inline size_t nnps_ceil_div(size_t a, size_t b) { return (a + b - 1) / b; }
static inline size_t nnps_round_up(size_t value, size_t multiple) { return nnps_ceil_div(value, multiple) * multiple; }
static inline size_t nnps_round_down(size_t value, size_t multiple) { return value / multiple * multiple; }
static inline size_t nnps_clamp(size_t value, size_t low, size_t high) { return value < low ? low : value > high ? high : value; }

/* *product = a * b * c * d, false when it overflows size_t. */
static inline bool nnps_product4(size_t a, size_t b, size_t c, size_t d, size_t* product) {
	size_t value;
	return !__builtin_mul_overflow(a, b, &value) && !__builtin_mul_overflow(value, c, &value) && !__builtin_mul_overflow(value, d, product);
}

#endif
