/*
 * The hub's roster on both backends: CSV import (counts, versions, refusals, dry runs, tokens
 * moving between elders, empty token columns keeping the tokens elders hold), the kiosks' paged
 * pull (every row exactly once, rows changed behind the cursor sent again, an import committing on
 * another connection while paging never skips a row), the console's list, QR issue and cards. Real
 * databases, a fresh one per test and backend.
 */
#include "hubtest.h"
#include "testutil.h"

#include "zc/codec.h"
#include "zc/hub.h"
#include "zc/roster.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    ID_NUMBER_LEN = 18,
    ROW_MAX = 256,
    SQL_MAX = 512, /* a query with a row's worth of text in it */
    PAGING_ROWS = 10000,
    PAGING_LIMIT = 97, /* not a divisor of the row count: the last page is short */
    CHANGE_ROWS = 100,
    CHANGE_FIRST_PAGE = 50,
    CONCURRENT_BASE = 2000,
    CONCURRENT_IMPORTS = 8,
    CONCURRENT_CHANGES = 300, /* rows each concurrent import changes or adds */
    CONCURRENT_LIMIT = 13,
    SAMPLES_MAX = 20,
    PADDING = 100,        /* elders beside a small file: it is then small next to the roster */
    PADDING_FIRST = 1000, /* their person numbers */
};

#define HEADER "id_number,name,birth_date,region,categories,status,qr_token,card_uid\n"

/* ---- building roster files ---- */

/* A valid 18-character ID number for person n (ISO 7064 MOD 11-2 check digit). */
static void id_number(int n, char out[ID_NUMBER_LEN + 1])
{
    static const int WEIGHTS[] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    static const char CHECK[] = "10X98765432";
    unsigned u = (unsigned)n;
    char buf[ROW_MAX];
    /* Born 1940-1959 so every elder is old enough; the sequence digits make each one unique. */
    snprintf(buf, sizeof buf, "320202%04u%02u%02u%03u", 1940 + u % 20, 1 + u / 20 % 12,
             1 + u / 240 % 28, u / 6720 % 1000);
    int sum = 0;
    for (int i = 0; i < ID_NUMBER_LEN - 1; i++)
        sum += (buf[i] - '0') * WEIGHTS[i];
    memcpy(out, buf, ID_NUMBER_LEN - 1);
    out[ID_NUMBER_LEN - 1] = CHECK[sum % 11];
    out[ID_NUMBER_LEN] = '\0';
}

typedef struct csvbuf {
    char *s;
    size_t len, cap;
} csvbuf;

static void csv_add(csvbuf *b, const char *text)
{
    size_t n = strlen(text);
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->s = realloc(b->s, b->cap);
        assert_non_null(b->s);
    }
    memcpy(b->s + b->len, text, n + 1);
    b->len += n;
}

/* One row: person n, with a status and optional tokens ("" for none). */
static void csv_row(csvbuf *b, int n, const char *status, const char *qr, const char *card)
{
    char id[ID_NUMBER_LEN + 1], row[ROW_MAX];
    id_number(n, id);
    int len = snprintf(row, sizeof row, "%s,老人%d,,320202,dibao,%.16s,%.127s,%.63s\n", id, n,
                       status, qr, card);
    assert_true(len > 0 && (size_t)len < sizeof row);
    csv_add(b, row);
}

/* Persons first..first+count-1, active, without tokens. */
static char *csv_range(int first, int count)
{
    csvbuf b = {0};
    csv_add(&b, HEADER);
    for (int i = first; i < first + count; i++)
        csv_row(&b, i, "active", "", "");
    return b.s;
}

/* ---- the hub ---- */

static zc_hub *open_hub(const char *backend, const char *tag, char *url, size_t size)
{
    zc_hubtest_db_url(backend, tag, url, size);
    zc_hub_opts opts = {.db_url = url};
    zc_hub *hub = NULL;
    zc_diag d = {0};
    if (zc_hub_open(&opts, &hub, &d))
        fail_msg("%s: open: %s", backend, d.msg);
    return hub;
}

static zc_err import(zc_hub *hub, const char *csv, bool dry, zc_hub_roster_stats *st,
                     json_t **samples, zc_diag *d)
{
    memset(st, 0, sizeof *st);
    return zc_hub_roster_import(hub, csv, strlen(csv), dry, st, samples, d);
}

static zc_hub_roster_stats import_ok(zc_hub *hub, const char *csv)
{
    zc_hub_roster_stats st;
    zc_diag d = {0};
    zc_err err = import(hub, csv, false, &st, NULL, &d);
    if (err)
        fail_msg("import: %s: %s", zc_err_str(err), d.msg);
    return st;
}

static void assert_stats(zc_hub_roster_stats st, int64_t rows, int64_t added, int64_t updated,
                         int64_t unchanged, int64_t version)
{
    assert_int_equal(st.rows, rows);
    assert_int_equal(st.added, added);
    assert_int_equal(st.updated, updated);
    assert_int_equal(st.unchanged, unchanged);
    assert_int_equal(st.version, version);
}

static int64_t db_int(zc_hub *hub, const char *sql)
{
    return zc_hubtest_int(zc_hub_db(hub), sql);
}

/* The roster version of person n's row. */
static int64_t version_of(zc_hub *hub, int n)
{
    char sql[ROW_MAX];
    snprintf(sql, sizeof sql, "SELECT version FROM elder WHERE name = '老人%d'", n);
    return db_int(hub, sql);
}

static int64_t id_of(zc_hub *hub, int n)
{
    char sql[ROW_MAX];
    snprintf(sql, sizeof sql, "SELECT id FROM elder WHERE name = '老人%d'", n);
    return db_int(hub, sql);
}

/* ---- import ---- */

