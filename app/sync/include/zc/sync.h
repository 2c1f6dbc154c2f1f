/*
 * The kiosk's sync agent: talks to the hub (libcurl) so that no sale ever waits for the network.
 *
 * zc_sync_enrol joins a kiosk to a hub; zc_sync_round does one full round (push every entry the
 * hub does not hold yet, in batches; pull newer rule sets, the roster delta page by page and the
 * menu, each applied in one SQLite transaction; heartbeat); zc_sync_agent runs rounds in its own
 * thread beside the kiosk's UI with its own database connection, retrying failures with capped
 * exponential backoff and jitter, and reports what staff need to see. The kiosk adopts the hub's
 * clock: each round records the offset (hub minus kiosk) in the store's meta table.
 *
 * The wire format is app/hub/PROTOCOL.md, built and checked by zc/syncwire.h.
 */
#ifndef ZC_SYNC_H
#define ZC_SYNC_H

#include "zc/datadir.h"
#include "zc/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    ZC_SYNC_TIMEOUT_MS = 30000,      /* one HTTP request, connect included */
    ZC_SYNC_INTERVAL_MS = 60000,     /* between rounds when all is well */
    ZC_SYNC_BACKOFF_BASE_MS = 2000,  /* first retry after a failure */
    ZC_SYNC_BACKOFF_MAX_MS = 600000, /* retries never wait longer than 10 minutes */
    ZC_SYNC_ERROR_MAX = 256,
};

/* Checks a hub URL ("http://HOST:PORT" or "https://..."): ZC_ERR_INVALID with diag if it is not. */
zc_err zc_sync_check_url(const char *hub_url, zc_diag *diag);

/*
 * Joins the hub at hub_url with a one-time code. A directory without a kiosk gets a new one (keys,
 * the hub's canteen, rules key, region key and time zone); a kiosk that has recorded no sale yet
 * adopts the hub's settings; a kiosk with sales may only re-enrol into the same canteen and
 * region. The hub URL is remembered (meta sync.hub) for later rounds.
 */
zc_err zc_sync_enrol(const char *dir, const char *hub_url, const char *code, zc_diag *diag);

typedef struct zc_sync_result {
    int64_t pushed;          /* records sent this round */
    int64_t acked;           /* the hub's gap-free high-water mark after the round */
    int64_t pending;         /* entries the hub does not hold yet */
    int64_t rules_installed; /* rule sets installed this round */
    int64_t roster_rows;     /* roster rows applied this round */
    bool menu_changed;
    int64_t hub_offset_ms; /* hub clock minus kiosk clock */
} zc_sync_result;

/* One full round against hub_url (NULL: the enrolled hub). ZC_OK when the kiosk is in step.
 * *out is filled as far as the round got (pending is known before anything is sent). */
zc_err zc_sync_round(zc_datadir *dd, const char *hub_url, zc_sync_result *out, zc_diag *diag);

/* The kiosk's clock as a round reads it (tests give a board whose clock is off). */
typedef zc_ms (*zc_sync_clock_fn)(void *ctx);

typedef struct zc_sync_round_opts {
    const char *hub_url;    /* NULL: the enrolled hub */
    zc_sync_clock_fn clock; /* NULL: the system's real-time clock */
    void *clock_ctx;
    int roster_page;           /* roster rows asked for per page; 0: ZC_SYNC_ROSTER_PAGE */
    const char *const *faults; /* device faults for the heartbeat */
    size_t nfaults;
} zc_sync_round_opts;

/* zc_sync_round with options (opts NULL: the defaults). */
zc_err zc_sync_round_with(zc_datadir *dd, const zc_sync_round_opts *opts, zc_sync_result *out,
                          zc_diag *diag);

/* The wait before retry number `failures` (1, 2, ...): base * 2^(failures-1) capped at max, then
 * "full jitter" scaled by random in [0, 2^32): never 0, never above max. Pure, for tests. */
int64_t zc_sync_backoff_ms(int failures, uint32_t random, int64_t base_ms, int64_t max_ms);

typedef struct zc_sync_status {
    bool enrolled;
    bool running;     /* a round is in progress */
    int64_t pending;  /* entries the hub does not hold yet */
    zc_ms last_ok_ms; /* 0: never */
    zc_ms next_try_ms;
    int failures; /* consecutive failed rounds */
    int64_t hub_offset_ms;
    char last_error[ZC_SYNC_ERROR_MAX];
} zc_sync_status;

typedef struct zc_sync_agent zc_sync_agent;

typedef struct zc_sync_agent_opts {
    int64_t interval_ms;                     /* 0: ZC_SYNC_INTERVAL_MS */
    int64_t backoff_base_ms, backoff_max_ms; /* 0: the defaults above */
    int roster_page;                         /* 0: ZC_SYNC_ROSTER_PAGE */
} zc_sync_agent_opts;

/* Starts the agent's thread on the kiosk in dir (it opens its own zc_datadir). */
zc_err zc_sync_agent_start(const char *dir, const zc_sync_agent_opts *opts, zc_sync_agent **out,
                           zc_diag *diag);
/* A snapshot, safe from any thread. */
void zc_sync_agent_status(zc_sync_agent *agent, zc_sync_status *out);
/* A sale was recorded: run a round soon (it does not wait for the backoff of a failure). */
void zc_sync_agent_poke(zc_sync_agent *agent);
/* Device faults for the next heartbeat, e.g. "printer: paper out" (copied). */
void zc_sync_agent_set_faults(zc_sync_agent *agent, const char *const *faults, size_t n);
/* Stops the thread (a request in flight is abandoned within a second) and frees the agent. */
void zc_sync_agent_stop(zc_sync_agent *agent);

#endif
