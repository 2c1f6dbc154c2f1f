#include "zc/report.h"

#include "zc/codec.h"
#include "zc/money.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct group {
    char key[ZC_ID_MAX];
    zc_report_totals t;
} group;

/* A breakdown: a handful of keys (periods, tiers, payment methods), kept sorted by key. */
typedef struct breakdown {
    group *items;
    size_t n, cap;
} breakdown;

enum { SECTION_PERIOD, SECTION_TIER, SECTION_PAYMENT, SECTION_COUNT };

static const char *const SECTION_NAMES[SECTION_COUNT] = {"by_period", "by_tier", "by_payment"};

struct zc_report {
    zc_date date;
    zc_report_totals total;
    breakdown sections[SECTION_COUNT];
    int64_t head_seq; /* 0: no entry that day */
    uint8_t head_hash[ZC_HASH_LEN];
};

zc_err zc_report_new(zc_date date, zc_report **out)
{
    *out = calloc(1, sizeof **out);
    if (!*out)
        return ZC_ERR_NOMEM;
    (*out)->date = date;
    return ZC_OK;
}

void zc_report_free(zc_report *report)
{
    if (!report)
        return;
    for (int i = 0; i < SECTION_COUNT; i++)
        free(report->sections[i].items);
    free(report);
}

static zc_report_totals *group_for(breakdown *b, const char *key)
{
    if (!*key)
        key = ZC_REPORT_NONE;
    size_t i = 0;
    while (i < b->n && strcmp(b->items[i].key, key) < 0)
        i++;
    if (i < b->n && strcmp(b->items[i].key, key) == 0)
        return &b->items[i].t;
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 4;
        group *items = realloc(b->items, cap * sizeof *items);
        if (!items)
            return NULL;
        b->items = items;
        b->cap = cap;
    }
    memmove(&b->items[i + 1], &b->items[i], (b->n - i) * sizeof *b->items);
    memset(&b->items[i], 0, sizeof b->items[i]);
    snprintf(b->items[i].key, sizeof b->items[i].key, "%s", key);
    b->n++;
    return &b->items[i].t;
}

static void add_to(zc_report_totals *t, const zc_sale *e)
{
    int64_t sign = e->kind == ZC_ENTRY_VOID ? -1 : 1;
    if (e->kind == ZC_ENTRY_VOID)
        t->voids++;
    else
        t->sales++;
    t->gross += sign * e->price;
    t->subsidy += sign * e->subsidy;
    t->self_pay += sign * e->self_pay;
}

zc_err zc_report_add(zc_report *report, const zc_sale *entry)
{
    if (zc_date_compare(entry->date, report->date) != 0)
        return ZC_OK;
    const char *keys[SECTION_COUNT] = {entry->period, entry->tier, zc_pay_name(entry->paid)};
    zc_report_totals *groups[SECTION_COUNT];
    for (int i = 0; i < SECTION_COUNT; i++)
        if (!(groups[i] = group_for(&report->sections[i], keys[i])))
            return ZC_ERR_NOMEM;
    add_to(&report->total, entry);
    for (int i = 0; i < SECTION_COUNT; i++)
        add_to(groups[i], entry);
    return ZC_OK;
}

void zc_report_set_head(zc_report *report, int64_t seq, const uint8_t hash[ZC_HASH_LEN])
{
    report->head_seq = seq;
    memcpy(report->head_hash, hash, ZC_HASH_LEN);
}

const zc_report_totals *zc_report_totals_get(const zc_report *report)
{
    return &report->total;
}

zc_err zc_report_day(zc_store *store, zc_date date, zc_report **out, zc_diag *diag)
{
    char day[ZC_DATE_TEXT_LEN + 1];
    zc_date_format(date, day);
    zc_err err = zc_report_new(date, out);
    if (err)
        return err;
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(zc_store_db(store),
                                "SELECT seq, kind, period, price, subsidy, self_pay, paid, tier, "
                                "hash FROM sale WHERE local_date = ?1 ORDER BY seq",
                                -1, &st, NULL);
    if (rc != SQLITE_OK) {
        zc_report_free(*out);
        *out = NULL;
        return zc_store_fail(store, rc, "reading the ledger", diag);
    }
    sqlite3_bind_text(st, 1, day, -1, SQLITE_STATIC);
    while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        zc_sale e;
        memset(&e, 0, sizeof e);
        e.date = date;
        e.kind = strcmp((const char *)sqlite3_column_text(st, 1), "void") == 0 ? ZC_ENTRY_VOID
                                                                               : ZC_ENTRY_SALE;
        const unsigned char *text = sqlite3_column_text(st, 2);
        snprintf(e.period, sizeof e.period, "%s", text ? (const char *)text : "");
        e.price = sqlite3_column_int64(st, 3);
        e.subsidy = sqlite3_column_int64(st, 4);
        e.self_pay = sqlite3_column_int64(st, 5);
        if (zc_pay_parse((const char *)sqlite3_column_text(st, 6), &e.paid))
            err = zc_diag_set(diag, ZC_ERR_BROKEN, "sale %lld: unknown payment method",
                              (long long)sqlite3_column_int64(st, 0));
        text = sqlite3_column_text(st, 7);
        snprintf(e.tier, sizeof e.tier, "%s", text ? (const char *)text : "");
        if (!err)
            err = zc_report_add(*out, &e);
        if (!err && sqlite3_column_bytes(st, 8) == ZC_HASH_LEN)
            zc_report_set_head(*out, sqlite3_column_int64(st, 0), sqlite3_column_blob(st, 8));
    }
    if (!err && rc != SQLITE_DONE)
        err = zc_store_fail(store, rc, "reading the ledger", diag);
    sqlite3_finalize(st);
    if (err) {
        zc_report_free(*out);
        *out = NULL;
    }
    return err;
}

