/*
 * Reports from what the kiosks pushed: day and month reports per canteen, and the monthly subsidy
 * settlement. Every figure comes from the canonical bytes held with status ok, read back with the
 * kiosk's own parser and added up by the kiosk's own report code (zc_report), so the hub cannot
 * count a sale differently from the kiosk that made it. Voids count on the day (and in the month)
 * they were made, as on the kiosk.
 */
#include "hub_impl.h"

#include "zc/codec.h"
#include "zc/report.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    FEN_PER_YUAN = 100,
    MONTH_TEXT = sizeof "YYYY-MM",
    DAYS_MAX = 31,
    YEAR_MAX = 9999,
    MONTHS = 12,
    MONEY_TEXT = 32,
    CANTEEN_NAME_TEXT = 256,
};

/* Who pays for a subsidy whose sale does not say: settled by hand. */
#define FUNDER_UNNAMED "未注明"
#define UTF8_BOM "\xEF\xBB\xBF"
#define CRLF "\r\n"
#define SETTLEMENT_HEADER                                                                          \
    "月份,食堂编号,食堂名称,出资方,餐次,原价合计(元),补贴合计(元),自付合计(元)"
#define SETTLEMENT_TOTAL "合计"

/* Held entries a report reads: ok ones only; quarantined records are evidence, not sales. */
#define ENTRIES_SQL "SELECT canon, hash FROM sale WHERE status = 'ok' AND canteen = $1"

typedef struct walk {
    zc_diag *diag;
    zc_err (*add)(struct walk *w, const zc_sale *entry);
    zc_report *day; /* report_day */
    /*
     * The day's chain head, as the kiosk reports it (its last entry of the day), while every entry
     * comes from one kiosk; with several kiosks there is no single chain and no head.
     */
    char head_device[ZC_ID_MAX];
    int64_t head_seq;
    uint8_t head_hash[ZC_HASH_LEN];
    bool several_devices;
    zc_report *days[DAYS_MAX + 1]; /* report_month, by day of month */
    int year, month;
} walk;

static void note_head(walk *w, const zc_sale *entry, const char *hash_hex)
{
    if (!w->head_device[0])
        snprintf(w->head_device, sizeof w->head_device, "%s", entry->device_id);
    else if (strcmp(w->head_device, entry->device_id) != 0)
        w->several_devices = true;
    uint8_t hash[ZC_HASH_LEN];
    if (entry->seq > w->head_seq && !zc_hex_decode(hash_hex, strlen(hash_hex), hash, sizeof hash)) {
        w->head_seq = entry->seq;
        memcpy(w->head_hash, hash, sizeof hash);
    }
}

/* Parses one held canon and hands it to the walk. Held ok canons parsed on arrival; one that
 * does not now means the database was changed behind the hub's back. */
static zc_err walk_canon(void *ctx, const char *const *values, int ncols)
{
    walk *w = ctx;
    if (ncols < 1 || !values[0])
        return zc_diag_set(w->diag, ZC_ERR_BROKEN, "a held sale has no canonical bytes");
    zc_sale entry;
    memset(&entry, 0, sizeof entry);
    zc_diag d = {{0}, 0};
    if (zc_sale_from_canon(values[0], strlen(values[0]), &entry, &d))
        return zc_diag_set(w->diag, ZC_ERR_BROKEN, "a held sale no longer parses: %s", d.msg);
    zc_err err = w->add(w, &entry);
    json_decref(entry.detail);
    if (!err && ncols > 1 && values[1])
        note_head(w, &entry, values[1]);
    return err;
}

static zc_err add_to_day(walk *w, const zc_sale *entry)
{
    return zc_report_add(w->day, entry);
}

static zc_err add_to_month(walk *w, const zc_sale *entry)
{
    if (entry->date.year != w->year || entry->date.month != w->month || entry->date.day < 1 ||
        entry->date.day > DAYS_MAX)
        return ZC_OK;
    zc_report **r = &w->days[entry->date.day];
    zc_err err = *r ? ZC_OK : zc_report_new(entry->date, r);
    return err ? err : zc_report_add(*r, entry);
}

