/* The pthreadpool API backed by our own threads. A job's indices are cut into one contiguous range per thread (the
 * caller works alongside the workers); a thread runs its own range from the front and, when it is empty, takes what
 * is left of the others' ranges from their backs. Between jobs a worker spins briefly on the job counter before it
 * sleeps on a condition variable: the phases of one call follow each other within microseconds, and a futex wake-up
 * costs more than that. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "platform.h"
#include "threadpool.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
static inline void relax(void) { _mm_pause(); }
#elif defined(__aarch64__)
static inline void relax(void) { __asm__ __volatile__("yield"); }
#else
static inline void relax(void) {}
#endif

/* How long an idle worker (or a caller waiting for its workers) polls before sleeping: about 20-50 us of pauses. */
#define SPIN_ROUNDS 2000

struct pthreadpool {
	pthread_mutex_t mutex;
	pthread_cond_t wake;
	pthread_cond_t finished;
	pthread_mutex_t call;        /* one job at a time per pool */
	size_t threads;              /* counting the caller */
	pthread_t* workers;
	atomic_uint_fast64_t generation; /* bumped (release) once a job's fields are set */
	atomic_size_t busy;          /* workers still in the current job */
	atomic_bool stop;
	size_t sleepers;             /* workers waiting on `wake` (under mutex) */
	bool caller_sleeping;        /* the caller waits on `finished` (under mutex) */
	nnps_task_fn task;
	void* context;
	struct range* ranges;        /* one per thread */
};

/* One thread's share of a job, alone on its cache line. `length` is what is left of it: the owner and the thieves
 * each claim an index by decrementing it, then the owner takes `next` (only the owner moves it) and a thief takes
 * `end - 1`. On this VM a cache line moves between the two cores in ~240 ns: one shared counter for every index
 * cost that per task and made small phases slower on two threads than on one (an FFT's 432 multiplications of
 * ~0.25 us each); with a range each, the line stays with its owner until the owner or a thief runs out of work. */
struct range {
	_Alignas(64) atomic_size_t length;
	atomic_size_t end;
	size_t next;
	char padding[64 - 3 * sizeof(size_t)];
};

struct worker_start {
	struct pthreadpool* pool;
	size_t index;
};

/* Claims one index of `range` if any is left. */
static bool claim(struct range* range) {
	size_t left = atomic_load_explicit(&range->length, memory_order_relaxed);
	while (left != 0) {
		if (atomic_compare_exchange_weak_explicit(&range->length, &left, left - 1, memory_order_relaxed, memory_order_relaxed)) return true;
	}
	return false;
}

static void run_job(struct pthreadpool* pool, size_t thread_index) {
	struct range* own = &pool->ranges[thread_index];
	while (claim(own)) pool->task(pool->context, thread_index, own->next++);
	for (size_t step = 1; step < pool->threads; step++) {
		struct range* victim = &pool->ranges[(thread_index + step) % pool->threads];
		while (claim(victim)) pool->task(pool->context, thread_index, atomic_fetch_sub_explicit(&victim->end, 1, memory_order_relaxed) - 1);
	}
}

/* Waits until a job newer than `seen` starts (returns its generation) or the pool stops (returns `seen`). */
static uint64_t wait_for_job(struct pthreadpool* pool, uint64_t seen) {
	for (int i = 0; i < SPIN_ROUNDS; i++) {
		const uint64_t now = atomic_load_explicit(&pool->generation, memory_order_acquire);
		if (now != seen || atomic_load(&pool->stop)) return now;
		relax();
	}
	pthread_mutex_lock(&pool->mutex);
	uint64_t now;
	while ((now = atomic_load_explicit(&pool->generation, memory_order_acquire)) == seen && !atomic_load(&pool->stop)) {
		pool->sleepers++;
		pthread_cond_wait(&pool->wake, &pool->mutex);
		pool->sleepers--;
	}
	pthread_mutex_unlock(&pool->mutex);
	return now;
}

static void* worker_main(void* argument) {
	struct worker_start start = *(struct worker_start*) argument;
	free(argument);
	struct pthreadpool* pool = start.pool;
	uint64_t seen = 0;
	for (;;) {
		const uint64_t job = wait_for_job(pool, seen);
		if (atomic_load(&pool->stop)) break;
		seen = job;
		run_job(pool, start.index);
		if (atomic_fetch_sub_explicit(&pool->busy, 1, memory_order_acq_rel) == 1) {
			pthread_mutex_lock(&pool->mutex);
			if (pool->caller_sleeping) pthread_cond_signal(&pool->finished);
			pthread_mutex_unlock(&pool->mutex);
		}
	}
	return NULL;
}

