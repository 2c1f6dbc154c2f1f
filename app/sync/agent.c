/*
 * The sync agent's thread: rounds at an interval, retries with backoff after failures, a poke
 * after each sale, and a status snapshot for the staff screen.
 *
 * The thread has its own zc_datadir (its own SQLite connection) and its own HTTP client, so the
 * UI thread never waits on the network. Everything shared with other threads sits under one
 * mutex; `stopping` is also read by libcurl's progress callback, which is how a request in flight
 * is abandoned when the kiosk shuts down.
 */
#include "sync_impl.h"

#include "zc/syncwire.h"

#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { NS_PER_MS = 1000000, FAULTS_MAX = 16, FAULT_TEXT_MAX = 128 };

struct zc_sync_agent {
    char dir[ZC_DATADIR_PATH_MAX];
    zc_sync_agent_opts opts;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv; /* on CLOCK_MONOTONIC */
    atomic_bool stopping;
    /* Under mu. */
    bool poked;
    zc_sync_status status;
    size_t nfaults;
    char faults[FAULTS_MAX][FAULT_TEXT_MAX];
};

static int64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * ZC_MS_PER_SECOND + ts.tv_nsec / NS_PER_MS;
}

static bool should_abort(void *ctx)
{
    zc_sync_agent *a = ctx;
    return atomic_load(&a->stopping);
}

/* Waits up to ms, or until poked or stopping; false when stopping. Called with mu held. */
static bool wait_locked(zc_sync_agent *a, int64_t ms)
{
    int64_t until = monotonic_ms() + ms;
    struct timespec ts = {.tv_sec = (time_t)(until / ZC_MS_PER_SECOND),
                          .tv_nsec = (long)(until % ZC_MS_PER_SECOND) * NS_PER_MS};
    while (!atomic_load(&a->stopping) && !a->poked) {
        int rc = pthread_cond_timedwait(&a->cv, &a->mu, &ts);
        if (rc == ETIMEDOUT)
            break;
    }
    a->poked = false;
    return !atomic_load(&a->stopping);
}

