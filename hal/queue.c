#include "hal/queue.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

enum { MS_PER_S = 1000, NS_PER_MS = 1000000, NS_PER_S = 1000000000 };

struct hal_queue {
    pthread_mutex_t lock;
    pthread_cond_t nonempty;
    hal_event *ring;
    size_t capacity, head, count, dropped;
    hal_queue_notify_fn notify;
    void *notify_ctx;
};

hal_err hal_queue_new(size_t capacity, hal_queue **out)
{
    *out = NULL;
    if (capacity == 0)
        return HAL_ERR_INVALID;
    hal_queue *q = calloc(1, sizeof *q);
    if (!q || !(q->ring = calloc(capacity, sizeof *q->ring))) {
        free(q);
        return HAL_ERR_NOMEM;
    }
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    /* Timeouts are intervals: the wall clock being set (the board has no RTC) must not stretch
     * them. */
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&q->nonempty, &attr);
    pthread_condattr_destroy(&attr);
    pthread_mutex_init(&q->lock, NULL);
    q->capacity = capacity;
    *out = q;
    return HAL_OK;
}

void hal_queue_free(hal_queue *q)
{
    if (!q)
        return;
    pthread_cond_destroy(&q->nonempty);
    pthread_mutex_destroy(&q->lock);
    free(q->ring);
    free(q);
}

void hal_queue_set_notify(hal_queue *q, hal_queue_notify_fn fn, void *ctx)
{
    pthread_mutex_lock(&q->lock);
    q->notify = fn;
    q->notify_ctx = ctx;
    pthread_mutex_unlock(&q->lock);
}

hal_err hal_queue_push(hal_queue *q, const hal_event *ev)
{
    pthread_mutex_lock(&q->lock);
    hal_err err = HAL_OK;
    if (q->count == q->capacity) {
        q->dropped++;
        err = HAL_ERR_BUSY;
    } else {
        q->ring[(q->head + q->count) % q->capacity] = *ev;
        q->count++;
        pthread_cond_signal(&q->nonempty);
    }
    hal_queue_notify_fn notify = q->notify;
    void *ctx = q->notify_ctx;
    pthread_mutex_unlock(&q->lock);
    if (notify && !err)
        notify(ctx);
    return err;
}

/* Takes the head; the lock is held. */
static void take(hal_queue *q, hal_event *out)
{
    *out = q->ring[q->head];
    q->head = (q->head + 1) % q->capacity;
    q->count--;
}

hal_err hal_queue_poll(hal_queue *q, hal_event *out)
{
    pthread_mutex_lock(&q->lock);
    hal_err err = q->count ? HAL_OK : HAL_ERR_AGAIN;
    if (!err)
        take(q, out);
    pthread_mutex_unlock(&q->lock);
    return err;
}

hal_err hal_queue_wait(hal_queue *q, hal_event *out, int timeout_ms)
{
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    if (timeout_ms >= 0) {
        deadline.tv_sec += timeout_ms / MS_PER_S;
        deadline.tv_nsec += (long)(timeout_ms % MS_PER_S) * NS_PER_MS;
        if (deadline.tv_nsec >= NS_PER_S) {
            deadline.tv_sec++;
            deadline.tv_nsec -= NS_PER_S;
        }
    }
    pthread_mutex_lock(&q->lock);
    int rc = 0;
    while (q->count == 0 && rc != ETIMEDOUT)
        rc = timeout_ms < 0 ? pthread_cond_wait(&q->nonempty, &q->lock)
                            : pthread_cond_timedwait(&q->nonempty, &q->lock, &deadline);
    hal_err err = q->count ? HAL_OK : HAL_ERR_AGAIN;
    if (!err)
        take(q, out);
    pthread_mutex_unlock(&q->lock);
    return err;
}

size_t hal_queue_dropped(hal_queue *q)
{
    pthread_mutex_lock(&q->lock);
    size_t n = q->dropped;
    pthread_mutex_unlock(&q->lock);
    return n;
}
