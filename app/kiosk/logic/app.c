/*
 * The executor (app.h): feeds inputs to the pure state machine (machine.h) and carries out the
 * effects it asks for against the kiosk's data directory, feeding each result back in as an event.
 *
 * Effects run synchronously, in the order asked, on the caller's thread: a sale is one SQLite
 * transaction of a few milliseconds (zc_sell), so the shell's frame is not at risk, and no answer
 * can overtake another. The results go through a small queue rather than recursion, so a chain
 * (sale -> print -> speech) is a loop, not a deep stack.
 *
 * What the machine never sees is handled here: the roster entry (only the masked name, age band
 * and counts go in), the ID number after the lookup, PIN hashes, the device key that signs the
 * receipt QR.
 */
#include "kiosk/app.h"

#include "machine.h"
#include "staff.h"
#include "ui_strings.h"

#include "zc/datadir.h"
#include "zc/menu.h"
#include "zc/receipt.h"
#include "zc/report.h"
#include "zc/roster.h"
#include "zc/sell.h"
#include "zc/syncwire.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef ZC_ASSETS_SOURCE_DIR
#define ZC_ASSETS_SOURCE_DIR "assets"
#endif
/* Where packages install the assets; the source tree's are used when they exist (development). */
#define ZC_ASSETS_INSTALLED_DIR "/usr/share/zhucan/assets"
#define ZC_STRINGS_ZH_FILE "i18n/zh-CN.txt"
#define ZC_STRINGS_EN_FILE "i18n/en.txt"

/* Settings in the store's meta table (migration 3 seeds the volume). */
#define META_VOLUME "kiosk.volume"
#define META_LANG "kiosk.lang"
#define META_CLOSED_DATE "kiosk.closed_date"
#define META_CLOSED_SEQ "kiosk.closed_seq"
#define LANG_TAG_ZH "zh-CN"
#define LANG_TAG_EN "en"

enum {
    APP_SPEECH_QUEUE = 8, /* utterances waiting for the shell; the oldest go first when full */
    APP_EVENTS_MAX = 8,   /* results waiting to be fed back (one step yields at most three) */
    APP_PATH_MAX = 4096,
    APP_Z_ITEMS_MAX = 16, /* lines of a printed Z report */
};

struct zc_app {
    zc_datadir *dd;
    zc_ledger *ledger;
    zc_strings *strings[ZC_LANG_COUNT];
    zc_app_print_fn print;
    void *print_ctx;

    zc_ms shell_now;    /* the clock as the shell gives it */
    zc_ms clock_offset; /* set by staff on a board without a real-time clock */
    zc_ms hub_offset;   /* hub clock minus the shell's, adopted when the kiosk is behind; else 0 */
    bool sync_poke;     /* a sale was recorded since the shell last asked */
    zc_ms head_at;      /* time of the last ledger entry: the clock may not go before it */

    zc_machine m;
    bool readers;

    /* The last sale, for its receipt. */
    bool have_sale;
    zc_sale sale;
    zc_fen sale_menu_price;
    char sale_item[ZC_MENU_CODE_MAX];
    char receipt[ZC_RECEIPT_TEXT_SIZE];

    char speech[APP_SPEECH_QUEUE][ZC_SPEECH_MAX];
    size_t speech_head, speech_n;

    zc_mevent events[APP_EVENTS_MAX];
    size_t ev_head, ev_n;

    zc_view last_view;
    bool dirty;
};

/* A clock behind the hub's is a board that lost its time: the hub's wins over whatever staff set.
 */
static zc_ms app_offset(const zc_app *app)
{
    return app->hub_offset ? app->hub_offset : app->clock_offset;
}

static zc_ms app_now(const zc_app *app)
{
    return app->shell_now + app_offset(app);
}

/* ---- the event loop ---- */

static zc_mevent *push(zc_app *app, zc_mev_kind kind)
{
    if (app->ev_n == APP_EVENTS_MAX)
        return NULL; /* cannot happen: at most one answer is outstanding (machine.h) */
    zc_mevent *ev = &app->events[(app->ev_head + app->ev_n++) % APP_EVENTS_MAX];
    zc_mevent_init(ev, kind);
    return ev;
}

static void execute(zc_app *app, const zc_fx *fx);

/* Field by field: a struct's padding bytes are not part of what it shows. */
static bool view_equal(const zc_view *a, const zc_view *b)
{
    if (a->tone != b->tone || a->staff != b->staff || a->n != b->n ||
        strcmp(a->screen ? a->screen : "", b->screen ? b->screen : "") != 0)
        return false;
    for (size_t i = 0; i < a->n && i < ZC_VIEW_ITEMS_MAX; i++) {
        const zc_view_item *x = &a->items[i], *y = &b->items[i];
        if (x->role != y->role || strcmp(x->id, y->id) != 0 || strcmp(x->text, y->text) != 0 ||
            strcmp(x->text2, y->text2) != 0)
            return false;
    }
    return true;
}