/* Copies text, cut at a character boundary when it does not fit (the hub's words may be UTF-8). */
static void copy_text(char *dst, size_t size, const char *src)
{
    size_t n = strnlen(src, size);
    if (n == size) {
        n = size - 1;
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static void set_error(zc_sync_agent *a, zc_err err, const zc_diag *diag)
{
    copy_text(a->status.last_error, sizeof a->status.last_error,
              diag->msg[0] ? diag->msg : zc_err_str(err));
}

/* The enrolled hub's client, or NULL (with the reason in status) when there is none yet. */
static zc_sync_client *connect_hub(zc_sync_agent *a, zc_datadir *dd)
{
    char url[ZC_META_VALUE_MAX];
    zc_diag diag = {{0}, 0};
    zc_err err = zc_store_meta_get(dd->store, ZC_META_SYNC_HUB, url, sizeof url, &diag);
    zc_sync_client *client = NULL;
    if (!err)
        err = zc_sync_client_new(url, &client, &diag);
    pthread_mutex_lock(&a->mu);
    a->status.enrolled = err != ZC_ERR_NOT_FOUND;
    if (err && err != ZC_ERR_NOT_FOUND)
        set_error(a, err, &diag);
    pthread_mutex_unlock(&a->mu);
    if (client)
        zc_sync_client_on_abort(client, should_abort, a);
    return client;
}

static void run_round(zc_sync_agent *a, zc_datadir *dd, zc_sync_client *client)
{
    char faults[FAULTS_MAX][FAULT_TEXT_MAX];
    const char *fault_ptrs[FAULTS_MAX];
    pthread_mutex_lock(&a->mu);
    a->status.running = true;
    size_t nfaults = a->nfaults;
    memcpy(faults, a->faults, sizeof faults);
    pthread_mutex_unlock(&a->mu);
    for (size_t i = 0; i < nfaults; i++)
        fault_ptrs[i] = faults[i];

    zc_sync_round_opts ro = {
        .roster_page = a->opts.roster_page, .faults = fault_ptrs, .nfaults = nfaults};
    zc_sync_result r;
    zc_diag diag = {{0}, 0};
    zc_err err = zc_sync_round_client(dd, client, &ro, &r, &diag);
    zc_ms last_ok = 0;
    zc_sync_result rec;
    zc_sync_recorded(dd, &rec, &last_ok, NULL);

    pthread_mutex_lock(&a->mu);
    zc_sync_status *s = &a->status;
    s->running = false;
    /* The store counts sales made while the round ran, too. */
    s->pending = rec.pending;
    s->hub_offset_ms = r.hub_offset_ms;
    if (err) {
        s->failures++;
        set_error(a, err, &diag);
    } else {
        s->failures = 0;
        s->last_error[0] = '\0';
        s->last_ok_ms = last_ok;
    }
    pthread_mutex_unlock(&a->mu);
}

static void *agent_main(void *arg)
{
    zc_sync_agent *a = arg;
    zc_datadir *dd = NULL;
    zc_sync_client *client = NULL;
    pthread_mutex_lock(&a->mu);
    for (;;) {
        pthread_mutex_unlock(&a->mu);
        if (!dd) {
            zc_diag diag = {{0}, 0};
            zc_err err = zc_datadir_open(a->dir, &dd, &diag);
            if (err) {
                pthread_mutex_lock(&a->mu);
                set_error(a, err, &diag);
                pthread_mutex_unlock(&a->mu);
            }
        }
        if (dd && !client)
            client = connect_hub(a, dd);
        if (client)
            run_round(a, dd, client);
        pthread_mutex_lock(&a->mu);
        int64_t wait = a->opts.interval_ms;
        if (a->status.failures > 0 || !dd)
            wait = zc_sync_backoff_ms(a->status.failures > 0 ? a->status.failures : 1,
                                      randombytes_random(), a->opts.backoff_base_ms,
                                      a->opts.backoff_max_ms);
        a->status.next_try_ms = zc_sync_clock_ms() + wait;
        if (!wait_locked(a, wait))
            break;
    }
    pthread_mutex_unlock(&a->mu);
    zc_sync_client_free(client);
    zc_datadir_close(dd);
    return NULL;
}

zc_err zc_sync_agent_start(const char *dir, const zc_sync_agent_opts *opts, zc_sync_agent **out,
                           zc_diag *diag)
{
    *out = NULL;
    if (strlen(dir) >= ZC_DATADIR_PATH_MAX)
        return zc_diag_set(diag, ZC_ERR_INVALID, "%s: path too long", dir);
    if (sodium_init() < 0)
        return zc_diag_set(diag, ZC_ERR_CRYPTO, "libsodium failed to initialise");
    /* The status is known before the first round: from what the store recorded. */
    zc_datadir *dd;
    zc_err err = zc_datadir_open(dir, &dd, diag);
    if (err)
        return err;
    zc_sync_agent *a = calloc(1, sizeof *a);
    if (!a) {
        zc_datadir_close(dd);
        return zc_diag_set(diag, ZC_ERR_NOMEM, "out of memory");
    }
    zc_sync_result rec;
    char url[ZC_META_VALUE_MAX];
    if (!(err = zc_sync_recorded(dd, &rec, &a->status.last_ok_ms, diag))) {
        a->status.pending = rec.pending;
        a->status.hub_offset_ms = rec.hub_offset_ms;
        a->status.enrolled =
            zc_store_meta_get(dd->store, ZC_META_SYNC_HUB, url, sizeof url, NULL) == ZC_OK;
    }
    zc_datadir_close(dd);
    if (err) {
        free(a);
        return err;
    }
    snprintf(a->dir, sizeof a->dir, "%s", dir);
    if (opts)
        a->opts = *opts;
    if (a->opts.interval_ms <= 0)
        a->opts.interval_ms = ZC_SYNC_INTERVAL_MS;
    if (a->opts.backoff_base_ms <= 0)
        a->opts.backoff_base_ms = ZC_SYNC_BACKOFF_BASE_MS;
    if (a->opts.backoff_max_ms <= 0)
        a->opts.backoff_max_ms = ZC_SYNC_BACKOFF_MAX_MS;
    atomic_init(&a->stopping, false);
    pthread_condattr_t ca;
    bool ok = pthread_mutex_init(&a->mu, NULL) == 0;
    if (ok &&
        (pthread_condattr_init(&ca) != 0 || pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) != 0 ||
         pthread_cond_init(&a->cv, &ca) != 0)) {
        pthread_mutex_destroy(&a->mu);
        ok = false;
    }
    if (ok)
        pthread_condattr_destroy(&ca);
    if (ok && pthread_create(&a->thread, NULL, agent_main, a) != 0) {
        pthread_cond_destroy(&a->cv);
        pthread_mutex_destroy(&a->mu);
        ok = false;
    }
    if (!ok) {
        free(a);
        return zc_diag_set(diag, ZC_ERR_NOMEM, "could not start the sync thread");
    }
    *out = a;
    return ZC_OK;
}

void zc_sync_agent_status(zc_sync_agent *a, zc_sync_status *out)
{
    pthread_mutex_lock(&a->mu);
    *out = a->status;
    pthread_mutex_unlock(&a->mu);
}

void zc_sync_agent_poke(zc_sync_agent *a)
{
    pthread_mutex_lock(&a->mu);
    a->poked = true;
    pthread_cond_signal(&a->cv);
    pthread_mutex_unlock(&a->mu);
}

void zc_sync_agent_set_faults(zc_sync_agent *a, const char *const *faults, size_t n)
{
    pthread_mutex_lock(&a->mu);
    a->nfaults = n < FAULTS_MAX ? n : FAULTS_MAX;
    for (size_t i = 0; i < a->nfaults; i++)
        copy_text(a->faults[i], FAULT_TEXT_MAX, faults[i]);
    pthread_mutex_unlock(&a->mu);
}

void zc_sync_agent_stop(zc_sync_agent *a)
{
    if (!a)
        return;
    pthread_mutex_lock(&a->mu);
    atomic_store(&a->stopping, true);
    pthread_cond_signal(&a->cv);
    pthread_mutex_unlock(&a->mu);
    pthread_join(a->thread, NULL);
    pthread_cond_destroy(&a->cv);
    pthread_mutex_destroy(&a->mu);
    free(a);
}
