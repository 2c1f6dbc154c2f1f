/*
 * Sync messages: what a kiosk and the hub say to each other, independent of HTTP.
 *
 * Both ends build and check the same bytes from here, so the kiosk's sync agent (app/sync) and the
 * hub (app/hub) cannot drift apart: the request-signing string, sale records as pushed, roster
 * rows and menus as pulled. Every parser is strict (unknown keys are tolerated for forward
 * compatibility, wrong types and missing keys are not) and names the offending key in its diag;
 * all of them are fuzzed. The wire format is documented in app/hub/PROTOCOL.md.
 */
#ifndef ZC_SYNCWIRE_H
#define ZC_SYNCWIRE_H

#include "zc/date.h"
#include "zc/err.h"
#include "zc/keys.h"
#include "zc/menu.h"
#include "zc/roster.h"
#include "zc/sale.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* A request whose time is further than this from the hub's clock is refused (but heartbeats). */
#define ZC_SYNC_SKEW_MAX_MS INT64_C(300000)
/* The kiosk warns staff when its clock and the hub's differ by more than this. */
#define ZC_SYNC_SKEW_WARN_MS INT64_C(120000)

enum {
    ZC_SYNC_NONCE_HEX = 32,     /* 128-bit nonce in hex, without the NUL */
    ZC_SYNC_SIG_B64 = 88,       /* base64 of a 64-byte signature, without the NUL */
    ZC_SYNC_BATCH_MAX = 500,    /* sales in one push */
    ZC_SYNC_ROSTER_PAGE = 1000, /* default roster rows per pull */
    ZC_SYNC_ROSTER_PAGE_MAX = 5000,
    ZC_SYNC_CURSOR_MAX = 64, /* an opaque roster cursor, with the NUL */
};

#define ZC_SYNC_HDR_DEVICE "X-ZC-Device"
#define ZC_SYNC_HDR_TIME "X-ZC-Time"
#define ZC_SYNC_HDR_NONCE "X-ZC-Nonce"
#define ZC_SYNC_HDR_SIGNATURE "X-ZC-Signature"

/*
 * The string a request signature covers (PROTOCOL.md): "zhucan-sync/1\nMETHOD\nPATH\nTIME\nNONCE\n"
 * and the hex SHA-256 of the body. malloc'd, NUL-terminated; the caller frees it.
 */
zc_err zc_syncwire_sign_string(const char *method, const char *path, int64_t time_ms,
                               const char *nonce, const void *body, size_t body_len, char **out);

/* The four header values of a signed request (NUL-terminated strings). */
typedef struct zc_syncwire_auth {
    char device[ZC_ID_MAX];
    char time[24];
    char nonce[ZC_SYNC_NONCE_HEX + 1];
    char signature[ZC_SYNC_SIG_B64 + 1];
} zc_syncwire_auth;

/* Signs a request with a fresh random nonce. */
zc_err zc_syncwire_sign(const zc_keypair *key, const char *device_id, const char *method,
                        const char *path, int64_t time_ms, const void *body, size_t body_len,
                        zc_syncwire_auth *out);

/*
 * Checks a request's signature against pk (the header values as received, any may be NULL =
 * missing). Parses the time into *time_ms. ZC_ERR_INVALID for a malformed header,
 * ZC_ERR_CRYPTO for a signature that does not verify; diag names which.
 */
zc_err zc_syncwire_verify(const uint8_t pk[ZC_PUBKEY_LEN], const char *method, const char *path,
                          const char *time, const char *nonce, const char *signature,
                          const void *body, size_t body_len, int64_t *time_ms, zc_diag *diag);

/* One pushed ledger entry, as stored on the kiosk and as received by the hub. */
typedef struct zc_syncwire_sale {
    int64_t seq;
    char *canon; /* the canonical bytes, malloc'd, NUL-terminated */
    size_t canon_len;
    uint8_t prev_hash[ZC_HASH_LEN];
    uint8_t hash[ZC_HASH_LEN];
    uint8_t sig[ZC_SIG_LEN];
} zc_syncwire_sale;

void zc_syncwire_sale_clear(zc_syncwire_sale *rec); /* frees canon */

