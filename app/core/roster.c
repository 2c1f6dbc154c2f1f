#include "zc/roster.h"

#include "fieldcheck.h"
#include "zc/csv.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    HASH_LEN = crypto_hash_sha256_BYTES,
    REGION_MIN_DIGITS = 2,
    SEEN_INITIAL = 1024,
    TOKEN_COLUMNS = 2, /* qr_token, card_uid */
    /*
     * Page cache during an import. A million elders take ~220 MB with three unique indexes of
     * hashes; inserts into the token indexes land on random pages, so a small cache thrashes
     * (16 MB: 40% slower than 64 MB; 256 MB: 3% faster). Memory is only taken as pages are used,
     * and the setting is restored afterwards.
     */
    IMPORT_CACHE_KIB = 64 * 1024,
    PRAGMA_SQL_MAX = 64,
    WHAT_MAX = 64, /* "line N: doing what" before a database error */
    QR_TOKEN_BYTES = 16,
    BASE32_BITS = 5,
    BASE32_MASK = 0x1F,
};

#define QR_TOKEN_PREFIX "ZCE1."

typedef enum column {
    COL_ID,
    COL_NAME,
    COL_BIRTH,
    COL_REGION,
    COL_CATEGORIES,
    COL_STATUS,
    COL_QR,
    COL_CARD,
    COLUMNS
} column;

static const char *const COLUMN_NAMES[COLUMNS] = {
    "id_number", "name", "birth_date", "region", "categories", "status", "qr_token", "card_uid",
};

static const char HEADER[] = "id_number,name,birth_date,region,categories,status,qr_token,card_uid";

static const char *const STATUS_TEXT[] = {
    [ZC_ELDER_ACTIVE] = "active", [ZC_ELDER_SUSPENDED] = "suspended"};

/*
 * Unchanged rows keep their version so that a re-import of the same file gives the hub nothing
 * to send; a changed or new row takes the import's version.
 */
static const char UPSERT_SQL[] =
    "INSERT INTO elder(id_hmac, name, birth_date, region, categories, status, qr_hash, card_hash,"
    " version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
    " ON CONFLICT(id_hmac) DO UPDATE SET name = excluded.name, birth_date = excluded.birth_date,"
    " region = excluded.region, categories = excluded.categories, status = excluded.status,"
    " qr_hash = excluded.qr_hash, card_hash = excluded.card_hash, version = excluded.version"
    " WHERE name IS NOT excluded.name OR birth_date IS NOT excluded.birth_date"
    " OR region IS NOT excluded.region OR categories IS NOT excluded.categories"
    " OR status IS NOT excluded.status OR qr_hash IS NOT excluded.qr_hash"
    " OR card_hash IS NOT excluded.card_hash";

#define SELECT_ELDER "SELECT id, name, birth_date, region, categories, status FROM elder WHERE "

/* One hash from a row of the file, and where to find that row again. */
typedef struct seen {
    uint8_t key[HASH_LEN];
    long line;
    size_t offset;
} seen;

typedef struct seen_list {
    seen *v;
    size_t n, cap;
    const char *field; /* column the keys come from, for the message */
    const char *what;  /* what a repeat is, for the message */
} seen_list;

typedef struct roster_row {
    long line;
    uint8_t id_hmac[ZC_IDNUM_HMAC_LEN];
    zc_date birth;
    char birth_text[ZC_DATE_TEXT_LEN + 1];
    char region[ZC_REGION_MAX];
    zc_elder_status status;
    bool has_qr, has_card;
    uint8_t qr_hash[HASH_LEN];
    uint8_t card_hash[HASH_LEN];
} roster_row;

typedef struct importer {
    zc_store *store;
    sqlite3 *db;
    const uint8_t *key;
    sqlite3_stmt *upsert;
    int64_t version;
    seen_list ids, qrs, cards;
    zc_roster_import_stats stats;
} importer;

/* Card readers differ in the case of hex digits: one card must always give one hash. */
static bool normalise_uid(const char *uid, size_t len, char *buf)
{
    if (len == 0 || len >= ZC_TOKEN_MAX)
        return false;
    for (size_t i = 0; i < len; i++)
        buf[i] = (char)(uid[i] >= 'a' && uid[i] <= 'z' ? uid[i] - 'a' + 'A' : uid[i]);
    buf[len] = '\0';
    return true;
}

