/* The thread pool's parallel-for: every index of a job runs exactly once, on a valid thread index, for pools of 1 to
 * 8 threads and ranges from 0 to 10,000 (fewer indices than threads included), with tasks whose cost varies by three
 * orders of magnitude so that threads run out of their own range and take from the others'; one pool runs thousands
 * of jobs back to back (a job must never see the previous one's indices), and a NULL pool runs in order. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "runtime/threadpool.h"
#include "xorshift.h"

struct job {
	atomic_uint* runs; /* per index */
	size_t threads;
	atomic_uint bad_thread;
	atomic_size_t order; /* for the NULL pool: the next index expected */
	size_t heavy_every;  /* indices i with i % heavy_every == 0 spin ~1000x longer */
};

static volatile unsigned spin_sink; /* written by every spin, so the loop stays */

static void task(void* context, size_t thread, size_t index) {
	struct job* job = context;
	if (thread >= job->threads) atomic_fetch_add(&job->bad_thread, 1);
	const unsigned spins = job->heavy_every != 0 && index % job->heavy_every == 0 ? 20000 : 20;
	for (unsigned i = 0; i < spins; i++) spin_sink = i;
	atomic_fetch_add(&job->runs[index], 1);
}

static void in_order(void* context, size_t thread, size_t index) {
	struct job* job = context;
	if (thread != 0 || atomic_fetch_add(&job->order, 1) != index) atomic_fetch_add(&job->bad_thread, 1);
}

/* Runs one job of `range` indices; returns the number of failures. */
static size_t check_job(pthreadpool_t pool, size_t threads, size_t range, size_t heavy_every) {
	struct job job = { calloc(range + 1, sizeof(atomic_uint)), threads, 0, 0, heavy_every };
	nnps_parallelize(pool, task, &job, range);
	size_t failures = atomic_load(&job.bad_thread) != 0;
	for (size_t i = 0; i < range; i++) failures += atomic_load(&job.runs[i]) != 1;
	failures += atomic_load(&job.runs[range]) != 0; /* nothing past the range */
	if (failures != 0) fprintf(stderr, "FAIL: %zu threads, range %zu, heavy every %zu: %zu wrong\n", threads, range, heavy_every, failures);
	free((void*) job.runs);
	return failures;
}

int main(void) {
	unsigned long long rng = 0x2545F4914F6CDD1Dull;
	size_t failures = 0, jobs = 0;
	for (size_t threads = 1; threads <= 8; threads++) {
		pthreadpool_t pool = pthreadpool_create(threads);
		if (pool == NULL || pthreadpool_get_threads_count(pool) != threads) {
			fprintf(stderr, "FAIL: pthreadpool_create(%zu)\n", threads);
			return 1;
		}
		for (size_t range = 0; range <= 2 * threads + 1; range++, jobs++) failures += check_job(pool, threads, range, 3);
		for (size_t round = 0; round < 300; round++, jobs++) {
			const size_t range = (size_t) (xorshift64(&rng) % 10000);
			failures += check_job(pool, threads, range, 1 + (size_t) (xorshift64(&rng) % 64));
		}
		pthreadpool_destroy(pool);
	}
	struct job ordered = { NULL, 1, 0, 0, 0 };
	nnps_parallelize(NULL, in_order, &ordered, 1000);
	failures += atomic_load(&ordered.bad_thread) != 0 || atomic_load(&ordered.order) != 1000;
	printf("%zu jobs on pools of 1-8 threads, and 1000 indices in order on no pool: %zu failures\n", jobs, failures);
	return failures != 0;
}
