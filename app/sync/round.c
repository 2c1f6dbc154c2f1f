/*
 * One sync round: push what the hub does not hold, pull what the kiosk lacks, heartbeat.
 *
 * Pushing only reads the store (zc_syncwire_sales_read) and then records the hub's high-water
 * mark in one statement; each pulled roster page, the menu and each rule set is its own short
 * transaction, so the kiosk's UI never waits long for the write lock. Requests are signed at the
 * kiosk's clock plus the offset learned from the hub, so a board whose clock is far off can still
 * talk to the hub; should a request be refused anyway, a heartbeat (which the hub accepts at any
 * clock) teaches the offset and the request is tried once more.
 */
#include "sync_impl.h"

#include "zc/ledger.h"
#include "zc/rulebook.h"
#include "zc/syncwire.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { INT_TEXT_MAX = 24 }; /* a decimal int64 with sign and NUL */

typedef struct round {
    zc_datadir *dd;
    zc_sync_client *client;
    const zc_sync_round_opts *opts;
    zc_sync_result *out;
    int64_t offset_ms; /* hub clock minus kiosk clock, as best known */
    bool learned;      /* offset_ms came from the hub this round */
    bool beat;         /* a heartbeat has been answered this round */
    int64_t head_seq;
} round;

/* The kiosk's own clock, uncorrected. */
static zc_ms kiosk_now(const round *r)
{
    return r->opts->clock ? r->opts->clock(r->opts->clock_ctx) : zc_sync_clock_ms();
}

static zc_err meta_int(zc_store *store, const char *key, int64_t *out, zc_diag *diag)
{
    char buf[ZC_META_VALUE_MAX];
    *out = 0;
    zc_err err = zc_store_meta_get(store, key, buf, sizeof buf, diag);
    if (err == ZC_ERR_NOT_FOUND)
        return ZC_OK;
    if (err)
        return err;
    char *end;
    long long v = strtoll(buf, &end, 10);
    if (end == buf || *end)
        return zc_diag_set(diag, ZC_ERR_BROKEN, "setting %s: '%s' is not a number", key, buf);
    *out = v;
    return ZC_OK;
}

static zc_err meta_set_int(zc_store *store, const char *key, int64_t v, zc_diag *diag)
{
    char buf[INT_TEXT_MAX];
    snprintf(buf, sizeof buf, "%" PRId64, v);
    return zc_store_meta_set(store, key, buf, diag);
}

static zc_err meta_text(zc_store *store, const char *key, char *buf, size_t size, zc_diag *diag)
{
    zc_err err = zc_store_meta_get(store, key, buf, size, diag);
    if (err == ZC_ERR_NOT_FOUND) {
        buf[0] = '\0';
        return ZC_OK;
    }
    return err;
}

zc_err zc_sync_recorded(zc_datadir *dd, zc_sync_result *out, zc_ms *last_ok_ms, zc_diag *diag)
{
    memset(out, 0, sizeof *out);
    zc_ledger_head head;
    zc_err err = zc_ledger_head_get(dd->store, &head, diag);
    if (!err)
        err = meta_int(dd->store, ZC_META_SYNC_ACKED, &out->acked, diag);
    if (!err)
        err = meta_int(dd->store, ZC_META_SYNC_OFFSET, &out->hub_offset_ms, diag);
    if (!err && last_ok_ms)
        err = meta_int(dd->store, ZC_META_SYNC_LAST_OK, last_ok_ms, diag);
    out->pending = head.seq > out->acked ? head.seq - out->acked : 0;
    return err;
}

static void learn_time(round *r, zc_ms hub_time, zc_ms sent_at)
{
    if (hub_time > 0) {
        r->offset_ms = r->out->hub_offset_ms = hub_time - sent_at;
        r->learned = true;
    }
}

static zc_err heartbeat(round *r, zc_diag *diag)
{
    zc_store *store = r->dd->store;
    int64_t rules = 0, menu = 0;
    char cursor[ZC_META_VALUE_MAX];
    zc_err err;
    if ((err = zc_rulebook_latest(store, &rules, diag)) ||
        (err = meta_int(store, ZC_META_MENU_VERSION, &menu, diag)) ||
        (err = meta_text(store, ZC_META_SYNC_CURSOR, cursor, sizeof cursor, diag)))
        return err;
    json_t *faults = json_array();
    for (size_t i = 0; faults && i < r->opts->nfaults; i++)
        json_array_append_new(faults, json_string(r->opts->faults[i]));
    zc_ms now = kiosk_now(r);
    json_t *body =
        json_pack("{s:I,s:I,s:I,s:I,s:s,s:I,s:o*,s:s}", "clock_ms", (json_int_t)now, "pending",
                  (json_int_t)r->out->pending, "last_seq", (json_int_t)r->head_seq, "rules_version",
                  (json_int_t)rules, "roster_cursor", cursor, "menu_version", (json_int_t)menu,
                  "faults", faults, "version", ZC_SYNC_APP_VERSION);
    if (!body)
        return zc_diag_set(diag, ZC_ERR_NOMEM, "out of memory");
    json_t *reply;
    zc_ms hub_time;
    /* Signed at the kiosk's own clock: the hub measures the board's real skew from it. */
    err = zc_sync_client_call(r->client, "POST", "/v1/heartbeat", body, true, now, &reply,
                              &hub_time, diag);
    json_decref(body);
    if (err)
        return err;
    json_decref(reply);
    learn_time(r, hub_time, now);
    r->beat = true;
    return ZC_OK;
}

