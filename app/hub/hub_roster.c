/*
 * The hub's elder roster: CSV import, the kiosks' paged pull, the console's list, QR cards.
 *
 * Every write takes the "roster" lock and numbers its rows max(version) + 1 inside it, so row
 * versions follow commit order and a (version, id) cursor never skips a row that committed late.
 * An import compares each file row with what the hub holds through one in-memory map loaded at
 * the start (ID hash -> roster id and a hash of the stored fields), and sends only the rows that
 * changed, many per statement as a JSON array that the database unpacks: a million-row file costs
 * one pass over the table and a thousand statements, not a million queries; a file much smaller
 * than the roster loads only the elders it can touch.
 *
 * Tokens follow the hub's rule, not the kiosk's: an empty qr_token or card_uid column keeps what
 * the elder holds, since the monthly roster comes from a system that knows nothing of the cards
 * the hub issued and printed. A token leaves an elder only when another row of the file gives it
 * to someone else, or when the console issues a new one.
 */
#include "hub_impl.h"

#include "zc/codec.h"
#include "zc/roster.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    FIELDS_HASH_LEN = 16, /* BLAKE2b of a row's stored fields: only compared for equality */
    SAMPLES_MAX = 20,     /* rows the preview shows */
    WRITE_BATCH = 1000,   /* rows per insert or update statement */
    ISSUE_BATCH = 1000,   /* QR tokens per update statement */
    CARDS_BATCH = 500,    /* roster ids per card query */
    LIST_LIMIT_MAX = 500, /* elders in one console page */
    LIST_LIMIT_DEFAULT = 50,
    GROW_INITIAL = 1024,     /* first capacity of the import's arrays */
    CURSOR_PART_MAX = 18,    /* digits of a cursor's version or id: stays inside int64 */
    ID_LIST_ITEM_MAX = 22,   /* "," and an int64 */
    LISTED_ROWS_MAX = 20000, /* the largest file that loads only the elders it names */
    LISTED_RATIO = 16,       /* ... when the roster is at least this many times its size */
};

#define HEX_HASH_SIZE ZC_HEX_SIZE(ZC_HASH_LEN)

/* ---- small helpers ---- */

/* The rows of a JSON array parameter ($1) as a table r with column value, in either dialect. */
static const char *json_rows(const zc_hub *hub)
{
    return zc_hubdb_kind_of(hub->db) == ZC_HUBDB_POSTGRES
               ? "json_array_elements($1::json) AS r(value)"
               : "json_each($1) AS r";
}

static zc_err nomem(zc_diag *diag)
{
    return zc_diag_set(diag, ZC_ERR_NOMEM, "out of memory in the roster");
}

static zc_err grow(void **v, size_t *cap, size_t n, size_t size, zc_diag *diag)
{
    if (n < *cap)
        return ZC_OK;
    size_t ncap = *cap ? *cap * 2 : GROW_INITIAL;
    void *nv = realloc(*v, ncap * size);
    if (!nv)
        return nomem(diag);
    *v = nv;
    *cap = ncap;
    return ZC_OK;
}

/* Next roster version, under the "roster" lock the caller holds. */
static zc_err next_version(zc_hubdb_conn *conn, int64_t *out, zc_diag *diag)
{
    zc_hubdb_rows *rows;
    zc_err err = zc_hubdb_query(conn, "SELECT COALESCE(MAX(version), 0) + 1 FROM elder", NULL, 0,
                                &rows, diag);
    if (err)
        return err;
    *out = zc_hubdb_rows_int(rows, 0, 0);
    zc_hubdb_rows_free(rows);
    return ZC_OK;
}

/* What a file row always sets (name, birth_date, region, categories, status), hashed so an import
 * can tell unchanged rows. The tokens are compared apart: an empty token column sets nothing. */
static void fields_hash(const char *const fields[], size_t n, uint8_t out[FIELDS_HASH_LEN])
{
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, FIELDS_HASH_LEN);
    for (size_t i = 0; i < n; i++) {
        const char *f = fields[i] ? fields[i] : "";
        /* With its NUL, so that ("ab","c") and ("a","bc") differ. */
        crypto_generichash_update(&st, (const unsigned char *)f, strlen(f) + 1);
    }
    crypto_generichash_final(&st, out, FIELDS_HASH_LEN);
}

enum { HASHED_FIELDS = 5 };

/* ---- import ---- */

/* An elder the hub held when the import started. */
typedef struct known {
    uint8_t id_hmac[ZC_HASH_LEN];
    uint8_t fields[FIELDS_HASH_LEN];
    int64_t id;
    size_t pos;    /* where the load put it, before sorting */
    size_t queued; /* flushes + 1 when its row was queued: in that batch; 0 for none */
    long line;     /* its row's line in the file, once written */
    bool deleted;
    bool written;            /* the file's row for this elder has been seen */
    bool kept_qr, kept_card; /* that row left the column empty: the elder keeps what it holds */
    bool unchanged;          /* that row was counted unchanged */
    bool lost;               /* another row of the file took one of its tokens */
} known;

/* Who held a QR hash or card hash when the import started. */
typedef struct holder {
    uint8_t hash[ZC_HASH_LEN];
    size_t known;
} holder;

/* A token taken from an elder whose own row had not come yet: it must come, or the file is bad. */
typedef struct release {
    size_t known;
    long line;
    const char *field;
} release;

typedef struct importer {
    zc_hub *hub;
    zc_hubdb_conn *conn;
    bool dry_run;
    int64_t version;
    char version_text[ZC_HUB_INT_TEXT];
    known *known;
    size_t nknown, known_cap;
    holder *qrs, *cards;
    size_t nqrs, qrs_cap, ncards, cards_cap;
    release *releases;
    size_t nreleases, releases_cap;
    json_t *inserts, *updates; /* rows queued, as JSON arrays of ROW_VALUES */
    size_t flushes;
    char *insert_sql, *update_sql;
    zc_hub_roster_stats stats;
    json_t *samples;
} importer;

static int known_cmp(const void *a, const void *b)
{
    return memcmp(((const known *)a)->id_hmac, ((const known *)b)->id_hmac, ZC_HASH_LEN);
}

