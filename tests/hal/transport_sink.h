/*
 * A transport's callbacks for tests: collects the bytes and statuses a transport delivers on its
 * own thread, and lets the test wait for them with a deadline instead of sleeping.
 */
#ifndef ZC_TEST_TRANSPORT_SINK_H
#define ZC_TEST_TRANSPORT_SINK_H

#include "hal/transport.h"

#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

enum {
    SINK_BYTES_MAX = 1 << 16,
    SINK_STATUS_MAX = 64,
    SINK_WAIT_MS = 5000, /* generous: sanitizers and a loaded two-core machine are slow */
};

typedef struct sink {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    size_t n;
    size_t overflow; /* bytes beyond SINK_BYTES_MAX, counted not kept */
    size_t nstatus;
    hal_status status[SINK_STATUS_MAX];
    char message[SINK_STATUS_MAX][HAL_MESSAGE_MAX];
    uint8_t bytes[SINK_BYTES_MAX];
} sink;

static inline void sink_data(void *ctx, const uint8_t *bytes, size_t n)
{
    sink *s = ctx;
    pthread_mutex_lock(&s->lock);
    size_t room = SINK_BYTES_MAX - s->n;
    size_t take = n < room ? n : room;
    memcpy(s->bytes + s->n, bytes, take);
    s->n += take;
    s->overflow += n - take;
    pthread_cond_broadcast(&s->changed);
    pthread_mutex_unlock(&s->lock);
}

static inline void sink_status(void *ctx, hal_status status, const char *message)
{
    sink *s = ctx;
    pthread_mutex_lock(&s->lock);
    if (s->nstatus < SINK_STATUS_MAX) {
        s->status[s->nstatus] = status;
        strncpy(s->message[s->nstatus], message, HAL_MESSAGE_MAX - 1);
        s->nstatus++;
    }
    pthread_cond_broadcast(&s->changed);
    pthread_mutex_unlock(&s->lock);
}

static inline void sink_init(sink *s, hal_transport_callbacks *cb)
{
    memset(s, 0, sizeof *s);
    pthread_mutex_init(&s->lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&s->changed, &attr);
    pthread_condattr_destroy(&attr);
    cb->data = sink_data;
    cb->status = sink_status;
    cb->ctx = s;
}

static inline void sink_destroy(sink *s)
{
    pthread_cond_destroy(&s->changed);
    pthread_mutex_destroy(&s->lock);
}

static inline struct timespec sink_deadline(int ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

/* Waits until at least n bytes arrived; false on timeout. */
static inline bool sink_wait_bytes(sink *s, size_t n, int ms)
{
    struct timespec until = sink_deadline(ms);
    pthread_mutex_lock(&s->lock);
    int rc = 0;
    while (s->n + s->overflow < n && rc == 0)
        rc = pthread_cond_timedwait(&s->changed, &s->lock, &until);
    bool ok = s->n + s->overflow >= n;
    pthread_mutex_unlock(&s->lock);
    return ok;
}

/* How many times `status` was reported; the caller holds the lock. */
static inline size_t sink_count_status_locked(const sink *s, hal_status status)
{
    size_t count = 0;
    for (size_t i = 0; i < s->nstatus; i++)
        count += s->status[i] == status;
    return count;
}

static inline size_t sink_count_status(sink *s, hal_status status)
{
    pthread_mutex_lock(&s->lock);
    size_t count = sink_count_status_locked(s, status);
    pthread_mutex_unlock(&s->lock);
    return count;
}

/* Waits until `status` has been reported at least `count` times; false on timeout. */
static inline bool sink_wait_status(sink *s, hal_status status, size_t count, int ms)
{
    struct timespec until = sink_deadline(ms);
    pthread_mutex_lock(&s->lock);
    int rc = 0;
    while (sink_count_status_locked(s, status) < count && rc == 0)
        rc = pthread_cond_timedwait(&s->changed, &s->lock, &until);
    bool ok = sink_count_status_locked(s, status) >= count;
    pthread_mutex_unlock(&s->lock);
    return ok;
}

static inline size_t sink_bytes(sink *s)
{
    pthread_mutex_lock(&s->lock);
    size_t n = s->n + s->overflow;
    pthread_mutex_unlock(&s->lock);
    return n;
}

#endif