/* A signed request at the hub's clock; a refusal is retried once after a heartbeat. */
static zc_err call(round *r, const char *method, const char *path, const json_t *body,
                   json_t **reply, zc_diag *diag)
{
    for (;;) {
        zc_ms now = kiosk_now(r), hub_time;
        zc_err err = zc_sync_client_call(r->client, method, path, body, true, now + r->offset_ms,
                                         reply, &hub_time, diag);
        if (!err)
            learn_time(r, hub_time, now);
        if (err != ZC_ERR_CRYPTO || r->beat)
            return err;
        zc_diag first = diag ? *diag : (zc_diag){{0}, 0};
        if (heartbeat(r, diag)) {
            if (diag)
                *diag = first;
            return err;
        }
    }
}

static zc_err push_batch(round *r, const zc_syncwire_sale *recs, size_t n, int64_t *acked,
                         zc_diag *diag)
{
    json_t *arr = json_array(), *reply;
    if (!arr)
        return zc_diag_set(diag, ZC_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        json_t *o;
        zc_err err = zc_syncwire_sale_to_json(&recs[i], &o);
        if (err || json_array_append_new(arr, o)) {
            json_decref(arr);
            return zc_diag_set(diag, err ? err : ZC_ERR_NOMEM, "entry %" PRId64 ": cannot send",
                               recs[i].seq);
        }
    }
    json_t *body = json_pack("{s:o}", "sales", arr);
    if (!body)
        return zc_diag_set(diag, ZC_ERR_NOMEM, "out of memory");
    zc_err err = call(r, "POST", "/v1/sales", body, &reply, diag);
    json_decref(body);
    if (err)
        return err;
    json_t *a = json_object_get(reply, "acked");
    if (!json_is_integer(a) || json_integer_value(a) < 0)
        err = zc_diag_set(diag, ZC_ERR_INVALID, "hub: answer to POST /v1/sales: acked: missing");
    else
        *acked = json_integer_value(a);
    json_decref(reply);
    return err;
}

static zc_err push(round *r, zc_diag *diag)
{
    zc_store *store = r->dd->store;
    int64_t after = r->out->acked;
    /* Each batch must move the hub's mark; a hub that stops moving it is reported, not looped on.
     */
    for (;;) {
        zc_syncwire_sale *recs;
        size_t n;
        zc_err err = zc_syncwire_sales_read(store, after, ZC_SYNC_BATCH_MAX, &recs, &n, diag);
        if (err)
            return err;
        if (n == 0)
            return ZC_OK;
        int64_t acked = 0, last_sent = recs[n - 1].seq;
        err = push_batch(r, recs, n, &acked, diag);
        zc_syncwire_sales_free(recs, n);
        if (err)
            return err;
        /* A hub holding more than this kiosk has made (a data directory restored from an older
         * copy with the same key) must not make it skip its own new entries. */
        if (acked > last_sent)
            return zc_diag_set(diag, ZC_ERR_BROKEN,
                               "hub: holds entries of this kiosk up to %" PRId64
                               " but the kiosk's ledger ends at %" PRId64
                               " (restored from an older copy?): nothing recorded",
                               acked, last_sent);
        r->out->pushed += (int64_t)n;
        r->out->acked = acked;
        r->out->pending = r->head_seq > acked ? r->head_seq - acked : 0;
        if ((err = meta_set_int(store, ZC_META_SYNC_ACKED, acked, diag)))
            return err;
        if (acked == after)
            return zc_diag_set(diag, ZC_ERR_BROKEN,
                               "hub: holds this kiosk's entries only up to %" PRId64
                               " and does not take %" PRId64 " onwards",
                               acked, after + 1);
        after = acked;
    }
}