static json_t *totals_json(const zc_report_totals *t)
{
    return json_pack("{s:I,s:I,s:I,s:I,s:I}", "sales", (json_int_t)t->sales, "voids",
                     (json_int_t)t->voids, "gross", (json_int_t)t->gross, "subsidy",
                     (json_int_t)t->subsidy, "self_pay", (json_int_t)t->self_pay);
}

zc_err zc_report_to_json(const zc_report *report, json_t **out)
{
    char day[ZC_DATE_TEXT_LEN + 1];
    zc_date_format(report->date, day);
    json_t *o = json_pack("{s:s}", "date", day);
    json_t *totals = totals_json(&report->total);
    bool ok = o && totals && json_object_update(o, totals) == 0;
    json_decref(totals);
    for (int s = 0; ok && s < SECTION_COUNT; s++) {
        json_t *sec = json_object();
        ok = sec && json_object_set_new(o, SECTION_NAMES[s], sec) == 0;
        const breakdown *b = &report->sections[s];
        for (size_t i = 0; ok && i < b->n; i++)
            ok = json_object_set_new(sec, b->items[i].key, totals_json(&b->items[i].t)) == 0;
    }
    if (ok && report->head_seq) {
        char hex[ZC_HEX_SIZE(ZC_HASH_LEN)];
        zc_hex_encode(report->head_hash, ZC_HASH_LEN, hex);
        ok = json_object_set_new(
                 o, "chain_head",
                 json_pack("{s:I,s:s}", "seq", (json_int_t)report->head_seq, "hash", hex)) == 0;
    } else if (ok) {
        ok = json_object_set_new(o, "chain_head", json_null()) == 0;
    }
    if (!ok) {
        json_decref(o);
        return ZC_ERR_NOMEM;
    }
    *out = o;
    return ZC_OK;
}

static const char *const TEXT_TITLES[SECTION_COUNT] = {"By meal period", "By tier or category",
                                                       "By payment"};

static void text_row(FILE *f, const char *label, const zc_report_totals *t)
{
    char gross[ZC_MONEY_TEXT_MAX], subsidy[ZC_MONEY_TEXT_MAX], self_pay[ZC_MONEY_TEXT_MAX];
    zc_money_format(t->gross, gross, sizeof gross);
    zc_money_format(t->subsidy, subsidy, sizeof subsidy);
    zc_money_format(t->self_pay, self_pay, sizeof self_pay);
    fprintf(f, "  %-16s %6lld %6lld %14s %14s %14s\n", label, (long long)t->sales,
            (long long)t->voids, gross, subsidy, self_pay);
}

static zc_err close_stream(FILE *f, char **buf)
{
    if (fclose(f) != 0) {
        free(*buf);
        *buf = NULL;
        return ZC_ERR_NOMEM;
    }
    return ZC_OK;
}

zc_err zc_report_to_text(const zc_report *report, char **out)
{
    size_t size;
    *out = NULL;
    FILE *f = open_memstream(out, &size);
    if (!f)
        return ZC_ERR_NOMEM;
    char day[ZC_DATE_TEXT_LEN + 1];
    zc_date_format(report->date, day);
    fprintf(f, "Day report %s\n\n", day);
    fprintf(f, "  %-16s %6s %6s %14s %14s %14s\n", "", "sales", "voids", "gross", "subsidy",
            "self-pay");
    text_row(f, "Total", &report->total);
    for (int s = 0; s < SECTION_COUNT; s++) {
        fprintf(f, "\n%s\n", TEXT_TITLES[s]);
        const breakdown *b = &report->sections[s];
        for (size_t i = 0; i < b->n; i++)
            text_row(f, b->items[i].key, &b->items[i].t);
    }
    if (report->head_seq) {
        char hex[ZC_HEX_SIZE(ZC_HASH_LEN)];
        zc_hex_encode(report->head_hash, ZC_HASH_LEN, hex);
        fprintf(f, "\nChain head: sale %lld, hash %s\n", (long long)report->head_seq, hex);
    } else {
        fprintf(f, "\nChain head: no entries on this date\n");
    }
    return close_stream(f, out);
}

static void csv_row(FILE *f, const char *section, const char *key, const zc_report_totals *t)
{
    fprintf(f, "%s,\"", section);
    for (const char *c = key; *c; c++) {
        if (*c == '"')
            fputc('"', f); /* RFC 4180: a quote inside a quoted field is doubled */
        fputc(*c, f);
    }
    fprintf(f, "\",%lld,%lld,%lld,%lld,%lld\r\n", (long long)t->sales, (long long)t->voids,
            (long long)t->gross, (long long)t->subsidy, (long long)t->self_pay);
}

zc_err zc_report_to_csv(const zc_report *report, char **out)
{
    size_t size;
    *out = NULL;
    FILE *f = open_memstream(out, &size);
    if (!f)
        return ZC_ERR_NOMEM;
    fprintf(f, "section,key,sales,voids,gross,subsidy,self_pay\r\n");
    char day[ZC_DATE_TEXT_LEN + 1];
    zc_date_format(report->date, day);
    csv_row(f, "total", day, &report->total);
    for (int s = 0; s < SECTION_COUNT; s++) {
        const breakdown *b = &report->sections[s];
        for (size_t i = 0; i < b->n; i++)
            csv_row(f, SECTION_NAMES[s] + strlen("by_"), b->items[i].key, &b->items[i].t);
    }
    return close_stream(f, out);
}