static void hash_bytes(const char *text, size_t len, uint8_t out[HASH_LEN])
{
    crypto_hash_sha256(out, (const unsigned char *)text, len);
}

void zc_roster_qr_hash(const char *token, uint8_t out[ZC_HASH_LEN])
{
    hash_bytes(token, strlen(token), out);
}

zc_err zc_roster_card_hash(const char *uid, uint8_t out[ZC_HASH_LEN], zc_diag *diag)
{
    char norm[ZC_TOKEN_MAX];
    size_t len = strnlen(uid, ZC_TOKEN_MAX);
    if (!normalise_uid(uid, len, norm))
        return zc_diag_set(diag, ZC_ERR_INVALID, "a card UID is 1-%d bytes", ZC_TOKEN_MAX - 1);
    hash_bytes(norm, len, out);
    return ZC_OK;
}

void zc_roster_qr_token_new(char buf[ZC_ROSTER_QR_TOKEN_LEN + 1])
{
    static const char ALPHABET[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"; /* RFC 4648 base32 */
    uint8_t bytes[QR_TOKEN_BYTES];
    size_t used = sizeof QR_TOKEN_PREFIX - 1;
    unsigned acc = 0, bits = 0;
    randombytes_buf(bytes, sizeof bytes);
    memcpy(buf, QR_TOKEN_PREFIX, used);
    for (size_t i = 0; i < sizeof bytes; i++) {
        acc = (acc << 8 | bytes[i]) & 0xFFFu; /* at most 12 bits are ever pending */
        for (bits += 8; bits >= BASE32_BITS; bits -= BASE32_BITS)
            buf[used++] = ALPHABET[(acc >> (bits - BASE32_BITS)) & BASE32_MASK];
    }
    if (bits > 0) /* the last digit is padded with zero bits on the right */
        buf[used++] = ALPHABET[(acc << (BASE32_BITS - bits)) & BASE32_MASK];
    buf[used] = '\0';
    sodium_memzero(bytes, sizeof bytes);
}

const char *zc_roster_status_name(zc_elder_status status)
{
    return status == ZC_ELDER_SUSPENDED ? STATUS_TEXT[ZC_ELDER_SUSPENDED]
                                        : STATUS_TEXT[ZC_ELDER_ACTIVE];
}

/*
 * Excel shows an 18-digit number as 3.20202E+17 and exports it that way, losing digits; the
 * commonest way a roster file goes wrong, so it gets its own advice.
 */
static bool looks_like_excel_number(const char *text)
{
    return strstr(text, "E+") != NULL || strstr(text, "e+") != NULL;
}

/* ---- checking fields: one set of checks for CSV rows (line > 0) and JSON rows (line 0) ---- */

static zc_err check_name(long line, const char *name, size_t len, zc_diag *diag)
{
    if (len == 0)
        return zc_field_fail(diag, line, "name", "empty");
    if (len >= ZC_NAME_MAX)
        return zc_field_fail(diag, line, "name", "longer than %d bytes", ZC_NAME_MAX - 1);
    /* The CSV and JSON readers have checked the UTF-8; a name must also print on one line. */
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)name[i] < ' ' || name[i] == '\x7f')
            return zc_field_fail(diag, line, "name", "contains a control character");
    return ZC_OK;
}

static zc_err check_region(long line, const char *text, size_t len, zc_diag *diag)
{
    bool digits = len >= REGION_MIN_DIGITS && len < ZC_REGION_MAX;
    for (size_t i = 0; digits && i < len; i++)
        digits = text[i] >= '0' && text[i] <= '9';
    if (!digits)
        return zc_field_fail(diag, line, "region", "\"%.*s\" is not %d to %d digits",
                             zc_csv_quote_len(text, len), text, REGION_MIN_DIGITS,
                             ZC_REGION_MAX - 1);
    return ZC_OK;
}

/* "dibao|shineng": category ids, each once, since a repeated one could be counted twice. */
static zc_err check_categories(long line, const char *text, size_t len, zc_diag *diag)
{
    return zc_field_check_id_list(line, text, len, "categories", "category", ZC_CATEGORIES_MAX,
                                  ZC_CATEGORY_ID_MAX, diag);
}

static zc_err check_status(long line, const char *text, size_t len, zc_elder_status *out,
                           zc_diag *diag)
{
    for (size_t i = 0; i < sizeof STATUS_TEXT / sizeof STATUS_TEXT[0]; i++) {
        if (len == strlen(STATUS_TEXT[i]) && memcmp(text, STATUS_TEXT[i], len) == 0) {
            *out = (zc_elder_status)i;
            return ZC_OK;
        }
    }
    return zc_field_fail(diag, line, "status", "\"%.*s\" is neither active nor suspended",
                         zc_csv_quote_len(text, len), text);
}