static void test_import_counts_and_versions(void **state)
{
    (void)state;
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        char url[ZC_HUBTEST_URL_MAX];
        zc_hub *hub = open_hub(*b, "roster_counts", url, sizeof url);
        char *csv = csv_range(0, 3);
        assert_stats(import_ok(hub, csv), 3, 3, 0, 0, 1);
        assert_int_equal(db_int(hub, "SELECT COUNT(*) FROM elder WHERE version = 1"), 3);

        /* The same file again: nothing changes, no version is used. */
        assert_stats(import_ok(hub, csv), 3, 0, 0, 3, 0);
        assert_int_equal(db_int(hub, "SELECT MAX(version) FROM elder"), 1);

        /* One row suspended, one new: only those two take version 2. */
        csvbuf c = {0};
        csv_add(&c, HEADER);
        csv_row(&c, 0, "active", "", "");
        csv_row(&c, 1, "suspended", "", "");
        csv_row(&c, 2, "active", "", "");
        csv_row(&c, 3, "active", "", "");
        assert_stats(import_ok(hub, c.s), 4, 1, 1, 2, 2);
        assert_int_equal(version_of(hub, 0), 1);
        assert_int_equal(version_of(hub, 1), 2);
        assert_int_equal(version_of(hub, 2), 1);
        assert_int_equal(version_of(hub, 3), 2);
        assert_int_equal(db_int(hub, "SELECT COUNT(*) FROM elder WHERE name = '老人1' AND status "
                                     "= 'suspended'"),
                         1);
        /* Elders the file does not list are kept. */
        assert_stats(import_ok(hub, HEADER), 0, 0, 0, 0, 0);
        assert_int_equal(db_int(hub, "SELECT COUNT(*) FROM elder"), 4);
        free(c.s);
        free(csv);
        zc_hub_close(hub);
    }
}

static void test_bad_file_names_line_and_writes_nothing(void **state)
{
    (void)state;
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        char url[ZC_HUBTEST_URL_MAX];
        zc_hub *hub = open_hub(*b, "roster_bad", url, sizeof url);
        char *csv = csv_range(0, 2);
        import_ok(hub, csv);
        csvbuf c = {0};
        csv_add(&c, HEADER);
        csv_row(&c, 0, "suspended", "", "");
        csv_row(&c, 5, "active", "", "");
        csv_add(&c, "320202194001010013,张三,,320202,,retired,,\n"); /* line 4: bad status */
        zc_hub_roster_stats st;
        zc_diag d = {0};
        assert_int_equal(import(hub, c.s, false, &st, NULL, &d), ZC_ERR_INVALID);
        assert_int_equal(d.line, 4);
        assert_non_null(strstr(d.msg, "line 4"));
        assert_int_equal(db_int(hub, "SELECT COUNT(*) FROM elder"), 2);
        assert_int_equal(db_int(hub, "SELECT COUNT(*) FROM elder WHERE status = 'suspended'"), 0);
        assert_int_equal(db_int(hub, "SELECT MAX(version) FROM elder"), 1);
        free(c.s);
        free(csv);
        zc_hub_close(hub);
    }
}

static void test_dry_run_counts_and_writes_nothing(void **state)
{
    (void)state;
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        char url[ZC_HUBTEST_URL_MAX];
        zc_hub *hub = open_hub(*b, "roster_dry", url, sizeof url);
        char *base = csv_range(0, 5);
        import_ok(hub, base);
        /* Person 1 changes, 25 are new: the samples stop at 20. */
        csvbuf c = {0};
        csv_add(&c, HEADER);
        csv_row(&c, 0, "active", "", "");
        csv_row(&c, 1, "suspended", "", "");
        for (int i = 100; i < 125; i++)
            csv_row(&c, i, "active", "", "");
        zc_hub_roster_stats st;
        json_t *samples = NULL;
        zc_diag d = {0};
        assert_int_equal(import(hub, c.s, true, &st, &samples, &d), ZC_OK);
        assert_stats(st, 27, 25, 1, 1, 0);
        assert_int_equal(json_array_size(samples), SAMPLES_MAX);
        json_t *first = json_array_get(samples, 0);
        assert_int_equal(json_integer_value(json_object_get(first, "line")), 3);
        assert_string_equal(json_string_value(json_object_get(first, "name")), "老人1");
        assert_string_equal(json_string_value(json_object_get(first, "change")), "updated");
        assert_string_equal(
            json_string_value(json_object_get(json_array_get(samples, 1), "change")), "added");
        json_decref(samples);
        /* Nothing was written. */
        assert_int_equal(db_int(hub, "SELECT COUNT(*) FROM elder"), 5);
        assert_int_equal(db_int(hub, "SELECT COUNT(*) FROM elder WHERE status = 'suspended'"), 0);
        assert_int_equal(db_int(hub, "SELECT MAX(version) FROM elder"), 1);
        /* The real import then counts the same. */
        assert_stats(import_ok(hub, c.s), 27, 25, 1, 1, 2);
        free(c.s);
        free(base);
        zc_hub_close(hub);
    }
}

static const char *qr_of(zc_hub *hub, int n, char *buf, size_t size)
{
    char sql[ROW_MAX];
    snprintf(sql, sizeof sql, "SELECT qr_token FROM elder WHERE name = '老人%d'", n);
    zc_hubdb_conn *c;
    zc_hubdb_rows *rows;
    assert_int_equal(zc_hubdb_acquire(zc_hub_db(hub), &c, NULL), ZC_OK);
    assert_int_equal(zc_hubdb_query(c, sql, NULL, 0, &rows, NULL), ZC_OK);
    const char *t = zc_hubdb_rows_text(rows, 0, 0);
    snprintf(buf, size, "%s", t ? t : "");
    zc_hubdb_rows_free(rows);
    zc_hubdb_release(c);
    return buf;
}

