#include "zc/menu.h"

#include "fieldcheck.h"
#include "zc/csv.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    ITEMS_INITIAL = 32,
    PRICE_TEXT_MAX = 24, /* an int64_t in decimal, its sign and a NUL */
    WHAT_MAX = 64,       /* "line N: doing what" before a database error */
};

typedef enum column { COL_CODE, COL_NAME, COL_PRICE, COL_PERIODS, COLUMNS } column;

static const char *const COLUMN_NAMES[COLUMNS] = {"code", "name", "price_fen", "periods"};

static const char HEADER[] = "code,name,price_fen,periods";

/* The commonest mistake is a price in yuan, as the printed menu shows it. */
static const char PRICE_ADVICE[] = "price_fen is a whole number of fen, e.g. 1250 for ¥12.50";

#define SELECT_ITEM "SELECT code, name, price, periods FROM menu_item"

/* The items of the file and the lines they came from, for "same code as on line N". */
typedef struct row_list {
    zc_menu_item *v;
    long *lines;
    size_t n, cap;
} row_list;

static bool code_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

static bool code_valid(const char *code, size_t len)
{
    if (len == 0 || len >= ZC_MENU_CODE_MAX)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!code_char(code[i]))
            return false;
    return true;
}

/* ASCII case folding only: codes are ASCII, and the C library's would follow the locale. */
static bool same_code_ignoring_case(const char *a, const char *b)
{
    for (;; a++, b++) {
        char x = (char)(*a >= 'a' && *a <= 'z' ? *a - 'a' + 'A' : *a);
        char y = (char)(*b >= 'a' && *b <= 'z' ? *b - 'a' + 'A' : *b);
        if (x != y)
            return false;
        if (!x)
            return true;
    }
}

/* ---- checking fields: one set of checks for CSV rows (line > 0) and JSON items (line 0) ---- */

static zc_err check_code(long line, const char *text, size_t len, zc_diag *diag)
{
    if (len == 0)
        return zc_field_fail(diag, line, "code", "empty");
    if (len >= ZC_MENU_CODE_MAX)
        return zc_field_fail(diag, line, "code", "longer than %d characters", ZC_MENU_CODE_MAX - 1);
    if (!code_valid(text, len))
        return zc_field_fail(diag, line, "code", "\"%.*s\" may hold only A-Z a-z 0-9 _ -",
                             zc_csv_quote_len(text, len), text);
    return ZC_OK;
}

static zc_err check_name(long line, const char *text, size_t len, zc_diag *diag)
{
    const unsigned char *name = (const unsigned char *)text;
    bool blank = true;
    if (len == 0)
        return zc_field_fail(diag, line, "name", "empty");
    if (len >= ZC_MENU_NAME_MAX)
        return zc_field_fail(diag, line, "name", "longer than %d bytes", ZC_MENU_NAME_MAX - 1);
    /*
     * The CSV and JSON readers have checked the UTF-8; a name must also draw on one line of the
     * screen and the receipt, so no C0 or C1 control characters (U+0080..U+009F are C2 80..C2 9F).
     */
    for (size_t i = 0; i < len; i++) {
        if (name[i] < ' ' || name[i] == 0x7f ||
            (name[i] == 0xC2 && i + 1 < len && name[i + 1] >= 0x80 && name[i + 1] <= 0x9f))
            return zc_field_fail(diag, line, "name", "contains a control character");
        blank = blank && name[i] == ' ';
    }
    if (blank)
        return zc_field_fail(diag, line, "name", "blank");
    return ZC_OK;
}

/* The cap also keeps a price being read digit by digit from overflowing. */
static zc_err check_price_cap(long line, const char *field, const char *text, size_t len, zc_fen v,
                              zc_diag *diag)
{
    if (v > ZC_MENU_PRICE_MAX)
        return zc_field_fail(diag, line, field, "%.*s is more than %lld (¥%lld.00)",
                             zc_csv_quote_len(text, len), text, (long long)ZC_MENU_PRICE_MAX,
                             (long long)(ZC_MENU_PRICE_MAX / 100));
    return ZC_OK;
}

static zc_err parse_price(long line, const char *text, size_t len, zc_fen *out, zc_diag *diag)
{
    zc_fen v = 0;
    zc_err err;
    if (len == 0)
        return zc_field_fail(diag, line, "price_fen", "empty: %s", PRICE_ADVICE);
    for (size_t i = 0; i < len; i++)
        if (text[i] < '0' || text[i] > '9')
            return zc_field_fail(diag, line, "price_fen", "\"%.*s\": %s",
                                 zc_csv_quote_len(text, len), text, PRICE_ADVICE);
    /* Leading zeros are harmless ("0800" is 800 fen). */
    for (size_t i = 0; i < len; i++) {
        v = v * 10 + (text[i] - '0');
        if ((err = check_price_cap(line, "price_fen", text, len, v, diag)))
            return err;
    }
    *out = v;
    return ZC_OK;
}