static int holder_cmp(const void *a, const void *b)
{
    return memcmp(((const holder *)a)->hash, ((const holder *)b)->hash, ZC_HASH_LEN);
}

static zc_err add_holder(holder **v, size_t *n, size_t *cap, const char *hex, size_t k,
                         zc_diag *diag)
{
    zc_err err = grow((void **)v, cap, *n, sizeof **v, diag);
    if (err)
        return err;
    if (zc_hex_decode(hex, strlen(hex), (*v)[*n].hash, ZC_HASH_LEN))
        return zc_diag_set(diag, ZC_ERR_DB, "roster: a stored token hash is malformed");
    (*v)[(*n)++].known = k;
    return ZC_OK;
}

enum {
    LOAD_ID,
    LOAD_HMAC,
    LOAD_NAME,
    LOAD_BIRTH,
    LOAD_REGION,
    LOAD_CATEGORIES,
    LOAD_STATUS,
    LOAD_DELETED,
    LOAD_QR_HASH,
    LOAD_CARD_HASH,
    LOAD_COLUMNS
};

#define LOAD_SQL                                                                                   \
    "SELECT id, id_hmac, name, birth_date, region, categories, status, deleted, qr_hash,"          \
    " card_hash FROM elder"

/* One stored elder into the map; load_known words the message for any error. */
static zc_err load_row(void *ctx, const char *const *v, int ncols)
{
    importer *im = ctx;
    zc_diag *diag = NULL;
    if (ncols != LOAD_COLUMNS || !v[LOAD_ID] || !v[LOAD_HMAC])
        return ZC_ERR_DB;
    if (grow((void **)&im->known, &im->known_cap, im->nknown, sizeof *im->known, diag))
        return ZC_ERR_NOMEM;
    known *k = &im->known[im->nknown];
    memset(k, 0, sizeof *k);
    if (zc_hex_decode(v[LOAD_HMAC], strlen(v[LOAD_HMAC]), k->id_hmac, ZC_HASH_LEN))
        return ZC_ERR_DB;
    k->id = strtoll(v[LOAD_ID], NULL, 10);
    k->pos = im->nknown;
    k->deleted = v[LOAD_DELETED] && strcmp(v[LOAD_DELETED], "0") != 0;
    /* LOAD_NAME .. LOAD_STATUS are the hashed fields in import_entry's order. */
    fields_hash(v + LOAD_NAME, HASHED_FIELDS, k->fields);
    zc_err err = ZC_OK;
    if (v[LOAD_QR_HASH])
        err = add_holder(&im->qrs, &im->nqrs, &im->qrs_cap, v[LOAD_QR_HASH], im->nknown, diag);
    if (!err && v[LOAD_CARD_HASH])
        err = add_holder(&im->cards, &im->ncards, &im->cards_cap, v[LOAD_CARD_HASH], im->nknown,
                         diag);
    if (err)
        return err;
    im->nknown++;
    return ZC_OK;
}

/* Every hash a file row names (ID, QR, card), as hex strings into the JSON array ctx. */
static zc_err collect_keys(void *ctx, const zc_roster_entry *e, zc_diag *diag)
{
    json_t *keys = ctx;
    const uint8_t *hashes[] = {e->id_hmac, e->has_qr ? e->qr_hash : NULL,
                               e->has_card ? e->card_hash : NULL};
    for (size_t i = 0; i < sizeof hashes / sizeof hashes[0]; i++) {
        char hex[HEX_HASH_SIZE];
        if (!hashes[i])
            continue;
        zc_hex_encode(hashes[i], ZC_HASH_LEN, hex);
        if (json_array_append_new(keys, json_string(hex)))
            return nomem(diag);
    }
    return ZC_OK;
}

/*
 * A file much smaller than the roster (the monthly change list against a million elders) can only
 * touch the elders it lists and those holding a token it names: those are all the import looks
 * up (find_known and find_holder take only the file's hashes), so loading just them gives the same
 * result without a pass over the whole table. *keys is NULL when the whole roster is to be loaded.
 */
static zc_err listed_keys(importer *im, const char *csv, size_t len, json_t **keys, zc_diag *diag)
{
    *keys = NULL;
    /* Lines, not rows (a quoted name may hold a line break): only an estimate for the choice. */
    size_t lines = 0;
    for (const char *p = csv; len > 0 && (p = memchr(p, '\n', len - (size_t)(p - csv))); p++)
        lines++;
    if (lines > LISTED_ROWS_MAX)
        return ZC_OK;
    zc_hubdb_rows *rows;
    zc_err err =
        zc_hubdb_query(im->conn, "SELECT COALESCE(MAX(id), 0) FROM elder", NULL, 0, &rows, diag);
    if (err)
        return err;
    int64_t roster = zc_hubdb_rows_int(rows, 0, 0); /* ids only grow: at least the row count */
    zc_hubdb_rows_free(rows);
    if ((int64_t)lines * LISTED_RATIO > roster)
        return ZC_OK;
    json_t *k = json_array();
    if (!k)
        return nomem(diag);
    /* The file is checked here as it will be in the import: a bad one fails the same way. */
    if ((err = zc_roster_parse_csv(im->hub->region_key, csv, len, collect_keys, k, diag))) {
        json_decref(k);
        return err;
    }
    *keys = k;
    return ZC_OK;
}

/* The elders keys names, by ID hash or as holder of a token, each once (UNION). */
#define LISTED_SQL                                                                                 \
    LOAD_SQL " WHERE id_hmac IN (%s) UNION " LOAD_SQL " WHERE qr_hash IN (%s) UNION " LOAD_SQL     \
             " WHERE card_hash IN (%s)"

static char *listed_sql(const zc_hub *hub)
{
    const char *values = zc_hubdb_kind_of(hub->db) == ZC_HUBDB_POSTGRES
                             ? "SELECT json_array_elements_text($1::json)"
                             : "SELECT value FROM json_each($1)";
    size_t size = sizeof LISTED_SQL + 3 * strlen(values);
    char *sql = malloc(size);
    if (sql)
        snprintf(sql, size, LISTED_SQL, values, values, values);
    return sql;
}

