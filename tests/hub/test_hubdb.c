/*
 * The hub database on both backends: migrations and their refusal of a newer schema, text
 * parameters, errors, transactions, streaming, the pool under threads and the writer lock.
 */
#include "hubtest.h"
#include "testutil.h"

#include "zc/hubdb.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
    STREAM_ROWS = 100000,
    STOP_AFTER = 10,
    THREADS = 8,
    THREAD_POOL = 4, /* fewer connections than threads: some wait for one */
    ROWS_PER_THREAD = 100,
    LOCK_HOLD_MS = 300,
    NS_PER_MS = 1000000,
    TERMINATE_POLLS = 200,
};

static const char TABLE_T[] = "CREATE TABLE t (id BIGINT PRIMARY KEY, s TEXT, n BIGINT NOT NULL)";

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * NS_PER_MS};
    nanosleep(&ts, NULL);
}

static zc_hubdb_conn *take(zc_hubdb *db)
{
    zc_hubdb_conn *c = NULL;
    zc_diag d = {0};
    zc_err err = zc_hubdb_acquire(db, &c, &d);
    if (err)
        fail_msg("acquire: %s", d.msg);
    return c;
}

static void test_open_migrate_reopen(void **state)
{
    (void)state;
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        char url[ZC_HUBTEST_URL_MAX];
        zc_hubtest_db_url(*b, "open_reopen", url, sizeof url);
        zc_hubdb *db = NULL;
        zc_diag d = {0};
        assert_int_equal(zc_hubdb_open(url, 0, &db, &d), ZC_OK);
        assert_int_equal(zc_hubdb_kind_of(db),
                         strcmp(*b, "sqlite") == 0 ? ZC_HUBDB_SQLITE : ZC_HUBDB_POSTGRES);
        assert_true(zc_hubdb_schema_latest() >= 1);
        assert_int_equal(zc_hubdb_schema_version(db), zc_hubdb_schema_latest());
        if (strcmp(*b, "sqlite") == 0) {
            /* Durable and patient: an acknowledged sale is on disk; writers queue. */
            static const char *const pragmas[][2] = {{"PRAGMA journal_mode", "wal"},
                                                     {"PRAGMA synchronous", "2"},
                                                     {"PRAGMA busy_timeout", "5000"}};
            zc_hubdb_conn *c = take(db);
            for (size_t i = 0; i < sizeof pragmas / sizeof pragmas[0]; i++) {
                zc_hubdb_rows *rows = NULL;
                assert_int_equal(zc_hubdb_query(c, pragmas[i][0], NULL, 0, &rows, &d), ZC_OK);
                assert_string_equal(zc_hubdb_rows_text(rows, 0, 0), pragmas[i][1]);
                zc_hubdb_rows_free(rows);
            }
            zc_hubdb_release(c);
        }
        /* The v1 tables exist. */
        zc_hubtest_exec(db, "INSERT INTO canteen (id, name, created_ms) VALUES ('C0107', "
                            "'幸福食堂', 1)");
        zc_hubdb_close(db);

        assert_int_equal(zc_hubdb_open(url, 2, &db, &d), ZC_OK);
        assert_int_equal(zc_hubdb_schema_version(db), zc_hubdb_schema_latest());
        assert_int_equal(zc_hubtest_int(db, "SELECT COUNT(*) FROM canteen"), 1);
        /* Migrations ran once: one version row each. */
        assert_int_equal(zc_hubtest_int(db, "SELECT COUNT(*) FROM hub_schema"),
                         zc_hubdb_schema_latest());
        zc_hubdb_close(db);
    }
}

static void test_schema_too_new_is_refused(void **state)
{
    (void)state;
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        char url[ZC_HUBTEST_URL_MAX];
        zc_hubtest_db_url(*b, "too_new", url, sizeof url);
        zc_hubdb *db = NULL;
        zc_diag d = {0};
        assert_int_equal(zc_hubdb_open(url, 1, &db, &d), ZC_OK);
        char sql[160];
        snprintf(sql, sizeof sql,
                 "INSERT INTO hub_schema (version, name, applied_ms) VALUES (%d, 'future', 0)",
                 zc_hubdb_schema_latest() + 1);
        zc_hubtest_exec(db, sql);
        zc_hubdb_close(db);

        db = NULL;
        assert_int_equal(zc_hubdb_open(url, 1, &db, &d), ZC_ERR_VERSION);
        assert_null(db);
        assert_non_null(strstr(d.msg, "newer"));
    }
}