/* "breakfast|lunch": period ids, each once; empty for every period. */
static zc_err check_periods(long line, const char *text, size_t len, zc_diag *diag)
{
    return zc_field_check_id_list(line, text, len, "periods", "period", ZC_MENU_PERIODS_MAX,
                                  ZC_MENU_PERIOD_ID_MAX, diag);
}

/* Copies a checked field into an item's buffer, which the checks have made sure it fits. */
static void copy_field(char *dst, const char *text, size_t len)
{
    memcpy(dst, text, len);
    dst[len] = '\0';
}

static zc_err read_row(const zc_csv_row *row, zc_menu_item *out, zc_diag *diag)
{
    zc_err err;
    long line = row->line;
    if (row->nfields != COLUMNS)
        return zc_csv_fail(diag, line, NULL, "has %zu columns, expected %d", row->nfields,
                           (int)COLUMNS);
    if ((err = check_code(line, row->fields[COL_CODE], row->lens[COL_CODE], diag)))
        return err;
    copy_field(out->code, row->fields[COL_CODE], row->lens[COL_CODE]);
    if ((err = check_name(line, row->fields[COL_NAME], row->lens[COL_NAME], diag)))
        return err;
    copy_field(out->name, row->fields[COL_NAME], row->lens[COL_NAME]);
    if ((err = parse_price(line, row->fields[COL_PRICE], row->lens[COL_PRICE], &out->price, diag)))
        return err;
    if ((err = check_periods(line, row->fields[COL_PERIODS], row->lens[COL_PERIODS], diag)))
        return err;
    copy_field(out->periods, row->fields[COL_PERIODS], row->lens[COL_PERIODS]);
    return ZC_OK;
}

zc_err zc_menu_item_check(const zc_menu_item *item, zc_diag *diag)
{
    /* strnlen: an item whose buffer holds no NUL is refused as too long, never read past. */
    size_t code_len = strnlen(item->code, sizeof item->code);
    size_t name_len = strnlen(item->name, sizeof item->name);
    size_t periods_len = strnlen(item->periods, sizeof item->periods);
    char price[PRICE_TEXT_MAX];
    zc_err err;
    if ((err = check_code(0, item->code, code_len, diag)) ||
        (err = check_name(0, item->name, name_len, diag)))
        return err;
    snprintf(price, sizeof price, "%lld", (long long)item->price);
    if (item->price < 0)
        return zc_field_fail(diag, 0, "price", "%s is negative: %s", price, PRICE_ADVICE);
    if ((err = check_price_cap(0, "price", price, strlen(price), item->price, diag)))
        return err;
    return check_periods(0, item->periods, periods_len, diag);
}

/* The index of an earlier item with the same code as items[i] (ignoring case), or i. */
static size_t earlier_same_code(const zc_menu_item *items, size_t i)
{
    for (size_t j = 0; j < i; j++)
        if (same_code_ignoring_case(items[j].code, items[i].code))
            return j;
    return i;
}

zc_err zc_menu_items_check(const zc_menu_item *items, size_t n, zc_diag *diag)
{
    if (n > ZC_MENU_ITEMS_MAX)
        return zc_diag_set(diag, ZC_ERR_INVALID, "a menu holds at most %d items",
                           ZC_MENU_ITEMS_MAX);
    for (size_t i = 0; i < n; i++) {
        zc_diag sub = {{0}, 0};
        zc_err err = zc_menu_item_check(&items[i], &sub);
        size_t j = err ? i : earlier_same_code(items, i);
        if (err)
            return zc_diag_set(diag, err, "items[%zu]: %s", i, sub.msg);
        if (j != i)
            return zc_diag_set(diag, ZC_ERR_INVALID,
                               "items[%zu]: code: same code as items[%zu] (\"%s\")", i, j,
                               items[j].code);
    }
    return ZC_OK;
}

static zc_err add_row(row_list *rows, const zc_menu_item *item, long line, zc_diag *diag)
{
    if (rows->n == rows->cap) {
        size_t cap = rows->cap ? rows->cap * 2 : ITEMS_INITIAL;
        zc_menu_item *v = realloc(rows->v, cap * sizeof *v);
        long *lines = realloc(rows->lines, cap * sizeof *lines);
        if (v)
            rows->v = v;
        if (lines)
            rows->lines = lines;
        if (!v || !lines)
            return zc_diag_set(diag, ZC_ERR_NOMEM, "out of memory reading the menu");
        rows->cap = cap;
    }
    rows->v[rows->n] = *item;
    rows->lines[rows->n] = line;
    size_t j = earlier_same_code(rows->v, rows->n);
    if (j != rows->n)
        return zc_csv_fail(diag, line, "code", "same code as on line %ld (\"%s\")", rows->lines[j],
                           rows->v[j].code);
    if (rows->n == ZC_MENU_ITEMS_MAX)
        return zc_csv_fail(diag, line, NULL, "a menu holds at most %d items", ZC_MENU_ITEMS_MAX);
    rows->n++;
    return ZC_OK;
}