zc_err zc_roster_check_fields(const char *name, const char *region, const char *categories,
                              const char *status, zc_elder_status *status_out, zc_diag *diag)
{
    zc_elder_status parsed = ZC_ELDER_ACTIVE;
    zc_err err;
    /* strnlen bounds: a longer text is refused by its check without being read to its end. */
    if ((err = check_name(0, name, strnlen(name, ZC_NAME_MAX), diag)) ||
        (err = check_region(0, region, strnlen(region, ZC_REGION_MAX), diag)) ||
        (err = check_categories(0, categories, strnlen(categories, ZC_CATEGORIES_MAX), diag)) ||
        (err = check_status(0, status, strnlen(status, ZC_NAME_MAX), &parsed, diag)))
        return err;
    if (status_out)
        *status_out = parsed;
    return ZC_OK;
}

/* QR token or card UID: optional, printable ASCII without spaces, as scanners deliver them. */
static zc_err check_token(const zc_csv_row *row, column col, bool *present, zc_diag *diag)
{
    const char *text = row->fields[col];
    size_t len = row->lens[col];
    *present = len > 0;
    if (len >= ZC_TOKEN_MAX)
        return zc_csv_fail(diag, row->line, COLUMN_NAMES[col], "longer than %d bytes",
                           ZC_TOKEN_MAX - 1);
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)text[i] <= ' ' || (unsigned char)text[i] > '~')
            return zc_csv_fail(diag, row->line, COLUMN_NAMES[col],
                               "only printable ASCII without spaces is allowed");
    return ZC_OK;
}

/* Checks a row into out. The ID number's HMAC is computed when key is given, else kept from out. */
static zc_err read_row(const zc_csv_row *row, const uint8_t *key, roster_row *out, zc_diag *diag)
{
    zc_diag sub = {{0}, 0};
    zc_idnum id;
    zc_err err;
    long line = row->line;
    out->line = line;
    if (row->nfields != COLUMNS)
        return zc_csv_fail(diag, line, NULL, "has %zu columns, expected %d", row->nfields,
                           (int)COLUMNS);
    if (zc_idnum_parse(row->fields[COL_ID], row->lens[COL_ID], &id, &sub))
        return zc_csv_fail(diag, line, "id_number", "%s%s", sub.msg,
                           looks_like_excel_number(row->fields[COL_ID])
                               ? " (the spreadsheet turned it into a number: format the column as "
                                 "text and export again)"
                               : "");
    if (key)
        zc_idnum_hmac(key, &id, out->id_hmac);
    if ((err = check_name(line, row->fields[COL_NAME], row->lens[COL_NAME], diag)))
        return err;
    out->birth = id.birth;
    if (row->lens[COL_BIRTH] > 0 &&
        zc_date_parse(row->fields[COL_BIRTH], row->lens[COL_BIRTH], &out->birth, &sub))
        return zc_csv_fail(diag, line, "birth_date", "%s", sub.msg);
    zc_date_format(out->birth, out->birth_text);
    /* An empty region is the one the ID number was issued in. */
    if (row->lens[COL_REGION] == 0)
        memcpy(out->region, id.region, sizeof id.region);
    else if ((err = check_region(line, row->fields[COL_REGION], row->lens[COL_REGION], diag)))
        return err;
    else
        memcpy(out->region, row->fields[COL_REGION], row->lens[COL_REGION] + 1);
    if ((err = check_categories(line, row->fields[COL_CATEGORIES], row->lens[COL_CATEGORIES],
                                diag)) ||
        (err = check_status(line, row->fields[COL_STATUS], row->lens[COL_STATUS], &out->status,
                            diag)) ||
        (err = check_token(row, COL_QR, &out->has_qr, diag)) ||
        (err = check_token(row, COL_CARD, &out->has_card, diag)))
        return err;
    if (out->has_qr)
        hash_bytes(row->fields[COL_QR], row->lens[COL_QR], out->qr_hash);
    if (out->has_card)
        zc_roster_card_hash(row->fields[COL_CARD], out->card_hash, NULL);
    return ZC_OK;
}

/* ---- pass 1: read and check every row, find repeats ---- */

