#include "zc/sell.h"

#include "zc/menu.h"
#include "zc/rulebook.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { HISTORY_MAX = 1024 }; /* far above any published monthly limit (62) */

_Static_assert((int)ZC_CATEGORY_ID_MAX < (int)ZC_ID_MAX,
               "every roster category id fits a rules id");

static const zc_ms DAY_MS = (zc_ms)ZC_SECONDS_PER_DAY * ZC_MS_PER_SECOND;

/* The roster entry as the rules see it. */
static void quote_elder(const zc_elder *e, zc_quote_elder *out)
{
    memset(out, 0, sizeof *out);
    out->registered = true;
    out->has_birth = true;
    out->birth = e->birth;
    snprintf(out->region, sizeof out->region, "%s", e->region);
    out->suspended = e->status == ZC_ELDER_SUSPENDED;
    /* Categories were validated on import: ids separated by '|'. */
    const char *p = e->categories;
    while (*p && out->ncategories < ZC_RULES_MAX_ITEMS) {
        size_t n = strcspn(p, "|");
        if (n > 0 && n < ZC_ID_MAX) {
            memcpy(out->categories[out->ncategories], p, n);
            out->categories[out->ncategories++][n] = '\0';
        }
        p += n + (p[n] == '|');
    }
}

/* Finds the elder; an unknown credential is not an error: that elder pays full price. */
static zc_err identify(zc_datadir *dd, const zc_sell_request *req, zc_sell_result *out,
                       zc_quote_elder *qe, bool *have_qe, zc_diag *diag)
{
    zc_err err;
    zc_idnum id;
    *have_qe = false;
    switch (req->ident) {
    case ZC_IDENT_ID_CARD:
    case ZC_IDENT_MANUAL:
        if ((err = zc_idnum_parse(req->credential, strlen(req->credential), &id, diag)))
            return err;
        err =
            zc_roster_find_by_idnum(dd->store, dd->region_key, req->credential, &out->elder, diag);
        if (err == ZC_ERR_NOT_FOUND) {
            /* The card itself says how old they are: rules open to all elders can still apply. */
            memset(qe, 0, sizeof *qe);
            qe->has_birth = true;
            qe->birth = id.birth;
            snprintf(qe->region, sizeof qe->region, "%s", id.region);
            *have_qe = true;
        }
        break;
    case ZC_IDENT_QR:
        err = zc_roster_find_by_qr(dd->store, req->credential, &out->elder, diag);
        break;
    case ZC_IDENT_MEAL_CARD:
        err = zc_roster_find_by_card(dd->store, req->credential, &out->elder, diag);
        break;
    default:
        return zc_diag_set(diag, ZC_ERR_INVALID, "a sale needs an ID number, QR code or card");
    }
    if (err == ZC_ERR_NOT_FOUND)
        return ZC_OK;
    if (err)
        return err;
    out->found = true;
    quote_elder(&out->elder, qe);
    *have_qe = true;
    return ZC_OK;
}