/* Runs sql (canteen, then extra parameters) over the walk, on a connection of its own. */
static zc_err run_walk(zc_hub *hub, const char *canteen, const char *sql, const char *const *params,
                       int n, walk *w, zc_diag *diag)
{
    zc_hubdb_conn *conn;
    zc_err err = zc_hub_canteen_acquire(hub, canteen, &conn, diag);
    if (err)
        return err;
    err = zc_hubdb_each(conn, sql, params, n, walk_canon, w, diag);
    zc_hubdb_release(conn);
    return err;
}

zc_err zc_hub_report_day(zc_hub *hub, const char *canteen, zc_date date, json_t **out,
                         zc_diag *diag)
{
    *out = NULL;
    if (!zc_date_valid(date))
        return zc_diag_set(diag, ZC_ERR_INVALID, "date: not a calendar date");
    char day[ZC_DATE_TEXT_LEN + 1];
    zc_date_format(date, day);
    walk w = {.diag = diag, .add = add_to_day};
    zc_err err = zc_report_new(date, &w.day);
    if (err)
        return err;
    const char *params[] = {canteen, day};
    err = run_walk(hub, canteen, ENTRIES_SQL " AND local_date = $2", params, 2, &w, diag);
    if (!err && w.head_seq > 0 && !w.several_devices)
        zc_report_set_head(w.day, w.head_seq, w.head_hash);
    if (!err)
        err = zc_report_to_json(w.day, out);
    zc_report_free(w.day);
    return err;
}

static json_t *totals_json(const zc_report_totals *t)
{
    return json_pack("{s:I,s:I,s:I,s:I,s:I}", "sales", (json_int_t)t->sales, "voids",
                     (json_int_t)t->voids, "gross", (json_int_t)t->gross, "subsidy",
                     (json_int_t)t->subsidy, "self_pay", (json_int_t)t->self_pay);
}

static zc_err month_json(const walk *w, const char *canteen, json_t **out)
{
    char month[MONTH_TEXT];
    snprintf(month, sizeof month, "%04d-%02d", w->year, w->month);
    zc_report_totals sum = {0};
    json_t *days = json_array();
    bool ok = days != NULL;
    for (int d = 1; ok && d <= DAYS_MAX; d++) {
        if (!w->days[d])
            continue;
        const zc_report_totals *t = zc_report_totals_get(w->days[d]);
        sum.sales += t->sales;
        sum.voids += t->voids;
        sum.gross += t->gross;
        sum.subsidy += t->subsidy;
        sum.self_pay += t->self_pay;
        char date[ZC_DATE_TEXT_LEN + 1];
        zc_date_format((zc_date){w->year, w->month, d}, date);
        json_t *row = totals_json(t);
        ok = row && json_object_set_new(row, "date", json_string(date)) == 0;
        ok = json_array_append_new(days, row) == 0 && ok;
    }
    json_t *totals = totals_json(&sum);
    json_t *o = ok && totals ? json_pack("{s:s,s:s,s:O,s:O}", "month", month, "canteen", canteen,
                                         "days", days, "totals", totals)
                             : NULL;
    json_decref(days);
    json_decref(totals);
    if (!o)
        return ZC_ERR_NOMEM;
    *out = o;
    return ZC_OK;
}

static zc_err check_month(int year, int month, char first[ZC_DATE_TEXT_LEN + 1],
                          char last[ZC_DATE_TEXT_LEN + 1], zc_diag *diag)
{
    if (year < 1 || year > YEAR_MAX || month < 1 || month > MONTHS)
        return zc_diag_set(diag, ZC_ERR_INVALID, "month: YYYY-MM, a real month");
    zc_date_format((zc_date){year, month, 1}, first);
    zc_date_format((zc_date){year, month, zc_date_days_in_month(year, month)}, last);
    return ZC_OK;
}

zc_err zc_hub_report_month(zc_hub *hub, const char *canteen, int year, int month, json_t **out,
                           zc_diag *diag)
{
    *out = NULL;
    char first[ZC_DATE_TEXT_LEN + 1], last[ZC_DATE_TEXT_LEN + 1];
    zc_err err = check_month(year, month, first, last, diag);
    if (err)
        return err;
    walk w = {.diag = diag, .add = add_to_month, .year = year, .month = month};
    const char *params[] = {canteen, first, last};
    err = run_walk(hub, canteen, ENTRIES_SQL " AND local_date >= $2 AND local_date <= $3", params,
                   3, &w, diag);
    if (!err)
        err = month_json(&w, canteen, out);
    for (int d = 0; d <= DAYS_MAX; d++)
        zc_report_free(w.days[d]);
    return err;
}