static zc_err seen_add(seen_list *list, const uint8_t *hash, const zc_csv_row *row, zc_diag *diag)
{
    if (list->n == list->cap) {
        size_t cap = list->cap ? list->cap * 2 : SEEN_INITIAL;
        seen *v = realloc(list->v, cap * sizeof *v);
        if (!v)
            return zc_diag_set(diag, ZC_ERR_NOMEM, "out of memory reading the roster");
        list->v = v;
        list->cap = cap;
    }
    seen *s = &list->v[list->n++];
    memcpy(s->key, hash, HASH_LEN);
    s->line = row->line;
    s->offset = row->offset;
    return ZC_OK;
}

static int seen_key_cmp(const void *a, const void *b)
{
    return memcmp(((const seen *)a)->key, ((const seen *)b)->key, HASH_LEN);
}

static int seen_cmp(const void *a, const void *b)
{
    const seen *x = a, *y = b;
    int c = seen_key_cmp(x, y);
    return c ? c : (x->line > y->line) - (x->line < y->line);
}

/*
 * The earliest line that repeats a key of the list, and the line it repeats. Sorting by key and
 * then line puts each repeat right behind the first line of its value.
 */
static bool first_repeat(seen_list *list, long *line, long *first)
{
    bool found = false;
    if (list->n < 2)
        return false;
    qsort(list->v, list->n, sizeof *list->v, seen_cmp);
    for (size_t i = 1; i < list->n; i++) {
        const seen *a = &list->v[i - 1], *b = &list->v[i];
        if ((!found || b->line < *line) && seen_key_cmp(a, b) == 0) {
            *line = b->line;
            *first = a->line;
            found = true;
        }
    }
    return found;
}

/*
 * Reports a repeat within the file instead of err when it comes on an earlier line than err's (or
 * there is no err): the first bad line is the one to fix first. Leaves every list sorted.
 */
static zc_err check_repeats(importer *im, zc_err err, zc_diag *diag)
{
    seen_list *lists[] = {&im->ids, &im->qrs, &im->cards};
    long best = 0, first = 0;
    const seen_list *best_list = NULL;
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        long line = 0, other = 0;
        if (first_repeat(lists[i], &line, &other) && (!best_list || line < best)) {
            best = line;
            first = other;
            best_list = lists[i];
        }
    }
    if (!best_list || (err && best > diag->line))
        return err;
    return zc_csv_fail(diag, best, best_list->field, "%s as on line %ld", best_list->what, first);
}

static zc_err read_rows(importer *im, zc_csv *csv, zc_diag *diag)
{
    zc_csv_row row;
    roster_row r = {0};
    zc_err err;
    while ((err = zc_csv_next(csv, &row, diag)) == ZC_OK) {
        if ((err = read_row(&row, im->key, &r, diag)) ||
            (err = seen_add(&im->ids, r.id_hmac, &row, diag)) ||
            (r.has_qr && (err = seen_add(&im->qrs, r.qr_hash, &row, diag))) ||
            (r.has_card && (err = seen_add(&im->cards, r.card_hash, &row, diag))))
            break;
        im->stats.rows++;
    }
    if (err == ZC_ERR_NOT_FOUND)
        err = ZC_OK;
    if (err == ZC_OK || err == ZC_ERR_INVALID)
        err = check_repeats(im, err, diag);
    return err;
}

/* ---- pass 2: write the rows in ID-hash order ---- */

static zc_err pragma_int(sqlite3 *db, const char *sql, int *out)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return ZC_ERR_DB;
    zc_err err = sqlite3_step(st) == SQLITE_ROW ? ZC_OK : ZC_ERR_DB;
    if (!err)
        *out = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return err;
}

static void set_cache_size(sqlite3 *db, int value)
{
    char sql[PRAGMA_SQL_MAX];
    snprintf(sql, sizeof sql, "PRAGMA cache_size=%d", value);
    sqlite3_exec(db, sql, NULL, NULL, NULL);
}

static bool in_file(const importer *im, const void *id_hmac, int len)
{
    seen probe;
    if (len != HASH_LEN)
        return false;
    memcpy(probe.key, id_hmac, HASH_LEN);
    return bsearch(&probe, im->ids.v, im->ids.n, sizeof probe, seen_key_cmp) != NULL;
}

