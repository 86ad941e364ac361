/* auto's measured choices: timing the candidates, and the process-wide cache of what won. */
#include <pthread.h>
#include <string.h>

#include "measured-auto.h"
#include "../runtime/hardware.h"

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct nnps_auto_key cached_keys[NNPS_AUTO_CACHE_SIZE];
static enum nnps_algorithm cached_algorithms[NNPS_AUTO_CACHE_SIZE];
static size_t cached_count, oldest; /* filled slots; the slot replaced next once all are filled */

struct nnps_auto_key nnps_auto_key_of(enum nnps_function function, bool relu, const struct nnps_conv* g) {
	struct nnps_auto_key key;
	memset(&key, 0, sizeof key);
	key.function = function;
	key.relu = relu;
	key.isa_level = (int) nnps_hardware.isa.level;
	key.conv = *g;
	return key;
}

/* Keys are built zero-filled (padding included), so whole-struct comparison is exact. */
static bool find(const struct nnps_auto_key* key, enum nnps_algorithm* algorithm) {
	for (size_t i = 0; i < cached_count; i++) {
		if (memcmp(&cached_keys[i], key, sizeof *key) == 0) {
			*algorithm = cached_algorithms[i];
			return true;
		}
	}
	return false;
}

bool nnps_auto_lookup(const struct nnps_auto_key* key, enum nnps_algorithm* algorithm) {
	pthread_mutex_lock(&cache_lock);
	const bool found = find(key, algorithm);
	pthread_mutex_unlock(&cache_lock);
	return found;
}

/* Stores key's choice unless another call stored one first; returns what the cache holds. */
static enum nnps_algorithm store(const struct nnps_auto_key* key, enum nnps_algorithm algorithm) {
	pthread_mutex_lock(&cache_lock);
	enum nnps_algorithm kept;
	if (!find(key, &kept)) {
		size_t slot = cached_count;
		if (cached_count < NNPS_AUTO_CACHE_SIZE) {
			cached_count++;
		} else {
			slot = oldest;
			oldest = (oldest + 1) % NNPS_AUTO_CACHE_SIZE;
		}
		cached_keys[slot] = *key;
		cached_algorithms[slot] = algorithm;
		kept = algorithm;
	}
	pthread_mutex_unlock(&cache_lock);
	return kept;
}

static double timed(nnps_auto_run_fn run, void* context, enum nnps_algorithm algorithm) {
	const double start = nnps_now_seconds();
	run(context, algorithm);
	return nnps_now_seconds() - start;
}

enum nnps_algorithm nnps_auto_measure(
	const struct nnps_auto_key* key, const enum nnps_algorithm* candidates, size_t count, nnps_auto_run_fn run, void* context)
{
	double seconds[nnps_algorithm_count];
	for (size_t round = 0; round < NNPS_AUTO_MAX_ROUNDS; round++) {
		double fastest = 0;
		for (size_t i = 0; i < count; i++) {
			const double t = timed(run, context, candidates[i]);
			if (round == 0 || t < seconds[i]) seconds[i] = t;
			if (i == 0 || seconds[i] < fastest) fastest = seconds[i];
		}
		if (round + 1 >= NNPS_AUTO_MIN_ROUNDS && fastest >= NNPS_AUTO_SHORT_CALL) break;
	}
	size_t best = 0;
	for (size_t i = 1; i < count; i++) if (seconds[i] < seconds[best] * (1.0 - NNPS_AUTO_MARGIN)) best = i;
	const enum nnps_algorithm kept = store(key, candidates[best]);
	if (kept != candidates[count - 1]) run(context, kept);
	return kept;
}