/* ---- settlement ---- */

typedef struct settle_row {
    char canteen[ZC_ID_MAX];
    char name[CANTEEN_NAME_TEXT];
    char funder[ZC_ID_MAX];
    int64_t meals;
    zc_fen price, subsidy, self_pay;
} settle_row;

typedef struct settlement {
    settle_row *rows;
    size_t n, cap;
    size_t canteen_start; /* rows of the canteen being read start here (entries come by canteen) */
    settle_row total;
    zc_diag *diag;
} settlement;

static settle_row *row_for(settlement *s, const char *canteen, const char *name, const char *funder)
{
    if (s->canteen_start < s->n && strcmp(s->rows[s->canteen_start].canteen, canteen) != 0)
        s->canteen_start = s->n;
    for (size_t i = s->canteen_start; i < s->n; i++)
        if (strcmp(s->rows[i].funder, funder) == 0)
            return &s->rows[i];
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        settle_row *rows = realloc(s->rows, cap * sizeof *rows);
        if (!rows)
            return NULL;
        s->rows = rows;
        s->cap = cap;
    }
    settle_row *r = &s->rows[s->n++];
    memset(r, 0, sizeof *r);
    snprintf(r->canteen, sizeof r->canteen, "%s", canteen);
    snprintf(r->name, sizeof r->name, "%s", name);
    snprintf(r->funder, sizeof r->funder, "%s", funder);
    return r;
}

static void count_meal(settle_row *r, int64_t sign, const zc_sale *e, zc_fen subsidy)
{
    r->meals += sign;
    r->price += sign * e->price;
    r->subsidy += sign * subsidy;
    r->self_pay += sign * e->self_pay;
}

/* The funders object of an entry's quote ({"city":F,...}), or NULL. */
static const json_t *funders_of(const json_t *detail)
{
    const json_t *f = json_object_get(json_object_get(detail, "quote"), "funders");
    return json_is_object(f) ? f : NULL;
}

/*
 * One entry: each funder's share goes to its row (a meal counts in the row of every funder that
 * paid towards it), what no funder covers to FUNDER_UNNAMED. A void takes back its sale's shares.
 */
static zc_err settle_entry(settlement *s, const char *canteen, const char *name, const zc_sale *e,
                           const json_t *detail)
{
    int64_t sign = e->kind == ZC_ENTRY_VOID ? -1 : 1;
    zc_fen covered = 0;
    const json_t *funders = funders_of(detail);
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)funders, key, v)
    {
        if (!json_is_integer(v) || json_integer_value(v) <= 0 || strlen(key) >= ZC_ID_MAX ||
            !zc_hub_text_valid(key, ZC_ID_MAX - 1))
            continue;
        settle_row *r = row_for(s, canteen, name, key);
        if (!r)
            return ZC_ERR_NOMEM;
        count_meal(r, sign, e, json_integer_value(v));
        covered += json_integer_value(v);
    }
    if (e->subsidy != covered) {
        settle_row *r = row_for(s, canteen, name, FUNDER_UNNAMED);
        if (!r)
            return ZC_ERR_NOMEM;
        count_meal(r, sign, e, e->subsidy - covered);
    }
    count_meal(&s->total, sign, e, e->subsidy);
    return ZC_OK;
}

/* Columns: canteen, canteen name, canon, and for a void the canon of the sale it cancels. */
static zc_err settle_canon(void *ctx, const char *const *values, int ncols)
{
    settlement *s = ctx;
    if (ncols < 4 || !values[0] || !values[2])
        return zc_diag_set(s->diag, ZC_ERR_BROKEN, "a held sale has no canonical bytes");
    zc_sale e, target;
    memset(&e, 0, sizeof e);
    memset(&target, 0, sizeof target);
    zc_diag d = {{0}, 0};
    if (zc_sale_from_canon(values[2], strlen(values[2]), &e, &d))
        return zc_diag_set(s->diag, ZC_ERR_BROKEN, "a held sale no longer parses: %s", d.msg);
    const json_t *detail = e.detail;
    /* A void carries no detail: its sale's says who paid. A sale the hub lacks leaves it unnamed.
     */
    if (e.kind == ZC_ENTRY_VOID && values[3] &&
        zc_sale_from_canon(values[3], strlen(values[3]), &target, NULL) == ZC_OK)
        detail = target.detail;
    zc_err err = settle_entry(s, values[0], values[1] ? values[1] : "", &e, detail);
    json_decref(e.detail);
    json_decref(target.detail);
    return err;
}