/*
 * The upsert of r found r's QR token or card UID held by another elder. When that elder is in the
 * file too, their own row gives them another value or none (repeats were refused in pass 1), so
 * theirs is released now and r can be retried: the file states the final roster, whatever the
 * order of its rows, and tokens may move or swap between elders. An elder the file does not
 * mention keeps the token, and r is refused.
 */
static zc_err release_token(importer *im, const roster_row *r, zc_diag *diag)
{
    static const char *const FIND[] = {
        "SELECT id, id_hmac FROM elder WHERE qr_hash = ?1 AND id_hmac <> ?2",
        "SELECT id, id_hmac FROM elder WHERE card_hash = ?1 AND id_hmac <> ?2"};
    static const char *const RELEASE[] = {
        "UPDATE elder SET qr_hash = NULL, version = ?2 WHERE id = ?1",
        "UPDATE elder SET card_hash = NULL, version = ?2 WHERE id = ?1"};
    const bool has[] = {r->has_qr, r->has_card};
    const uint8_t *hash[] = {r->qr_hash, r->card_hash};
    const column col[] = {COL_QR, COL_CARD};
    for (size_t i = 0; i < sizeof FIND / sizeof FIND[0]; i++) {
        sqlite3_stmt *st;
        if (!has[i])
            continue;
        int rc = sqlite3_prepare_v2(im->db, FIND[i], -1, &st, NULL);
        if (rc != SQLITE_OK)
            return zc_store_fail(im->store, rc, "looking up a roster conflict", diag);
        sqlite3_bind_blob(st, 1, hash[i], HASH_LEN, SQLITE_STATIC);
        sqlite3_bind_blob(st, 2, r->id_hmac, ZC_IDNUM_HMAC_LEN, SQLITE_STATIC);
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE) {
            sqlite3_finalize(st);
            continue;
        }
        if (rc != SQLITE_ROW) {
            sqlite3_finalize(st);
            return zc_store_fail(im->store, rc, "looking up a roster conflict", diag);
        }
        int64_t holder = sqlite3_column_int64(st, 0);
        bool listed = in_file(im, sqlite3_column_blob(st, 1), sqlite3_column_bytes(st, 1));
        sqlite3_finalize(st);
        if (!listed)
            return zc_csv_fail(diag, r->line, COLUMN_NAMES[col[i]],
                               "already belongs to another elder in the roster (roster id %lld)",
                               (long long)holder);
        if ((rc = sqlite3_prepare_v2(im->db, RELEASE[i], -1, &st, NULL)) == SQLITE_OK) {
            sqlite3_bind_int64(st, 1, holder);
            sqlite3_bind_int64(st, 2, im->version);
            rc = sqlite3_step(st);
        }
        sqlite3_finalize(st);
        return rc == SQLITE_DONE ? ZC_OK
                                 : zc_store_fail(im->store, rc, "releasing a roster token", diag);
    }
    return zc_csv_fail(diag, r->line, NULL, "conflicts with the roster");
}

static zc_err write_row(importer *im, const zc_csv_row *row, const roster_row *r, zc_diag *diag)
{
    sqlite3_stmt *st = im->upsert;
    sqlite3_bind_blob(st, 1, r->id_hmac, ZC_IDNUM_HMAC_LEN, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, row->fields[COL_NAME], (int)row->lens[COL_NAME], SQLITE_STATIC);
    sqlite3_bind_text(st, 3, r->birth_text, ZC_DATE_TEXT_LEN, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, r->region, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, row->fields[COL_CATEGORIES], (int)row->lens[COL_CATEGORIES],
                      SQLITE_STATIC);
    sqlite3_bind_text(st, 6, STATUS_TEXT[r->status], -1, SQLITE_STATIC);
    if (r->has_qr)
        sqlite3_bind_blob(st, 7, r->qr_hash, HASH_LEN, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 7);
    if (r->has_card)
        sqlite3_bind_blob(st, 8, r->card_hash, HASH_LEN, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 8);
    sqlite3_bind_int64(st, 9, im->version);
    /* Each token can need one release; after that the upsert succeeds or something is wrong. */
    for (int attempt = 0;; attempt++) {
        /* An upsert that updates leaves the last rowid alone: that tells new elders from known. */
        sqlite3_set_last_insert_rowid(im->db, 0);
        int rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc == SQLITE_DONE) {
            if (sqlite3_last_insert_rowid(im->db) != 0)
                im->stats.added++;
            else
                im->stats.updated++;
            return ZC_OK;
        }
        if (rc != SQLITE_CONSTRAINT_UNIQUE || attempt == TOKEN_COLUMNS) {
            char what[WHAT_MAX];
            snprintf(what, sizeof what, "line %ld: writing the roster", r->line);
            zc_err err = zc_store_fail(im->store, rc, what, diag);
            diag->line = r->line;
            return err;
        }
        zc_err err = release_token(im, r, diag);
        if (err)
            return err;
    }
}