static zc_err pull_rules(round *r, zc_diag *diag)
{
    zc_store *store = r->dd->store;
    int64_t latest;
    zc_err err = zc_rulebook_latest(store, &latest, diag);
    if (err)
        return err;
    char path[ZC_SYNC_PATH_MAX];
    snprintf(path, sizeof path, "/v1/rules?after=%" PRId64, latest);
    json_t *reply;
    if ((err = call(r, "GET", path, NULL, &reply, diag)))
        return err;
    json_t *bundles = json_object_get(reply, "bundles");
    if (!json_is_array(bundles))
        err = zc_diag_set(diag, ZC_ERR_INVALID, "hub: answer to GET %s: bundles: missing", path);
    size_t i;
    json_t *b;
    json_array_foreach(bundles, i, b)
    {
        if (err)
            break;
        char *text = json_dumps(b, JSON_COMPACT);
        if (!text) {
            err = zc_diag_set(diag, ZC_ERR_INVALID, "hub: bundles[%zu]: not a bundle", i);
            break;
        }
        int64_t version = 0;
        zc_ms now = kiosk_now(r) + r->offset_ms;
        err = zc_rulebook_install(store, r->dd->rules_pk, text, strlen(text), now, &version, diag);
        free(text);
        if (!err)
            r->out->rules_installed++;
        else if (diag) {
            char msg[ZC_DIAG_MAX];
            snprintf(msg, sizeof msg, "%s", diag->msg);
            zc_diag_set(diag, err, "hub: rule set refused: %s", msg);
        }
    }
    json_decref(reply);
    return err;
}

/* Percent-encodes text for a query string (RFC 3986 unreserved characters pass as they are). */
static bool query_escape(const char *text, char *out, size_t size)
{
    static const char HEX[] = "0123456789ABCDEF";
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        bool plain = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                     (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.' || *p == '~';
        size_t need = plain ? 1 : 3;
        if (o + need >= size)
            return false;
        if (plain) {
            out[o++] = (char)*p;
        } else {
            out[o++] = '%';
            out[o++] = HEX[*p >> 4];
            out[o++] = HEX[*p & 0xF];
        }
    }
    out[o] = '\0';
    return true;
}

static zc_err parse_rows(const json_t *rows, zc_syncwire_elder **out, size_t *n, zc_diag *diag)
{
    *out = NULL;
    *n = json_array_size(rows);
    if (*n == 0)
        return ZC_OK;
    zc_syncwire_elder *v = calloc(*n, sizeof *v);
    if (!v)
        return zc_diag_set(diag, ZC_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < *n; i++) {
        zc_err err = zc_syncwire_elder_from_json(json_array_get(rows, i), &v[i], diag);
        if (err) {
            if (diag) {
                char msg[ZC_DIAG_MAX];
                snprintf(msg, sizeof msg, "%s", diag->msg);
                zc_diag_set(diag, err, "hub: roster rows[%zu]: %s", i, msg);
            }
            free(v);
            return err;
        }
    }
    *out = v;
    return ZC_OK;
}

static zc_err roster_page(round *r, int limit, bool *more, zc_diag *diag)
{
    zc_store *store = r->dd->store;
    char cursor[ZC_META_VALUE_MAX], esc[ZC_SYNC_CURSOR_MAX * 3], path[ZC_SYNC_PATH_MAX];
    zc_err err = meta_text(store, ZC_META_SYNC_CURSOR, cursor, sizeof cursor, diag);
    if (err)
        return err;
    if (!query_escape(cursor, esc, sizeof esc))
        return zc_diag_set(diag, ZC_ERR_BROKEN, "setting %s: longer than %d bytes",
                           ZC_META_SYNC_CURSOR, ZC_SYNC_CURSOR_MAX - 1);
    snprintf(path, sizeof path, "/v1/roster?after=%s&limit=%d", esc, limit);
    json_t *reply;
    if ((err = call(r, "GET", path, NULL, &reply, diag)))
        return err;
    json_t *rows = json_object_get(reply, "rows");
    const char *next = json_string_value(json_object_get(reply, "next"));
    json_t *m = json_object_get(reply, "more");
    zc_syncwire_elder *v = NULL;
    size_t n = 0;
    if (!json_is_array(rows) || !next || !json_is_boolean(m))
        err = zc_diag_set(diag, ZC_ERR_INVALID, "hub: answer to GET /v1/roster: %s: missing",
                          !json_is_array(rows) ? "rows"
                          : !next              ? "next"
                                               : "more");
    else if (strlen(next) >= ZC_SYNC_CURSOR_MAX)
        err = zc_diag_set(diag, ZC_ERR_INVALID, "hub: roster cursor longer than %d bytes",
                          ZC_SYNC_CURSOR_MAX - 1);
    else if (!(err = parse_rows(rows, &v, &n, diag)))
        err = zc_syncwire_roster_apply(store, v, n, next, diag);
    if (!err) {
        r->out->roster_rows += (int64_t)n;
        *more = json_is_true(m);
        /* A hub that says "more" but moves nothing would keep the agent here for ever. */
        if (*more && n == 0 && strcmp(next, cursor) == 0)
            err = zc_diag_set(diag, ZC_ERR_INVALID, "hub: roster page without rows or progress");
    }
    free(v);
    json_decref(reply);
    return err;
}