/* The header and every row: nothing touches the store until the whole file has been checked. */
static zc_err read_file(zc_csv *csv, row_list *rows, zc_diag *diag)
{
    zc_csv_row row;
    zc_err err = zc_csv_next(csv, &row, diag);
    if (err == ZC_ERR_NOT_FOUND)
        return zc_csv_fail(diag, 1, "header", "missing; expected %s", HEADER);
    if (err || (err = zc_csv_check_header(&row, COLUMN_NAMES, COLUMNS, diag)))
        return err;
    while ((err = zc_csv_next(csv, &row, diag)) == ZC_OK) {
        zc_menu_item item;
        memset(&item, 0, sizeof item);
        if ((err = read_row(&row, &item, diag)) || (err = add_row(rows, &item, row.line, diag)))
            return err;
    }
    return err == ZC_ERR_NOT_FOUND ? ZC_OK : err;
}

/* ---- writing ---- */

static zc_err count_items(zc_store *store, long *out, zc_diag *diag)
{
    sqlite3_stmt *st;
    int rc =
        sqlite3_prepare_v2(zc_store_db(store), "SELECT count(*) FROM menu_item", -1, &st, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
        *out = (long)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? ZC_OK : zc_store_fail(store, rc, "counting the menu", diag);
}

/* Which codes of the file the old menu had, for the stats. */
static zc_err count_known(zc_store *store, const row_list *rows, long *known, zc_diag *diag)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(zc_store_db(store), "SELECT 1 FROM menu_item WHERE code = ?1", -1,
                                &st, NULL);
    *known = 0;
    for (size_t i = 0; rc == SQLITE_OK && i < rows->n; i++) {
        sqlite3_bind_text(st, 1, rows->v[i].code, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            (*known)++;
        if (rc == SQLITE_ROW || rc == SQLITE_DONE)
            rc = SQLITE_OK;
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_OK ? ZC_OK : zc_store_fail(store, rc, "reading the menu", diag);
}

static zc_err write_rows(zc_store *store, const row_list *rows, zc_diag *diag)
{
    sqlite3_stmt *st;
    zc_err err = zc_store_exec(store, "DELETE FROM menu_item", diag);
    if (err)
        return err;
    int rc = sqlite3_prepare_v2(zc_store_db(store),
                                "INSERT INTO menu_item(code, name, price, periods)"
                                " VALUES (?1, ?2, ?3, ?4)",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return zc_store_fail(store, rc, "preparing the menu import", diag);
    for (size_t i = 0; i < rows->n; i++) {
        const zc_menu_item *r = &rows->v[i];
        sqlite3_bind_text(st, 1, r->code, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, r->name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, r->price);
        sqlite3_bind_text(st, 4, r->periods, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE) {
            char what[WHAT_MAX];
            snprintf(what, sizeof what, "line %ld: writing the menu", rows->lines[i]);
            err = zc_store_fail(store, rc, what, diag);
            if (diag)
                diag->line = rows->lines[i];
            break;
        }
    }
    sqlite3_finalize(st);
    return err;
}

zc_err zc_menu_import_csv(zc_store *store, const char *data, size_t len,
                          zc_menu_import_stats *stats, zc_diag *diag)
{
    row_list rows = {NULL, NULL, 0, 0};
    long old = 0, known = 0;
    zc_csv *csv;
    if (zc_csv_new(data, len, &csv))
        return zc_diag_set(diag, ZC_ERR_NOMEM, "out of memory reading the menu");
    zc_err err = read_file(csv, &rows, diag);
    zc_csv_free(csv);
    if (!err && !(err = zc_store_begin(store, diag))) {
        if (!(err = count_items(store, &old, diag)) &&
            !(err = count_known(store, &rows, &known, diag)) &&
            !(err = write_rows(store, &rows, diag)))
            err = zc_store_commit(store, diag);
        if (err)
            zc_store_rollback(store);
    }
    if (!err && stats) {
        stats->rows = (long)rows.n;
        stats->added = (long)rows.n - known;
        stats->updated = known;
        stats->removed = old - known;
    }
    free(rows.v);
    free(rows.lines);
    return err;
}

zc_err zc_menu_parse_csv(const char *data, size_t len, zc_menu_item **items, size_t *n,
                         zc_diag *diag)
{
    row_list rows = {NULL, NULL, 0, 0};
    zc_csv *csv;
    *items = NULL;
    *n = 0;
    if (zc_csv_new(data, len, &csv))
        return zc_diag_set(diag, ZC_ERR_NOMEM, "out of memory reading the menu");
    zc_err err = read_file(csv, &rows, diag);
    zc_csv_free(csv);
    free(rows.lines);
    if (err || rows.n == 0) {
        free(rows.v);
        return err;
    }
    *items = rows.v;
    *n = rows.n;
    return ZC_OK;
}

/* ---- reading the menu ---- */

static zc_err copy_text(sqlite3_stmt *st, int col, char *buf, size_t size)
{
    const unsigned char *text = sqlite3_column_text(st, col);
    size_t len = (size_t)sqlite3_column_bytes(st, col);
    if (!text || len >= size)
        return ZC_ERR_BROKEN;
    memcpy(buf, text, len + 1);
    return ZC_OK;
}

/* A row the import could not have written means the database was edited or damaged. */
static zc_err fill_item(sqlite3_stmt *st, zc_menu_item *out, zc_diag *diag)
{
    memset(out, 0, sizeof *out);
    if (copy_text(st, 0, out->code, sizeof out->code))
        return zc_diag_set(diag, ZC_ERR_BROKEN, "the menu holds a malformed item code");
    if (copy_text(st, 1, out->name, sizeof out->name))
        return zc_diag_set(diag, ZC_ERR_BROKEN, "menu item %s has a malformed name", out->code);
    out->price = sqlite3_column_int64(st, 2);
    if (sqlite3_column_type(st, 2) != SQLITE_INTEGER || out->price < 0 ||
        out->price > ZC_MENU_PRICE_MAX)
        return zc_diag_set(diag, ZC_ERR_BROKEN, "menu item %s has a malformed price", out->code);
    if (copy_text(st, 3, out->periods, sizeof out->periods))
        return zc_diag_set(diag, ZC_ERR_BROKEN, "menu item %s has a malformed period list",
                           out->code);
    return ZC_OK;
}

zc_err zc_menu_get(zc_store *store, const char *code, zc_menu_item *out, zc_diag *diag)
{
    sqlite3_stmt *st;
    size_t len = strlen(code);
    /* A code no import accepts cannot be in the menu, and is not echoed: it may be anything. */
    if (!code_valid(code, len))
        return zc_diag_set(diag, ZC_ERR_NOT_FOUND,
                           "no menu item with that code (codes are 1-%d of A-Z a-z 0-9 _ -)",
                           ZC_MENU_CODE_MAX - 1);
    int rc = sqlite3_prepare_v2(zc_store_db(store), SELECT_ITEM " WHERE code = ?1", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return zc_store_fail(store, rc, "looking up the menu", diag);
    sqlite3_bind_text(st, 1, code, (int)len, SQLITE_STATIC);
    rc = sqlite3_step(st);
    zc_err err;
    if (rc == SQLITE_ROW)
        err = fill_item(st, out, diag);
    else if (rc == SQLITE_DONE)
        err = zc_diag_set(diag, ZC_ERR_NOT_FOUND, "no menu item %s", code);
    else
        err = zc_store_fail(store, rc, "looking up the menu", diag);
    sqlite3_finalize(st);
    return err;
}

zc_err zc_menu_list(zc_store *store, zc_menu_item **items, size_t *n, zc_diag *diag)
{
    sqlite3_stmt *st;
    zc_menu_item *v = NULL;
    size_t count = 0, cap = 0;
    zc_err err = ZC_OK;
    *items = NULL;
    *n = 0;
    int rc = sqlite3_prepare_v2(zc_store_db(store), SELECT_ITEM " ORDER BY code", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return zc_store_fail(store, rc, "reading the menu", diag);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (count == cap) {
            size_t grown = cap ? cap * 2 : ITEMS_INITIAL;
            zc_menu_item *bigger = realloc(v, grown * sizeof *bigger);
            if (!bigger) {
                err = zc_diag_set(diag, ZC_ERR_NOMEM, "out of memory reading the menu");
                break;
            }
            v = bigger;
            cap = grown;
        }
        if ((err = fill_item(st, &v[count], diag)))
            break;
        count++;
    }
    if (!err && rc != SQLITE_DONE)
        err = zc_store_fail(store, rc, "reading the menu", diag);
    sqlite3_finalize(st);
    if (err) {
        free(v);
        return err;
    }
    *items = v;
    *n = count;
    return ZC_OK;
}

bool zc_menu_item_in_period(const zc_menu_item *item, const char *period)
{
    const char *p = item->periods;
    if (!*p)
        return true;
    if (!period || !*period)
        return false;
    size_t want = strlen(period);
    for (;;) {
        const char *end = strchr(p, '|');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == want && memcmp(p, period, len) == 0)
            return true;
        if (!end)
            return false;
        p = end + 1;
    }
}