static void test_bad_urls(void **state)
{
    (void)state;
    static const struct {
        const char *url;
        zc_err err;
    } cases[] = {
        {"mysql://x", ZC_ERR_INVALID},
        {"sqlite:", ZC_ERR_INVALID},
        {"", ZC_ERR_INVALID},
        {"sqlite:/nonexistent-dir/zc/hub.db", ZC_ERR_DB},
        {"postgresql:///nodb?host=/nonexistent-dir&port=1", ZC_ERR_DB},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        zc_hubdb *db = NULL;
        zc_diag d = {0};
        assert_int_equal(zc_hubdb_open(cases[i].url, 0, &db, &d), cases[i].err);
        assert_null(db);
        assert_true(d.msg[0] != '\0');
    }
}

/* Values that must come back byte for byte. */
static const char *const TEXTS[] = {
    "O'Brien said \"hi\"; DROP TABLE t; --",
    "'); DELETE FROM t WHERE ('1'='1",
    "张三丰 助餐 ¥12.50",
    "$1 ?1 :a @b",
    "007",
    "-0",
    "9223372036854775808", /* one past BIGINT: stays text */
    "",
    "back\\slash and /* not a comment */",
};

static void test_params_round_trip(void **state)
{
    (void)state;
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        zc_hubdb *db = zc_hubtest_db_open(*b, "params");
        zc_hubtest_exec(db, TABLE_T);
        zc_hubdb_conn *c = take(db);
        zc_diag d = {0};
        size_t ntexts = sizeof TEXTS / sizeof TEXTS[0];
        for (size_t i = 0; i < ntexts; i++) {
            char id[24];
            snprintf(id, sizeof id, "%zu", i + 1);
            const char *p[] = {id, TEXTS[i], "-9223372036854775808"};
            int64_t changes = -1;
            assert_int_equal(zc_hubdb_exec(c, "INSERT INTO t (id, s, n) VALUES ($1, $2, $3)", p, 3,
                                           &changes, &d),
                             ZC_OK);
            assert_int_equal(changes, 1);
        }
        const char *pnull[] = {"100", NULL, "42"};
        assert_int_equal(
            zc_hubdb_exec(c, "INSERT INTO t (id, s, n) VALUES ($1, $2, $3)", pnull, 3, NULL, &d),
            ZC_OK);

        for (size_t i = 0; i < ntexts; i++) {
            char id[24];
            snprintf(id, sizeof id, "%zu", i + 1);
            const char *p[] = {id};
            zc_hubdb_rows *rows = NULL;
            assert_int_equal(
                zc_hubdb_query(c, "SELECT s, n, id FROM t WHERE id = $1", p, 1, &rows, &d), ZC_OK);
            assert_int_equal(zc_hubdb_rows_count(rows), 1);
            assert_string_equal(zc_hubdb_rows_text(rows, 0, 0), TEXTS[i]);
            if (i == 0)
                assert_int_equal(zc_hubdb_rows_int(rows, 0, 0), 0); /* not an integer */
            assert_string_equal(zc_hubdb_rows_text(rows, 0, 1), "-9223372036854775808");
            assert_true(zc_hubdb_rows_int(rows, 0, 1) == INT64_MIN);
            assert_int_equal(zc_hubdb_rows_int(rows, 0, 2), (int64_t)i + 1);
            assert_null(zc_hubdb_rows_text(rows, 0, 3)); /* out of range */
            assert_null(zc_hubdb_rows_text(rows, 1, 0));
            zc_hubdb_rows_free(rows);

            /* Looking a text up by itself finds it: bound as text where stored as text. */
            const char *q[] = {TEXTS[i]};
            rows = NULL;
            assert_int_equal(zc_hubdb_query(c, "SELECT id FROM t WHERE s = $1", q, 1, &rows, &d),
                             ZC_OK);
            assert_int_equal(zc_hubdb_rows_count(rows), 1);
            assert_int_equal(zc_hubdb_rows_int(rows, 0, 0), (int64_t)i + 1);
            zc_hubdb_rows_free(rows);
        }

        /* SQL NULL both ways; a `$1` inside a literal is not a parameter. */
        const char *p100[] = {"100"};
        zc_hubdb_rows *rows = NULL;
        assert_int_equal(
            zc_hubdb_query(c, "SELECT s, n, '$1 ''$2''' FROM t WHERE id = $1", p100, 1, &rows, &d),
            ZC_OK);
        assert_int_equal(zc_hubdb_rows_count(rows), 1);
        assert_null(zc_hubdb_rows_text(rows, 0, 0));
        assert_int_equal(zc_hubdb_rows_int(rows, 0, 0), 0);
        assert_int_equal(zc_hubdb_rows_int(rows, 0, 1), 42);
        assert_string_equal(zc_hubdb_rows_text(rows, 0, 2), "$1 '$2'");
        zc_hubdb_rows_free(rows);

        /* Out of order and repeated, after comments holding quotes. */
        static const char *const order_sql[] = {
            "SELECT $2, $1, $2",
            "SELECT /* it's */ $2, $1, $2",
            "SELECT -- it's\n $2, $1, $2",
            "SELECT 'it''s', $2 AS \"a$1\", $1, $2",
        };
        const char *ab[] = {"a", "b"};
        for (size_t i = 0; i < sizeof order_sql / sizeof order_sql[0]; i++) {
            rows = NULL;
            assert_int_equal(zc_hubdb_query(c, order_sql[i], ab, 2, &rows, &d), ZC_OK);
            int first = i == 3 ? 1 : 0;
            assert_string_equal(zc_hubdb_rows_text(rows, 0, first), "b");
            assert_string_equal(zc_hubdb_rows_text(rows, 0, first + 1), "a");
            assert_string_equal(zc_hubdb_rows_text(rows, 0, first + 2), "b");
            zc_hubdb_rows_free(rows);
        }

        /* Nor in a comment: one parameter here, whatever the comments say. */
        rows = NULL;
        assert_int_equal(zc_hubdb_query(c,
                                        "SELECT s /* $2 */ FROM t -- $3 '\n"
                                        "WHERE id = $1",
                                        p100, 1, &rows, &d),
                         ZC_OK);
        assert_int_equal(zc_hubdb_rows_count(rows), 1);
        zc_hubdb_rows_free(rows);

        /* Every row is there, and the malicious texts dropped and deleted nothing. */
        rows = NULL;
        assert_int_equal(zc_hubdb_query(c, "SELECT COUNT(*) FROM t", NULL, 0, &rows, &d), ZC_OK);
        assert_int_equal(zc_hubdb_rows_int(rows, 0, 0), (int64_t)ntexts + 1);
        zc_hubdb_rows_free(rows);

        /* An UPDATE reports the rows it changed; RETURNING comes back as rows. */
        int64_t changes = -1;
        const char *upd[] = {"7"};
        assert_int_equal(
            zc_hubdb_exec(c, "UPDATE t SET n = n + $1 WHERE id <= 3", upd, 1, &changes, &d), ZC_OK);
        assert_int_equal(changes, 3);
        rows = NULL;
        const char *ins[] = {"200", "新", "5"};
        assert_int_equal(zc_hubdb_query(c,
                                        "INSERT INTO t (id, s, n) VALUES ($1, $2, $3) "
                                        "RETURNING id, s",
                                        ins, 3, &rows, &d),
                         ZC_OK);
        assert_int_equal(zc_hubdb_rows_count(rows), 1);
        assert_string_equal(zc_hubdb_rows_text(rows, 0, 1), "新");
        zc_hubdb_rows_free(rows);
        zc_hubdb_release(c);
        zc_hubdb_close(db);
    }
}