pthreadpool_t pthreadpool_create(size_t threads_count) {
	if (threads_count == 0) threads_count = nnps_processor_count();
	struct pthreadpool* pool = calloc(1, sizeof(struct pthreadpool));
	if (pool == NULL) return NULL;
	pool->threads = threads_count;
	pthread_mutex_init(&pool->mutex, NULL);
	pthread_mutex_init(&pool->call, NULL);
	pthread_cond_init(&pool->wake, NULL);
	pthread_cond_init(&pool->finished, NULL);
	pool->workers = calloc(threads_count, sizeof(pthread_t));
	size_t range_bytes;
	pool->ranges = __builtin_mul_overflow(threads_count, sizeof(struct range), &range_bytes) ? NULL : nnps_aligned_alloc(64, range_bytes);
	if (pool->workers == NULL || pool->ranges == NULL) {
		free(pool->workers);
		if (pool->ranges != NULL) nnps_aligned_free(pool->ranges);
		free(pool);
		return NULL;
	}
	for (size_t i = 1; i < threads_count; i++) {
		struct worker_start* start = malloc(sizeof(struct worker_start));
		if (start != NULL) {
			start->pool = pool;
			start->index = i;
		}
		if (start == NULL || pthread_create(&pool->workers[i], NULL, worker_main, start) != 0) {
			free(start);
			pool->threads = i; /* destroy joins the ones that started */
			pthreadpool_destroy(pool);
			return NULL;
		}
	}
	return pool;
}

size_t pthreadpool_get_threads_count(pthreadpool_t pool) {
	return pool == NULL ? 1 : pool->threads;
}

void pthreadpool_destroy(pthreadpool_t pool) {
	if (pool == NULL) return;
	pthread_mutex_lock(&pool->mutex);
	atomic_store(&pool->stop, true);
	pthread_cond_broadcast(&pool->wake);
	pthread_mutex_unlock(&pool->mutex);
	for (size_t i = 1; i < pool->threads; i++) pthread_join(pool->workers[i], NULL);
	pthread_cond_destroy(&pool->wake);
	pthread_cond_destroy(&pool->finished);
	pthread_mutex_destroy(&pool->mutex);
	pthread_mutex_destroy(&pool->call);
	free(pool->workers);
	nnps_aligned_free(pool->ranges);
	free(pool);
}

void nnps_parallelize(pthreadpool_t pool, nnps_task_fn task, void* context, size_t range) {
	if (pool == NULL || pool->threads == 1 || range <= 1) {
		for (size_t i = 0; i < range; i++) task(context, 0, i);
		return;
	}
	pthread_mutex_lock(&pool->call);
	pool->task = task;
	pool->context = context;
	/* Thread t's range starts at t * range / threads, computed without the product t * range (which could wrap). The
	 * later ranges are the longer ones: giving the caller's range the extra index ran ResNet 3x3/2's forward 0.97x on
	 * two threads (nnpack_ab_bench). */
	const size_t share = range / pool->threads, rest = range % pool->threads;
	for (size_t t = 0; t < pool->threads; t++) {
		const size_t first = t * share + t * rest / pool->threads, end = (t + 1) * share + (t + 1) * rest / pool->threads;
		pool->ranges[t].next = first;
		atomic_store_explicit(&pool->ranges[t].end, end, memory_order_relaxed);
		atomic_store_explicit(&pool->ranges[t].length, end - first, memory_order_relaxed);
	}
	atomic_store(&pool->busy, pool->threads - 1);
	atomic_fetch_add_explicit(&pool->generation, 1, memory_order_release);
	/* Under the mutex, so a worker between its last check of the generation and its wait cannot miss the wake-up. */
	pthread_mutex_lock(&pool->mutex);
	if (pool->sleepers != 0) pthread_cond_broadcast(&pool->wake);
	pthread_mutex_unlock(&pool->mutex);
	run_job(pool, 0);
	for (int i = 0; i < SPIN_ROUNDS && atomic_load_explicit(&pool->busy, memory_order_acquire) != 0; i++) relax();
	if (atomic_load_explicit(&pool->busy, memory_order_acquire) != 0) {
		pthread_mutex_lock(&pool->mutex);
		pool->caller_sleeping = true;
		while (atomic_load_explicit(&pool->busy, memory_order_acquire) != 0) pthread_cond_wait(&pool->finished, &pool->mutex);
		pool->caller_sleeping = false;
		pthread_mutex_unlock(&pool->mutex);
	}
	pthread_mutex_unlock(&pool->call);
}