static zc_err load_rows(importer *im, json_t *keys, zc_diag *diag)
{
    if (!keys)
        return zc_hubdb_each(im->conn, LOAD_SQL, NULL, 0, load_row, im, diag);
    if (json_array_size(keys) == 0)
        return ZC_OK;
    char *sql = listed_sql(im->hub);
    char *text = json_dumps(keys, JSON_COMPACT);
    zc_err err = sql && text ? ZC_OK : nomem(diag);
    if (!err) {
        const char *params[] = {text};
        err = zc_hubdb_each(im->conn, sql, params, 1, load_row, im, diag);
    }
    free(text);
    free(sql);
    return err;
}

/*
 * The roster as it is (or the part of it the file can touch), into memory, sorted by ID hash for
 * lookups. Holders were recorded with the load position of their elder; they are pointed at the
 * sorted positions afterwards.
 */
static zc_err load_known(importer *im, const char *csv, size_t len, zc_diag *diag)
{
    json_t *keys;
    zc_err err = listed_keys(im, csv, len, &keys, diag);
    if (err)
        return err;
    err = load_rows(im, keys, diag);
    json_decref(keys);
    if (err == ZC_ERR_NOMEM)
        return nomem(diag);
    if (err == ZC_ERR_DB && !diag->msg[0])
        return zc_diag_set(diag, err, "roster: a stored row is malformed");
    if (err)
        return err;
    if (im->nknown == 0)
        return ZC_OK; /* and no holders either */
    qsort(im->known, im->nknown, sizeof *im->known, known_cmp);
    if (im->nqrs + im->ncards == 0)
        return ZC_OK;
    size_t *moved = malloc(im->nknown * sizeof *moved);
    if (!moved)
        return nomem(diag);
    for (size_t i = 0; i < im->nknown; i++)
        moved[im->known[i].pos] = i;
    holder *lists[] = {im->qrs, im->cards};
    size_t counts[] = {im->nqrs, im->ncards};
    for (size_t l = 0; l < sizeof lists / sizeof lists[0]; l++) {
        for (size_t i = 0; i < counts[l]; i++)
            lists[l][i].known = moved[lists[l][i].known];
        if (counts[l] > 0)
            qsort(lists[l], counts[l], sizeof *lists[l], holder_cmp);
    }
    free(moved);
    return ZC_OK;
}

static known *find_known(importer *im, const uint8_t id_hmac[ZC_HASH_LEN])
{
    known probe;
    if (im->nknown == 0)
        return NULL;
    memcpy(probe.id_hmac, id_hmac, ZC_HASH_LEN);
    return bsearch(&probe, im->known, im->nknown, sizeof *im->known, known_cmp);
}

static const holder *find_holder(const holder *v, size_t n, const uint8_t hash[ZC_HASH_LEN])
{
    holder probe;
    if (n == 0)
        return NULL;
    memcpy(probe.hash, hash, ZC_HASH_LEN);
    return bsearch(&probe, v, n, sizeof *v, holder_cmp);
}

/* Whether elder k held the token of this hash when the import started. */
static bool holds(const importer *im, const holder *v, size_t n, const uint8_t hash[ZC_HASH_LEN],
                  const known *k)
{
    const holder *h = find_holder(v, n, hash);
    return h && &im->known[h->known] == k;
}

static zc_err add_sample(importer *im, long line, const char *name, const char *change)
{
    if (!im->samples || json_array_size(im->samples) >= SAMPLES_MAX)
        return ZC_OK;
    json_t *s =
        json_pack("{s:I,s:s,s:s}", "line", (json_int_t)line, "name", name, "change", change);
    return s && json_array_append_new(im->samples, s) == 0 ? ZC_OK : ZC_ERR_NOMEM;
}

/*
 * Elder k's row was counted unchanged, and a later row has taken one of its tokens: it is updated
 * after all. Its name for the preview comes from the database (the map keeps no names).
 */
static zc_err recount_updated(importer *im, known *k, zc_diag *diag)
{
    k->unchanged = false;
    im->stats.unchanged--;
    im->stats.updated++;
    if (!im->samples || json_array_size(im->samples) >= SAMPLES_MAX)
        return ZC_OK;
    char id[ZC_HUB_INT_TEXT];
    const char *params[] = {zc_hub_int_text(k->id, id)};
    zc_hubdb_rows *rows;
    zc_err err = zc_hubdb_query(im->conn, "SELECT name FROM elder WHERE id = CAST($1 AS BIGINT)",
                                params, 1, &rows, diag);
    if (err)
        return err;
    const char *name = zc_hubdb_rows_text(rows, 0, 0);
    if (add_sample(im, k->line, name ? name : "", "updated"))
        err = nomem(diag);
    zc_hubdb_rows_free(rows);
    return err;
}

static zc_err flush(importer *im, zc_diag *diag);

/*
 * The entry takes a token that elder h held when the import started. When h's own row has come
 * already and gave h another token, h's update gives this one up (the parser refuses a token twice
 * in a file): it only has to be written first. Otherwise h loses the token here: h's row kept it
 * (an empty column keeps a token) or has not come yet, and then it must still come (checked at the
 * end).
 */
static zc_err take_token(importer *im, const holder *h, const known *self, long line,
                         const char *field, zc_diag *diag)
{
    static const char *const CLEAR[] = {
        "UPDATE elder SET qr_token = NULL, qr_hash = NULL, version = CAST($2 AS BIGINT)"
        " WHERE id = CAST($1 AS BIGINT)",
        "UPDATE elder SET card_uid = NULL, card_hash = NULL, version = CAST($2 AS BIGINT)"
        " WHERE id = CAST($1 AS BIGINT)"};
    bool qr = strcmp(field, "qr_token") == 0;
    known *k = &im->known[h->known];
    if (k == self)
        return ZC_OK;
    zc_err err = ZC_OK;
    if (k->written && !(qr ? k->kept_qr : k->kept_card))
        /* Rows of one statement are written in no set order: the holder's goes in first. */
        return k->queued == im->flushes + 1 ? flush(im, diag) : ZC_OK;
    if (k->written && k->unchanged)
        err = recount_updated(im, k, diag);
    if (!err && !k->written &&
        !(err = grow((void **)&im->releases, &im->releases_cap, im->nreleases, sizeof *im->releases,
                     diag)))
        im->releases[im->nreleases++] = (release){h->known, line, field};
    if (err)
        return err;
    k->lost = true;
    if (im->dry_run)
        return ZC_OK;
    /* Now, before the taker's row is queued; a queued update of k keeps this NULL (COALESCE). */
    char id[ZC_HUB_INT_TEXT];
    zc_hub_int_text(k->id, id);
    const char *params[] = {id, im->version_text};
    return zc_hubdb_exec(im->conn, CLEAR[qr ? 0 : 1], params, 2, NULL, diag);
}