static void test_errors(void **state)
{
    (void)state;
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        zc_hubdb *db = zc_hubtest_db_open(*b, "errors");
        zc_hubtest_exec(db, TABLE_T);
        zc_hubdb_conn *c = take(db);
        zc_diag d = {0};
        const char *p[] = {"1", "first", "1"};
        const char *sql = "INSERT INTO t (id, s, n) VALUES ($1, $2, $3)";
        assert_int_equal(zc_hubdb_exec(c, sql, p, 3, NULL, &d), ZC_OK);

        memset(&d, 0, sizeof d);
        const char *dup[] = {"1", "second", "2"};
        assert_int_equal(zc_hubdb_exec(c, sql, dup, 3, NULL, &d), ZC_ERR_EXISTS);
        assert_true(d.msg[0] != '\0');

        memset(&d, 0, sizeof d);
        const char *nonull[] = {"2", "x", NULL};
        assert_int_equal(zc_hubdb_exec(c, sql, nonull, 3, NULL, &d), ZC_ERR_DB);
        assert_true(d.msg[0] != '\0');

        memset(&d, 0, sizeof d);
        assert_int_equal(zc_hubdb_exec(c, "SELEC nonsense", NULL, 0, NULL, &d), ZC_ERR_DB);
        assert_true(d.msg[0] != '\0');

        memset(&d, 0, sizeof d);
        assert_int_equal(zc_hubdb_exec(c, "SELECT * FROM no_such_table", NULL, 0, NULL, &d),
                         ZC_ERR_DB);
        assert_non_null(strstr(d.msg, "no_such_table"));

        /* Too many parameters is refused before the engine sees it. */
        const char *many[ZC_HUBDB_PARAMS_MAX + 1] = {0};
        assert_int_equal(zc_hubdb_exec(c, "SELECT 1", many, ZC_HUBDB_PARAMS_MAX + 1, NULL, &d),
                         ZC_ERR_INVALID);
        assert_int_equal(zc_hubdb_exec(c, "SELECT $1", NULL, 1, NULL, &d), ZC_ERR_INVALID);
        /* Parameters the statement does not take. */
        assert_int_equal(zc_hubdb_exec(c, "SELECT 1", p, 1, NULL, &d), ZC_ERR_DB);
        /* A lock outside a transaction would protect nothing. */
        assert_int_equal(zc_hubdb_lock(c, "roster", &d), ZC_ERR_INVALID);
        assert_int_equal(zc_hubdb_commit(c, &d), ZC_ERR_INVALID);

        /* The connection still works, and the refused rows are not there. */
        zc_hubdb_rows *rows = NULL;
        assert_int_equal(zc_hubdb_query(c, "SELECT s FROM t", NULL, 0, &rows, &d), ZC_OK);
        assert_int_equal(zc_hubdb_rows_count(rows), 1);
        assert_string_equal(zc_hubdb_rows_text(rows, 0, 0), "first");
        zc_hubdb_rows_free(rows);

        /* A failed statement inside a transaction: commit reports failure on PostgreSQL; either
         * way, nothing of a transaction that did not commit remains once rolled back. */
        assert_int_equal(zc_hubdb_begin(c, &d), ZC_OK);
        const char *p2[] = {"2", "in tx", "2"};
        assert_int_equal(zc_hubdb_exec(c, sql, p2, 3, NULL, &d), ZC_OK);
        assert_int_equal(zc_hubdb_exec(c, sql, dup, 3, NULL, &d), ZC_ERR_EXISTS);
        zc_hubdb_rollback(c);
        assert_int_equal(zc_hubtest_int(db, "SELECT COUNT(*) FROM t"), 1);
        zc_hubdb_release(c);
        zc_hubdb_close(db);
    }
}

