/* The store: WAL and synchronous=FULL, migrations, refusal of newer databases, transactions. */
#include "testutil.h"

#include "zc/store.h"

#include <stdio.h>
#include <string.h>

typedef struct fixture {
    char dir[ZC_TEST_PATH_MAX];
    char db[ZC_TEST_PATH_MAX];
} fixture;

static int setup(void **state)
{
    static fixture f;
    zt_mkdtemp(f.dir, sizeof f.dir);
    zt_join(f.db, sizeof f.db, f.dir, "kiosk.db");
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    zt_rmtree(f->dir);
    return 0;
}

static void pragma_text(zc_store *s, const char *sql, char *buf, size_t size)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(zc_store_db(s), sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    snprintf(buf, size, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
}

static void test_open_sets_durability(void **state)
{
    fixture *f = *state;
    zc_store *s;
    zc_diag d = {0};
    assert_int_equal(zc_store_open(f->db, NULL, &s, &d), ZC_OK);
    char v[32];
    pragma_text(s, "PRAGMA journal_mode", v, sizeof v);
    assert_string_equal(v, "wal");
    pragma_text(s, "PRAGMA synchronous", v, sizeof v);
    assert_string_equal(v, "2"); /* FULL */
    assert_int_equal(zc_store_schema_version(s), zc_store_schema_latest());
    assert_int_equal(zc_store_integrity_check(s, &d), ZC_OK);
    zc_store_close(s);
}

static void test_reopen_keeps_data_and_version(void **state)
{
    fixture *f = *state;
    zc_store *s;
    assert_int_equal(zc_store_open(f->db, NULL, &s, NULL), ZC_OK);
    assert_int_equal(zc_store_meta_set(s, "canteen", "C0107", NULL), ZC_OK);
    zc_store_close(s);
    assert_int_equal(zc_store_open(f->db, NULL, &s, NULL), ZC_OK);
    char v[ZC_META_VALUE_MAX];
    assert_int_equal(zc_store_meta_get(s, "canteen", v, sizeof v, NULL), ZC_OK);
    assert_string_equal(v, "C0107");
    assert_int_equal(zc_store_meta_get(s, "missing", v, sizeof v, NULL), ZC_ERR_NOT_FOUND);
    zc_store_close(s);
}

static void test_newer_database_refused_untouched(void **state)
{
    fixture *f = *state;
    zc_store *s;
    assert_int_equal(zc_store_open(f->db, NULL, &s, NULL), ZC_OK);
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA user_version=%d", zc_store_schema_latest() + 1);
    assert_int_equal(zc_store_exec(s, sql, NULL), ZC_OK);
    zc_store_close(s);

    zc_diag d = {0};
    assert_int_equal(zc_store_open(f->db, NULL, &s, &d), ZC_ERR_VERSION);
    assert_null(s);
    assert_non_null(strstr(d.msg, "newer"));
    zc_store_opts ro = {.read_only = true};
    assert_int_equal(zc_store_open(f->db, &ro, &s, &d), ZC_ERR_VERSION);

    /* Still the newer version: refusing must not have migrated or rewritten anything. */
    sqlite3 *raw;
    assert_int_equal(sqlite3_open(f->db, &raw), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(raw, "PRAGMA user_version", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), zc_store_schema_latest() + 1);
    sqlite3_finalize(st);
    sqlite3_close(raw);
}

static void test_not_a_database_refused(void **state)
{
    fixture *f = *state;
    static const char NOT_SQLITE[] = "this is not sqlite, just text as long as a database header";
    zt_write_file(f->db, NOT_SQLITE, sizeof NOT_SQLITE - 1);
    zc_store *s;
    zc_diag d = {0};
    assert_int_not_equal(zc_store_open(f->db, NULL, &s, &d), ZC_OK);
    assert_null(s);
    assert_true(strlen(d.msg) > 0);
}

static void test_nested_transactions(void **state)
{
    fixture *f = *state;
    zc_store *s;
    assert_int_equal(zc_store_open(f->db, NULL, &s, NULL), ZC_OK);
    assert_int_equal(zc_store_begin(s, NULL), ZC_OK);
    assert_int_equal(zc_store_meta_set(s, "a", "1", NULL), ZC_OK);
    assert_int_equal(zc_store_begin(s, NULL), ZC_OK); /* nested: a savepoint */
    assert_int_equal(zc_store_meta_set(s, "b", "2", NULL), ZC_OK);
    zc_store_rollback(s); /* undoes b only */
    assert_int_equal(zc_store_commit(s, NULL), ZC_OK);
    char v[8];
    assert_int_equal(zc_store_meta_get(s, "a", v, sizeof v, NULL), ZC_OK);
    assert_int_equal(zc_store_meta_get(s, "b", v, sizeof v, NULL), ZC_ERR_NOT_FOUND);

    assert_int_equal(zc_store_begin(s, NULL), ZC_OK);
    assert_int_equal(zc_store_meta_set(s, "c", "3", NULL), ZC_OK);
    zc_store_rollback(s);
    assert_int_equal(zc_store_meta_get(s, "c", v, sizeof v, NULL), ZC_ERR_NOT_FOUND);
    zc_store_close(s);
}

static void test_sales_are_append_only(void **state)
{
    fixture *f = *state;
    zc_store *s;
    assert_int_equal(zc_store_open(f->db, NULL, &s, NULL), ZC_OK);
    assert_int_equal(zc_store_exec(s,
                                   "INSERT INTO sale(seq, uuid, kind, at_ms, local_date, ident, "
                                   "price, subsidy, self_pay, paid, rules_version, canon, "
                                   "prev_hash, hash, sig) VALUES (1, 'u', 'sale', 0, "
                                   "'2026-01-01', 'qr', 1, 0, 1, 'cash', 0, x'00', x'00', x'00', "
                                   "x'00')",
                                   NULL),
                     ZC_OK);
    zc_diag d = {0};
    assert_int_not_equal(zc_store_exec(s, "UPDATE sale SET price = 0", &d), ZC_OK);
    assert_non_null(strstr(d.msg, "append-only"));
    assert_int_not_equal(zc_store_exec(s, "DELETE FROM sale", &d), ZC_OK);
    zc_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_open_sets_durability, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reopen_keeps_data_and_version, setup, teardown),
        cmocka_unit_test_setup_teardown(test_newer_database_refused_untouched, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_a_database_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nested_transactions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sales_are_append_only, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
