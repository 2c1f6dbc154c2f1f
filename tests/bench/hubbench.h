/*
 * What the hub and sync benchmarks (bench_hub_*.c, bench_roster_sync.c) share, so that each holds
 * only what it measures.
 *
 * A hub on a fresh database of either backend, serving HTTP on 127.0.0.1 (a port of its own); a
 * canteen with the design's rule set published; a generated roster whose rows are pure functions
 * of their number (valid ID numbers with MOD 11-2 check digits, names, categories, QR tokens,
 * card UIDs), so a benchmark can name an elder it never read back; kiosk requests signed as the
 * sync agent signs them, over one kept-alive libcurl connection; and percentiles.
 *
 * The database argument every benchmark takes is "sqlite" (a new file in its work directory) or
 * the libpq URL of a PostgreSQL server's maintenance database, on which the benchmark creates a
 * database of its own and drops it when done. Like benchutil.h, anything that fails dies with the
 * program's name: a benchmark has nothing to recover.
 */
#ifndef ZC_HUBBENCH_H
#define ZC_HUBBENCH_H

#include "benchutil.h"

#include "zc/hub.h"
#include "zc/hubhttp.h"
#include "zc/idnum.h"

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    HB_URL_MAX = BENCH_PATH_MAX + 64, /* "sqlite:" and a path, or a libpq URL */
    HB_BASE_MAX = 64,                 /* "http://127.0.0.1:PORT" */
    HB_RULES_VERSION = 1,
};

#define HB_CANTEEN "C0001"
#define HB_REGION "320202"

typedef struct hb_hub {
    const char *prog;
    char db_url[HB_URL_MAX];
    char pg_admin[HB_URL_MAX]; /* the maintenance URL when the backend is PostgreSQL, else "" */
    char pg_name[HB_BASE_MAX]; /* the database this benchmark made there */
    const char *backend;       /* "sqlite" or "postgres", for what it prints */
    zc_hub *hub;
    zc_hubhttp *http;
    char base[HB_BASE_MAX];
} hb_hub;

/*
 * Opens a hub on a fresh database (db: "sqlite" or a PostgreSQL maintenance URL; tag names the
 * file or database), serving on 127.0.0.1 with http_threads threads (0: the server's default),
 * with canteen HB_CANTEEN (region HB_REGION) and the design's rule set published as version 1.
 */
void hb_hub_open(hb_hub *h, const char *prog, const char *work, const char *db, const char *tag,
                 int http_threads);
/* Stops the server, closes the hub and removes its database. */
void hb_hub_close(hb_hub *h);

/* Runs one statement outside any transaction of the hub's; dies on error. */
void hb_exec(hb_hub *h, const char *sql);
/* The first column of the first row as an integer (0 for no row); dies on error. */
int64_t hb_int(hb_hub *h, const char *sql);

/* The ID number of generated roster row i (ZC_IDNUM_LEN characters and a NUL). */
void hb_roster_idnum(uint64_t i, char out[ZC_IDNUM_LEN + 1]);
/*
 * A roster CSV (header and rows first .. first + n - 1 step step), malloc'd, length in *len. A
 * non-zero variant gives each row another name, so importing it changes every row it holds.
 */
char *hb_roster_csv(const char *prog, uint64_t first, uint64_t n, uint64_t step, int variant,
                    size_t *len);

/* A kept-alive HTTP client of one hub. */
typedef struct hb_client {
    const char *prog;
    CURL *curl;
    char base[HB_BASE_MAX];
    char *body; /* the last answer, NUL-terminated */
    size_t len, cap;
    long status;
} hb_client;

void hb_client_open(hb_client *c, const char *prog, const char *base);
void hb_client_close(hb_client *c);
/*
 * Sends method target with body (NULL for none), signed as device with key at time_ms when key
 * is not NULL. Fills c->status and c->body; dies only when no answer came at all.
 */
void hb_client_request(hb_client *c, const zc_keypair *key, const char *device, int64_t time_ms,
                       const char *method, const char *target, const char *body, size_t len);

/* A CURLOPT_WRITEFUNCTION that appends to a hb_client's body (ctx), for handles of one's own. */
size_t hb_client_on_body(char *data, size_t size, size_t count, void *ctx);

/* The signature headers of a kiosk request as a libcurl list (with the JSON content type). */
struct curl_slist *hb_signed_headers(const char *prog, const zc_keypair *key, const char *device,
                                     int64_t time_ms, const char *method, const char *target,
                                     const void *body, size_t len);

/* The value at permille/1000 of the way through sorted[0..n) (nearest rank); n >= 1. Sort with
 * bench_median_i64. */
int64_t hb_percentile(const int64_t *sorted, size_t n, int permille);

/* Raises the open-file limit to its hard maximum; returns the new soft limit. */
long hb_raise_nofile(void);

#endif