static void test_transactions(void **state)
{
    (void)state;
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        zc_hubdb *db = zc_hubtest_db_open(*b, "transactions");
        zc_hubtest_exec(db, TABLE_T);
        zc_hubdb_conn *c = take(db);
        zc_diag d = {0};
        const char *sql = "INSERT INTO t (id, s, n) VALUES ($1, 'x', 0)";

        /* Committed: visible to another connection. */
        assert_int_equal(zc_hubdb_begin(c, &d), ZC_OK);
        assert_int_equal(zc_hubdb_begin(c, &d), ZC_ERR_INVALID); /* no nesting */
        const char *p1[] = {"1"};
        assert_int_equal(zc_hubdb_exec(c, sql, p1, 1, NULL, &d), ZC_OK);
        assert_int_equal(zc_hubdb_commit(c, &d), ZC_OK);
        assert_int_equal(zc_hubtest_int(db, "SELECT COUNT(*) FROM t WHERE id = 1"), 1);

        /* Rolled back: gone. */
        assert_int_equal(zc_hubdb_begin(c, &d), ZC_OK);
        const char *p2[] = {"2"};
        assert_int_equal(zc_hubdb_exec(c, sql, p2, 1, NULL, &d), ZC_OK);
        zc_hubdb_rollback(c);
        assert_int_equal(zc_hubtest_int(db, "SELECT COUNT(*) FROM t WHERE id = 2"), 0);

        /* Released with a transaction open: rolled back, and the connection is clean. */
        assert_int_equal(zc_hubdb_begin(c, &d), ZC_OK);
        const char *p3[] = {"3"};
        assert_int_equal(zc_hubdb_exec(c, sql, p3, 1, NULL, &d), ZC_OK);
        zc_hubdb_release(c);
        assert_int_equal(zc_hubtest_int(db, "SELECT COUNT(*) FROM t WHERE id = 3"), 0);
        c = take(db);
        assert_int_equal(zc_hubdb_begin(c, &d), ZC_OK);
        assert_int_equal(zc_hubdb_exec(c, sql, p3, 1, NULL, &d), ZC_OK);
        assert_int_equal(zc_hubdb_commit(c, &d), ZC_OK);
        zc_hubdb_release(c);
        assert_int_equal(zc_hubtest_int(db, "SELECT COUNT(*) FROM t"), 2);
        zc_hubdb_close(db);
    }
}