static void refresh(zc_app *app)
{
    zc_view v;
    zc_machine_view(&app->m, &v);
    if (!view_equal(&v, &app->last_view)) {
        app->last_view = v;
        app->dirty = true;
    }
}

static void run(zc_app *app, const zc_mevent *first)
{
    zc_effects fx;
    memset(&fx, 0, sizeof fx);
    zc_machine_step(&app->m, first, &fx);
    for (;;) {
        for (size_t i = 0; i < fx.n; i++)
            execute(app, &fx.v[i]);
        if (app->ev_n == 0)
            break;
        zc_mevent *ev = &app->events[app->ev_head];
        memset(&fx, 0, sizeof fx);
        zc_machine_step(&app->m, ev, &fx);
        app->ev_head = (app->ev_head + 1) % APP_EVENTS_MAX;
        app->ev_n--;
    }
    refresh(app);
}

/* ---- texts the executor prints (receipts are in Chinese: the printers' font is GB18030) ---- */

static const char *zh(const zc_app *app, const char *key)
{
    const char *t = zc_strings_get(app->strings[ZC_LANG_ZH], key);
    return t ? t : key;
}

static void local_text(const zc_app *app, zc_ms at, char *buf, size_t size)
{
    zc_local l;
    zc_tz_local(app->dd->tz, at, &l);
    char date[ZC_DATE_TEXT_LEN + 1];
    zc_date_format(l.date, date);
    snprintf(buf, size, "%s %02d:%02d", date, l.second_of_day / ZC_SECONDS_PER_HOUR,
             l.second_of_day % ZC_SECONDS_PER_HOUR / ZC_SECONDS_PER_MINUTE);
}

static zc_date local_date(const zc_app *app, zc_ms at)
{
    zc_local l;
    zc_tz_local(app->dd->tz, at, &l);
    return l.date;
}

static void set_message(zc_mevent *ev, const zc_diag *d)
{
    zc_strings_copy(ev->message, sizeof ev->message, d->msg);
}

/* ---- identify, quote, sell ---- */

/*
 * Why the quote gave no subsidy, from the rule that stopped it. The rule names are the JSON paths
 * of the public rules contract (DESIGN.md), so they are as stable as the rules format itself.
 */
static zc_outcome classify(const zc_sell_result *r)
{
    if (!r->found)
        return ZC_OUTCOME_NOT_FOUND;
    const zc_quote *q = &r->quote;
    if (!q->reason[0])
        return ZC_OUTCOME_OK;
    const char *rule = "";
    for (size_t i = 0; i < q->nlines && i < ZC_QUOTE_MAX_LINES; i++)
        if (strcmp(q->lines[i].note, q->reason) == 0) {
            rule = q->lines[i].rule;
            break;
        }
    if (strcmp(rule, "rules") == 0)
        return ZC_OUTCOME_NO_RULES;
    if (strcmp(rule, "registered_only") == 0)
        return ZC_OUTCOME_NOT_FOUND;
    if (strcmp(rule, "status") == 0)
        return ZC_OUTCOME_SUSPENDED;
    if (strncmp(rule, "limits.", strlen("limits.")) == 0)
        return ZC_OUTCOME_LIMIT;
    if (strcmp(rule, "meal_periods") == 0)
        return ZC_OUTCOME_OUTSIDE_HOURS;
    if (strncmp(rule, "service_days", strlen("service_days")) == 0)
        return ZC_OUTCOME_NO_SERVICE;
    if (strcmp(rule, "regions") == 0 || strcmp(rule, "home_region_digits") == 0)
        return ZC_OUTCOME_NOT_COVERED;
    return ZC_OUTCOME_OK; /* no tier applies, price below the minimum: just no subsidy */
}

/* The rule set the quote used (zc_sell keeps it cached in dd), or NULL. */
static const zc_rules *quote_rules(const zc_app *app, const zc_sell_result *r)
{
    const zc_rules *rules = app->dd->rules;
    return rules && r->quote.rules_version != 0 && rules->version == r->quote.rules_version ? rules
                                                                                            : NULL;
}

static const zc_rules_policy *policy_of(const zc_app *app, const zc_rules *rules)
{
    const zc_rules_policy *pol = zc_rules_policy_for(rules, app->dd->canteen);
    return pol ? pol : &rules->base;
}