static zc_err pull_roster(round *r, zc_diag *diag)
{
    int limit = r->opts->roster_page > 0 ? r->opts->roster_page : ZC_SYNC_ROSTER_PAGE;
    if (limit > ZC_SYNC_ROSTER_PAGE_MAX)
        limit = ZC_SYNC_ROSTER_PAGE_MAX;
    bool more = true;
    zc_err err = ZC_OK;
    while (more && !err)
        err = roster_page(r, limit, &more, diag);
    return err;
}

static zc_err pull_menu(round *r, zc_diag *diag)
{
    zc_store *store = r->dd->store;
    int64_t have;
    zc_err err = meta_int(store, ZC_META_MENU_VERSION, &have, diag);
    if (err)
        return err;
    char path[ZC_SYNC_PATH_MAX];
    snprintf(path, sizeof path, "/v1/menu?after=%" PRId64, have);
    json_t *reply;
    if ((err = call(r, "GET", path, NULL, &reply, diag)))
        return err;
    int64_t version = 0;
    zc_menu_item *items = NULL;
    size_t n = 0;
    bool changed = false;
    err = zc_syncwire_menu_from_json(reply, &version, &items, &n, &changed, diag);
    /* Only a newer menu replaces what the kiosk has (version 0: one imported on the kiosk). */
    if (!err && changed && version > have) {
        if (!(err = zc_syncwire_menu_apply(store, items, n, version, diag)))
            r->out->menu_changed = true;
    }
    free(items);
    json_decref(reply);
    return err;
}

static zc_err client_for(zc_datadir *dd, const char *url, zc_sync_client **out, zc_diag *diag)
{
    char hub[ZC_META_VALUE_MAX];
    if (!url) {
        zc_err err = zc_store_meta_get(dd->store, ZC_META_SYNC_HUB, hub, sizeof hub, diag);
        if (err == ZC_ERR_NOT_FOUND)
            return zc_diag_set(diag, ZC_ERR_NOT_FOUND,
                               "%s: not enrolled with a hub (run `zhucanctl enrol` first)",
                               dd->path);
        if (err)
            return err;
        url = hub;
    }
    return zc_sync_client_new(url, out, diag);
}

zc_err zc_sync_round_client(zc_datadir *dd, zc_sync_client *client, const zc_sync_round_opts *opts,
                            zc_sync_result *out, zc_diag *diag)
{
    static const zc_sync_round_opts DEFAULTS = {0};
    round r = {.dd = dd, .client = client, .opts = opts ? opts : &DEFAULTS, .out = out};
    zc_ledger_head head;
    zc_err err = zc_sync_recorded(dd, out, NULL, diag);
    if (!err)
        err = zc_ledger_head_get(dd->store, &head, diag);
    if (err)
        return err;
    r.head_seq = head.seq;
    r.offset_ms = out->hub_offset_ms;
    zc_sync_client_identity(client, &dd->device_key, dd->device_id);
    /* A step refused on its content (a rule set, a roster page) does not stop the others: a round
     * refused in part still brings the kiosk everything else it can. */
    zc_diag first = {{0}, 0};
    zc_err first_err = ZC_OK;
    zc_err (*const steps[])(round *, zc_diag *) = {push, pull_rules, pull_roster, pull_menu,
                                                   heartbeat};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        zc_diag d = {{0}, 0};
        err = steps[i](&r, &d);
        if (err && !first_err) {
            first_err = err;
            first = d;
        }
        /* Without the hub, or refused by it, nothing further can work this round. */
        if (err == ZC_ERR_IO || err == ZC_ERR_CRYPTO)
            break;
    }
    /* The clock is worth keeping even from a round that failed later on. */
    if (r.learned && (err = meta_set_int(dd->store, ZC_META_SYNC_OFFSET, r.offset_ms, diag)))
        return err;
    if (first_err) {
        if (diag)
            *diag = first;
        return first_err;
    }
    return meta_set_int(dd->store, ZC_META_SYNC_LAST_OK, kiosk_now(&r) + r.offset_ms, diag);
}

zc_err zc_sync_round_with(zc_datadir *dd, const zc_sync_round_opts *opts, zc_sync_result *out,
                          zc_diag *diag)
{
    memset(out, 0, sizeof *out);
    zc_sync_client *client;
    zc_err err = client_for(dd, opts ? opts->hub_url : NULL, &client, diag);
    if (err)
        return err;
    err = zc_sync_round_client(dd, client, opts, out, diag);
    zc_sync_client_free(client);
    return err;
}

zc_err zc_sync_round(zc_datadir *dd, const char *hub_url, zc_sync_result *out, zc_diag *diag)
{
    zc_sync_round_opts opts = {.hub_url = hub_url};
    return zc_sync_round_with(dd, &opts, out, diag);
}