typedef struct walk {
    int64_t rows, sum;
    int ncols;
    bool nulls_ok;
} walk;

static zc_err count_row(void *ctx, const char *const *values, int ncols)
{
    walk *w = ctx;
    w->rows++;
    w->ncols = ncols;
    w->sum += strtoll(values[0], NULL, 10);
    if (values[1] != NULL || values[2] == NULL)
        w->nulls_ok = false;
    return ZC_OK;
}

static zc_err stop_early(void *ctx, const char *const *values, int ncols)
{
    (void)values;
    (void)ncols;
    walk *w = ctx;
    return ++w->rows == STOP_AFTER ? ZC_ERR_NOT_FOUND : ZC_OK;
}

static void test_each_streams(void **state)
{
    (void)state;
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        zc_hubdb *db = zc_hubtest_db_open(*b, "each");
        zc_hubtest_exec(db, TABLE_T);
        char sql[256];
        snprintf(sql, sizeof sql,
                 "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < %d) "
                 "INSERT INTO t (id, s, n) SELECT i, NULL, i FROM s",
                 STREAM_ROWS);
        zc_hubtest_exec(db, sql);

        zc_hubdb_conn *c = take(db);
        zc_diag d = {0};
        walk w = {.nulls_ok = true};
        const char *p[] = {"0"};
        assert_int_equal(zc_hubdb_each(c, "SELECT id, s, 'x' FROM t WHERE n > $1 ORDER BY id", p, 1,
                                       count_row, &w, &d),
                         ZC_OK);
        assert_int_equal(w.rows, STREAM_ROWS);
        assert_int_equal(w.ncols, 3);
        assert_true(w.sum == (int64_t)STREAM_ROWS * (STREAM_ROWS + 1) / 2);
        assert_true(w.nulls_ok);

        /* Stopped early, outside and inside a transaction: the stop code comes back and the
         * connection (and the transaction) go on working. */
        for (int in_tx = 0; in_tx <= 1; in_tx++) {
            if (in_tx)
                assert_int_equal(zc_hubdb_begin(c, &d), ZC_OK);
            walk stop = {0};
            assert_int_equal(
                zc_hubdb_each(c, "SELECT id FROM t ORDER BY id", NULL, 0, stop_early, &stop, &d),
                ZC_ERR_NOT_FOUND);
            assert_int_equal(stop.rows, STOP_AFTER);
            const char *ins[] = {"-1"};
            assert_int_equal(
                zc_hubdb_exec(c, "INSERT INTO t (id, n) VALUES ($1, 0)", ins, 1, NULL, &d), ZC_OK);
            const char *del[] = {"-1"};
            assert_int_equal(zc_hubdb_exec(c, "DELETE FROM t WHERE id = $1", del, 1, NULL, &d),
                             ZC_OK);
            if (in_tx)
                assert_int_equal(zc_hubdb_commit(c, &d), ZC_OK);
        }

        /* An error in the middle of the walk is reported. */
        assert_int_equal(zc_hubdb_each(c, "SELECT nope FROM t", NULL, 0, count_row, &w, &d),
                         ZC_ERR_DB);
        zc_hubdb_release(c);
        zc_hubdb_close(db);
    }
}

typedef struct worker {
    zc_hubdb *db;
    int index;
    zc_err err;
    char msg[ZC_DIAG_MAX];
} worker;