/* {"seq","canon","prev_hash","hash","sig"} */
zc_err zc_syncwire_sale_to_json(const zc_syncwire_sale *rec, json_t **out);
zc_err zc_syncwire_sale_from_json(const json_t *o, zc_syncwire_sale *out, zc_diag *diag);

/*
 * Checks one record on its own: hash = SHA-256(prev_hash || canon), the signature over the hash
 * against pk, and that canon parses (into *sale, whose detail the caller releases with json_decref)
 * and carries this seq and device_id. ZC_ERR_BROKEN / ZC_ERR_CRYPTO / ZC_ERR_INVALID with diag.
 */
zc_err zc_syncwire_sale_check(const zc_syncwire_sale *rec, const uint8_t pk[ZC_PUBKEY_LEN],
                              const char *device_id, zc_sale *sale, zc_diag *diag);

/*
 * The kiosk's entries after seq `after`, in order, at most max: *recs is a malloc'd array of *n
 * records; free with zc_syncwire_sales_free.
 */
zc_err zc_syncwire_sales_read(zc_store *store, int64_t after, size_t max, zc_syncwire_sale **recs,
                              size_t *n, zc_diag *diag);
void zc_syncwire_sales_free(zc_syncwire_sale *recs, size_t n);

/* One roster row as the hub sends it (PROTOCOL.md, GET /v1/roster). */
typedef struct zc_syncwire_elder {
    int64_t id;
    int64_t version;
    bool deleted;
    uint8_t id_hmac[ZC_HASH_LEN];
    char name[ZC_NAME_MAX];
    zc_date birth;
    char region[ZC_REGION_MAX];
    char categories[ZC_CATEGORIES_MAX];
    zc_elder_status status;
    bool has_qr, has_card;
    uint8_t qr_hash[ZC_HASH_LEN];
    uint8_t card_hash[ZC_HASH_LEN];
} zc_syncwire_elder;

zc_err zc_syncwire_elder_to_json(const zc_syncwire_elder *row, json_t **out);
/* Validates like a roster CSV row (name, region, categories, status) besides the types. */
zc_err zc_syncwire_elder_from_json(const json_t *o, zc_syncwire_elder *out, zc_diag *diag);

/*
 * Applies one page of roster rows to the kiosk's store and records the cursor (meta
 * "sync.roster_cursor"), all in one transaction: all or nothing. Rows are upserted by id (the hub's
 * roster id, which sales then reference); deleted rows are removed; a QR or card hash that another
 * elder still holds is taken from that elder (the hub moved it; the other elder's own new row
 * follows in this page or a later one).
 */
zc_err zc_syncwire_roster_apply(zc_store *store, const zc_syncwire_elder *rows, size_t n,
                                const char *cursor, zc_diag *diag);

/* {"version","items":[{"code","name","price","periods"}]} parsing, each item validated as a menu
 * CSV row is; *items malloc'd (NULL when the JSON's items is null: nothing newer). */
zc_err zc_syncwire_menu_from_json(const json_t *o, int64_t *version, zc_menu_item **items,
                                  size_t *n, bool *changed, zc_diag *diag);
/* items is always written as an array (n may be 0: an empty menu); a hub answering "nothing newer"
 * sets "items" to null itself. */
zc_err zc_syncwire_menu_to_json(int64_t version, const zc_menu_item *items, size_t n, json_t **out);

/*
 * Replaces the kiosk's menu with items and records version (meta "menu.version") in one
 * transaction.
 */
zc_err zc_syncwire_menu_apply(zc_store *store, const zc_menu_item *items, size_t n, int64_t version,
                              zc_diag *diag);

/* Kiosk sync state in the store's meta table. */
#define ZC_META_SYNC_HUB "sync.hub"              /* the hub URL enrolled with */
#define ZC_META_SYNC_ACKED "sync.acked_seq"      /* highest seq the hub holds without a gap */
#define ZC_META_SYNC_CURSOR "sync.roster_cursor" /* roster pull cursor, "" = from scratch */
#define ZC_META_MENU_VERSION "menu.version"      /* 0 = a locally imported menu */
#define ZC_META_SYNC_LAST_OK "sync.last_ok_ms"   /* when a round last completed */
#define ZC_META_SYNC_OFFSET "sync.hub_offset_ms" /* hub clock minus kiosk clock at last round */

#endif