static void test_tokens_move_between_listed_elders(void **state)
{
    (void)state;
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        char url[ZC_HUBTEST_URL_MAX], tok[ROW_MAX];
        zc_hub *hub = open_hub(*b, "roster_tokens", url, sizeof url);
        csvbuf c = {0};
        csv_add(&c, HEADER);
        csv_row(&c, 0, "active", "QR-A", "CARD-A");
        csv_row(&c, 1, "active", "QR-B", "");
        csv_row(&c, 2, "active", "QR-C", "");
        import_ok(hub, c.s);

        /* 0 and 1 swap QR codes, 1 takes 0's card: in any row order. */
        csvbuf s = {0};
        csv_add(&s, HEADER);
        csv_row(&s, 1, "active", "QR-A", "card-a"); /* card UIDs are normalised to upper case */
        csv_row(&s, 0, "active", "QR-B", "");
        assert_stats(import_ok(hub, s.s), 2, 0, 2, 0, 2);
        assert_string_equal(qr_of(hub, 0, tok, sizeof tok), "QR-B");
        assert_string_equal(qr_of(hub, 1, tok, sizeof tok), "QR-A");
        assert_int_equal(db_int(hub, "SELECT COUNT(*) FROM elder WHERE card_uid IS NOT NULL"), 1);
        assert_int_equal(db_int(hub, "SELECT COUNT(*) FROM elder WHERE name = '老人1' AND "
                                     "card_uid = 'CARD-A'"),
                         1);

        /* Person 2 holds QR-C and is not in the file: refused, naming the line; nothing moves. */
        csvbuf r = {0};
        csv_add(&r, HEADER);
        csv_row(&r, 5, "active", "", "");
        csv_row(&r, 0, "active", "QR-C", "");
        zc_hub_roster_stats st;
        zc_diag d = {0};
        assert_int_equal(import(hub, r.s, false, &st, NULL, &d), ZC_ERR_INVALID);
        assert_int_equal(d.line, 3);
        assert_non_null(strstr(d.msg, "line 3: qr_token"));
        assert_string_equal(qr_of(hub, 2, tok, sizeof tok), "QR-C");
        assert_string_equal(qr_of(hub, 0, tok, sizeof tok), "QR-B");
        assert_int_equal(db_int(hub, "SELECT COUNT(*) FROM elder"), 3);
        /* The dry run refuses it the same way. */
        assert_int_equal(import(hub, r.s, true, &st, NULL, &d), ZC_ERR_INVALID);
        assert_int_equal(d.line, 3);
        free(c.s);
        free(s.s);
        free(r.s);
        zc_hub_close(hub);
    }
}

/* ---- tokens the file leaves empty ---- */

/*
 * Each of these runs twice per backend: on a roster the size of the file, and with PADDING more
 * elders, so that the file is small beside the roster and the import loads only the elders it can
 * touch. Both must give the same result.
 */
static const int PADDINGS[] = {0, PADDING};

static const char *column_of(zc_hub *hub, const char *column, int n, char *buf, size_t size)
{
    char sql[ROW_MAX];
    snprintf(sql, sizeof sql, "SELECT %s FROM elder WHERE name = '老人%d'", column, n);
    zc_hubdb_conn *c;
    zc_hubdb_rows *rows;
    assert_int_equal(zc_hubdb_acquire(zc_hub_db(hub), &c, NULL), ZC_OK);
    assert_int_equal(zc_hubdb_query(c, sql, NULL, 0, &rows, NULL), ZC_OK);
    const char *t = zc_hubdb_rows_text(rows, 0, 0);
    snprintf(buf, size, "%s", t ? t : "");
    zc_hubdb_rows_free(rows);
    zc_hubdb_release(c);
    return buf;
}

/* The elders beyond the file's, without tokens, for the padded runs. */
static void csv_padding(csvbuf *b, int padding)
{
    for (int i = 0; i < padding; i++)
        csv_row(b, PADDING_FIRST + i, "active", "", "");
}

/* Whether person n's stored qr_hash is the hash of token. */
static bool qr_hash_is(zc_hub *hub, int n, const char *token)
{
    uint8_t hash[ZC_HASH_LEN];
    char hex[ZC_HEX_SIZE(ZC_HASH_LEN)], stored[ROW_MAX];
    zc_roster_qr_hash(token, hash);
    zc_hex_encode(hash, sizeof hash, hex);
    return strcmp(column_of(hub, "qr_hash", n, stored, sizeof stored), hex) == 0;
}

