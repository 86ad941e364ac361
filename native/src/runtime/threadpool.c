/* The pthreadpool API backed by our own threads: workers sleep on a condition variable between jobs; a job hands out
 * indices from an atomic counter, and the calling thread works alongside the workers. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "threadpool.h"

struct pthreadpool {
	pthread_mutex_t mutex;
	pthread_cond_t wake;
	pthread_cond_t finished;
	pthread_mutex_t call; /* one job at a time per pool */
	size_t threads;       /* counting the caller */
	pthread_t* workers;
	uint64_t generation;
	size_t busy;
	bool stop;
	nnps_task_fn task;
	void* context;
	size_t range;
	atomic_size_t next;
};

struct worker_start {
	struct pthreadpool* pool;
	size_t index;
};

static void run_job(struct pthreadpool* pool, size_t thread_index) {
	for (size_t i = atomic_fetch_add(&pool->next, 1); i < pool->range; i = atomic_fetch_add(&pool->next, 1)) {
		pool->task(pool->context, thread_index, i);
	}
}

static void* worker_main(void* argument) {
	struct worker_start start = *(struct worker_start*) argument;
	free(argument);
	struct pthreadpool* pool = start.pool;
	uint64_t seen = 0;
	pthread_mutex_lock(&pool->mutex);
	for (;;) {
		while (pool->generation == seen && !pool->stop) pthread_cond_wait(&pool->wake, &pool->mutex);
		if (pool->stop) break;
		seen = pool->generation;
		pthread_mutex_unlock(&pool->mutex);
		run_job(pool, start.index);
		pthread_mutex_lock(&pool->mutex);
		if (--pool->busy == 0) pthread_cond_signal(&pool->finished);
	}
	pthread_mutex_unlock(&pool->mutex);
	return NULL;
}

pthreadpool_t pthreadpool_create(size_t threads_count) {
	if (threads_count == 0) {
		long online = sysconf(_SC_NPROCESSORS_ONLN);
		threads_count = online > 0 ? (size_t) online : 1;
	}
	struct pthreadpool* pool = calloc(1, sizeof(struct pthreadpool));
	if (pool == NULL) return NULL;
	pool->threads = threads_count;
	pthread_mutex_init(&pool->mutex, NULL);
	pthread_mutex_init(&pool->call, NULL);
	pthread_cond_init(&pool->wake, NULL);
	pthread_cond_init(&pool->finished, NULL);
	pool->workers = calloc(threads_count, sizeof(pthread_t));
	if (pool->workers == NULL) {
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
	pool->stop = true;
	pthread_cond_broadcast(&pool->wake);
	pthread_mutex_unlock(&pool->mutex);
	for (size_t i = 1; i < pool->threads; i++) pthread_join(pool->workers[i], NULL);
	pthread_cond_destroy(&pool->wake);
	pthread_cond_destroy(&pool->finished);
	pthread_mutex_destroy(&pool->mutex);
	pthread_mutex_destroy(&pool->call);
	free(pool->workers);
	free(pool);
}

void nnps_parallelize(pthreadpool_t pool, nnps_task_fn task, void* context, size_t range) {
	if (pool == NULL || pool->threads == 1 || range <= 1) {
		for (size_t i = 0; i < range; i++) task(context, 0, i);
		return;
	}
	pthread_mutex_lock(&pool->call);
	pthread_mutex_lock(&pool->mutex);
	pool->task = task;
	pool->context = context;
	pool->range = range;
	atomic_store(&pool->next, 0);
	pool->busy = pool->threads - 1;
	pool->generation++;
	pthread_cond_broadcast(&pool->wake);
	pthread_mutex_unlock(&pool->mutex);
	run_job(pool, 0);
	pthread_mutex_lock(&pool->mutex);
	while (pool->busy != 0) pthread_cond_wait(&pool->finished, &pool->mutex);
	pthread_mutex_unlock(&pool->mutex);
	pthread_mutex_unlock(&pool->call);
}