/*
 * Rows go in sorted by ID hash: then the id_hmac index only ever grows at its end instead of
 * taking a random page per row, which makes a million-row import 1.5 times as fast. Each row is
 * read again from the file rather than kept from pass 1. A refused row does not stop the pass, so
 * that the earliest refused line is the one reported.
 */
static zc_err write_rows(importer *im, zc_csv *csv, zc_diag *diag)
{
    zc_diag refused = {{0}, 0};
    for (size_t i = 0; i < im->ids.n; i++) {
        const seen *s = &im->ids.v[i];
        zc_csv_row row;
        roster_row r = {0};
        zc_diag row_diag = {{0}, 0};
        zc_err err;
        zc_csv_seek(csv, s->offset, s->line);
        memcpy(r.id_hmac, s->key, HASH_LEN);
        if ((err = zc_csv_next(csv, &row, diag)) || (err = read_row(&row, NULL, &r, diag)))
            return err;
        err = write_row(im, &row, &r, &row_diag);
        if (err == ZC_ERR_INVALID) {
            if (!refused.line || row_diag.line < refused.line)
                refused = row_diag;
        } else if (err) {
            *diag = row_diag;
            return err;
        }
    }
    if (!refused.line)
        return ZC_OK;
    *diag = refused;
    return ZC_ERR_INVALID;
}

/* An importer for pass 1; the import adds its store. */
static importer importer_init(const uint8_t *key)
{
    importer im = {
        .key = key,
        .ids = {.field = "id_number", .what = "same ID number"},
        .qrs = {.field = "qr_token", .what = "same QR token"},
        .cards = {.field = "card_uid", .what = "same card UID"},
    };
    return im;
}

static void importer_free(importer *im)
{
    free(im->ids.v);
    free(im->qrs.v);
    free(im->cards.v);
}

/* The header and pass 1: nothing touches the store until the whole file has been checked. */
static zc_err read_file(importer *im, zc_csv *csv, zc_diag *diag)
{
    zc_csv_row row;
    zc_err err = zc_csv_next(csv, &row, diag);
    if (err == ZC_ERR_NOT_FOUND)
        return zc_csv_fail(diag, 1, "header", "missing; expected %s", HEADER);
    if (err || (err = zc_csv_check_header(&row, COLUMN_NAMES, COLUMNS, diag)))
        return err;
    return read_rows(im, csv, diag);
}

static zc_err write_file(importer *im, zc_csv *csv, zc_diag *diag)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(im->db, "SELECT coalesce(max(version), 0) + 1 FROM elder", -1, &st,
                                NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
        im->version = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return zc_store_fail(im->store, rc, "reading the roster version", diag);
    rc = sqlite3_prepare_v3(im->db, UPSERT_SQL, -1, SQLITE_PREPARE_PERSISTENT, &im->upsert, NULL);
    if (rc != SQLITE_OK)
        return zc_store_fail(im->store, rc, "preparing the roster import", diag);
    return write_rows(im, csv, diag);
}

zc_err zc_roster_import_csv(zc_store *store, const uint8_t region_key[ZC_REGION_KEY_LEN],
                            const char *data, size_t len, zc_roster_import_stats *stats,
                            zc_diag *diag)
{
    zc_diag local;
    importer im = importer_init(region_key);
    im.store = store;
    im.db = zc_store_db(store);
    zc_csv *csv;
    int cache_size = 0;
    if (!diag)
        diag = &local;
    if (zc_csv_new(data, len, &csv))
        return zc_diag_set(diag, ZC_ERR_NOMEM, "out of memory reading the roster");
    zc_err err = read_file(&im, csv, diag);
    if (!err && pragma_int(im.db, "PRAGMA cache_size", &cache_size))
        err = zc_store_fail(store, SQLITE_ERROR, "reading the cache size", diag);
    if (!err && !(err = zc_store_begin(store, diag))) {
        set_cache_size(im.db, -IMPORT_CACHE_KIB);
        err = write_file(&im, csv, diag);
        sqlite3_finalize(im.upsert);
        if (!err)
            err = zc_store_commit(store, diag);
        if (err)
            zc_store_rollback(store);
        set_cache_size(im.db, cache_size);
    }
    if (!err && stats)
        *stats = im.stats;
    importer_free(&im);
    zc_csv_free(csv);
    return err;
}