static void test_reimport_without_tokens_keeps_them(void **state)
{
    (void)state;
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        for (size_t p = 0; p < sizeof PADDINGS / sizeof PADDINGS[0]; p++) {
            char url[ZC_HUBTEST_URL_MAX], tok[ROW_MAX], qr[3][ROW_MAX];
            zc_hub *hub = open_hub(*b, "roster_keep", url, sizeof url);
            csvbuf c = {0};
            csv_add(&c, HEADER);
            csv_row(&c, 0, "active", "", "");
            csv_row(&c, 1, "active", "", "");
            csv_row(&c, 2, "active", "", "CARD-2");
            csv_padding(&c, PADDINGS[p]);
            assert_stats(import_ok(hub, c.s), 3 + PADDINGS[p], 3 + PADDINGS[p], 0, 0, 1);
            /* The console issues the three of them QR codes (version 2), then cards are printed. */
            int64_t ids[] = {id_of(hub, 0), id_of(hub, 1), id_of(hub, 2)}, issued = 0;
            zc_diag d = {0};
            assert_int_equal(zc_hub_roster_issue_qr(hub, ids, 3, false, &issued, &d), ZC_OK);
            assert_int_equal(issued, 3);
            for (int i = 0; i < 3; i++)
                column_of(hub, "qr_token", i, qr[i], sizeof qr[i]);

            /* The next month's file has no tokens at all. */
            csvbuf m = {0};
            csv_add(&m, HEADER);
            for (int i = 0; i < 3; i++)
                csv_row(&m, i, "active", "", "");
            zc_hub_roster_stats st;
            json_t *samples = NULL;
            assert_int_equal(import(hub, m.s, true, &st, &samples, &d), ZC_OK);
            assert_stats(st, 3, 0, 0, 3, 0);
            assert_int_equal(json_array_size(samples), 0);
            json_decref(samples);
            assert_stats(import_ok(hub, m.s), 3, 0, 0, 3, 0);
            for (int i = 0; i < 3; i++) {
                assert_string_equal(column_of(hub, "qr_token", i, tok, sizeof tok), qr[i]);
                assert_true(qr_hash_is(hub, i, qr[i]));
                assert_int_equal(version_of(hub, i), 2);
            }
            assert_string_equal(column_of(hub, "card_uid", 2, tok, sizeof tok), "CARD-2");
            assert_int_equal(db_int(hub, "SELECT MAX(version) FROM elder"), 2);

            /* A row that changes otherwise is updated and still keeps its tokens. */
            csvbuf s = {0};
            csv_add(&s, HEADER);
            csv_row(&s, 0, "active", "", "");
            csv_row(&s, 2, "suspended", "", "");
            assert_stats(import_ok(hub, s.s), 2, 0, 1, 1, 3);
            assert_int_equal(version_of(hub, 2), 3);
            assert_int_equal(version_of(hub, 0), 2);
            assert_string_equal(column_of(hub, "qr_token", 2, tok, sizeof tok), qr[2]);
            assert_string_equal(column_of(hub, "card_uid", 2, tok, sizeof tok), "CARD-2");

            /* A file naming the token an elder already holds changes nothing either. */
            csvbuf t = {0};
            csv_add(&t, HEADER);
            csv_row(&t, 0, "active", qr[0], "");
            csv_row(&t, 2, "suspended", "", "card-2");
            assert_stats(import_ok(hub, t.s), 2, 0, 0, 2, 0);

            /* A bad file is refused alike however much of the roster the import loads. */
            csvbuf x = {0};
            csv_add(&x, HEADER);
            csv_row(&x, 1, "active", "QR-X", "");
            csv_row(&x, 0, "retired", "", "");
            assert_int_equal(import(hub, x.s, false, &st, NULL, &d), ZC_ERR_INVALID);
            assert_int_equal(d.line, 3);
            assert_non_null(strstr(d.msg, "line 3"));
            assert_string_equal(column_of(hub, "qr_token", 1, tok, sizeof tok), qr[1]);
            assert_int_equal(db_int(hub, "SELECT MAX(version) FROM elder"), 3);
            free(x.s);
            free(t.s);
            free(s.s);
            free(m.s);
            free(c.s);
            zc_hub_close(hub);
        }
    }
}

static void test_file_token_replaces_and_console_revokes(void **state)
{
    (void)state;
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        for (size_t p = 0; p < sizeof PADDINGS / sizeof PADDINGS[0]; p++) {
            char url[ZC_HUBTEST_URL_MAX], tok[ROW_MAX], old0[ROW_MAX], old1[ROW_MAX];
            zc_hub *hub = open_hub(*b, "roster_replace", url, sizeof url);
            csvbuf c = {0};
            csv_add(&c, HEADER);
            csv_row(&c, 0, "active", "", "");
            csv_row(&c, 1, "active", "", "");
            csv_padding(&c, PADDINGS[p]);
            import_ok(hub, c.s);
            int64_t ids[] = {id_of(hub, 0), id_of(hub, 1)}, issued = 0;
            zc_diag d = {0};
            assert_int_equal(zc_hub_roster_issue_qr(hub, ids, 2, false, &issued, &d), ZC_OK);
            column_of(hub, "qr_token", 0, old0, sizeof old0);
            column_of(hub, "qr_token", 1, old1, sizeof old1);

            /* Person 0 gets a token from the file, person 1 a card: both set, the rest kept. */
            csvbuf f = {0};
            csv_add(&f, HEADER);
            csv_row(&f, 0, "active", "QR-NEW", "");
            csv_row(&f, 1, "active", "", "card-1");
            assert_stats(import_ok(hub, f.s), 2, 0, 2, 0, 3);
            assert_string_equal(column_of(hub, "qr_token", 0, tok, sizeof tok), "QR-NEW");
            assert_true(qr_hash_is(hub, 0, "QR-NEW"));
            assert_string_equal(column_of(hub, "qr_token", 1, tok, sizeof tok), old1);
            assert_string_equal(column_of(hub, "card_uid", 1, tok, sizeof tok), "CARD-1");
            char sql[SQL_MAX];
            snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM elder WHERE qr_token = '%s'", old0);
            assert_int_equal(db_int(hub, sql), 0);
            /* The same file again: nothing to do. */
            assert_stats(import_ok(hub, f.s), 2, 0, 0, 2, 0);

            /* Revoking a card is issuing a new token; a re-import without tokens keeps it. */
            assert_int_equal(zc_hub_roster_issue_qr(hub, ids, 1, false, &issued, &d), ZC_OK);
            column_of(hub, "qr_token", 0, old0, sizeof old0);
            assert_string_not_equal(old0, "QR-NEW");
            csvbuf m = {0};
            csv_add(&m, HEADER);
            csv_row(&m, 0, "active", "", "");
            csv_row(&m, 1, "active", "", "");
            assert_stats(import_ok(hub, m.s), 2, 0, 0, 2, 0);
            assert_string_equal(column_of(hub, "qr_token", 0, tok, sizeof tok), old0);
            assert_true(qr_hash_is(hub, 0, old0));
            assert_int_equal(version_of(hub, 0), 4);
            /* The revoked token names nobody: the file may give it again. */
            assert_int_equal(db_int(hub, "SELECT COUNT(*) FROM elder WHERE qr_token = 'QR-NEW'"),
                             0);
            free(m.s);
            free(f.s);
            free(c.s);
            zc_hub_close(hub);
        }
    }
}