static void *insert_rows(void *arg)
{
    worker *w = arg;
    for (int i = 0; i < ROWS_PER_THREAD && !w->err; i++) {
        zc_hubdb_conn *c = NULL;
        zc_diag d = {0};
        char id[24];
        snprintf(id, sizeof id, "%d", w->index * ROWS_PER_THREAD + i);
        const char *p[] = {id, "线程"};
        w->err = zc_hubdb_acquire(w->db, &c, &d);
        if (!w->err)
            w->err = zc_hubdb_begin(c, &d);
        if (!w->err)
            w->err =
                zc_hubdb_exec(c, "INSERT INTO t (id, s, n) VALUES ($1, $2, 1)", p, 2, NULL, &d);
        if (!w->err)
            w->err = zc_hubdb_commit(c, &d);
        zc_hubdb_release(c);
        if (w->err)
            snprintf(w->msg, sizeof w->msg, "%s", d.msg);
    }
    return NULL;
}

static void test_pool_threads(void **state)
{
    (void)state;
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        char url[ZC_HUBTEST_URL_MAX];
        zc_hubtest_db_url(*b, "pool_threads", url, sizeof url);
        zc_hubdb *db = NULL;
        zc_diag d = {0};
        assert_int_equal(zc_hubdb_open(url, THREAD_POOL, &db, &d), ZC_OK);
        zc_hubtest_exec(db, TABLE_T);
        worker workers[THREADS];
        pthread_t threads[THREADS];
        for (int i = 0; i < THREADS; i++) {
            workers[i] = (worker){.db = db, .index = i};
            assert_int_equal(pthread_create(&threads[i], NULL, insert_rows, &workers[i]), 0);
        }
        for (int i = 0; i < THREADS; i++) {
            pthread_join(threads[i], NULL);
            if (workers[i].err)
                fail_msg("%s thread %d: %s: %s", *b, i, zc_err_str(workers[i].err), workers[i].msg);
        }
        assert_int_equal(zc_hubtest_int(db, "SELECT COUNT(*) FROM t"), THREADS * ROWS_PER_THREAD);
        assert_int_equal(zc_hubtest_int(db, "SELECT COUNT(DISTINCT id) FROM t"),
                         THREADS * ROWS_PER_THREAD);
        zc_hubdb_close(db);
    }
}

typedef struct locker {
    zc_hubdb *db;
    atomic_int *first_committed;
    int saw_committed; /* first_committed when the lock was granted */
    int64_t rows_seen; /* rows of the first writer visible once granted */
    zc_err err;
    char msg[ZC_DIAG_MAX];
} locker;

static void *second_writer(void *arg)
{
    locker *l = arg;
    zc_hubdb_conn *c = NULL;
    zc_diag d = {0};
    zc_hubdb_rows *rows = NULL;
    l->err = zc_hubdb_acquire(l->db, &c, &d);
    if (!l->err)
        l->err = zc_hubdb_begin(c, &d);
    if (!l->err)
        l->err = zc_hubdb_lock(c, "roster", &d);
    l->saw_committed = atomic_load(l->first_committed);
    if (!l->err)
        l->err = zc_hubdb_query(c, "SELECT COUNT(*) FROM t", NULL, 0, &rows, &d);
    l->rows_seen = zc_hubdb_rows_int(rows, 0, 0);
    zc_hubdb_rows_free(rows);
    if (!l->err)
        l->err = zc_hubdb_commit(c, &d);
    zc_hubdb_release(c);
    if (l->err)
        snprintf(l->msg, sizeof l->msg, "%s", d.msg);
    return NULL;
}

static void test_lock_serialises(void **state)
{
    (void)state;
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        zc_hubdb *db = zc_hubtest_db_open(*b, "lock");
        zc_hubtest_exec(db, TABLE_T);
        atomic_int committed = 0;
        zc_hubdb_conn *c = take(db);
        zc_diag d = {0};
        assert_int_equal(zc_hubdb_begin(c, &d), ZC_OK);
        assert_int_equal(zc_hubdb_lock(c, "roster", &d), ZC_OK);

        locker l = {.db = db, .first_committed = &committed};
        pthread_t th;
        assert_int_equal(pthread_create(&th, NULL, second_writer, &l), 0);
        sleep_ms(LOCK_HOLD_MS); /* the second writer is waiting now */
        assert_int_equal(
            zc_hubdb_exec(c, "INSERT INTO t (id, s, n) VALUES (1, 'first', 1)", NULL, 0, NULL, &d),
            ZC_OK);
        atomic_store(&committed, 1);
        assert_int_equal(zc_hubdb_commit(c, &d), ZC_OK);
        pthread_join(th, NULL);
        if (l.err)
            fail_msg("%s second writer: %s", *b, l.msg);
        assert_int_equal(l.saw_committed, 1);
        assert_int_equal(l.rows_seen, 1);
        zc_hubdb_release(c);
        zc_hubdb_close(db);
    }
}