/* Instants of this elder's subsidised sales that no void has cancelled, recent enough to count. */
static zc_err load_history(zc_store *store, int64_t elder_id, zc_ms at, zc_ms *history, size_t *n,
                           zc_diag *diag)
{
    *n = 0;
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(zc_store_db(store),
                                "SELECT s.at_ms FROM sale s WHERE s.elder_id = ?1 "
                                "AND s.kind = 'sale' AND s.subsidy > 0 AND s.at_ms >= ?2 "
                                "AND NOT EXISTS (SELECT 1 FROM sale v WHERE v.voids_seq = s.seq) "
                                "ORDER BY s.at_ms DESC LIMIT ?3",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return zc_store_fail(store, rc, "reading the elder's earlier meals", diag);
    sqlite3_bind_int64(st, 1, elder_id);
    sqlite3_bind_int64(st, 2, at - ZC_SELL_HISTORY_DAYS * DAY_MS);
    sqlite3_bind_int(st, 3, HISTORY_MAX);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        history[(*n)++] = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? ZC_OK
                             : zc_store_fail(store, rc, "reading the elder's earlier meals", diag);
}

/* The rule set in force at `at`, owned by dd's cache; NULL when none is in force. */
static zc_err rules_at(zc_datadir *dd, zc_ms at, const zc_rules **rules, zc_diag *diag)
{
    int64_t version;
    *rules = NULL;
    zc_err err = zc_rulebook_version_at(dd->store, at, &version, diag);
    if (err)
        return err == ZC_ERR_NOT_FOUND ? ZC_OK : err;
    if (!dd->rules || dd->rules->version != version) {
        zc_rules *loaded;
        if ((err = zc_rulebook_load(dd->store, dd->rules_pk, version, &loaded, diag)))
            return err;
        zc_rules_free(dd->rules);
        dd->rules = loaded;
    }
    *rules = dd->rules;
    return ZC_OK;
}

static void quote_without_rules(const zc_sell_request *req, zc_fen price, zc_quote *q)
{
    memset(q, 0, sizeof *q);
    q->price = price;
    q->self_pay = price + (req->delivered ? req->delivery_fee : 0);
    snprintf(q->reason, sizeof q->reason, "no subsidy rules installed for this time");
    q->nlines = 1;
    snprintf(q->lines[0].rule, sizeof q->lines[0].rule, "rules");
    snprintf(q->lines[0].note, sizeof q->lines[0].note, "%s", q->reason);
}

/* Everything up to the quote; shared by selling and quoting. */
static zc_err prepare(zc_datadir *dd, const zc_sell_request *req, zc_sell_result *out,
                      zc_menu_item *item, const zc_rules **rules, zc_diag *diag)
{
    memset(out, 0, sizeof *out);
    *rules = NULL;
    if (!req->credential || !*req->credential)
        return zc_diag_set(diag, ZC_ERR_INVALID, "a sale needs an ID number, QR code or card");
    if (req->delivered && req->delivery_fee < 0)
        return zc_diag_set(diag, ZC_ERR_INVALID, "--delivery-fee must not be negative");
    zc_fen price = req->price;
    zc_err err;
    if (req->item_code) {
        if ((err = zc_menu_get(dd->store, req->item_code, item, diag)))
            return err;
        price = item->price;
    } else if (price < 0) {
        return zc_diag_set(diag, ZC_ERR_INVALID, "--price must not be negative");
    }
    zc_quote_elder qe;
    bool have_qe;
    zc_ms history[HISTORY_MAX];
    size_t nhistory = 0;
    if ((err = identify(dd, req, out, &qe, &have_qe, diag)) ||
        (err = rules_at(dd, req->at, rules, diag)))
        return err;
    if (out->found &&
        (err = load_history(dd->store, out->elder.id, req->at, history, &nhistory, diag)))
        return err;
    if (!*rules) {
        quote_without_rules(req, price, &out->quote);
        return ZC_OK;
    }
    zc_quote_input in = {
        .elder = have_qe ? &qe : NULL,
        .price = price,
        .at = req->at,
        .canteen = dd->canteen,
        .canteen_region = dd->canteen_region,
        .delivered = req->delivered,
        .delivery_fee = req->delivered ? req->delivery_fee : 0,
        .history = history,
        .nhistory = nhistory,
    };
    return zc_rules_quote(*rules, &in, &out->quote, diag);
}

static json_t *sale_detail(const zc_sell_request *req, const zc_menu_item *item, const zc_quote *q)
{
    json_t *detail = json_object();
    json_t *quote = zc_quote_to_json(q);
    json_t *items = json_array();
    bool ok = detail && quote && items && json_object_set_new(detail, "quote", quote) == 0;
    quote = NULL;
    if (ok && req->item_code)
        ok = json_array_append_new(items,
                                   json_pack("{s:s,s:s,s:I}", "code", item->code, "name",
                                             item->name, "price", (json_int_t)item->price)) == 0;
    if (ok)
        ok = json_object_set_new(detail, "items", items) == 0;
    else
        json_decref(items);
    json_decref(quote);
    if (!ok) {
        json_decref(detail);
        return NULL;
    }
    return detail;
}

static void fill_sale(zc_datadir *dd, const zc_sell_request *req, const zc_rules *rules,
                      zc_sell_result *out, json_t *detail)
{
    zc_sale *s = &out->sale;
    const zc_quote *q = &out->quote;
    zc_local local;
    zc_tz_local(rules ? rules->tz : dd->tz, req->at, &local);
    memset(s, 0, sizeof *s);
    s->kind = ZC_ENTRY_SALE;
    s->at = req->at;
    s->date = local.date;
    snprintf(s->period, sizeof s->period, "%s", q->period);
    s->elder_id = out->found ? out->elder.id : 0;
    s->ident = req->ident;
    /* The ledger records what was charged in all: a delivered meal's fee is part of it. */
    s->price = q->price - q->discount + (req->delivered ? req->delivery_fee : 0);
    s->subsidy = q->subsidy + q->delivery_subsidy;
    s->self_pay = q->self_pay;
    s->paid = req->paid;
    snprintf(s->tier, sizeof s->tier, "%s", q->tier);
    s->rules_version = rules ? rules->version : 0;
    s->detail = detail;
}

zc_err zc_sell(zc_datadir *dd, zc_ledger *ledger, const zc_sell_request *req, zc_sell_result *out,
               zc_diag *diag)
{
    zc_err err = zc_store_begin(dd->store, diag);
    if (err)
        return err;
    zc_menu_item item;
    const zc_rules *rules = NULL;
    json_t *detail = NULL;
    if ((err = prepare(dd, req, out, &item, &rules, diag)))
        goto done;
    if (!(detail = sale_detail(req, &item, &out->quote))) {
        err = ZC_ERR_NOMEM;
        goto done;
    }
    fill_sale(dd, req, rules, out, detail);
    if (!(err = zc_ledger_append(ledger, &out->sale, diag)))
        err = zc_store_commit(dd->store, diag);
done:
    if (err)
        zc_store_rollback(dd->store);
    out->sale.detail = NULL;
    json_decref(detail);
    return err;
}

zc_err zc_sell_quote(zc_datadir *dd, const zc_sell_request *req, zc_sell_result *out, zc_diag *diag)
{
    zc_menu_item item;
    const zc_rules *rules = NULL;
    zc_err err = prepare(dd, req, out, &item, &rules, diag);
    if (!err)
        fill_sale(dd, req, rules, out, NULL);
    return err;
}

zc_err zc_sell_void(zc_datadir *dd, zc_ledger *ledger, int64_t seq, const char *reason, zc_ms at,
                    zc_sale *out, zc_diag *diag)
{
    zc_local local;
    zc_tz_local(dd->tz, at, &local);
    return zc_ledger_void(ledger, seq, reason, at, local.date, out, diag);
}
