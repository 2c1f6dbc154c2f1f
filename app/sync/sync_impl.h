/*
 * Inside the sync agent: the HTTP client every request goes through, and the round as the agent
 * runs it with its own long-lived client.
 *
 * One client is one libcurl easy handle (one keep-alive connection to the hub), used by one thread
 * at a time. It signs requests with the device key (PROTOCOL.md), limits how long a request may
 * take and how large an answer may be, and turns the hub's JSON error bodies into a zc_diag such
 * as "hub: 401 unauthorized: unknown device", so staff and technicians read the hub's own words.
 */
#ifndef ZC_SYNC_IMPL_H
#define ZC_SYNC_IMPL_H

#include "zc/sync.h"

#include <jansson.h>
#include <stdbool.h>

/* The kiosk software's version, as heartbeats report it. */
#define ZC_SYNC_APP_VERSION "0.1.0"

enum {
    ZC_SYNC_URL_MAX = 1024,               /* a hub URL, with the NUL */
    ZC_SYNC_REPLY_MAX = 32 * 1024 * 1024, /* bytes of one answer: a roster page, rule bundles */
    ZC_SYNC_PATH_MAX = 256,               /* a request path with its query string */
};

typedef struct zc_sync_client zc_sync_client;

/* Asked while a transfer runs: true abandons it (the agent is stopping). */
typedef bool (*zc_sync_abort_fn)(void *ctx);

/* A client for the hub at url ("http://host:port" or "https://...", no trailing path needed). */
zc_err zc_sync_client_new(const char *url, zc_sync_client **out, zc_diag *diag);
void zc_sync_client_free(zc_sync_client *client);
const char *zc_sync_client_url(const zc_sync_client *client);

/* Who signs: the device key (kept by the caller, not copied) and its id. */
void zc_sync_client_identity(zc_sync_client *client, const zc_keypair *key, const char *device_id);
void zc_sync_client_on_abort(zc_sync_client *client, zc_sync_abort_fn fn, void *ctx);

/*
 * One request. body NULL for GET; sign_time_ms is the X-ZC-Time to sign with (ignored unsigned).
 * On 200 *reply is the answer's JSON object (caller decrefs) and *hub_time_ms its hub_time (0 when
 * absent). Errors: ZC_ERR_IO (hub unreachable, timed out, 5xx, abandoned), ZC_ERR_CRYPTO (401,
 * 403), ZC_ERR_INVALID (400, 413, an answer that is not JSON), ZC_ERR_NOT_FOUND (404),
 * ZC_ERR_EXISTS (409); diag names the hub and what it said.
 */
zc_err zc_sync_client_call(zc_sync_client *client, const char *method, const char *path,
                           const json_t *body, bool sign, zc_ms sign_time_ms, json_t **reply,
                           zc_ms *hub_time_ms, zc_diag *diag);

/* The kiosk's own wall clock (CLOCK_REALTIME) in epoch milliseconds. */
zc_ms zc_sync_clock_ms(void);

/* zc_sync_round_with over a client the caller keeps (the agent's, for keep-alive and aborts). */
zc_err zc_sync_round_client(zc_datadir *dd, zc_sync_client *client, const zc_sync_round_opts *opts,
                            zc_sync_result *out, zc_diag *diag);

/* The pending count and last success as recorded in the store, for a status before any round. */
zc_err zc_sync_recorded(zc_datadir *dd, zc_sync_result *out, zc_ms *last_ok_ms, zc_diag *diag);

#endif
