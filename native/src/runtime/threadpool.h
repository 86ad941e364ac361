/* The parallel-for every operator runs its phases on (threadpool.c implements upstream's pthreadpool API with it). */
#ifndef NNPS_RUNTIME_THREADPOOL_H
#define NNPS_RUNTIME_THREADPOOL_H

#include "nnpack.h"
#include "util.h"

/* task(context, thread_index, i) for every i in [0, range), spread over the pool's threads (the caller included);
 * returns when all are done. thread_index < pthreadpool_get_threads_count(pool) identifies per-thread scratch. A NULL
 * pool, a pool of one thread or a range of one runs on the caller, in order. */
typedef void (*nnps_task_fn)(void* context, size_t thread_index, size_t index);
NNPS_INTERNAL void nnps_parallelize(pthreadpool_t pool, nnps_task_fn task, void* context, size_t range);

#endif
