/*
 * The hub: the canteen network's server-side state and every operation on it, without HTTP.
 *
 * The HTTP server (kiosk API and console API) and `zhucan-hub admin` are both thin layers over
 * these functions, so a command an administrator scripts and a click in the console do exactly the
 * same thing. The hub is stateless beyond its database (zc_hubdb): its keys live there too, so
 * several hubs can share one PostgreSQL database.
 *
 * What the hub says must equal, to the fen, what the kiosks sold: pushed entries are stored once
 * per (device, seq) with their canonical bytes as received, checked against the device's key and
 * hash chain on arrival, and reports are built from them with the kiosk's own report code
 * (zc_report), so a hub day report is byte-for-byte the kiosk's. Nothing that arrives is dropped:
 * what fails a check is kept in quarantine and raised as an anomaly.
 *
 * Errors: ZC_ERR_INVALID (bad input; diag names it: HTTP 400), ZC_ERR_CRYPTO (authentication
 * failed: 401), ZC_ERR_NOT_FOUND (404), ZC_ERR_EXISTS (409), others are the hub's own failure
 * (500). Functions that build JSON hand the caller a new reference.
 */
#ifndef ZC_HUB_H
#define ZC_HUB_H

#include "zc/date.h"
#include "zc/err.h"
#include "zc/hubdb.h"
#include "zc/keys.h"
#include "zc/sale.h"
#include "zc/syncwire.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct zc_hub zc_hub;

/* The hub's clock; tests substitute their own. */
typedef zc_ms (*zc_hub_clock_fn)(void *ctx);

typedef struct zc_hub_opts {
    const char *db_url; /* "sqlite:PATH" or "postgresql://..." */
    int pool;           /* database connections, 0 for the default */
    zc_hub_clock_fn clock;
    void *clock_ctx;
} zc_hub_opts;

enum {
    ZC_HUB_NAME_MAX = 64,    /* console user names, bytes with the NUL */
    ZC_HUB_TOKEN_HEX = 64,   /* session token and CSRF token: 32 random bytes in hex */
    ZC_HUB_CODE_MAX = 32,    /* enrolment code text with the NUL: "ABCD-EFGH-JKLM" */
    ZC_HUB_PASSWORD_MIN = 8, /* bytes */
};

#define ZC_HUB_SESSION_MS INT64_C(28800000)     /* a console session lasts 8 hours */
#define ZC_HUB_ENROL_CODE_MS INT64_C(604800000) /* an enrolment code works for 7 days */
#define ZC_HUB_NONCE_KEEP_MS INT64_C(600000)    /* nonces remembered 10 minutes */

/* Opens (creating on first use: schema, rules signing key, region key) the hub's database. */
zc_err zc_hub_open(const zc_hub_opts *opts, zc_hub **out, zc_diag *diag);
void zc_hub_close(zc_hub *hub);
zc_ms zc_hub_now(zc_hub *hub);
zc_hubdb *zc_hub_db(zc_hub *hub);
void zc_hub_rules_public_key(const zc_hub *hub, uint8_t pk[ZC_PUBKEY_LEN]);
void zc_hub_region_key(const zc_hub *hub, uint8_t key[ZC_REGION_KEY_LEN]);

/* ---- canteens ---- */

/* id as kiosks use it ([A-Za-z0-9_-], 1-63), region digits or "", timezone an IANA name. */
zc_err zc_hub_canteen_add(zc_hub *hub, const char *id, const char *name, const char *region,
                          const char *timezone, zc_diag *diag);
/* [{"id","name","region","timezone","menu_version"}] */
zc_err zc_hub_canteens(zc_hub *hub, json_t **out, zc_diag *diag);

/* ---- console accounts and sessions ---- */

typedef enum zc_hub_role { ZC_HUB_ADMIN, ZC_HUB_VIEWER, ZC_HUB_CANTEEN } zc_hub_role;

typedef struct zc_hub_user {
    char name[ZC_HUB_NAME_MAX];
    zc_hub_role role;
    char canteen[ZC_ID_MAX]; /* for ZC_HUB_CANTEEN */
    char csrf[ZC_HUB_TOKEN_HEX + 1];
} zc_hub_user;

const char *zc_hub_role_name(zc_hub_role role); /* "admin", "viewer", "canteen" */

/* role: "admin", "viewer" or "canteen:ID" (an existing canteen). Password hashed (Argon2id). */
zc_err zc_hub_user_add(zc_hub *hub, const char *name, const char *role, const char *password,
                       zc_diag *diag);
/* A new session: token (the cookie value) and user with its CSRF token. Bad name/password:
 * ZC_ERR_CRYPTO, the same for both so names cannot be probed. */
zc_err zc_hub_login(zc_hub *hub, const char *name, const char *password,
                    char token[ZC_HUB_TOKEN_HEX + 1], zc_hub_user *user, zc_diag *diag);