static void yuan(zc_fen fen, char *buf, size_t size)
{
    uint64_t a = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;
    snprintf(buf, size, "%s%" PRIu64 ".%02" PRIu64, fen < 0 ? "-" : "", a / FEN_PER_YUAN,
             a % FEN_PER_YUAN);
}

/* RFC 4180: a field with a comma, quote or line end is quoted, its quotes doubled. */
static void csv_field(FILE *f, const char *text)
{
    if (!strpbrk(text, ",\"\r\n")) {
        fputs(text, f);
        return;
    }
    fputc('"', f);
    for (; *text; text++) {
        if (*text == '"')
            fputc('"', f);
        fputc(*text, f);
    }
    fputc('"', f);
}

static void csv_row(FILE *f, const char *month, const settle_row *r, const char *canteen)
{
    char price[MONEY_TEXT], subsidy[MONEY_TEXT], self_pay[MONEY_TEXT];
    yuan(r->price, price, sizeof price);
    yuan(r->subsidy, subsidy, sizeof subsidy);
    yuan(r->self_pay, self_pay, sizeof self_pay);
    fprintf(f, "%s,", month);
    csv_field(f, canteen);
    fputc(',', f);
    csv_field(f, r->name);
    fputc(',', f);
    csv_field(f, r->funder);
    fprintf(f, ",%" PRId64 ",%s,%s,%s" CRLF, r->meals, price, subsidy, self_pay);
}

static int by_canteen_funder(const void *a, const void *b)
{
    const settle_row *x = a, *y = b;
    int c = strcmp(x->canteen, y->canteen);
    return c ? c : strcmp(x->funder, y->funder);
}

static zc_err settlement_text(settlement *s, const char *month, char **csv, size_t *len)
{
    if (s->n)
        qsort(s->rows, s->n, sizeof *s->rows, by_canteen_funder);
    *csv = NULL;
    FILE *f = open_memstream(csv, len);
    if (!f)
        return ZC_ERR_NOMEM;
    fputs(UTF8_BOM SETTLEMENT_HEADER CRLF, f);
    for (size_t i = 0; i < s->n; i++)
        csv_row(f, month, &s->rows[i], s->rows[i].canteen);
    csv_row(f, month, &s->total, SETTLEMENT_TOTAL);
    if (fclose(f) != 0) {
        free(*csv);
        *csv = NULL;
        return ZC_ERR_NOMEM;
    }
    return ZC_OK;
}

zc_err zc_hub_settlement_csv(zc_hub *hub, int year, int month, char **csv, size_t *len,
                             zc_diag *diag)
{
    *csv = NULL;
    *len = 0;
    char first[ZC_DATE_TEXT_LEN + 1], last[ZC_DATE_TEXT_LEN + 1], month_text[MONTH_TEXT];
    zc_err err = check_month(year, month, first, last, diag);
    if (err)
        return err;
    snprintf(month_text, sizeof month_text, "%04d-%02d", year, month);
    settlement s = {.diag = diag};
    const char *params[] = {first, last};
    zc_hubdb_conn *conn;
    if ((err = zc_hubdb_acquire(hub->db, &conn, diag)))
        return err;
    err = zc_hubdb_each(
        conn,
        "SELECT s.canteen, c.name, s.canon, t.canon FROM sale s"
        " LEFT JOIN canteen c ON c.id = s.canteen"
        " LEFT JOIN sale t ON s.kind = 'void' AND t.device = s.device AND t.seq = s.voids_seq"
        " WHERE s.status = 'ok' AND s.subsidy <> 0 AND s.local_date >= $1 AND s.local_date <= $2"
        " ORDER BY s.canteen, s.device, s.seq",
        params, 2, settle_canon, &s, diag);
    zc_hubdb_release(conn);
    if (!err)
        err = settlement_text(&s, month_text, csv, len);
    free(s.rows);
    return err;
}