static zc_err flush_one(importer *im, json_t *batch, const char *sql, zc_diag *diag)
{
    if (json_array_size(batch) == 0)
        return ZC_OK;
    char *text = json_dumps(batch, JSON_COMPACT);
    if (!text)
        return nomem(diag);
    const char *params[] = {text, im->version_text};
    zc_err err = zc_hubdb_exec(im->conn, sql, params, 2, NULL, diag);
    free(text);
    json_array_clear(batch);
    return err;
}

/* Updates first: the tokens they give up may be what new rows take. */
static zc_err flush(importer *im, zc_diag *diag)
{
    zc_err err = flush_one(im, im->updates, im->update_sql, diag);
    if (!err)
        err = flush_one(im, im->inserts, im->insert_sql, diag);
    im->flushes++;
    return err;
}

static json_t *hex_or_null(bool has, const uint8_t hash[ZC_HASH_LEN])
{
    char hex[HEX_HASH_SIZE];
    if (!has)
        return json_null();
    zc_hex_encode(hash, ZC_HASH_LEN, hex);
    return json_string(hex);
}

/* One row for a batch: its roster id (null when new), then the values of ROW_COLUMNS (a null
 * token is kept by an update). */
static zc_err queue_row(importer *im, known *k, const zc_roster_entry *e, const char *birth,
                        zc_diag *diag)
{
    char hmac[HEX_HASH_SIZE], id[ZC_HUB_INT_TEXT];
    zc_hex_encode(e->id_hmac, ZC_HASH_LEN, hmac);
    json_t *row = json_pack(
        "[o,s,s,s,s,s,s,o,o,o,o]", k ? json_string(zc_hub_int_text(k->id, id)) : json_null(), hmac,
        e->name, birth, e->region, e->categories, zc_roster_status_name(e->status),
        e->has_qr ? json_string(e->qr_token) : json_null(), hex_or_null(e->has_qr, e->qr_hash),
        e->has_card ? json_string(e->card_uid) : json_null(),
        hex_or_null(e->has_card, e->card_hash));
    if (!row || json_array_append_new(k ? im->updates : im->inserts, row))
        return nomem(diag);
    if (k)
        k->queued = im->flushes + 1;
    return json_array_size(im->updates) + json_array_size(im->inserts) >= WRITE_BATCH
               ? flush(im, diag)
               : ZC_OK;
}

static zc_err import_entry(void *ctx, const zc_roster_entry *e, zc_diag *diag)
{
    importer *im = ctx;
    char birth[ZC_DATE_TEXT_LEN + 1];
    zc_date_format(e->birth, birth);
    const char *fields[HASHED_FIELDS] = {e->name, birth, e->region, e->categories,
                                         zc_roster_status_name(e->status)};
    uint8_t hash[FIELDS_HASH_LEN];
    fields_hash(fields, HASHED_FIELDS, hash);
    im->stats.rows++;
    known *k = find_known(im, e->id_hmac);
    if (k) {
        k->written = true;
        k->line = e->line;
        k->kept_qr = !e->has_qr;
        k->kept_card = !e->has_card;
        /* Unchanged: same fields, and each token column empty or naming what the elder holds. */
        if (!k->deleted && !k->lost && memcmp(k->fields, hash, FIELDS_HASH_LEN) == 0 &&
            (!e->has_qr || holds(im, im->qrs, im->nqrs, e->qr_hash, k)) &&
            (!e->has_card || holds(im, im->cards, im->ncards, e->card_hash, k))) {
            k->unchanged = true;
            im->stats.unchanged++;
            return ZC_OK;
        }
    }
    zc_err err = ZC_OK;
    const holder *h;
    if (e->has_qr && (h = find_holder(im->qrs, im->nqrs, e->qr_hash)))
        err = take_token(im, h, k, e->line, "qr_token", diag);
    if (!err && e->has_card && (h = find_holder(im->cards, im->ncards, e->card_hash)))
        err = take_token(im, h, k, e->line, "card_uid", diag);
    if (err)
        return err;
    bool added = !k || k->deleted;
    if (added)
        im->stats.added++;
    else
        im->stats.updated++;
    if (add_sample(im, e->line, e->name, added ? "added" : "updated"))
        return nomem(diag);
    return im->dry_run ? ZC_OK : queue_row(im, k, e, birth, diag);
}

/* Every elder that lost a token to another row must have had a row of their own in the file. */
static zc_err check_releases(importer *im, zc_diag *diag)
{
    for (size_t i = 0; i < im->nreleases; i++) {
        const release *r = &im->releases[i];
        const known *k = &im->known[r->known];
        if (!k->written)
            return zc_diag_set_line(
                diag, ZC_ERR_INVALID, r->line,
                "line %ld: %s: already belongs to another elder in the roster (roster id %" PRId64
                ")",
                r->line, r->field, k->id);
    }
    return ZC_OK;
}

/* The columns a batch row carries after its roster id, in order. */
#define ROW_COLUMNS                                                                                \
    "id_hmac, name, birth_date, region, categories, status, qr_token, qr_hash, card_uid, "         \
    "card_hash"
#define ROW_FIELDS                                                                                 \
    "r.value ->> 1, r.value ->> 2, r.value ->> 3, r.value ->> 4, r.value ->> 5, r.value ->> 6"