/* Pass 1 again, in file order, handing each row over: the file is known to be good by now. */
static zc_err walk_entries(const uint8_t *key, const char *data, size_t len, zc_roster_entry_fn fn,
                           void *ctx, zc_diag *diag)
{
    zc_csv *csv;
    zc_csv_row row;
    zc_err err;
    if (zc_csv_new(data, len, &csv))
        return zc_diag_set(diag, ZC_ERR_NOMEM, "out of memory reading the roster");
    err = zc_csv_next(csv, &row, diag); /* the header */
    while (!err && (err = zc_csv_next(csv, &row, diag)) == ZC_OK) {
        roster_row r = {0};
        zc_roster_entry e;
        memset(&e, 0, sizeof e);
        if ((err = read_row(&row, key, &r, diag)))
            break;
        e.line = r.line;
        memcpy(e.id_hmac, r.id_hmac, sizeof e.id_hmac);
        memcpy(e.name, row.fields[COL_NAME], row.lens[COL_NAME] + 1);
        e.birth = r.birth;
        memcpy(e.region, r.region, sizeof e.region);
        memcpy(e.categories, row.fields[COL_CATEGORIES], row.lens[COL_CATEGORIES] + 1);
        e.status = r.status;
        e.has_qr = r.has_qr;
        e.has_card = r.has_card;
        if (r.has_qr) {
            memcpy(e.qr_token, row.fields[COL_QR], row.lens[COL_QR] + 1);
            memcpy(e.qr_hash, r.qr_hash, sizeof e.qr_hash);
        }
        if (r.has_card) {
            normalise_uid(row.fields[COL_CARD], row.lens[COL_CARD], e.card_uid);
            memcpy(e.card_hash, r.card_hash, sizeof e.card_hash);
        }
        err = fn(ctx, &e, diag);
    }
    zc_csv_free(csv);
    return err == ZC_ERR_NOT_FOUND ? ZC_OK : err;
}

zc_err zc_roster_parse_csv(const uint8_t region_key[ZC_REGION_KEY_LEN], const char *data,
                           size_t len, zc_roster_entry_fn fn, void *ctx, zc_diag *diag)
{
    zc_diag local;
    importer im = importer_init(region_key);
    zc_csv *csv;
    if (!diag)
        diag = &local;
    if (zc_csv_new(data, len, &csv))
        return zc_diag_set(diag, ZC_ERR_NOMEM, "out of memory reading the roster");
    zc_err err = read_file(&im, csv, diag);
    zc_csv_free(csv);
    importer_free(&im);
    return err ? err : walk_entries(region_key, data, len, fn, ctx, diag);
}

/* ---- lookups ---- */

static zc_err broken(zc_diag *diag, int64_t id, const char *what)
{
    return zc_diag_set(diag, ZC_ERR_BROKEN, "roster entry %lld has a malformed %s", (long long)id,
                       what);
}

static zc_err copy_text(sqlite3_stmt *st, int col, char *buf, size_t size)
{
    const unsigned char *text = sqlite3_column_text(st, col);
    size_t len = (size_t)sqlite3_column_bytes(st, col);
    if (!text || len >= size)
        return ZC_ERR_BROKEN;
    memcpy(buf, text, len + 1);
    return ZC_OK;
}

static zc_err fill_elder(sqlite3_stmt *st, zc_elder *out, zc_diag *diag)
{
    out->id = sqlite3_column_int64(st, 0);
    if (copy_text(st, 1, out->name, sizeof out->name))
        return broken(diag, out->id, "name");
    const char *birth = (const char *)sqlite3_column_text(st, 2);
    if (!birth || zc_date_parse(birth, (size_t)sqlite3_column_bytes(st, 2), &out->birth, NULL))
        return broken(diag, out->id, "birth date");
    if (copy_text(st, 3, out->region, sizeof out->region))
        return broken(diag, out->id, "region");
    if (copy_text(st, 4, out->categories, sizeof out->categories))
        return broken(diag, out->id, "category list");
    const char *status = (const char *)sqlite3_column_text(st, 5);
    if (status && strcmp(status, STATUS_TEXT[ZC_ELDER_ACTIVE]) == 0)
        out->status = ZC_ELDER_ACTIVE;
    else if (status && strcmp(status, STATUS_TEXT[ZC_ELDER_SUSPENDED]) == 0)
        out->status = ZC_ELDER_SUSPENDED;
    else
        return broken(diag, out->id, "status");
    return ZC_OK;
}

