/*
 * The kiosks' sync API (/v1, PROTOCOL.md): enrolment, pushed sales, pulled rules, roster and
 * menu, heartbeats. Each route checks the request's signature over the request-target exactly as
 * sent, then reads its body strictly (a wrong type is a 400 naming the key) before any service
 * call, so nothing half-understood reaches the database.
 */
#include "hubapi.h"

#include "zc/codec.h"
#include "zc/hubhttp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    KIOSK_FAULTS_MAX = 64, /* faults listed in one heartbeat */
    KIOSK_TEXT_MAX = 256,  /* bytes of one fault, version text or cursor in a heartbeat */
};

/* What a signed request says of itself: its target as sent, its headers and its body. */
static zc_hub_request signed_request(const zc_hubapi_req *req, bool heartbeat)
{
    zc_hub_request r = {
        .method = zc_hubapi_method(req),
        .path = zc_hubapi_target(req),
        .device = zc_hubapi_header(req, ZC_SYNC_HDR_DEVICE),
        .time = zc_hubapi_header(req, ZC_SYNC_HDR_TIME),
        .nonce = zc_hubapi_header(req, ZC_SYNC_HDR_NONCE),
        .signature = zc_hubapi_header(req, ZC_SYNC_HDR_SIGNATURE),
        .heartbeat = heartbeat,
    };
    r.body = zc_hubapi_body(req, &r.body_len);
    return r;
}

/* Checks the request's signature; on failure answers 401 and returns false. */
static bool authenticate(const zc_hubapi_req *req, zc_hubapi_resp *resp, bool heartbeat,
                         char device[ZC_ID_MAX], int64_t *skew_ms)
{
    zc_hub_request r = signed_request(req, heartbeat);
    if (!r.device || !r.time || !r.nonce || !r.signature) {
        zc_hubapi_error(resp, ZC_HTTP_UNAUTHORIZED, "unauthorized",
                        "a signed request needs the %s, %s, %s and %s headers", ZC_SYNC_HDR_DEVICE,
                        ZC_SYNC_HDR_TIME, ZC_SYNC_HDR_NONCE, ZC_SYNC_HDR_SIGNATURE);
        return false;
    }
    if (!zc_hubapi_id_valid(r.device)) {
        zc_hubapi_error(resp, ZC_HTTP_UNAUTHORIZED, "unauthorized", "unknown device");
        return false;
    }
    zc_diag diag = {{0}, 0};
    zc_err err = zc_hub_authenticate(zc_hubapi_hub(req), &r, device, skew_ms, &diag);
    if (err == ZC_ERR_INVALID)
        err = ZC_ERR_CRYPTO; /* a malformed signature header is still an unsigned request */
    if (err) {
        zc_hubapi_fail(resp, err, &diag);
        return false;
    }
    return true;
}

/* ---- POST /v1/enrol ---- */

static void enrol(const zc_hubapi_req *req, const char *rest, zc_hubapi_resp *resp)
{
    (void)rest;
    json_t *body;
    if (!zc_hubapi_body_object(req, resp, &body))
        return;
    json_t *code = json_object_get(body, "code"), *key = json_object_get(body, "public_key");
    uint8_t pk[ZC_PUBKEY_LEN];
    zc_diag diag = {{0}, 0};
    if (!json_is_string(code))
        zc_hubapi_bad_request(resp, "code", "must be a string");
    else if (!json_is_string(key))
        zc_hubapi_bad_request(resp, "public_key", "must be a string");
    else if (zc_keys_parse_public(json_string_value(key), pk, &diag))
        zc_hubapi_bad_request(resp, "public_key", "must be the base64 of 32 bytes");
    else if (json_string_length(code) >= ZC_HUB_CODE_MAX ||
             strlen(json_string_value(code)) != json_string_length(code))
        zc_hubapi_error(resp, ZC_HTTP_UNAUTHORIZED, "unauthorized", "unknown enrolment code");
    else {
        zc_hub *hub = zc_hubapi_hub(req);
        zc_hub_enrolment e;
        zc_hub_request signed_by = signed_request(req, false);
        zc_err err = zc_hub_enrol(hub, &signed_by, json_string_value(code), pk, &e, &diag);
        if (err) {
            zc_hubapi_fail(resp, err, &diag);
        } else {
            char rules_pk[ZC_PUBKEY_TEXT_SIZE], region_key[ZC_B64_SIZE(ZC_REGION_KEY_LEN)];
            zc_keys_public_text(e.rules_pk, rules_pk);
            zc_b64_encode(e.region_key, ZC_REGION_KEY_LEN, region_key);
            zc_hubapi_json(resp, ZC_HTTP_OK,
                           json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "device_id", e.device_id,
                                     "canteen", e.canteen, "canteen_region", e.canteen_region,
                                     "timezone", e.timezone, "rules_public_key", rules_pk,
                                     "region_key", region_key));
        }
    }
    json_decref(body);
}

/* ---- POST /v1/sales ---- */