static void assert_sample(json_t *samples, size_t i, long line, const char *name,
                          const char *change)
{
    json_t *s = json_array_get(samples, i);
    assert_non_null(s);
    assert_int_equal(json_integer_value(json_object_get(s, "line")), line);
    assert_string_equal(json_string_value(json_object_get(s, "name")), name);
    assert_string_equal(json_string_value(json_object_get(s, "change")), change);
}

static void test_token_moves_from_elder_whose_column_is_empty(void **state)
{
    (void)state;
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        for (size_t p = 0; p < sizeof PADDINGS / sizeof PADDINGS[0]; p++) {
            char url[ZC_HUBTEST_URL_MAX], tok[ROW_MAX];
            zc_hub *hub = open_hub(*b, "roster_move", url, sizeof url);
            csvbuf c = {0};
            csv_add(&c, HEADER);
            csv_row(&c, 0, "active", "QR-A", "CARD-A");
            csv_row(&c, 1, "active", "", "");
            csv_row(&c, 2, "active", "", "");
            csv_padding(&c, PADDINGS[p]);
            import_ok(hub, c.s);

            /* Person 0's row comes first and keeps its tokens; then person 1's takes them. */
            csvbuf f = {0};
            csv_add(&f, HEADER);
            csv_row(&f, 0, "active", "", "");
            csv_row(&f, 2, "active", "", "");
            csv_row(&f, 1, "active", "QR-A", "CARD-A");
            zc_hub_roster_stats st;
            json_t *samples = NULL;
            zc_diag d = {0};
            assert_int_equal(import(hub, f.s, true, &st, &samples, &d), ZC_OK);
            assert_stats(st, 3, 0, 2, 1, 0);
            assert_int_equal(json_array_size(samples), 2);
            assert_sample(samples, 0, 2, "老人0", "updated");
            assert_sample(samples, 1, 4, "老人1", "updated");
            json_decref(samples);
            assert_string_equal(column_of(hub, "qr_token", 0, tok, sizeof tok), "QR-A");
            assert_stats(import_ok(hub, f.s), 3, 0, 2, 1, 2);
            assert_string_equal(column_of(hub, "qr_token", 0, tok, sizeof tok), "");
            assert_string_equal(column_of(hub, "card_uid", 0, tok, sizeof tok), "");
            assert_string_equal(column_of(hub, "qr_token", 1, tok, sizeof tok), "QR-A");
            assert_string_equal(column_of(hub, "card_uid", 1, tok, sizeof tok), "CARD-A");
            assert_true(qr_hash_is(hub, 1, "QR-A"));
            assert_int_equal(version_of(hub, 0), 2);
            assert_int_equal(version_of(hub, 1), 2);
            assert_int_equal(version_of(hub, 2), 1);

            /* Back, the other way round: the taker's row first, the holder's (empty) after. */
            csvbuf r = {0};
            csv_add(&r, HEADER);
            csv_row(&r, 0, "active", "QR-A", "");
            csv_row(&r, 1, "active", "", "");
            assert_int_equal(import(hub, r.s, true, &st, &samples, &d), ZC_OK);
            assert_stats(st, 2, 0, 2, 0, 0);
            assert_sample(samples, 0, 2, "老人0", "updated");
            assert_sample(samples, 1, 3, "老人1", "updated");
            json_decref(samples);
            assert_stats(import_ok(hub, r.s), 2, 0, 2, 0, 3);
            assert_string_equal(column_of(hub, "qr_token", 0, tok, sizeof tok), "QR-A");
            assert_string_equal(column_of(hub, "qr_token", 1, tok, sizeof tok), "");
            assert_string_equal(column_of(hub, "card_uid", 1, tok, sizeof tok), "CARD-A");
            assert_int_equal(version_of(hub, 1), 3);

            /* Person 1 holds CARD-A and is not in this file: refused, naming the line. */
            csvbuf x = {0};
            csv_add(&x, HEADER);
            csv_row(&x, 0, "active", "", "CARD-A");
            assert_int_equal(import(hub, x.s, false, &st, NULL, &d), ZC_ERR_INVALID);
            assert_int_equal(d.line, 2);
            assert_non_null(strstr(d.msg, "line 2: card_uid"));
            assert_string_equal(column_of(hub, "card_uid", 1, tok, sizeof tok), "CARD-A");
            assert_int_equal(db_int(hub, "SELECT MAX(version) FROM elder"), 3);
            free(x.s);
            free(r.s);
            free(f.s);
            free(c.s);
            zc_hub_close(hub);
        }
    }
}

/* ---- paging ---- */

typedef struct seen_rows {
    int64_t *version; /* by roster id: the last version received, 0 for never */
    int *count;       /* by roster id: how often received */
    size_t cap;
    int64_t last_version, last_id;
    size_t pages, rows;
} seen_rows;

static void seen_init(seen_rows *s, size_t cap)
{
    memset(s, 0, sizeof *s);
    s->version = calloc(cap, sizeof *s->version);
    s->count = calloc(cap, sizeof *s->count);
    s->cap = cap;
    assert_true(s->version && s->count);
}

static void seen_free(seen_rows *s)
{
    free(s->version);
    free(s->count);
}

