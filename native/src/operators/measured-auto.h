/*
 * auto, measured (the default; NNPACKSHARP_AUTO=static selects the cost model alone). The first call for a
 * convolution shape times the candidate algorithms (convolution/algorithm.h: nnps_auto_candidates) on the call's own
 * operands and keeps the fastest for the life of the process; later calls of that shape run it straight away.
 *
 * The shape is the function, every extent, padding and stride, the activation and the ISA level, but not the thread
 * count: the choice made at the first call's thread count stands for every pool, so a result never depends on the
 * number of threads (the project's determinism rule). A process gives bit-identical results for a shape from its
 * first call on; two processes can differ where two algorithms run within NNPS_AUTO_MARGIN of each other, which is
 * what the static policy is for.
 *
 * The cache holds NNPS_AUTO_CACHE_SIZE shapes, replacing the oldest when full, behind one mutex (calls from several
 * threads are safe; two first calls of one shape at once both measure, and both then run the choice stored first).
 */
#ifndef NNPS_OPERATORS_MEASURED_AUTO_H
#define NNPS_OPERATORS_MEASURED_AUTO_H

#include "../convolution/algorithm.h"

#define NNPS_AUTO_CACHE_SIZE 256
/* A candidate replaces the static choice only when faster by more than this fraction: two algorithms that run alike
 * (timer noise decides between them) keep the static choice, so separate processes agree where it does not matter. */
#define NNPS_AUTO_MARGIN 0.03

struct nnps_auto_key {
	enum nnps_function function;
	bool relu;
	int isa_level;
	struct nnps_conv conv;
};

/* The key of a call on this ISA level, zero-filled around its fields (the cache compares whole keys). */
NNPS_INTERNAL struct nnps_auto_key nnps_auto_key_of(enum nnps_function function, bool relu, const struct nnps_conv* g);

/* Runs one candidate on the call's operands, writing the call's output. */
typedef void (*nnps_auto_run_fn)(void* context, enum nnps_algorithm algorithm);

/* The algorithm kept for key; false when the shape has not been measured (or was replaced). */
NNPS_INTERNAL bool nnps_auto_lookup(const struct nnps_auto_key* key, enum nnps_algorithm* algorithm);

/* Times the candidates (the static choice first) with run, keeps the fastest for key and returns the kept one, whose
 * result the output then holds (run once more when it was not the last one timed). The candidates run in rounds, each
 * round all of them in turn, and each counts its fastest round: at least NNPS_AUTO_MIN_ROUNDS rounds, up to
 * NNPS_AUTO_MAX_ROUNDS while the fastest takes under NNPS_AUTO_SHORT_CALL seconds. The first round pays for cold
 * caches and fresh pages, and a burst of other load hits one round rather than one candidate's every run. The first
 * call of a shape thus costs two to eight times the candidates' times together, at most about that many times the
 * model's reach times the chosen algorithm's alone. Eight rounds for short calls, not four: on a 2-core VM, a
 * sub-millisecond kernel gradient (odd 17->33 5x5, two threads) once kept implicit GEMM at a third of ft16x16's speed
 * after four. */
#define NNPS_AUTO_MIN_ROUNDS 2
#define NNPS_AUTO_MAX_ROUNDS 8
#define NNPS_AUTO_SHORT_CALL 0.005
NNPS_INTERNAL enum nnps_algorithm nnps_auto_measure(
	const struct nnps_auto_key* key, const enum nnps_algorithm* candidates, size_t count, nnps_auto_run_fn run, void* context);

#endif