/* The user of a live session; ZC_ERR_CRYPTO for an unknown or expired token. */
zc_err zc_hub_session(zc_hub *hub, const char *token, zc_hub_user *user, zc_diag *diag);
zc_err zc_hub_logout(zc_hub *hub, const char *token, zc_diag *diag);

/* ---- enrolment and kiosk requests ---- */

zc_err zc_hub_enrol_code_new(zc_hub *hub, const char *canteen, char code[ZC_HUB_CODE_MAX],
                             zc_ms *expires, zc_diag *diag);

typedef struct zc_hub_enrolment {
    char device_id[ZC_ID_MAX];
    char canteen[ZC_ID_MAX];
    char canteen_region[ZC_ID_MAX];
    char timezone[ZC_ID_MAX];
    uint8_t rules_pk[ZC_PUBKEY_LEN];
    uint8_t region_key[ZC_REGION_KEY_LEN];
} zc_hub_enrolment;

typedef struct zc_hub_request {
    const char *method, *path;                     /* path with its query string, as sent */
    const char *device, *time, *nonce, *signature; /* header values, NULL when missing */
    const void *body;
    size_t body_len;
    bool heartbeat; /* a skewed clock is allowed (PROTOCOL.md) */
} zc_hub_request;

/*
 * Uses a code (once) for the kiosk with public key pk. req is the enrolment request, which must be
 * signed with pk's secret half as the device id derived from pk (its time is not checked): only
 * the holder of the key can enrol or move it. A missing or bad signature, or an unknown, used or
 * expired code: ZC_ERR_CRYPTO. A device that has pushed sales cannot move to another canteen:
 * ZC_ERR_EXISTS. The code is used up only when the kiosk is enrolled.
 */
zc_err zc_hub_enrol(zc_hub *hub, const zc_hub_request *req, const char *code,
                    const uint8_t pk[ZC_PUBKEY_LEN], zc_hub_enrolment *out, zc_diag *diag);

/* Checks a signed kiosk request: device known, signature, time, nonce unseen (then recorded).
 * ZC_ERR_CRYPTO with the reason; fills device_id and *skew_ms (kiosk time - hub time). */
zc_err zc_hub_authenticate(zc_hub *hub, const zc_hub_request *req, char device_id[ZC_ID_MAX],
                           int64_t *skew_ms, zc_diag *diag);

/* The highest seq a pushed record may carry: 2^53, the integers JSON and the console read exactly,
 * and far from INT64_MAX so that seq + 1 never overflows. Higher is bad input. */
#define ZC_HUB_SEQ_MAX (INT64_C(1) << 53)

typedef struct zc_hub_push_result {
    int64_t acked;       /* highest seq held with no gap below it */
    int64_t received;    /* records newly stored (including quarantined) */
    int64_t duplicates;  /* records already held */
    int64_t quarantined; /* records newly stored in quarantine */
} zc_hub_push_result;

/* Stores a batch from device_id (any order, any repeats): PROTOCOL.md, POST /v1/sales. */
zc_err zc_hub_push(zc_hub *hub, const char *device_id, const zc_syncwire_sale *recs, size_t n,
                   zc_hub_push_result *out, zc_diag *diag);

/* Published bundles with version > after, oldest first: a JSON array of bundle objects. */
zc_err zc_hub_rules_after(zc_hub *hub, int64_t after, json_t **out, zc_diag *diag);

/* One roster page after cursor ("" = start): rows as zc_syncwire_elder_to_json makes them. A
 * malformed cursor is ZC_ERR_INVALID. limit is clamped to 1..ZC_SYNC_ROSTER_PAGE_MAX. */
zc_err zc_hub_roster_page(zc_hub *hub, const char *cursor, int limit, json_t **rows,
                          char next[ZC_SYNC_CURSOR_MAX], bool *more, zc_diag *diag);

/* The canteen's menu: *version and items as zc_syncwire_menu_to_json's "items". */
zc_err zc_hub_menu_get(zc_hub *hub, const char *canteen, int64_t *version, json_t **items,
                       zc_diag *diag);

/*
 * Records a heartbeat body (PROTOCOL.md) sent (signed) at the kiosk's time sent_ms; a skew over
 * ZC_SYNC_SKEW_WARN_MS is raised as an anomaly (once per device until it recovers). One whose
 * time is further than ZC_SYNC_SKEW_MAX_MS from the hub's records only the skew (and its
 * anomaly), not what it says of the kiosk; a heartbeat not newer than the newest such one is an
 * old one sent again and records nothing. Either way the call succeeds: the kiosk gets the time.
 */
zc_err zc_hub_heartbeat(zc_hub *hub, const char *device_id, const json_t *body, zc_ms sent_ms,
                        zc_diag *diag);

/* ---- administration ---- */