static void sales(const zc_hubapi_req *req, const char *rest, zc_hubapi_resp *resp)
{
    (void)rest;
    char device[ZC_ID_MAX];
    int64_t skew;
    json_t *body;
    if (!authenticate(req, resp, false, device, &skew) || !zc_hubapi_body_object(req, resp, &body))
        return;
    json_t *arr = json_object_get(body, "sales");
    if (!json_is_array(arr)) {
        zc_hubapi_bad_request(resp, "sales", "must be an array");
        json_decref(body);
        return;
    }
    size_t n = json_array_size(arr);
    if (n > ZC_SYNC_BATCH_MAX) {
        zc_hubapi_error(resp, ZC_HTTP_BAD_REQUEST, "bad_request",
                        "sales: at most %d records in one push", ZC_SYNC_BATCH_MAX);
        json_decref(body);
        return;
    }
    zc_syncwire_sale *recs = calloc(n ? n : 1, sizeof *recs);
    size_t parsed = 0;
    zc_diag diag = {{0}, 0};
    zc_err err = recs ? ZC_OK : ZC_ERR_NOMEM;
    for (; !err && parsed < n; parsed++) {
        zc_diag inner = {{0}, 0};
        if ((err = zc_syncwire_sale_from_json(json_array_get(arr, parsed), &recs[parsed], &inner)))
            zc_diag_set(&diag, err, "sales[%zu]: %s", parsed, inner.msg);
    }
    if (!err) {
        zc_hub_push_result r;
        if ((err = zc_hub_push(zc_hubapi_hub(req), device, recs, n, &r, &diag)) == ZC_OK)
            zc_hubapi_json(resp, ZC_HTTP_OK,
                           json_pack("{s:I,s:I,s:I,s:I}", "acked", (json_int_t)r.acked, "received",
                                     (json_int_t)r.received, "duplicates", (json_int_t)r.duplicates,
                                     "quarantined", (json_int_t)r.quarantined));
    }
    if (err)
        zc_hubapi_fail(resp, err, &diag);
    for (size_t i = 0; recs && i < n; i++)
        zc_syncwire_sale_clear(&recs[i]);
    free(recs);
    json_decref(body);
}

/* ---- GET /v1/rules, /v1/roster, /v1/menu ---- */

static void rules(const zc_hubapi_req *req, const char *rest, zc_hubapi_resp *resp)
{
    (void)rest;
    char device[ZC_ID_MAX];
    int64_t skew, after;
    if (!authenticate(req, resp, false, device, &skew) ||
        !zc_hubapi_query_int(req, resp, "after", 0, 0, INT64_MAX, &after))
        return;
    json_t *bundles = NULL;
    zc_diag diag = {{0}, 0};
    zc_err err = zc_hub_rules_after(zc_hubapi_hub(req), after, &bundles, &diag);
    zc_hubapi_answer_list(resp, err, &diag, "bundles", bundles);
}

static void roster(const zc_hubapi_req *req, const char *rest, zc_hubapi_resp *resp)
{
    (void)rest;
    char device[ZC_ID_MAX];
    int64_t skew, limit;
    if (!authenticate(req, resp, false, device, &skew) ||
        !zc_hubapi_query_int(req, resp, "limit", ZC_SYNC_ROSTER_PAGE, 1, ZC_SYNC_ROSTER_PAGE_MAX,
                             &limit))
        return;
    char *cursor = NULL;
    if (!zc_hubapi_query_text(req, resp, "after", &cursor))
        return;
    if (cursor && strlen(cursor) >= ZC_SYNC_CURSOR_MAX) {
        free(cursor);
        zc_hubapi_bad_request(resp, "after", "not a cursor this hub gave");
        return;
    }
    json_t *rows = NULL;
    char next[ZC_SYNC_CURSOR_MAX] = "";
    bool more = false;
    zc_diag diag = {{0}, 0};
    zc_err err = zc_hub_roster_page(zc_hubapi_hub(req), cursor ? cursor : "", (int)limit, &rows,
                                    next, &more, &diag);
    free(cursor);
    zc_hubapi_answer(resp, err, &diag,
                     json_pack("{s:o,s:s,s:b}", "rows", rows, "next", next, "more", more));
}

/* The canteen a device is enrolled in. */
static zc_err device_canteen(zc_hub *hub, const char *device, char canteen[ZC_ID_MAX],
                             zc_diag *diag)
{
    zc_hubdb_conn *conn;
    zc_err err = zc_hubdb_acquire(zc_hub_db(hub), &conn, diag);
    if (err)
        return err;
    zc_hubdb_rows *rows = NULL;
    const char *params[] = {device};
    err = zc_hubdb_query(conn, "SELECT canteen FROM device WHERE id = $1", params, 1, &rows, diag);
    zc_hubdb_release(conn);
    if (err)
        return err;
    const char *c = zc_hubdb_rows_count(rows) ? zc_hubdb_rows_text(rows, 0, 0) : NULL;
    if (!c || strlen(c) >= ZC_ID_MAX)
        err = zc_diag_set(diag, ZC_ERR_NOT_FOUND, "device %s is not enrolled", device);
    else
        memcpy(canteen, c, strlen(c) + 1);
    zc_hubdb_rows_free(rows);
    return err;
}