/* Fetches one page after cursor into s; checks order and shape; returns more. */
static bool page(zc_hub *hub, char cursor[ZC_SYNC_CURSOR_MAX], int limit, seen_rows *s)
{
    json_t *rows = NULL;
    char next[ZC_SYNC_CURSOR_MAX];
    bool more = false;
    zc_diag d = {0};
    zc_err err = zc_hub_roster_page(hub, cursor, limit, &rows, next, &more, &d);
    if (err)
        fail_msg("page after '%s': %s", cursor, d.msg);
    assert_true(json_array_size(rows) <= (size_t)limit);
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        int64_t id = json_integer_value(json_object_get(row, "id"));
        int64_t v = json_integer_value(json_object_get(row, "version"));
        assert_true(id > 0 && (size_t)id < s->cap);
        /* Rows come in (version, id) order, each after the one before. */
        assert_true(v > s->last_version || (v == s->last_version && id > s->last_id));
        s->last_version = v;
        s->last_id = id;
        s->version[id] = v;
        s->count[id]++;
        s->rows++;
        assert_non_null(json_object_get(row, "id_hmac"));
    }
    if (json_array_size(rows) > 0) {
        char expect[ZC_SYNC_CURSOR_MAX];
        snprintf(expect, sizeof expect, "%" PRId64 ".%" PRId64, s->last_version, s->last_id);
        assert_string_equal(next, expect);
    }
    json_decref(rows);
    memcpy(cursor, next, ZC_SYNC_CURSOR_MAX);
    s->pages++;
    return more;
}

static void test_paging_returns_every_row_once(void **state)
{
    (void)state;
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        char url[ZC_HUBTEST_URL_MAX];
        zc_hub *hub = open_hub(*b, "roster_paging", url, sizeof url);
        /* Three imports, so the rows span versions 1..3. */
        char *a = csv_range(0, PAGING_ROWS / 2), *c = csv_range(PAGING_ROWS / 2, PAGING_ROWS / 2);
        import_ok(hub, a);
        import_ok(hub, c);
        csvbuf m = {0};
        csv_add(&m, HEADER);
        for (int i = 0; i < PAGING_ROWS; i += 10)
            csv_row(&m, i, "suspended", "", "");
        assert_stats(import_ok(hub, m.s), PAGING_ROWS / 10, 0, PAGING_ROWS / 10, 0, 3);

        seen_rows s;
        seen_init(&s, PAGING_ROWS + 1);
        char cursor[ZC_SYNC_CURSOR_MAX] = "";
        while (page(hub, cursor, PAGING_LIMIT, &s))
            assert_true(s.pages < PAGING_ROWS);
        assert_int_equal(s.rows, PAGING_ROWS);
        assert_int_equal(s.pages, (PAGING_ROWS + PAGING_LIMIT - 1) / PAGING_LIMIT);
        for (size_t id = 1; id <= PAGING_ROWS; id++)
            assert_int_equal(s.count[id], 1);
        /* Asking again from the end gives nothing and keeps the cursor. */
        char end[ZC_SYNC_CURSOR_MAX];
        memcpy(end, cursor, sizeof end);
        assert_false(page(hub, cursor, PAGING_LIMIT, &s));
        assert_string_equal(cursor, end);
        assert_int_equal(s.rows, PAGING_ROWS);
        seen_free(&s);
        free(m.s);
        free(a);
        free(c);
        zc_hub_close(hub);
    }
}

static void test_cursor_checks_and_limit_clamp(void **state)
{
    (void)state;
    static const char *const BAD[] = {".",     "1",    "1.",   ".1",   "a.1",
                                      "1.2.3", "-1.5", "1. 2", "1.2x", "9999999999999999999.1",
                                      "1.0x1", "1\n.2"};
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        char url[ZC_HUBTEST_URL_MAX];
        zc_hub *hub = open_hub(*b, "roster_cursor", url, sizeof url);
        char *csv = csv_range(0, 3);
        import_ok(hub, csv);
        for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
            json_t *rows = NULL;
            char next[ZC_SYNC_CURSOR_MAX];
            bool more;
            zc_diag d = {0};
            assert_int_equal(zc_hub_roster_page(hub, BAD[i], 10, &rows, next, &more, &d),
                             ZC_ERR_INVALID);
            assert_null(rows);
            assert_non_null(strstr(d.msg, "cursor"));
        }
        /* limit 0 is clamped to 1. */
        json_t *rows = NULL;
        char next[ZC_SYNC_CURSOR_MAX];
        bool more = false;
        assert_int_equal(zc_hub_roster_page(hub, "", 0, &rows, next, &more, NULL), ZC_OK);
        assert_int_equal(json_array_size(rows), 1);
        assert_true(more);
        json_decref(rows);
        /* A cursor from another hub's future simply has nothing after it. */
        assert_int_equal(zc_hub_roster_page(hub, "99.1", 10, &rows, next, &more, NULL), ZC_OK);
        assert_int_equal(json_array_size(rows), 0);
        assert_false(more);
        assert_string_equal(next, "99.1");
        json_decref(rows);
        free(csv);
        zc_hub_close(hub);
    }
}

static void test_row_changed_between_pages_is_sent_again(void **state)
{
    (void)state;
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        char url[ZC_HUBTEST_URL_MAX];
        zc_hub *hub = open_hub(*b, "roster_changed", url, sizeof url);
        char *csv = csv_range(0, CHANGE_ROWS);
        import_ok(hub, csv);
        seen_rows s;
        seen_init(&s, CHANGE_ROWS + 1);
        char cursor[ZC_SYNC_CURSOR_MAX] = "";
        assert_true(page(hub, cursor, CHANGE_FIRST_PAGE, &s));
        /* Person 10 was in the first page; now suspended. */
        int64_t id10 = id_of(hub, 10);
        assert_int_equal(s.count[id10], 1);
        csvbuf c = {0};
        csv_add(&c, HEADER);
        csv_row(&c, 10, "suspended", "", "");
        import_ok(hub, c.s);
        while (page(hub, cursor, CHANGE_FIRST_PAGE / 3, &s))
            ;
        assert_int_equal(s.rows, CHANGE_ROWS + 1);
        assert_int_equal(s.count[id10], 2);
        assert_int_equal(s.version[id10], 2);
        seen_free(&s);
        free(c.s);
        free(csv);
        zc_hub_close(hub);
    }
}