/*
 * Validates a rule set (zc_rules_parse), optionally replaces its effective_from (ms >= 0), signs
 * it with the hub's rules key and stores it. The version must be newer than every published one.
 */
zc_err zc_hub_rules_publish(zc_hub *hub, const char *rules_text, size_t len, zc_ms effective_from,
                            const char *by, int64_t *version, zc_ms *effective, zc_diag *diag);
/* [{"version","effective_from_ms","published_ms","published_by","rules":{...}}], newest first */
zc_err zc_hub_rules_list(zc_hub *hub, json_t **out, zc_diag *diag);

typedef struct zc_hub_roster_stats {
    int64_t rows, added, updated, unchanged;
    int64_t version; /* the roster version the changes got (0 when nothing changed or dry run) */
} zc_hub_roster_stats;

/*
 * Imports roster CSV (the kiosk's format, zc_roster_parse_csv): adds or updates by ID number, in
 * one transaction under the "roster" lock; unchanged rows keep their version. Elders the file does
 * not list are kept as they are.
 *
 * Tokens, unlike the kiosk's own import: an empty qr_token or card_uid keeps what the elder holds
 * (the monthly roster comes from another system and knows nothing of the cards the hub printed);
 * a non-empty one sets it, moving it from another elder the file lists, and is refused (the line
 * named) when an elder the file does not list holds it. So a row whose only difference is an empty
 * token column is unchanged. A QR card is revoked by issuing a new token
 * (zc_hub_roster_issue_qr), which replaces the old one; a file cannot clear a token.
 *
 * dry_run checks and counts without writing; samples (optional) gets up to 20
 * {"line","name","change"} of the rows that would change. A bad file: ZC_ERR_INVALID,
 * "line N: FIELD: reason", nothing written.
 */
zc_err zc_hub_roster_import(zc_hub *hub, const char *csv, size_t len, bool dry_run,
                            zc_hub_roster_stats *stats, json_t **samples, zc_diag *diag);
/* {"total","elders":[{"id","name","birth_date","region","categories","status","has_qr","has_card"}]}
 */
zc_err zc_hub_roster_list(zc_hub *hub, const char *query, int64_t offset, int64_t limit,
                          json_t **out, zc_diag *diag);
/* Gives a new QR token to each elder listed (or, with all_without, to each without one). */
zc_err zc_hub_roster_issue_qr(zc_hub *hub, const int64_t *ids, size_t n, bool all_without,
                              int64_t *issued, zc_diag *diag);
/* [{"id","name","qr_text"}] for printing (elders without a token are left out). */
zc_err zc_hub_roster_cards(zc_hub *hub, const int64_t *ids, size_t n, json_t **out, zc_diag *diag);

/* Replaces a canteen's menu from CSV (zc_menu_parse_csv) and bumps its version. */
zc_err zc_hub_menu_import(zc_hub *hub, const char *canteen, const char *csv, size_t len,
                          int64_t *version, int64_t *rows, zc_diag *diag);

/* [{"device_id","canteen","enrolled_ms","last_seen_ms","acked_seq","pending","clock_skew_ms",
 *   "faults","rules_version","app_version"}]; canteen NULL for every kiosk. */
zc_err zc_hub_kiosks(zc_hub *hub, const char *canteen, json_t **out, zc_diag *diag);

/* The day report of a canteen from the entries held with status ok: zc_report_to_json's shape.
 * When the day's entries all come from one kiosk, chain_head is that kiosk's last entry of the
 * day, exactly as the kiosk reports it; with several kiosks (several chains) it is null. */
zc_err zc_hub_report_day(zc_hub *hub, const char *canteen, zc_date date, json_t **out,
                         zc_diag *diag);
/* {"month":"YYYY-MM","canteen","days":[{"date","sales","voids","gross","subsidy","self_pay"}],
 *  "totals":{...}} with only days that had entries. */
zc_err zc_hub_report_month(zc_hub *hub, const char *canteen, int year, int month, json_t **out,
                           zc_diag *diag);
/*
 * The monthly subsidy settlement for the civil-affairs bureau: CSV, UTF-8 with a byte-order mark
 * (so Excel opens it as UTF-8), CRLF line ends, one row per canteen and funder:
 *   月份,食堂编号,食堂名称,出资方,餐次,原价合计(元),补贴合计(元),自付合计(元)
 * Amounts in yuan with two decimals; a final 合计 row. Voids taken back in the month they were
 * made. *csv malloc'd.
 */
zc_err zc_hub_settlement_csv(zc_hub *hub, int year, int month, char **csv, size_t *len,
                             zc_diag *diag);
/* [{"id","at_ms","kind","device","seq","canteen","elder_id","detail"}], newest first, at most
 * limit of them; canteen NULL for every canteen's. */
zc_err zc_hub_anomalies(zc_hub *hub, const char *canteen, int64_t limit, json_t **out,
                        zc_diag *diag);

#endif