#define ROW_VALUES ROW_FIELDS ", r.value ->> 7, r.value ->> 8, r.value ->> 9, r.value ->> 10"
/* An empty token column keeps the elder's token. */
#define ROW_UPDATE_VALUES                                                                          \
    ROW_FIELDS                                                                                     \
    ", COALESCE(r.value ->> 7, elder.qr_token), COALESCE(r.value ->> 8, elder.qr_hash),"           \
    " COALESCE(r.value ->> 9, elder.card_uid), COALESCE(r.value ->> 10, elder.card_hash)"

/* head, the JSON rows as table r, tail. */
static char *sql_with_rows(const char *head, const zc_hub *hub, const char *tail)
{
    const char *from = json_rows(hub);
    size_t size = strlen(head) + strlen(from) + strlen(tail) + 1;
    char *sql = malloc(size);
    if (sql)
        snprintf(sql, size, "%s%s%s", head, from, tail);
    return sql;
}

/* New elders are inserted and known ones updated by id: no upsert, so no identity is spent. */
static zc_err make_sql(importer *im, zc_diag *diag)
{
    im->insert_sql = sql_with_rows("INSERT INTO elder (" ROW_COLUMNS ", version, deleted)"
                                   " SELECT " ROW_VALUES ", CAST($2 AS BIGINT), 0 FROM ",
                                   im->hub, "");
    im->update_sql =
        sql_with_rows("UPDATE elder SET (" ROW_COLUMNS ", version, deleted) = (" ROW_UPDATE_VALUES
                      ", CAST($2 AS BIGINT), 0) FROM ",
                      im->hub, " WHERE elder.id = CAST(r.value ->> 0 AS BIGINT)");
    return im->insert_sql && im->update_sql ? ZC_OK : nomem(diag);
}

static zc_err import_locked(importer *im, const char *csv, size_t len, zc_diag *diag)
{
    zc_err err;
    if ((err = zc_hubdb_lock(im->conn, "roster", diag)) ||
        (err = next_version(im->conn, &im->version, diag)) ||
        (err = load_known(im, csv, len, diag)) || (err = make_sql(im, diag)))
        return err;
    zc_hub_int_text(im->version, im->version_text);
    if ((err = zc_roster_parse_csv(im->hub->region_key, csv, len, import_entry, im, diag)) ||
        (err = flush(im, diag)))
        return err;
    return check_releases(im, diag);
}

zc_err zc_hub_roster_import(zc_hub *hub, const char *csv, size_t len, bool dry_run,
                            zc_hub_roster_stats *stats, json_t **samples, zc_diag *diag)
{
    zc_diag local;
    importer im = {.hub = hub, .dry_run = dry_run};
    if (!diag)
        diag = &local;
    diag->msg[0] = '\0';
    diag->line = 0;
    im.inserts = json_array();
    im.updates = json_array();
    if (samples)
        im.samples = json_array();
    zc_err err = !im.inserts || !im.updates || (samples && !im.samples) ? nomem(diag) : ZC_OK;
    if (!err)
        err = zc_hubdb_acquire(hub->db, &im.conn, diag);
    if (!err) {
        err = zc_hubdb_begin(im.conn, diag);
        if (!err)
            err = import_locked(&im, csv, len, diag);
        if (!err && !dry_run)
            err = zc_hubdb_commit(im.conn, diag);
        else
            zc_hubdb_rollback(im.conn);
        zc_hubdb_release(im.conn);
    }
    if (!err) {
        im.stats.version = dry_run || im.stats.added + im.stats.updated == 0 ? 0 : im.version;
        if (stats)
            *stats = im.stats;
        if (samples) {
            *samples = im.samples;
            im.samples = NULL;
        }
    }
    json_decref(im.samples);
    json_decref(im.inserts);
    json_decref(im.updates);
    free(im.insert_sql);
    free(im.update_sql);
    free(im.known);
    free(im.qrs);
    free(im.cards);
    free(im.releases);
    return err;
}

/* ---- the kiosks' pull ---- */