/* ---- an import on another connection while a kiosk pages ---- */

typedef struct writer {
    const char *url;
    atomic_int done;
    zc_err err;
    char msg[ZC_DIAG_MAX];
} writer;

static void *write_imports(void *arg)
{
    writer *w = arg;
    zc_hub_opts opts = {.db_url = w->url};
    zc_hub *hub = NULL;
    zc_diag d = {0};
    w->err = zc_hub_open(&opts, &hub, &d);
    for (int k = 0; !w->err && k < CONCURRENT_IMPORTS; k++) {
        /* Each import suspends a stripe of old rows and adds new ones. */
        csvbuf c = {0};
        csv_add(&c, HEADER);
        for (int i = 0; i < CONCURRENT_CHANGES / 2; i++)
            csv_row(&c, (k * 7 + i * 13) % CONCURRENT_BASE, k % 2 ? "active" : "suspended", "", "");
        for (int i = 0; i < CONCURRENT_CHANGES / 2; i++)
            csv_row(&c, CONCURRENT_BASE + k * CONCURRENT_CHANGES + i, "active", "", "");
        zc_hub_roster_stats st;
        w->err = zc_hub_roster_import(hub, c.s, c.len, false, &st, NULL, &d);
        free(c.s);
    }
    if (w->err)
        snprintf(w->msg, sizeof w->msg, "%s", d.msg);
    zc_hub_close(hub);
    atomic_store(&w->done, 1);
    return NULL;
}

/* Every elder on the hub at the end has been received at its final version. */
static void assert_caught_up(zc_hub *hub, const seen_rows *s)
{
    zc_hubdb_conn *c;
    zc_hubdb_rows *rows;
    assert_int_equal(zc_hubdb_acquire(zc_hub_db(hub), &c, NULL), ZC_OK);
    assert_int_equal(zc_hubdb_query(c, "SELECT id, version FROM elder", NULL, 0, &rows, NULL),
                     ZC_OK);
    for (size_t r = 0; r < zc_hubdb_rows_count(rows); r++) {
        int64_t id = zc_hubdb_rows_int(rows, r, 0);
        assert_true(id > 0 && (size_t)id < s->cap);
        if (s->version[id] != zc_hubdb_rows_int(rows, r, 1))
            fail_msg("elder %" PRId64 ": received version %" PRId64 ", hub has %" PRId64, id,
                     s->version[id], zc_hubdb_rows_int(rows, r, 1));
    }
    zc_hubdb_rows_free(rows);
    zc_hubdb_release(c);
}

static void test_concurrent_import_never_skips(void **state)
{
    (void)state;
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        char url[ZC_HUBTEST_URL_MAX];
        zc_hub *hub = open_hub(*b, "roster_concurrent", url, sizeof url);
        char *csv = csv_range(0, CONCURRENT_BASE);
        import_ok(hub, csv);
        writer w = {.url = url};
        pthread_t t;
        assert_int_equal(pthread_create(&t, NULL, write_imports, &w), 0);
        seen_rows s;
        size_t total = CONCURRENT_BASE + CONCURRENT_IMPORTS * CONCURRENT_CHANGES;
        seen_init(&s, total + 1);
        char cursor[ZC_SYNC_CURSOR_MAX] = "";
        /* Page while the writer runs; then, as a kiosk's next round would, to the end. */
        while (!atomic_load(&w.done))
            if (!page(hub, cursor, CONCURRENT_LIMIT, &s) && atomic_load(&w.done))
                break;
        pthread_join(t, NULL);
        if (w.err)
            fail_msg("%s: concurrent import: %s", *b, w.msg);
        while (page(hub, cursor, CONCURRENT_LIMIT, &s))
            ;
        assert_caught_up(hub, &s);
        assert_int_equal(db_int(hub, "SELECT COUNT(*) FROM elder"),
                         CONCURRENT_BASE + CONCURRENT_IMPORTS * CONCURRENT_CHANGES / 2);
        seen_free(&s);
        free(csv);
        zc_hub_close(hub);
    }
}

/* ---- console: list, QR codes, cards ---- */

static void test_list_search_and_paging(void **state)
{
    (void)state;
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        char url[ZC_HUBTEST_URL_MAX];
        zc_hub *hub = open_hub(*b, "roster_list", url, sizeof url);
        csvbuf c = {0};
        csv_add(&c, HEADER);
        for (int i = 0; i < 30; i++)
            csv_row(&c, i, "active", i == 12 ? "QR12" : "", i == 13 ? "C13" : "");
        csv_add(&c, "110101194001010012,王_%华,,110101,,suspended,,\n");
        import_ok(hub, c.s);
        json_t *out = NULL;
        zc_diag d = {0};
        /* "老人1" matches 1 and 10-19. */
        assert_int_equal(zc_hub_roster_list(hub, "老人1", 0, 5, &out, &d), ZC_OK);
        assert_int_equal(json_integer_value(json_object_get(out, "total")), 11);
        json_t *elders = json_object_get(out, "elders");
        assert_int_equal(json_array_size(elders), 5);
        assert_string_equal(json_string_value(json_object_get(json_array_get(elders, 0), "name")),
                            "老人1");
        json_decref(out);
        assert_int_equal(zc_hub_roster_list(hub, "老人1", 3, 5, &out, &d), ZC_OK);
        json_t *e = json_array_get(json_object_get(out, "elders"), 0);
        assert_string_equal(json_string_value(json_object_get(e, "name")), "老人12");
        assert_true(json_is_true(json_object_get(e, "has_qr")));
        assert_true(json_is_false(json_object_get(e, "has_card")));
        assert_string_equal(json_string_value(json_object_get(e, "status")), "active");
        assert_string_equal(json_string_value(json_object_get(e, "categories")), "dibao");
        json_decref(out);
        /* LIKE's own characters are taken literally. */
        assert_int_equal(zc_hub_roster_list(hub, "_%", 0, 50, &out, &d), ZC_OK);
        assert_int_equal(json_integer_value(json_object_get(out, "total")), 1);
        e = json_array_get(json_object_get(out, "elders"), 0);
        assert_string_equal(json_string_value(json_object_get(e, "status")), "suspended");
        assert_string_equal(json_string_value(json_object_get(e, "birth_date")), "1940-01-01");
        json_decref(out);
        /* No query: everyone. */
        assert_int_equal(zc_hub_roster_list(hub, "", 0, 0, &out, &d), ZC_OK);
        assert_int_equal(json_integer_value(json_object_get(out, "total")), 31);
        json_decref(out);
        assert_int_equal(zc_hub_roster_list(hub, NULL, -1, 10, &out, &d), ZC_ERR_INVALID);
        free(c.s);
        zc_hub_close(hub);
    }
}

