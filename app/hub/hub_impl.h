/*
 * What the hub's service files share (internal to app/hub): the zc_hub value and small helpers.
 */
#ifndef ZC_HUB_IMPL_H
#define ZC_HUB_IMPL_H

#include "zc/codec.h"
#include "zc/hub.h"

#include <stdbool.h>
#include <stddef.h>

struct zc_hub {
    zc_hubdb *db;
    zc_hub_clock_fn clock;
    void *clock_ctx;
    zc_keypair rules_key; /* signs published rule sets; kiosks pin its public half */
    uint8_t region_key[ZC_REGION_KEY_LEN];
};

enum {
    ZC_HUB_INT_TEXT = 24,                         /* a decimal int64 with its sign and the NUL */
    ZC_HUB_SHA256_HEX = ZC_HEX_SIZE(ZC_HASH_LEN), /* hex SHA-256 with the NUL */
    ZC_HUB_DEVICE_LOCK_MAX = ZC_ID_MAX + 16,      /* "device:" and a device id, with the NUL */
};

/* The decimal text of v in buf, for a zc_hubdb parameter; returns buf. */
const char *zc_hub_int_text(int64_t v, char buf[ZC_HUB_INT_TEXT]);

/* The lower-case hex SHA-256 of len bytes: how tokens and codes are kept, never in clear. */
void zc_hub_sha256_hex(const void *bytes, size_t len, char out[ZC_HUB_SHA256_HEX]);

/* Well-formed UTF-8 (no overlong forms, surrogates or NUL bytes) of len bytes: what PostgreSQL's
 * TEXT and the console's JSON accept. */
bool zc_hub_utf8_valid(const char *s, size_t len);

/* Text people read (names): 1..max bytes of UTF-8 without control characters. */
bool zc_hub_text_valid(const char *s, size_t max);

/*
 * One unit of work in one transaction on a pooled connection: fn's error rolls everything back,
 * otherwise it is committed. The connection goes back to the pool either way.
 */
typedef zc_err (*zc_hub_tx_fn)(zc_hub *hub, zc_hubdb_conn *conn, void *ctx, zc_diag *diag);
zc_err zc_hub_transact(zc_hub *hub, zc_hub_tx_fn fn, void *ctx, zc_diag *diag);

/* One query on a pooled connection of its own, given back before this returns. */
zc_err zc_hub_query(zc_hub *hub, const char *sql, const char *const *params, int n,
                    zc_hubdb_rows **rows, zc_diag *diag);

/* Row r as the JSON object a list holds; *out NULL with ZC_OK means out of memory. */
typedef zc_err (*zc_hub_row_json_fn)(const zc_hubdb_rows *rows, size_t r, json_t **out,
                                     zc_diag *diag);

/* zc_hub_query, answered as a JSON array of row_json of each row, in order (*out NULL on error). */
zc_err zc_hub_query_list(zc_hub *hub, const char *sql, const char *const *params, int n,
                         zc_hub_row_json_fn row_json, json_t **out, zc_diag *diag);

/*
 * Inserts a row that must be new: sql ends in ON CONFLICT DO NOTHING, and a row already there is
 * ZC_ERR_EXISTS, naming it as what and its key params[0] ("canteen C0107 exists already").
 */
zc_err zc_hub_insert_new(zc_hubdb_conn *conn, const char *sql, const char *const *params, int n,
                         const char *what, zc_diag *diag);

/*
 * ZC_ERR_NOT_FOUND, naming the canteen, unless it exists (ZC_ERR_INVALID when id cannot be a
 * canteen's); region and timezone (each optional, ZC_ID_MAX bytes) get its values.
 */
zc_err zc_hub_canteen_find(zc_hubdb_conn *conn, const char *id, char *region, char *timezone,
                           zc_diag *diag);

/* A pooled connection, once the canteen is known to exist (else zc_hub_canteen_find's error). */
zc_err zc_hub_canteen_acquire(zc_hub *hub, const char *canteen, zc_hubdb_conn **conn,
                              zc_diag *diag);

/* Inside a transaction: the writer lock of one device (its pushes, heartbeats and enrolment). */
zc_err zc_hub_lock_device(zc_hubdb_conn *conn, const char *device, zc_diag *diag);

/* Records what the hub noticed (PROTOCOL.md, anomalies); seq and elder_id 0 and NULLs for none. */
zc_err zc_hub_anomaly_add(zc_hub *hub, zc_hubdb_conn *conn, const char *kind, const char *device,
                          int64_t seq, const char *canteen, int64_t elder_id, const char *detail,
                          zc_diag *diag);

#endif