/* One elder by the statement's ?1: key is a blob of key_len bytes, or the id when key is NULL. */
static zc_err find(zc_store *store, const char *sql, const void *key, size_t key_len, int64_t id,
                   zc_elder *out, const char *nobody, zc_diag *diag)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(zc_store_db(store), sql, -1, &st, NULL);
    if (rc != SQLITE_OK)
        return zc_store_fail(store, rc, "looking up the roster", diag);
    if (key)
        sqlite3_bind_blob(st, 1, key, (int)key_len, SQLITE_STATIC);
    else
        sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    zc_err err;
    if (rc == SQLITE_ROW)
        err = fill_elder(st, out, diag);
    else if (rc == SQLITE_DONE)
        err = zc_diag_set(diag, ZC_ERR_NOT_FOUND, "%s", nobody);
    else
        err = zc_store_fail(store, rc, "looking up the roster", diag);
    sqlite3_finalize(st);
    return err;
}

zc_err zc_roster_find_by_idnum(zc_store *store, const uint8_t region_key[ZC_REGION_KEY_LEN],
                               const char *id_number, zc_elder *out, zc_diag *diag)
{
    zc_idnum id;
    uint8_t hmac[ZC_IDNUM_HMAC_LEN];
    zc_err err = zc_idnum_parse(id_number, strlen(id_number), &id, diag);
    if (err)
        return err;
    zc_idnum_hmac(region_key, &id, hmac);
    return find(store, SELECT_ELDER "id_hmac = ?1", hmac, sizeof hmac, 0, out,
                "no elder with this ID number in the roster", diag);
}

zc_err zc_roster_find_by_qr(zc_store *store, const char *token, zc_elder *out, zc_diag *diag)
{
    uint8_t hash[HASH_LEN];
    hash_bytes(token, strlen(token), hash);
    return find(store, SELECT_ELDER "qr_hash = ?1", hash, sizeof hash, 0, out,
                "no elder with this QR code in the roster", diag);
}

zc_err zc_roster_find_by_card(zc_store *store, const char *uid, zc_elder *out, zc_diag *diag)
{
    static const char NOBODY[] = "no elder with this meal card in the roster";
    uint8_t hash[HASH_LEN];
    if (zc_roster_card_hash(uid, hash, NULL))
        return zc_diag_set(diag, ZC_ERR_NOT_FOUND, "%s", NOBODY);
    return find(store, SELECT_ELDER "card_hash = ?1", hash, sizeof hash, 0, out, NOBODY, diag);
}

zc_err zc_roster_get(zc_store *store, int64_t id, zc_elder *out, zc_diag *diag)
{
    return find(store, SELECT_ELDER "id = ?1", NULL, 0, id, out, "no elder with this roster id",
                diag);
}

zc_err zc_roster_count(zc_store *store, int64_t *out, zc_diag *diag)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(zc_store_db(store), "SELECT count(*) FROM elder", -1, &st, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? ZC_OK : zc_store_fail(store, rc, "counting the roster", diag);
}

/* ---- display ---- */

/* Bytes in the UTF-8 character at s (1 for a stray byte, so bad input still moves on). */
static size_t char_len(const unsigned char *s)
{
    size_t n = *s >= 0xF0 ? 4 : *s >= 0xE0 ? 3 : *s >= 0xC0 ? 2 : 1;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 1;
    return n;
}

void zc_roster_mask_name(const char *name, char *buf, size_t size)
{
    const unsigned char *s = (const unsigned char *)name;
    size_t chars = 0, used = 0, last = 0;
    if (size == 0)
        return;
    for (size_t i = 0; s[i]; i += char_len(s + i), chars++)
        last = i;
    /* Keep the first character, mask the middle, keep the last when there are three or more. */
    for (size_t i = 0, k = 0; s[i]; i += char_len(s + i), k++) {
        bool keep = k == 0 || chars == 1 || (chars > 2 && i == last);
        size_t n = keep ? char_len(s + i) : 1;
        if (used + n >= size)
            break;
        memcpy(buf + used, keep ? name + i : "*", n);
        used += n;
    }
    buf[used] = '\0';
}
