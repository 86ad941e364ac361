/* The C tests' pseudo-random numbers: Marsaglia's xorshift64, one state per test program (its seed fixed there), so
 * every run draws the same cases. */
#ifndef NNPS_TESTS_XORSHIFT_H
#define NNPS_TESTS_XORSHIFT_H

static inline unsigned long long xorshift64(unsigned long long* state) {
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

#endif