/* "VERSION.ID" of the last row sent; "" is the start. */
static bool parse_cursor_part(const char *s, size_t len, int64_t *out)
{
    if (len == 0 || len > CURSOR_PART_MAX)
        return false;
    int64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

static zc_err parse_cursor(const char *cursor, int64_t *version, int64_t *id, zc_diag *diag)
{
    *version = 0;
    *id = 0;
    if (!cursor || !cursor[0])
        return ZC_OK;
    const char *dot = strchr(cursor, '.');
    if (!dot || !parse_cursor_part(cursor, (size_t)(dot - cursor), version) ||
        !parse_cursor_part(dot + 1, strlen(dot + 1), id))
        return zc_diag_set(diag, ZC_ERR_INVALID, "after: \"%.*s\" is not a roster cursor",
                           ZC_SYNC_CURSOR_MAX, cursor);
    return ZC_OK;
}

enum {
    PAGE_ID,
    PAGE_VERSION,
    PAGE_DELETED,
    PAGE_HMAC,
    PAGE_NAME,
    PAGE_BIRTH,
    PAGE_REGION,
    PAGE_CATEGORIES,
    PAGE_STATUS,
    PAGE_QR_HASH,
    PAGE_CARD_HASH,
};

/*
 * Both walk one range of the (version, id) index from the cursor, however many rows share a
 * version (a first import of a million elders is one version). PostgreSQL does that for a row
 * comparison; SQLite only bounds the version by it, so there the rest of the cursor's version and
 * the versions after it are two ranges in one statement (one snapshot). One row more than asked
 * for tells whether there are more.
 */
#define PAGE_COLUMNS                                                                               \
    "SELECT id, version, deleted, id_hmac, name, birth_date, region, categories, status,"          \
    " qr_hash, card_hash FROM elder WHERE "
static const char PAGE_SQL_POSTGRES[] =
    PAGE_COLUMNS "(version, id) > (CAST($1 AS BIGINT), CAST($2 AS BIGINT))"
                 " ORDER BY version, id LIMIT CAST($3 AS BIGINT)";
static const char PAGE_SQL_SQLITE[] =
    "SELECT * FROM (" PAGE_COLUMNS "version = CAST($1 AS BIGINT) AND id > CAST($2 AS BIGINT)"
    " ORDER BY id LIMIT CAST($3 AS BIGINT)) AS same_version"
    " UNION ALL SELECT * FROM (" PAGE_COLUMNS "version > CAST($1 AS BIGINT)"
    " ORDER BY version, id LIMIT CAST($3 AS BIGINT)) AS later"
    " ORDER BY 2, 1 LIMIT CAST($3 AS BIGINT)";

static bool copy_text(const char *text, char *buf, size_t size)
{
    size_t len = text ? strlen(text) : 0;
    if (!text || len >= size)
        return false;
    memcpy(buf, text, len + 1);
    return true;
}

static bool read_hash(const char *hex, bool *has, uint8_t out[ZC_HASH_LEN])
{
    *has = hex != NULL;
    return !hex || zc_hex_decode(hex, strlen(hex), out, ZC_HASH_LEN) == ZC_OK;
}

static zc_err page_row(const zc_hubdb_rows *rows, size_t r, json_t **out, zc_diag *diag)
{
    zc_syncwire_elder e;
    memset(&e, 0, sizeof e);
    e.id = zc_hubdb_rows_int(rows, r, PAGE_ID);
    e.version = zc_hubdb_rows_int(rows, r, PAGE_VERSION);
    if (zc_hubdb_rows_int(rows, r, PAGE_DELETED)) {
        *out = json_pack("{s:I,s:I,s:b}", "id", (json_int_t)e.id, "version", (json_int_t)e.version,
                         "deleted", 1);
        return *out ? ZC_OK : nomem(diag);
    }
    const char *hmac = zc_hubdb_rows_text(rows, r, PAGE_HMAC);
    const char *birth = zc_hubdb_rows_text(rows, r, PAGE_BIRTH);
    const char *status = zc_hubdb_rows_text(rows, r, PAGE_STATUS);
    bool ok = hmac && zc_hex_decode(hmac, strlen(hmac), e.id_hmac, ZC_HASH_LEN) == ZC_OK && birth &&
              zc_date_parse(birth, strlen(birth), &e.birth, NULL) == ZC_OK &&
              copy_text(zc_hubdb_rows_text(rows, r, PAGE_NAME), e.name, sizeof e.name) &&
              copy_text(zc_hubdb_rows_text(rows, r, PAGE_REGION), e.region, sizeof e.region) &&
              copy_text(zc_hubdb_rows_text(rows, r, PAGE_CATEGORIES), e.categories,
                        sizeof e.categories) &&
              status &&
              read_hash(zc_hubdb_rows_text(rows, r, PAGE_QR_HASH), &e.has_qr, e.qr_hash) &&
              read_hash(zc_hubdb_rows_text(rows, r, PAGE_CARD_HASH), &e.has_card, e.card_hash);
    if (ok && strcmp(status, zc_roster_status_name(ZC_ELDER_ACTIVE)) == 0)
        e.status = ZC_ELDER_ACTIVE;
    else if (ok && strcmp(status, zc_roster_status_name(ZC_ELDER_SUSPENDED)) == 0)
        e.status = ZC_ELDER_SUSPENDED;
    else
        return zc_diag_set(diag, ZC_ERR_DB, "roster row %" PRId64 " is malformed", e.id);
    zc_err err = zc_syncwire_elder_to_json(&e, out);
    return err ? zc_diag_set(diag, err, "roster row %" PRId64 ": %s", e.id, zc_err_str(err))
               : ZC_OK;
}

zc_err zc_hub_roster_page(zc_hub *hub, const char *cursor, int limit, json_t **rows,
                          char next[ZC_SYNC_CURSOR_MAX], bool *more, zc_diag *diag)
{
    int64_t version, id;
    zc_err err = parse_cursor(cursor, &version, &id, diag);
    if (err)
        return err;
    if (limit < 1)
        limit = 1;
    if (limit > ZC_SYNC_ROSTER_PAGE_MAX)
        limit = ZC_SYNC_ROSTER_PAGE_MAX;
    char v[ZC_HUB_INT_TEXT], i[ZC_HUB_INT_TEXT], l[ZC_HUB_INT_TEXT];
    zc_hub_int_text(version, v);
    zc_hub_int_text(id, i);
    zc_hub_int_text(limit + 1, l);
    const char *params[] = {v, i, l};
    zc_hubdb_conn *conn;
    zc_hubdb_rows *res = NULL;
    if ((err = zc_hubdb_acquire(hub->db, &conn, diag)))
        return err;
    err = zc_hubdb_query(
        conn, zc_hubdb_kind_of(hub->db) == ZC_HUBDB_POSTGRES ? PAGE_SQL_POSTGRES : PAGE_SQL_SQLITE,
        params, 3, &res, diag);
    zc_hubdb_release(conn);
    if (err)
        return err;
    size_t n = zc_hubdb_rows_count(res);
    size_t send = n > (size_t)limit ? (size_t)limit : n;
    json_t *arr = json_array();
    if (!arr)
        err = nomem(diag);
    for (size_t r = 0; !err && r < send; r++) {
        json_t *row;
        if (!(err = page_row(res, r, &row, diag)) && json_array_append_new(arr, row))
            err = nomem(diag);
    }
    if (!err) {
        /* An empty page leaves the cursor where it was, so the kiosk asks again from there. */
        if (send > 0)
            snprintf(next, ZC_SYNC_CURSOR_MAX, "%" PRId64 ".%" PRId64,
                     zc_hubdb_rows_int(res, send - 1, PAGE_VERSION),
                     zc_hubdb_rows_int(res, send - 1, PAGE_ID));
        else
            snprintf(next, ZC_SYNC_CURSOR_MAX, "%s", cursor ? cursor : "");
        *more = n > send;
        *rows = arr;
        arr = NULL;
    }
    json_decref(arr);
    zc_hubdb_rows_free(res);
    return err;
}

/* ---- the console ---- */

/* "%text%" for LIKE, with the pattern characters in text taken literally. */
static char *like_pattern(const char *text)
{
    size_t len = strlen(text);
    char *p = malloc(len * 2 + 3);
    if (!p)
        return NULL;
    size_t o = 0;
    p[o++] = '%';
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '%' || text[i] == '_' || text[i] == '\\')
            p[o++] = '\\';
        p[o++] = text[i];
    }
    p[o++] = '%';
    p[o] = '\0';
    return p;
}