typedef struct opener {
    const char *url;
    zc_err err;
    char msg[ZC_DIAG_MAX];
    int version;
} opener;

static void *open_db(void *arg)
{
    opener *o = arg;
    zc_hubdb *db = NULL;
    zc_diag d = {0};
    o->err = zc_hubdb_open(o->url, 1, &db, &d);
    snprintf(o->msg, sizeof o->msg, "%s", d.msg);
    if (!o->err)
        o->version = zc_hubdb_schema_version(db);
    zc_hubdb_close(db);
    return NULL;
}

static void test_two_opens_at_once(void **state)
{
    (void)state;
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        char url[ZC_HUBTEST_URL_MAX];
        zc_hubtest_db_url(*b, "two_opens", url, sizeof url);
        opener o[2] = {{.url = url}, {.url = url}};
        pthread_t th[2];
        for (int i = 0; i < 2; i++)
            assert_int_equal(pthread_create(&th[i], NULL, open_db, &o[i]), 0);
        for (int i = 0; i < 2; i++) {
            pthread_join(th[i], NULL);
            if (o[i].err)
                fail_msg("%s open %d: %s: %s", *b, i, zc_err_str(o[i].err), o[i].msg);
            assert_int_equal(o[i].version, zc_hubdb_schema_latest());
        }
        zc_hubdb *db = NULL;
        assert_int_equal(zc_hubdb_open(url, 1, &db, NULL), ZC_OK);
        assert_int_equal(zc_hubtest_int(db, "SELECT COUNT(*) FROM hub_schema"),
                         zc_hubdb_schema_latest());
        zc_hubdb_close(db);
    }
}

/* PostgreSQL only: a connection the server dropped is made again when next taken. */
static void test_pg_reconnects(void **state)
{
    (void)state;
    zc_hubdb *db = zc_hubtest_db_open("postgres", "reconnect");
    zc_hubdb_conn *a = take(db);
    zc_hubdb_conn *killer = take(db);
    zc_diag d = {0};
    zc_hubdb_rows *rows = NULL;
    assert_int_equal(zc_hubdb_query(a, "SELECT pg_backend_pid()", NULL, 0, &rows, &d), ZC_OK);
    char pid[24];
    snprintf(pid, sizeof pid, "%s", zc_hubdb_rows_text(rows, 0, 0));
    zc_hubdb_rows_free(rows);
    const char *p[] = {pid};
    assert_int_equal(
        zc_hubdb_exec(killer, "SELECT pg_terminate_backend(CAST($1 AS INTEGER))", p, 1, NULL, &d),
        ZC_OK);
    int gone = 0;
    for (int i = 0; i < TERMINATE_POLLS && !gone; i++) {
        rows = NULL;
        assert_int_equal(zc_hubdb_query(killer,
                                        "SELECT COUNT(*) FROM pg_stat_activity WHERE pid = "
                                        "CAST($1 AS INTEGER)",
                                        p, 1, &rows, &d),
                         ZC_OK);
        gone = zc_hubdb_rows_int(rows, 0, 0) == 0;
        zc_hubdb_rows_free(rows);
        if (!gone)
            sleep_ms(10);
    }
    assert_true(gone);
    zc_hubdb_release(killer);
    zc_hubdb_release(a); /* on top of the free list: the next acquire gets it */

    zc_hubdb_conn *c = take(db);
    assert_ptr_equal(c, a);
    rows = NULL;
    assert_int_equal(zc_hubdb_query(c, "SELECT pg_backend_pid()", NULL, 0, &rows, &d), ZC_OK);
    assert_string_not_equal(zc_hubdb_rows_text(rows, 0, 0), pid);
    zc_hubdb_rows_free(rows);
    zc_hubdb_release(c);
    zc_hubdb_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_migrate_reopen),
        cmocka_unit_test(test_schema_too_new_is_refused),
        cmocka_unit_test(test_bad_urls),
        cmocka_unit_test(test_params_round_trip),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_transactions),
        cmocka_unit_test(test_each_streams),
        cmocka_unit_test(test_pool_threads),
        cmocka_unit_test(test_lock_serialises),
        cmocka_unit_test(test_two_opens_at_once),
        cmocka_unit_test(test_pg_reconnects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