static void menu(const zc_hubapi_req *req, const char *rest, zc_hubapi_resp *resp)
{
    (void)rest;
    char device[ZC_ID_MAX], canteen[ZC_ID_MAX];
    int64_t skew, after;
    if (!authenticate(req, resp, false, device, &skew) ||
        !zc_hubapi_query_int(req, resp, "after", 0, 0, INT64_MAX, &after))
        return;
    zc_hub *hub = zc_hubapi_hub(req);
    zc_diag diag = {{0}, 0};
    int64_t version = 0;
    json_t *items = NULL;
    zc_err err = device_canteen(hub, device, canteen, &diag);
    if (!err)
        err = zc_hub_menu_get(hub, canteen, &version, &items, &diag);
    if (err) {
        zc_hubapi_fail(resp, err, &diag);
        return;
    }
    /* A kiosk that has this version already gets no items to apply. */
    if (after >= version) {
        json_decref(items);
        items = json_null();
    }
    zc_hubapi_json(resp, ZC_HTTP_OK,
                   json_pack("{s:I,s:o}", "version", (json_int_t)version, "items", items));
}

/* ---- POST /v1/heartbeat ---- */

typedef enum { HB_COUNT, HB_TIME, HB_TEXT, HB_FAULTS } hb_type;

static const struct {
    const char *key;
    hb_type type;
} HEARTBEAT_KEYS[] = {
    {"clock_ms", HB_TIME},       {"pending", HB_COUNT},      {"last_seq", HB_COUNT},
    {"rules_version", HB_COUNT}, {"roster_cursor", HB_TEXT}, {"menu_version", HB_COUNT},
    {"faults", HB_FAULTS},       {"version", HB_TEXT},
};

static bool short_text(const json_t *v)
{
    return json_is_string(v) && json_string_length(v) < KIOSK_TEXT_MAX &&
           strlen(json_string_value(v)) == json_string_length(v);
}

/* Every key the protocol names has its type (absent keys are left as they were). */
static bool heartbeat_valid(const json_t *body, zc_hubapi_resp *resp)
{
    for (size_t i = 0; i < sizeof HEARTBEAT_KEYS / sizeof HEARTBEAT_KEYS[0]; i++) {
        const char *key = HEARTBEAT_KEYS[i].key;
        json_t *v = json_object_get(body, key);
        if (!v)
            continue;
        switch (HEARTBEAT_KEYS[i].type) {
        case HB_COUNT:
            if (!json_is_integer(v) || json_integer_value(v) < 0) {
                zc_hubapi_bad_request(resp, key, "must be a whole number, 0 or more");
                return false;
            }
            break;
        case HB_TIME:
            if (!json_is_integer(v) || json_integer_value(v) < ZC_MS_MIN ||
                json_integer_value(v) > ZC_MS_MAX) {
                zc_hubapi_bad_request(resp, key, "must be epoch milliseconds");
                return false;
            }
            break;
        case HB_TEXT:
            if (!short_text(v)) {
                zc_hubapi_bad_request(resp, key, "must be a short string");
                return false;
            }
            break;
        case HB_FAULTS: {
            if (!json_is_array(v) || json_array_size(v) > KIOSK_FAULTS_MAX) {
                zc_hubapi_bad_request(resp, key, "must be an array of at most 64 strings");
                return false;
            }
            size_t k;
            json_t *f;
            json_array_foreach(v, k, f)
            {
                if (!short_text(f)) {
                    zc_hubapi_error(resp, ZC_HTTP_BAD_REQUEST, "bad_request",
                                    "faults[%zu]: must be a short string", k);
                    return false;
                }
            }
            break;
        }
        }
    }
    return true;
}

static void heartbeat(const zc_hubapi_req *req, const char *rest, zc_hubapi_resp *resp)
{
    (void)rest;
    char device[ZC_ID_MAX];
    int64_t skew;
    json_t *body;
    if (!authenticate(req, resp, true, device, &skew) || !zc_hubapi_body_object(req, resp, &body))
        return;
    if (heartbeat_valid(body, resp)) {
        zc_diag diag = {{0}, 0};
        /* The time the kiosk signed, as verified: the hub keeps the newest against replays. */
        zc_ms sent = strtoll(zc_hubapi_header(req, ZC_SYNC_HDR_TIME), NULL, 10);
        zc_err err = zc_hub_heartbeat(zc_hubapi_hub(req), device, body, sent, &diag);
        zc_hubapi_answer(resp, err, &diag, json_object());
    }
    json_decref(body);
}

const zc_hubapi_route ZC_HUBAPI_KIOSK_ROUTES[] = {
    {"POST", "/v1/enrol", enrol}, {"POST", "/v1/sales", sales},
    {"GET", "/v1/rules", rules},  {"GET", "/v1/roster", roster},
    {"GET", "/v1/menu", menu},    {"POST", "/v1/heartbeat", heartbeat},
    {NULL, NULL, NULL},
};