#define LIST_WHERE " FROM elder WHERE deleted = 0 AND name LIKE $1 ESCAPE '\\'"

static zc_err list_json(const zc_hubdb_rows *rows, int64_t total, json_t **out, zc_diag *diag)
{
    json_t *elders = json_array();
    json_t *o = json_pack("{s:I,s:o}", "total", (json_int_t)total, "elders", elders);
    if (!o)
        return nomem(diag);
    for (size_t r = 0; r < zc_hubdb_rows_count(rows); r++) {
        json_t *e = json_pack(
            "{s:I,s:s?,s:s?,s:s?,s:s?,s:s?,s:b,s:b}", "id",
            (json_int_t)zc_hubdb_rows_int(rows, r, 0), "name", zc_hubdb_rows_text(rows, r, 1),
            "birth_date", zc_hubdb_rows_text(rows, r, 2), "region", zc_hubdb_rows_text(rows, r, 3),
            "categories", zc_hubdb_rows_text(rows, r, 4), "status", zc_hubdb_rows_text(rows, r, 5),
            "has_qr", zc_hubdb_rows_int(rows, r, 6) != 0, "has_card",
            zc_hubdb_rows_int(rows, r, 7) != 0);
        if (!e || json_array_append_new(elders, e)) {
            json_decref(o);
            return nomem(diag);
        }
    }
    *out = o;
    return ZC_OK;
}

zc_err zc_hub_roster_list(zc_hub *hub, const char *query, int64_t offset, int64_t limit,
                          json_t **out, zc_diag *diag)
{
    static const char COUNT_SQL[] = "SELECT COUNT(*)" LIST_WHERE;
    static const char PAGE_LIST_SQL[] =
        "SELECT id, name, birth_date, region, categories, status,"
        " CASE WHEN qr_hash IS NULL THEN 0 ELSE 1 END,"
        " CASE WHEN card_hash IS NULL THEN 0 ELSE 1 END" LIST_WHERE
        " ORDER BY id LIMIT CAST($2 AS BIGINT) OFFSET CAST($3 AS BIGINT)";
    if (offset < 0)
        return zc_diag_set(diag, ZC_ERR_INVALID, "offset: must not be negative");
    if (limit <= 0)
        limit = LIST_LIMIT_DEFAULT;
    if (limit > LIST_LIMIT_MAX)
        limit = LIST_LIMIT_MAX;
    char *pattern = like_pattern(query ? query : "");
    if (!pattern)
        return nomem(diag);
    char l[ZC_HUB_INT_TEXT], o[ZC_HUB_INT_TEXT];
    zc_hub_int_text(limit, l);
    zc_hub_int_text(offset, o);
    const char *params[] = {pattern, l, o};
    zc_hubdb_conn *conn;
    zc_hubdb_rows *count = NULL, *rows = NULL;
    zc_err err = zc_hubdb_acquire(hub->db, &conn, diag);
    if (!err) {
        if (!(err = zc_hubdb_query(conn, COUNT_SQL, params, 1, &count, diag)))
            err = zc_hubdb_query(conn, PAGE_LIST_SQL, params, 3, &rows, diag);
        zc_hubdb_release(conn);
    }
    if (!err)
        err = list_json(rows, zc_hubdb_rows_int(count, 0, 0), out, diag);
    zc_hubdb_rows_free(count);
    zc_hubdb_rows_free(rows);
    free(pattern);
    return err;
}

/* ---- QR cards ---- */

static int id_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The ids sorted, each once (an elder listed twice gets one token). */
static zc_err unique_ids(const int64_t *ids, size_t n, int64_t **out, size_t *nout, zc_diag *diag)
{
    *out = malloc((n ? n : 1) * sizeof **out);
    if (!*out)
        return nomem(diag);
    if (n)
        memcpy(*out, ids, n * sizeof *ids);
    qsort(*out, n, sizeof **out, id_cmp);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (m == 0 || (*out)[m - 1] != (*out)[i])
            (*out)[m++] = (*out)[i];
    *nout = m;
    return ZC_OK;
}

/* ids of every live elder without a token. */
static zc_err ids_without_qr(zc_hubdb_conn *conn, int64_t **out, size_t *n, zc_diag *diag)
{
    zc_hubdb_rows *rows;
    zc_err err = zc_hubdb_query(conn,
                                "SELECT id FROM elder WHERE qr_hash IS NULL AND deleted = 0"
                                " ORDER BY id",
                                NULL, 0, &rows, diag);
    if (err)
        return err;
    *n = zc_hubdb_rows_count(rows);
    *out = malloc((*n ? *n : 1) * sizeof **out);
    if (!*out)
        err = nomem(diag);
    for (size_t i = 0; !err && i < *n; i++)
        (*out)[i] = zc_hubdb_rows_int(rows, i, 0);
    zc_hubdb_rows_free(rows);
    return err;
}

/* The first of ids that is no live elder, for the message. */
static zc_err name_missing(zc_hubdb_conn *conn, const int64_t *ids, size_t n, zc_diag *diag)
{
    for (size_t i = 0; i < n; i++) {
        char id[ZC_HUB_INT_TEXT];
        zc_hubdb_rows *rows;
        zc_hub_int_text(ids[i], id);
        const char *params[] = {id};
        zc_err err = zc_hubdb_query(conn,
                                    "SELECT 1 FROM elder WHERE id = CAST($1 AS BIGINT)"
                                    " AND deleted = 0",
                                    params, 1, &rows, diag);
        if (err)
            return err;
        size_t found = zc_hubdb_rows_count(rows);
        zc_hubdb_rows_free(rows);
        if (!found)
            return zc_diag_set(diag, ZC_ERR_NOT_FOUND, "no elder with roster id %" PRId64, ids[i]);
    }
    return zc_diag_set(diag, ZC_ERR_DB, "roster: QR tokens were not all stored");
}

