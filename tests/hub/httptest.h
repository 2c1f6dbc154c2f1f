/*
 * HTTP helpers for hub and sync tests (libcurl): a real hub serving on 127.0.0.1 (port 0, so
 * tests never collide), requests that return status, headers and body, kiosk requests signed
 * with a device key exactly as the sync agent signs them, a console login, and raw bytes over a
 * socket for what no well-behaved client would send. Every helper fails the test on a transport
 * error; HTTP statuses are for the test to assert.
 */
#ifndef ZC_HTTPTEST_H
#define ZC_HTTPTEST_H

#include "hubtest.h"
#include "testutil.h"

#include "zc/hub.h"
#include "zc/hubhttp.h"
#include "zc/keys.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { ZT_BASE_MAX = 64, ZT_TOKEN_MAX = 128 };

typedef struct zt_hub {
    zc_hub *hub;
    zc_hubhttp *http;
    uint16_t port;
    char base[ZT_BASE_MAX]; /* "http://127.0.0.1:PORT" */
    char db_url[ZC_HUBTEST_URL_MAX];
} zt_hub;

/* A hub on a fresh database of backend (tag names it), serving web_dir (NULL: no console). */
void zt_hub_start(zt_hub *h, const char *backend, const char *tag, const char *web_dir);
void zt_hub_stop(zt_hub *h);

typedef struct zt_resp {
    long status;
    char *body; /* NUL-terminated (len excludes the NUL) */
    size_t len;
    char *headers; /* the raw header block */
} zt_resp;

void zt_resp_free(zt_resp *r);
/* The value of header name (case-insensitive) copied to buf; false when absent. */
bool zt_resp_header(const zt_resp *r, const char *name, char *buf, size_t size);
/* The body as JSON; fails the test when it is not. */
json_t *zt_resp_json(const zt_resp *r);
/* Asserts status and a JSON error body {"error":code,"message":...}; returns the message's copy
 * in buf (may be NULL). */
void zt_assert_error(const zt_resp *r, long status, const char *code, char *buf, size_t size);

/*
 * A request to target (path and query, sent exactly as given: nothing normalised). headers: NULL
 * or a NULL-terminated list of "Name: value". body NULL for none; len bytes otherwise.
 */
void zt_request(const zt_hub *h, const char *method, const char *target, const char *const *headers,
                const void *body, size_t len, zt_resp *out);
void zt_get(const zt_hub *h, const char *target, zt_resp *out);
void zt_post(const zt_hub *h, const char *target, const char *json, zt_resp *out);

/* A kiosk request signed with key as device at time_ms (0: now), as the sync agent sends it. */
void zt_signed(const zt_hub *h, const zc_keypair *key, const char *device, const char *method,
               const char *target, const void *body, size_t len, int64_t time_ms, zt_resp *out);

/* Adds canteen (region 320202) if new, and enrols a new key for it over POST /v1/enrol. */
void zt_enrol(const zt_hub *h, const char *canteen, zc_keypair *key, char device[ZC_ID_MAX]);

/* A console session: the Cookie header line and the CSRF header line. */
typedef struct zt_session {
    char cookie[ZT_TOKEN_MAX];
    char csrf[ZT_TOKEN_MAX];
} zt_session;

/* Adds user name with role (if new) and logs in over POST /admin/api/login; fails unless 200. */
void zt_console_login(const zt_hub *h, const char *name, const char *role, zt_session *out);
/* A console request with the session's cookie and, when csrf, its CSRF header. */
void zt_console(const zt_hub *h, const zt_session *c, bool csrf, const char *method,
                const char *target, const char *json, zt_resp *out);

/* Sends bytes as they are over a new connection and reads the answer until the server closes
 * it (or a second passes quietly); status is the first status line's. */
void zt_raw(const zt_hub *h, const void *bytes, size_t len, zt_resp *out);

/* The password zt_console_login gives every user it adds. */
#define ZT_PASSWORD "correct horse battery"

#endif