/* Subsidised, unvoided meals of this elder on a local date (the ledger's local_date). */
static zc_err count_today(zc_app *app, int64_t elder_id, zc_date date, int64_t *n, zc_diag *diag)
{
    zc_store *store = app->dd->store;
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(zc_store_db(store),
                                "SELECT COUNT(*) FROM sale s WHERE s.elder_id = ?1 "
                                "AND s.kind = 'sale' AND s.subsidy > 0 AND s.local_date = ?2 "
                                "AND NOT EXISTS (SELECT 1 FROM sale v WHERE v.voids_seq = s.seq)",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return zc_store_fail(store, rc, "counting today's meals", diag);
    char day[ZC_DATE_TEXT_LEN + 1];
    zc_date_format(date, day);
    sqlite3_bind_int64(st, 1, elder_id);
    sqlite3_bind_text(st, 2, day, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    *n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? ZC_OK : zc_store_fail(store, rc, "counting today's meals", diag);
}

/* Age band and meals left today, from the rules in force and the ledger. */
static zc_err elder_facts(zc_app *app, const zc_sell_result *r, zc_ms at, zc_melder *out,
                          zc_diag *diag)
{
    out->remaining_today = -1;
    const zc_rules *rules = quote_rules(app, r);
    if (!r->found || !rules)
        return ZC_OK;
    const zc_rules_policy *pol = policy_of(app, rules);
    zc_local l;
    zc_tz_local(rules->tz, at, &l);
    int age = zc_date_age(r->elder.birth, l.date);
    for (size_t i = 0; i < pol->ntiers; i++) {
        const zc_rules_tier *t = &pol->tiers[i];
        if (age >= t->min_age && (t->max_age == ZC_RULES_NO_LIMIT || age <= t->max_age)) {
            out->has_band = true;
            out->band_min = t->min_age;
            out->band_max = t->max_age == ZC_RULES_NO_LIMIT ? -1 : t->max_age;
            break;
        }
    }
    if (pol->limits.per_day == ZC_RULES_NO_LIMIT)
        return ZC_OK;
    int64_t used = 0;
    zc_err err = count_today(app, r->elder.id, l.date, &used, diag);
    if (err)
        return err;
    int64_t left = pol->limits.per_day - used;
    out->remaining_today = left < 0 ? 0 : (int)left;
    return ZC_OK;
}

/* The dishes served in this period, in code order. */
static zc_err dishes(zc_app *app, const char *period, zc_melder *out, zc_diag *diag)
{
    zc_menu_item *items;
    size_t n;
    zc_err err = zc_menu_list(app->dd->store, &items, &n, diag);
    if (err)
        return err;
    for (size_t i = 0; i < n && out->nitems < ZC_MACHINE_MENU_MAX; i++) {
        if (!zc_menu_item_in_period(&items[i], period))
            continue;
        zc_mitem *it = &out->items[out->nitems++];
        zc_strings_copy(it->code, sizeof it->code, items[i].code);
        zc_strings_copy(it->name, sizeof it->name, items[i].name);
        it->price = items[i].price;
    }
    free(items);
    return ZC_OK;
}

static void request_of(const zc_fx *fx, zc_ms at, zc_sell_request *req)
{
    memset(req, 0, sizeof *req);
    req->ident = fx->u.sale.ident;
    req->credential = fx->u.sale.credential;
    req->item_code = fx->u.sale.item[0] ? fx->u.sale.item : NULL;
    req->price = fx->u.sale.price;
    req->at = at;
    req->paid = ZC_PAY_CASH;
}

static void amounts_of(const zc_sell_result *r, zc_mamounts *out)
{
    out->price = r->quote.price;
    out->discount = r->quote.discount;
    out->subsidy = r->sale.subsidy;
    out->self_pay = r->sale.self_pay;
    out->outcome = classify(r);
}

static void do_identify(zc_app *app, const zc_fx *fx)
{
    zc_mevent *ev = push(app, ZC_MEV_IDENTIFIED);
    if (!ev)
        return;
    zc_ms at = app_now(app);
    zc_sell_request req;
    request_of(fx, at, &req);
    req.item_code = NULL;
    req.price = 0; /* who, which period, which limits: the price does not matter yet */
    zc_sell_result r;
    zc_diag d = {{0}, 0};
    zc_err err = zc_sell_quote(app->dd, &req, &r, &d);
    zc_melder *e = &ev->u.elder;
    if (!err) {
        e->outcome = classify(&r);
        if (r.found)
            zc_roster_mask_name(r.elder.name, e->masked_name, sizeof e->masked_name);
        zc_strings_copy(e->period, sizeof e->period, r.quote.period);
        err = elder_facts(app, &r, at, e, &d);
    }
    if (!err)
        err = dishes(app, r.quote.period, e, &d);
    ev->err = err;
    if (err)
        set_message(ev, &d);
}

static void do_quote(zc_app *app, const zc_fx *fx)
{
    zc_mevent *ev = push(app, ZC_MEV_QUOTED);
    if (!ev)
        return;
    zc_sell_request req;
    request_of(fx, app_now(app), &req);
    zc_sell_result r;
    zc_diag d = {{0}, 0};
    ev->err = zc_sell_quote(app->dd, &req, &r, &d);
    if (ev->err)
        set_message(ev, &d);
    else
        amounts_of(&r, &ev->u.amounts);
}

static void clock_check(zc_app *app)
{
    bool behind = app_now(app) < app->head_at;
    if (behind != app->m.clock_behind) {
        zc_mevent *ev = push(app, ZC_MEV_CLOCK_CHECK);
        if (ev)
            ev->u.flag = behind;
    }
}

static void do_sell(zc_app *app, const zc_fx *fx)
{
    zc_mevent *ev = push(app, ZC_MEV_SOLD);
    if (!ev)
        return;
    zc_sell_request req;
    request_of(fx, app_now(app), &req);
    zc_sell_result r;
    zc_diag d = {{0}, 0};
    zc_err err = zc_sell(app->dd, app->ledger, &req, &r, &d);
    if (!err)
        err = zc_receipt_text(&r.sale, r.sale.hash, &app->dd->device_key, app->receipt,
                              sizeof app->receipt);
    ev->err = err;
    if (err) {
        set_message(ev, &d);
        app->have_sale = false;
        if (err == ZC_ERR_CLOCK)
            app->head_at = app_now(app) + 1; /* whatever it was: staff must set the clock */
        clock_check(app);
        return;
    }
    app->have_sale = true;
    app->sale = r.sale;
    app->sale.detail = NULL;
    app->sale_menu_price = r.quote.price;
    zc_strings_copy(app->sale_item, sizeof app->sale_item, fx->u.sale.item);
    app->head_at = r.sale.at;
    app->sync_poke = true;
    ev->u.sale.seq = r.sale.seq;
    amounts_of(&r, &ev->u.sale.amounts);
    zc_strings_copy(ev->u.sale.receipt, sizeof ev->u.sale.receipt, app->receipt);
}

/* ---- printing ---- */

static void do_print(zc_app *app, const zc_fx *fx)
{
    zc_mevent *ev = push(app, ZC_MEV_PRINTED);
    if (!ev)
        return;
    if (!app->have_sale || app->sale.seq != fx->u.seq) {
        ev->err = ZC_ERR_NOT_FOUND;
        return;
    }
    if (!app->print) {
        ev->u.print.no_printer = true;
        return;
    }
    const zc_sale *s = &app->sale;
    zc_menu_item item;
    const char *name = zh(app, "receipt.meal");
    if (app->sale_item[0] && zc_menu_get(app->dd->store, app->sale_item, &item, NULL) == ZC_OK)
        name = item.name;
    hal_escpos_item line = {.name = name, .price = app->sale_menu_price};
    char when[64];
    local_text(app, s->at, when, sizeof when);
    /* What a receipt may show is fixed by hal_escpos_receipt: no name, no ID, no category. */
    hal_escpos_receipt rc = {
        .canteen = app->dd->canteen,
        .device = app->dd->device_id,
        .seq = s->seq,
        .time_text = when,
        .items = &line,
        .nitems = 1,
        .total = s->price,
        .subsidy = s->subsidy,
        .self_pay = s->self_pay,
        .paid = zh(app, s->paid == ZC_PAY_CASH ? "pay.cash" : "pay.other"),
        .qr = app->receipt,
        .footer = zh(app, "receipt.footer"),
    };
    hal_err herr = app->print(app->print_ctx, &rc, ev->message, sizeof ev->message);
    ev->u.print.printed = herr == HAL_OK;
}

/* ---- reports ---- */

static void totals_of(json_t *o, zc_report_totals *t)
{
    t->sales = json_integer_value(json_object_get(o, "sales"));
    t->voids = json_integer_value(json_object_get(o, "voids"));
    t->gross = json_integer_value(json_object_get(o, "gross"));
    t->subsidy = json_integer_value(json_object_get(o, "subsidy"));
    t->self_pay = json_integer_value(json_object_get(o, "self_pay"));
}

static zc_err build_report(zc_app *app, zc_date date, zc_mreport *out, zc_diag *diag)
{
    static const char *const SECTIONS[] = {"by_period", "by_tier", "by_payment"};
    memset(out, 0, sizeof *out);
    out->date = date;
    zc_report *rep;
    zc_err err = zc_report_day(app->dd->store, date, &rep, diag);
    if (err)
        return err;
    json_t *j = NULL;
    err = zc_report_to_json(rep, &j);
    zc_report_free(rep);
    if (err)
        return zc_diag_set(diag, err, "building the day report");
    totals_of(j, &out->total);
    for (size_t s = 0; s < sizeof SECTIONS / sizeof SECTIONS[0]; s++) {
        const char *key;
        json_t *val;
        json_object_foreach(json_object_get(j, SECTIONS[s]), key, val)
        {
            if (out->nrows == ZC_MACHINE_ROWS_MAX)
                break;
            zc_mrow *r = &out->rows[out->nrows++];
            zc_strings_copy(r->section, sizeof r->section, SECTIONS[s]);
            zc_strings_copy(r->key, sizeof r->key, key);
            totals_of(val, &r->t);
        }
    }
    json_t *cash = json_object_get(json_object_get(j, "by_payment"), zc_pay_name(ZC_PAY_CASH));
    out->cash_self_pay = json_integer_value(json_object_get(cash, "self_pay"));
    out->head_seq = json_integer_value(json_object_get(json_object_get(j, "chain_head"), "seq"));
    json_decref(j);
    return ZC_OK;
}

static void do_report(zc_app *app)
{
    zc_mevent *ev = push(app, ZC_MEV_REPORTED);
    if (!ev)
        return;
    zc_diag d = {{0}, 0};
    ev->err = build_report(app, local_date(app, app_now(app)), &ev->u.report, &d);
    if (ev->err)
        set_message(ev, &d);
}

/* The Z report on paper, through the receipt layout: periods and payments, never categories. */
static bool print_z(zc_app *app, const zc_mreport *rep)
{
    if (!app->print)
        return false;
    hal_escpos_item items[APP_Z_ITEMS_MAX];
    char names[APP_Z_ITEMS_MAX][ZC_STRINGS_TEXT_MAX];
    size_t n = 0;
    for (size_t i = 0; i < rep->nrows && n < APP_Z_ITEMS_MAX; i++) {
        const zc_mrow *r = &rep->rows[i];
        bool period = strcmp(r->section, "by_period") == 0;
        if (!period && strcmp(r->section, "by_payment") != 0)
            continue;
        char key[ZC_STRINGS_KEY_MAX + ZC_ID_MAX], count[32];
        if (strcmp(r->key, ZC_REPORT_NONE) == 0)
            snprintf(key, sizeof key, "report.none.%s", period ? "period" : "tier");
        else
            snprintf(key, sizeof key, "%s.%s", period ? "period" : "pay", r->key);
        const char *label = zc_strings_get(app->strings[ZC_LANG_ZH], key);
        snprintf(count, sizeof count, "%" PRId64, r->t.sales - r->t.voids);
        const char *args[] = {label ? label : r->key, count};
        zc_strings_format(zh(app, "receipt.z_row"), args, 2, names[n], sizeof names[n]);
        items[n].name = names[n];
        items[n].price = period ? r->t.gross : r->t.self_pay;
        n++;
    }
    char when[64], date[ZC_DATE_TEXT_LEN + 1], footer[ZC_STRINGS_TEXT_MAX], voids[32];
    local_text(app, app_now(app), when, sizeof when);
    zc_date_format(rep->date, date);
    snprintf(voids, sizeof voids, "%" PRId64, rep->total.voids);
    const char *args[] = {date, voids};
    zc_strings_format(zh(app, "receipt.z_footer"), args, 2, footer, sizeof footer);
    hal_escpos_receipt rc = {
        .canteen = app->dd->canteen,
        .device = app->dd->device_id,
        .seq = rep->head_seq,
        .time_text = when,
        .items = items,
        .nitems = n,
        .total = rep->total.gross,
        .subsidy = rep->total.subsidy,
        .self_pay = rep->total.self_pay,
        .paid = zh(app, "receipt.z_title"),
        .qr = NULL,
        .footer = footer,
    };
    char msg[HAL_MESSAGE_MAX];
    return app->print(app->print_ctx, &rc, msg, sizeof msg) == HAL_OK;
}

static void do_close_day(zc_app *app)
{
    zc_mevent *ev = push(app, ZC_MEV_DAY_CLOSED);
    if (!ev)
        return;
    zc_diag d = {{0}, 0};
    zc_mreport rep;
    zc_err err = build_report(app, local_date(app, app_now(app)), &rep, &d);
    char date[ZC_DATE_TEXT_LEN + 1], seq[32];
    zc_date_format(rep.date, date);
    snprintf(seq, sizeof seq, "%" PRId64, rep.head_seq);
    zc_store *store = app->dd->store;
    if (!err && !(err = zc_store_begin(store, &d))) {
        if ((err = zc_store_meta_set(store, META_CLOSED_DATE, date, &d)) ||
            (err = zc_store_meta_set(store, META_CLOSED_SEQ, seq, &d)) ||
            (err = zc_store_commit(store, &d)))
            zc_store_rollback(store);
    }
    ev->err = err;
    if (err) {
        set_message(ev, &d);
        return;
    }
    ev->u.flag = print_z(app, &rep);
}

/* ---- staff ---- */

static void do_check_pin(zc_app *app, const zc_fx *fx)
{
    zc_mevent *ev = push(app, ZC_MEV_PIN_CHECKED);
    if (!ev)
        return;
    zc_staff_check c;
    zc_diag d = {{0}, 0};
    ev->err = zc_staff_check_pin(app->dd->store, fx->u.pin.pin, fx->u.pin.role, &c, &d);
    if (ev->err) {
        set_message(ev, &d);
        return;
    }
    ev->u.pin.ok = c.ok;
    ev->u.pin.role = c.role;
    ev->u.pin.is_default = c.is_default;
}

static void do_change_pin(zc_app *app, const zc_fx *fx)
{
    zc_mevent *ev = push(app, ZC_MEV_PIN_CHANGED);
    if (!ev)
        return;
    zc_diag d = {{0}, 0};
    ev->err = zc_staff_set_pin(app->dd->store, fx->u.pin.role, fx->u.pin.pin, app_now(app), &d);
    if (ev->err)
        set_message(ev, &d);
}

static void do_void(zc_app *app, const zc_fx *fx)
{
    zc_mevent *ev = push(app, ZC_MEV_VOIDED);
    if (!ev)
        return;
    zc_diag d = {{0}, 0};
    zc_sale out;
    ev->u.seq = fx->u.void_.seq;
    ev->err = zc_sell_void(app->dd, app->ledger, fx->u.void_.seq, fx->u.void_.reason, app_now(app),
                           &out, &d);
    if (ev->err) {
        set_message(ev, &d);
        return;
    }
    app->head_at = out.at;
}

static void do_set_clock(zc_app *app, const zc_fx *fx)
{
    zc_mevent *ev = push(app, ZC_MEV_CLOCK_SET);
    if (!ev)
        return;
    zc_ledger_head head;
    zc_diag d = {{0}, 0};
    ev->err = zc_ledger_head_get(app->dd->store, &head, &d);
    if (!ev->err && head.seq > 0 && fx->u.at < head.at)
        ev->err = zc_diag_set(&d, ZC_ERR_CLOCK, "the time is before the last recorded sale");
    if (ev->err) {
        set_message(ev, &d);
        return;
    }
    app->head_at = head.seq > 0 ? head.at : 0;
    app->clock_offset = fx->u.at - app->shell_now;
    ev->now = app_now(app); /* the machine takes the new time from the answer */
    clock_check(app);
}

static zc_err save_settings(zc_app *app, int volume, zc_lang lang, zc_diag *diag)
{
    char vol[16];
    snprintf(vol, sizeof vol, "%d", volume);
    zc_store *store = app->dd->store;
    zc_err err = zc_store_begin(store, diag);
    if (err)
        return err;
    if ((err = zc_store_meta_set(store, META_VOLUME, vol, diag)) ||
        (err = zc_store_meta_set(store, META_LANG, lang == ZC_LANG_EN ? LANG_TAG_EN : LANG_TAG_ZH,
                                 diag)) ||
        (err = zc_store_commit(store, diag)))
        zc_store_rollback(store);
    return err;
}

static void do_save_settings(zc_app *app, const zc_fx *fx)
{
    zc_mevent *ev = push(app, ZC_MEV_SETTINGS_SAVED);
    if (!ev)
        return;
    zc_diag d = {{0}, 0};
    ev->err = save_settings(app, fx->u.settings.volume, fx->u.settings.lang, &d);
    if (ev->err)
        set_message(ev, &d);
}

static void do_speak(zc_app *app, const char *text)
{
    if (app->m.volume <= 0 || !*text)
        return; /* muted: nothing to say */
    if (app->speech_n == APP_SPEECH_QUEUE) {
        app->speech_head = (app->speech_head + 1) % APP_SPEECH_QUEUE;
        app->speech_n--;
    }
    size_t i = (app->speech_head + app->speech_n++) % APP_SPEECH_QUEUE;
    zc_strings_copy(app->speech[i], sizeof app->speech[i], text);
}

static void execute(zc_app *app, const zc_fx *fx)
{
    switch (fx->kind) {
    case ZC_FX_IDENTIFY:
        do_identify(app, fx);
        break;
    case ZC_FX_QUOTE:
        do_quote(app, fx);
        break;
    case ZC_FX_SELL:
        do_sell(app, fx);
        break;
    case ZC_FX_PRINT:
        do_print(app, fx);
        break;
    case ZC_FX_SPEAK:
        do_speak(app, fx->u.speech);
        break;
    case ZC_FX_READERS:
        app->readers = fx->u.enabled;
        break;
    case ZC_FX_CHECK_PIN:
        do_check_pin(app, fx);
        break;
    case ZC_FX_CHANGE_PIN:
        do_change_pin(app, fx);
        break;
    case ZC_FX_VOID:
        do_void(app, fx);
        break;
    case ZC_FX_REPORT:
        do_report(app);
        break;
    case ZC_FX_SET_CLOCK:
        do_set_clock(app, fx);
        break;
    case ZC_FX_CLOSE_DAY:
        do_close_day(app);
        break;
    case ZC_FX_SAVE_SETTINGS:
        do_save_settings(app, fx);
        break;
    }
}

/* ---- open and close ---- */

static bool file_exists(const char *dir, const char *name)
{
    char path[APP_PATH_MAX];
    int n = snprintf(path, sizeof path, "%s/%s", dir, name);
    return n > 0 && (size_t)n < sizeof path && access(path, R_OK) == 0;
}

static const char *assets_dir(const zc_app_opts *opts)
{
    if (opts->assets_dir && *opts->assets_dir)
        return opts->assets_dir;
    if (file_exists(ZC_ASSETS_SOURCE_DIR, ZC_STRINGS_ZH_FILE))
        return ZC_ASSETS_SOURCE_DIR;
    return ZC_ASSETS_INSTALLED_DIR;
}

static zc_err load_strings(const char *dir, const char *name, zc_strings **out, zc_diag *diag)
{
    char path[APP_PATH_MAX];
    int n = snprintf(path, sizeof path, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= sizeof path)
        return zc_diag_set(diag, ZC_ERR_INVALID, "assets directory path is too long");
    return zc_strings_load(path, out, diag);
}

static void load_settings(zc_app *app, const zc_app_opts *opts, int *volume, zc_lang *lang)
{
    char buf[ZC_META_VALUE_MAX];
    *volume = ZC_VOLUME_DEFAULT;
    *lang = opts->lang == ZC_LANG_EN ? ZC_LANG_EN : ZC_LANG_ZH;
    if (zc_store_meta_get(app->dd->store, META_VOLUME, buf, sizeof buf, NULL) == ZC_OK) {
        char *end;
        long v = strtol(buf, &end, 10);
        if (end != buf && *end == '\0' && v >= 0 && v <= ZC_VOLUME_MAX)
            *volume = (int)v;
    }
    /* A language staff chose on the kiosk outlasts the command line's default. */
    if (zc_store_meta_get(app->dd->store, META_LANG, buf, sizeof buf, NULL) == ZC_OK)
        *lang = strcmp(buf, LANG_TAG_EN) == 0 ? ZC_LANG_EN : ZC_LANG_ZH;
}

zc_err zc_app_open(const zc_app_opts *opts, zc_app **out, zc_diag *diag)
{
    *out = NULL;
    if (!opts || !opts->data_dir)
        return zc_diag_set(diag, ZC_ERR_INVALID, "the kiosk needs a data directory (--data)");
    zc_app *app = calloc(1, sizeof *app);
    if (!app)
        return zc_diag_set(diag, ZC_ERR_NOMEM, "out of memory starting the kiosk");
    app->print = opts->print;
    app->print_ctx = opts->print_ctx;
    app->shell_now = opts->now;
    const char *assets = assets_dir(opts);
    zc_err err;
    zc_ledger_head head;
    if ((err = zc_datadir_open(opts->data_dir, &app->dd, diag)) ||
        (err = zc_datadir_ledger(app->dd, &app->ledger, diag)) ||
        (err = load_strings(assets, ZC_STRINGS_ZH_FILE, &app->strings[ZC_LANG_ZH], diag)) ||
        (err = load_strings(assets, ZC_STRINGS_EN_FILE, &app->strings[ZC_LANG_EN], diag)) ||
        (err = zc_staff_seed(app->dd->store, opts->now, NULL, diag)) ||
        (err = zc_ledger_head_get(app->dd->store, &head, diag))) {
        zc_app_close(app);
        return err;
    }
    app->head_at = head.seq > 0 ? head.at : 0;
    zc_machine_config cfg = {
        .strings = {app->strings[ZC_LANG_ZH], app->strings[ZC_LANG_EN]},
        .tz = app->dd->tz,
        .now = app_now(app),
    };
    load_settings(app, opts, &cfg.volume, &cfg.lang);
    zc_effects fx;
    memset(&fx, 0, sizeof fx);
    zc_machine_init(&app->m, &cfg, &fx);
    for (size_t i = 0; i < fx.n; i++)
        execute(app, &fx.v[i]);
    zc_mevent tick;
    zc_mevent_init(&tick, ZC_MEV_TICK);
    tick.now = app_now(app);
    clock_check(app);
    run(app, &tick);
    app->dirty = true;
    *out = app;
    return ZC_OK;
}

void zc_app_close(zc_app *app)
{
    if (!app)
        return;
    zc_ledger_close(app->ledger);
    zc_datadir_close(app->dd);
    for (int i = 0; i < ZC_LANG_COUNT; i++)
        zc_strings_free(app->strings[i]);
    /* The machine and the queues may hold an ID number or a PIN: wipe before giving memory back. */
    memset(app, 0, sizeof *app);
    free(app);
}

/* ---- inputs ---- */

void zc_app_device_event(zc_app *app, const hal_event *hev)
{
    zc_mevent ev;
    switch (hev->kind) {
    case HAL_EVENT_ID_CARD:
        zc_mevent_init(&ev, ZC_MEV_CREDENTIAL);
        ev.u.credential.ident = ZC_IDENT_ID_CARD;
        zc_strings_copy_n(ev.u.credential.text, sizeof ev.u.credential.text,
                          hev->u.id_card.id_number, HAL_IDNUM_MAX);
        zc_strings_copy_n(ev.u.credential.name, sizeof ev.u.credential.name, hev->u.id_card.name,
                          HAL_FIELD_MAX);
        break;
    case HAL_EVENT_QR:
    case HAL_EVENT_MEAL_CARD:
        zc_mevent_init(&ev, ZC_MEV_CREDENTIAL);
        ev.u.credential.ident = hev->kind == HAL_EVENT_QR ? ZC_IDENT_QR : ZC_IDENT_MEAL_CARD;
        zc_strings_copy_n(ev.u.credential.text, sizeof ev.u.credential.text, hev->u.text,
                          HAL_TEXT_MAX);
        break;
    case HAL_EVENT_STATUS:
        zc_mevent_init(&ev, ZC_MEV_DEVICE_STATUS);
        zc_strings_copy_n(ev.u.device.name, sizeof ev.u.device.name, hev->device,
                          HAL_DEVICE_NAME_MAX);
        ev.u.device.status = hev->u.status.status;
        zc_strings_copy_n(ev.u.device.message, sizeof ev.u.device.message, hev->u.status.message,
                          HAL_MESSAGE_MAX);
        break;
    case HAL_EVENT_ERROR:
        zc_mevent_init(&ev, ZC_MEV_READ_ERROR);
        zc_strings_copy_n(ev.u.device.name, sizeof ev.u.device.name, hev->device,
                          HAL_DEVICE_NAME_MAX);
        break;
    default:
        return;
    }
    run(app, &ev);
    /* The ID number was copied into the event on the stack; do not leave it there. */
    memset(&ev, 0, sizeof ev);
}

void zc_app_tap(zc_app *app, const char *element_id)
{
    zc_mevent ev;
    zc_mevent_init(&ev, ZC_MEV_TAP);
    zc_strings_copy(ev.u.id, sizeof ev.u.id, element_id ? element_id : "");
    run(app, &ev);
}

void zc_app_key(zc_app *app, const char *utf8)
{
    zc_mevent ev;
    zc_mevent_init(&ev, ZC_MEV_KEY);
    zc_strings_copy(ev.u.id, sizeof ev.u.id, utf8 ? utf8 : "");
    run(app, &ev);
}

void zc_app_tick(zc_app *app, zc_ms now)
{
    app->shell_now = now;
    clock_check(app);
    zc_mevent ev;
    zc_mevent_init(&ev, ZC_MEV_TICK);
    ev.now = app_now(app);
    run(app, &ev);
}

void zc_app_sync_status(zc_app *app, const zc_sync_status *status)
{
    zc_mevent ev;
    zc_mevent_init(&ev, ZC_MEV_SYNC_STATUS);
    zc_msync *s = &ev.u.sync;
    s->enrolled = status->enrolled;
    s->failing = status->failures > 0;
    s->pending = status->pending;
    s->last_ok_ms = status->last_ok_ms;
    s->hub_offset_ms = status->hub_offset_ms;
    zc_strings_copy(s->error, sizeof s->error, status->last_error);
    zc_ms offset = status->enrolled && status->hub_offset_ms > ZC_SYNC_SKEW_WARN_MS
                       ? status->hub_offset_ms
                       : 0;
    const zc_msync *was = &app->m.sync;
    bool same = s->enrolled == was->enrolled && s->failing == was->failing &&
                s->pending == was->pending && s->last_ok_ms == was->last_ok_ms &&
                s->hub_offset_ms == was->hub_offset_ms && strcmp(s->error, was->error) == 0;
    if (same && offset == app->hub_offset)
        return;
    app->hub_offset = offset;
    clock_check(app);
    if (!same)
        run(app, &ev);
    zc_mevent tick;
    zc_mevent_init(&tick, ZC_MEV_TICK);
    tick.now = app_now(app);
    run(app, &tick);
}

bool zc_app_take_sync_poke(zc_app *app)
{
    bool p = app->sync_poke;
    app->sync_poke = false;
    return p;
}

static const char *status_word(hal_status s)
{
    switch (s) {
    case HAL_STATUS_CONNECTED:
        return "connected";
    case HAL_STATUS_DISCONNECTED:
        return "disconnected";
    case HAL_STATUS_PAPER_OUT:
        return "paper out";
    case HAL_STATUS_PAPER_LOW:
        return "paper low";
    case HAL_STATUS_FAULT:
        break;
    }
    return "fault";
}

size_t zc_app_faults(const zc_app *app, char (*out)[ZC_APP_FAULT_MAX], size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < app->m.ndevices && n < max; i++) {
        const zc_mdevice *d = &app->m.devices[i];
        if (d->status == HAL_STATUS_CONNECTED)
            continue;
        /* In English whatever the screen shows: the hub's console reads the same for everyone. */
        char *f = out[n++];
        zc_strings_copy(f, ZC_APP_FAULT_MAX, d->name);
        zc_strings_append(f, ZC_APP_FAULT_MAX, ": ");
        zc_strings_append(f, ZC_APP_FAULT_MAX, status_word(d->status));
        if (d->message[0]) {
            zc_strings_append(f, ZC_APP_FAULT_MAX, ": ");
            zc_strings_append(f, ZC_APP_FAULT_MAX, d->message);
        }
    }
    return n;
}

/* ---- outputs ---- */

void zc_app_view(const zc_app *app, zc_view *out)
{
    zc_machine_view(&app->m, out);
}

bool zc_app_dirty(zc_app *app)
{
    bool d = app->dirty;
    app->dirty = false;
    return d;
}

bool zc_app_take_speech(zc_app *app, char *text, size_t size)
{
    if (app->speech_n == 0)
        return false;
    if (text && size > 0)
        zc_strings_copy(text, size, app->speech[app->speech_head]);
    app->speech_head = (app->speech_head + 1) % APP_SPEECH_QUEUE;
    app->speech_n--;
    return true;
}

zc_ms zc_app_next_deadline(const zc_app *app)
{
    zc_ms d = zc_machine_deadline(&app->m);
    return d ? d - app_offset(app) : 0;
}

bool zc_app_readers_enabled(const zc_app *app)
{
    return app->readers;
}

int zc_app_volume(const zc_app *app)
{
    return app->m.volume;
}