/* [[id, token, hash hex], ...] with a new token for each id, as compact JSON text. */
static char *new_tokens(const int64_t *ids, size_t n)
{
    json_t *batch = json_array();
    for (size_t i = 0; batch && i < n; i++) {
        char id[ZC_HUB_INT_TEXT], token[ZC_ROSTER_QR_TOKEN_LEN + 1], hex[HEX_HASH_SIZE];
        uint8_t hash[ZC_HASH_LEN];
        zc_roster_qr_token_new(token);
        zc_roster_qr_hash(token, hash);
        zc_hex_encode(hash, ZC_HASH_LEN, hex);
        if (json_array_append_new(batch,
                                  json_pack("[s,s,s]", zc_hub_int_text(ids[i], id), token, hex))) {
            json_decref(batch);
            batch = NULL;
        }
    }
    char *text = batch ? json_dumps(batch, JSON_COMPACT) : NULL;
    json_decref(batch);
    return text;
}

static zc_err issue_batch(zc_hub *hub, zc_hubdb_conn *conn, const int64_t *ids, size_t n,
                          const char *version, zc_diag *diag)
{
    char *sql = sql_with_rows("UPDATE elder SET qr_token = r.value ->> 1, qr_hash = r.value ->> 2,"
                              " version = CAST($2 AS BIGINT) FROM ",
                              hub,
                              " WHERE elder.id = CAST(r.value ->> 0 AS BIGINT)"
                              " AND elder.deleted = 0");
    char *text = new_tokens(ids, n);
    zc_err err = sql && text ? ZC_OK : nomem(diag);
    int64_t changes = 0;
    if (!err) {
        const char *params[] = {text, version};
        err = zc_hubdb_exec(conn, sql, params, 2, &changes, diag);
    }
    if (!err && changes != (int64_t)n)
        err = name_missing(conn, ids, n, diag);
    free(text);
    free(sql);
    return err;
}

static zc_err issue_locked(zc_hub *hub, zc_hubdb_conn *conn, const int64_t *ids, size_t n,
                           bool all_without, int64_t *issued, zc_diag *diag)
{
    int64_t *list = NULL, version;
    size_t count = 0;
    zc_err err;
    if ((err = zc_hubdb_lock(conn, "roster", diag)) || (err = next_version(conn, &version, diag)) ||
        (err = all_without ? ids_without_qr(conn, &list, &count, diag)
                           : unique_ids(ids, n, &list, &count, diag)))
        return err;
    char v[ZC_HUB_INT_TEXT];
    zc_hub_int_text(version, v);
    for (size_t i = 0; !err && i < count; i += ISSUE_BATCH)
        err = issue_batch(hub, conn, list + i, count - i < ISSUE_BATCH ? count - i : ISSUE_BATCH, v,
                          diag);
    if (!err)
        *issued = (int64_t)count;
    free(list);
    return err;
}

zc_err zc_hub_roster_issue_qr(zc_hub *hub, const int64_t *ids, size_t n, bool all_without,
                              int64_t *issued, zc_diag *diag)
{
    zc_hubdb_conn *conn;
    int64_t count = 0;
    zc_err err = zc_hubdb_acquire(hub->db, &conn, diag);
    if (err)
        return err;
    if (!(err = zc_hubdb_begin(conn, diag)) &&
        !(err = issue_locked(hub, conn, ids, n, all_without, &count, diag)))
        err = zc_hubdb_commit(conn, diag);
    if (err)
        zc_hubdb_rollback(conn);
    zc_hubdb_release(conn);
    if (!err && issued)
        *issued = count;
    return err;
}

static zc_err cards_batch(zc_hubdb_conn *conn, const int64_t *ids, size_t n, json_t *out,
                          zc_diag *diag)
{
    static const char HEAD[] = "SELECT id, name, qr_token FROM elder WHERE deleted = 0"
                               " AND qr_token IS NOT NULL AND id IN (";
    /* The ids are integers formatted here, never client text: safe to write into the SQL. */
    size_t size = sizeof HEAD + n * ID_LIST_ITEM_MAX + sizeof ") ORDER BY id";
    char *sql = malloc(size);
    if (!sql)
        return nomem(diag);
    size_t o = (size_t)snprintf(sql, size, "%s", HEAD);
    for (size_t i = 0; i < n; i++)
        o += (size_t)snprintf(sql + o, size - o, "%s%" PRId64, i ? "," : "", ids[i]);
    snprintf(sql + o, size - o, ") ORDER BY id");
    zc_hubdb_rows *rows;
    zc_err err = zc_hubdb_query(conn, sql, NULL, 0, &rows, diag);
    free(sql);
    if (err)
        return err;
    for (size_t r = 0; !err && r < zc_hubdb_rows_count(rows); r++) {
        json_t *c =
            json_pack("{s:I,s:s?,s:s?}", "id", (json_int_t)zc_hubdb_rows_int(rows, r, 0), "name",
                      zc_hubdb_rows_text(rows, r, 1), "qr_text", zc_hubdb_rows_text(rows, r, 2));
        if (!c || json_array_append_new(out, c))
            err = nomem(diag);
    }
    zc_hubdb_rows_free(rows);
    return err;
}

zc_err zc_hub_roster_cards(zc_hub *hub, const int64_t *ids, size_t n, json_t **out, zc_diag *diag)
{
    int64_t *list;
    size_t count;
    zc_err err = unique_ids(ids, n, &list, &count, diag);
    if (err)
        return err;
    json_t *cards = json_array();
    zc_hubdb_conn *conn = NULL;
    if (!cards)
        err = nomem(diag);
    if (!err)
        err = zc_hubdb_acquire(hub->db, &conn, diag);
    for (size_t i = 0; !err && i < count; i += CARDS_BATCH)
        err = cards_batch(conn, list + i, count - i < CARDS_BATCH ? count - i : CARDS_BATCH, cards,
                          diag);
    if (conn)
        zc_hubdb_release(conn);
    free(list);
    if (err) {
        json_decref(cards);
        return err;
    }
    *out = cards;
    return ZC_OK;
}