static void test_qr_issue_and_cards(void **state)
{
    (void)state;
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        char url[ZC_HUBTEST_URL_MAX], tok[ROW_MAX], before[ROW_MAX];
        zc_hub *hub = open_hub(*b, "roster_qr", url, sizeof url);
        csvbuf c = {0};
        csv_add(&c, HEADER);
        csv_row(&c, 0, "active", "", "");
        csv_row(&c, 1, "active", "OLD-QR", "");
        csv_row(&c, 2, "active", "", "");
        import_ok(hub, c.s);
        int64_t issued = 0;
        zc_diag d = {0};
        /* Everyone without a code: persons 0 and 2, in a new roster version. */
        assert_int_equal(zc_hub_roster_issue_qr(hub, NULL, 0, true, &issued, &d), ZC_OK);
        assert_int_equal(issued, 2);
        assert_string_equal(qr_of(hub, 1, tok, sizeof tok), "OLD-QR");
        assert_int_equal(version_of(hub, 0), 2);
        assert_int_equal(version_of(hub, 1), 1);
        qr_of(hub, 0, before, sizeof before);
        assert_int_equal(strlen(before), ZC_ROSTER_QR_TOKEN_LEN);
        assert_memory_equal(before, "ZCE1.", 5);
        /* The hash the kiosks get is the token's. */
        uint8_t hash[ZC_HASH_LEN];
        char hex[ZC_HEX_SIZE(ZC_HASH_LEN)], sql[ROW_MAX];
        zc_roster_qr_hash(before, hash);
        zc_hex_encode(hash, sizeof hash, hex);
        snprintf(sql, sizeof sql,
                 "SELECT COUNT(*) FROM elder WHERE name = '老人0' AND "
                 "qr_hash = '%s'",
                 hex);
        assert_int_equal(db_int(hub, sql), 1);

        /* Listed elders get a new one (twice listed: once), replacing the old. */
        int64_t id0 = id_of(hub, 0), id1 = id_of(hub, 1), id2 = id_of(hub, 2);
        int64_t ids[] = {id1, id0, id1};
        assert_int_equal(zc_hub_roster_issue_qr(hub, ids, 3, false, &issued, &d), ZC_OK);
        assert_int_equal(issued, 2);
        assert_string_not_equal(qr_of(hub, 0, tok, sizeof tok), before);
        assert_string_not_equal(qr_of(hub, 1, tok, sizeof tok), "OLD-QR");
        assert_int_equal(version_of(hub, 1), 3);
        assert_int_equal(version_of(hub, 2), 2);

        /* An unknown id refuses the whole request. */
        qr_of(hub, 0, before, sizeof before);
        int64_t bad[] = {id0, 999999};
        assert_int_equal(zc_hub_roster_issue_qr(hub, bad, 2, false, &issued, &d), ZC_ERR_NOT_FOUND);
        assert_non_null(strstr(d.msg, "999999"));
        assert_string_equal(qr_of(hub, 0, tok, sizeof tok), before);
        assert_int_equal(db_int(hub, "SELECT MAX(version) FROM elder"), 3);

        /* Cards: the listed elders with a code; unknown ids left out. */
        json_t *cards = NULL;
        int64_t want[] = {id2, 424242, id0};
        assert_int_equal(zc_hub_roster_cards(hub, want, 3, &cards, &d), ZC_OK);
        assert_int_equal(json_array_size(cards), 2);
        json_t *card0 = json_array_get(cards, 0);
        assert_int_equal(json_integer_value(json_object_get(card0, "id")), id0);
        assert_string_equal(json_string_value(json_object_get(card0, "name")), "老人0");
        assert_string_equal(json_string_value(json_object_get(card0, "qr_text")), before);
        json_decref(cards);
        free(c.s);
        zc_hub_close(hub);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_import_counts_and_versions),
        cmocka_unit_test(test_bad_file_names_line_and_writes_nothing),
        cmocka_unit_test(test_dry_run_counts_and_writes_nothing),
        cmocka_unit_test(test_tokens_move_between_listed_elders),
        cmocka_unit_test(test_reimport_without_tokens_keeps_them),
        cmocka_unit_test(test_file_token_replaces_and_console_revokes),
        cmocka_unit_test(test_token_moves_from_elder_whose_column_is_empty),
        cmocka_unit_test(test_paging_returns_every_row_once),
        cmocka_unit_test(test_cursor_checks_and_limit_clamp),
        cmocka_unit_test(test_row_changed_between_pages_is_sent_again),
        cmocka_unit_test(test_concurrent_import_never_skips),
        cmocka_unit_test(test_list_search_and_paging),
        cmocka_unit_test(test_qr_issue_and_cards),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
