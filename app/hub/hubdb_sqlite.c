/*
 * The hub database on an SQLite file: one sqlite3 handle per pooled connection, WAL so readers
 * never wait for the writer, BEGIN IMMEDIATE so writers queue instead of failing at commit.
 */
#include "hubdb_impl.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Durability first: a sale the hub acknowledged is on disk (DESIGN.md, the ledger). */
static const char PRAGMAS[] = "PRAGMA journal_mode=WAL;"
                              "PRAGMA synchronous=FULL;";

enum {
    BEGIN_RETRY_SLEEP_MS = 10,
    NS_PER_MS = 1000000,
    MS_PER_S = 1000,
    SQLITE_PRIMARY_MASK = 0xff, /* an extended result code's primary code */
};

static zc_err fail(sqlite3 *db, int rc, const char *what, zc_diag *diag)
{
    const char *detail = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
        return zc_diag_set(diag, ZC_ERR_EXISTS, "%s: %s", what, detail);
    if ((rc & 0xff) == SQLITE_NOMEM)
        return zc_diag_set(diag, ZC_ERR_NOMEM, "%s: out of memory", what);
    return zc_diag_set(diag, ZC_ERR_DB, "%s: %s", what, detail);
}

char *zc_hubdb_sqlite_rewrite(const char *sql)
{
    char *out = strdup(sql);
    if (!out)
        return NULL;
    /* The closing character of the literal, identifier or comment we are in, or 0. */
    char in = 0;
    for (char *p = out; *p; p++) {
        if (in == '\n' || in == '\'' || in == '"') {
            if (*p == in)
                in = 0; /* '' inside a literal closes and reopens it: same result */
        } else if (in == '*') {
            if (p[0] == '*' && p[1] == '/') {
                in = 0;
                p++;
            }
        } else if (*p == '\'' || *p == '"') {
            in = *p;
        } else if (p[0] == '-' && p[1] == '-') {
            in = '\n';
            p++;
        } else if (p[0] == '/' && p[1] == '*') {
            in = '*';
            p++;
        } else if (p[0] == '$' && p[1] >= '0' && p[1] <= '9') {
            *p = '?';
        }
    }
    return out;
}

/* "0", "-12", "9223372036854775807": what PostgreSQL would print for a BIGINT, and no more. */
static bool canonical_int(const char *s, sqlite3_int64 *out)
{
    const char *d = s[0] == '-' ? s + 1 : s;
    if (!*d || (d[0] == '0' && (d[1] || d != s)))
        return false;
    for (const char *p = d; *p; p++)
        if (*p < '0' || *p > '9')
            return false;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * MS_PER_S + ts.tv_nsec / NS_PER_MS;
}

static zc_err sq_connect(const char *target, void **handle, zc_diag *diag)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(
        target, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        zc_err err = zc_diag_set(diag, ZC_ERR_DB, "%s: cannot open database: %s", target,
                                 db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close(db);
        return err;
    }
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, ZC_HUBDB_BUSY_TIMEOUT_MS);
    /* Switching a new database to WAL while another connection does the same can answer BUSY
     * without consulting the busy handler: wait for the other one like the handler would. */
    long long give_up = now_ms() + ZC_HUBDB_BUSY_TIMEOUT_MS;
    while ((rc = sqlite3_exec(db, PRAGMAS, NULL, NULL, NULL)) != SQLITE_OK &&
           (rc & SQLITE_PRIMARY_MASK) == SQLITE_BUSY && now_ms() < give_up)
        sqlite3_sleep(BEGIN_RETRY_SLEEP_MS);
    if (rc != SQLITE_OK) {
        zc_err err = fail(db, rc, target, diag);
        sqlite3_close(db);
        return err;
    }
    *handle = db;
    return ZC_OK;
}

static void sq_disconnect(void *handle)
{
    sqlite3_close(handle);
}

static zc_err sq_revive(void *handle, zc_diag *diag)
{
    (void)handle;
    (void)diag;
    return ZC_OK;
}

static zc_err sq_script(void *handle, const char *sql, zc_diag *diag)
{
    int rc = sqlite3_exec(handle, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? ZC_OK : fail(handle, rc, "sql", diag);
}

/*
 * The busy handler already waits inside BEGIN IMMEDIATE, but SQLite skips it when waiting could
 * deadlock (e.g. while a WAL checkpoint or recovery runs), so BUSY is retried here until the same
 * timeout.
 */
static zc_err sq_begin(void *handle, zc_diag *diag)
{
    long long deadline = now_ms() + ZC_HUBDB_BUSY_TIMEOUT_MS;
    for (;;) {
        int rc = sqlite3_exec(handle, "BEGIN IMMEDIATE", NULL, NULL, NULL);
        if (rc == SQLITE_OK)
            return ZC_OK;
        if ((rc & 0xff) != SQLITE_BUSY || now_ms() >= deadline)
            return fail(handle, rc, "begin", diag);
        struct timespec pause = {0, (long)BEGIN_RETRY_SLEEP_MS * NS_PER_MS};
        nanosleep(&pause, NULL);
    }
}

static zc_err sq_commit(void *handle, zc_diag *diag)
{
    int rc = sqlite3_exec(handle, "COMMIT", NULL, NULL, NULL);
    return rc == SQLITE_OK ? ZC_OK : fail(handle, rc, "commit", diag);
}

static void sq_rollback(void *handle)
{
    if (!sqlite3_get_autocommit(handle))
        sqlite3_exec(handle, "ROLLBACK", NULL, NULL, NULL);
}

static bool sq_in_transaction(void *handle)
{
    return !sqlite3_get_autocommit(handle);
}

/* BEGIN IMMEDIATE already holds the one write lock SQLite has: every writer is serialised. */
static zc_err sq_lock(void *handle, const char *name, zc_diag *diag)
{
    (void)handle;
    (void)name;
    (void)diag;
    return ZC_OK;
}

static bool only_blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r' && *s != ';')
            return false;
    return true;
}

static zc_err prepare(sqlite3 *db, const char *sql, const char *const *params, int n,
                      sqlite3_stmt **out, zc_diag *diag)
{
    *out = NULL;
    char *rewritten = zc_hubdb_sqlite_rewrite(sql);
    if (!rewritten)
        return zc_diag_set(diag, ZC_ERR_NOMEM, "out of memory");
    sqlite3_stmt *st = NULL;
    const char *tail = NULL;
    int rc = sqlite3_prepare_v2(db, rewritten, -1, &st, &tail);
    zc_err err = ZC_OK;
    if (rc != SQLITE_OK)
        err = fail(db, rc, "sql", diag);
    else if (!st)
        err = zc_diag_set(diag, ZC_ERR_INVALID, "empty SQL statement");
    else if (!only_blank(tail))
        err = zc_diag_set(diag, ZC_ERR_INVALID, "one statement at a time: \"%.80s\" follows", tail);
    else if (sqlite3_bind_parameter_count(st) != n)
        err = zc_diag_set(diag, ZC_ERR_DB, "the statement takes %d parameters, %d given",
                          sqlite3_bind_parameter_count(st), n);
    free(rewritten);
    for (int i = 0; !err && i < n; i++) {
        sqlite3_int64 v;
        if (!params[i])
            rc = sqlite3_bind_null(st, i + 1);
        else if (canonical_int(params[i], &v))
            rc = sqlite3_bind_int64(st, i + 1, v);
        else
            rc = sqlite3_bind_text(st, i + 1, params[i], -1, SQLITE_STATIC);
        if (rc != SQLITE_OK)
            err = fail(db, rc, "binding a parameter", diag);
    }
    if (err) {
        sqlite3_finalize(st);
        return err;
    }
    *out = st;
    return ZC_OK;
}

static zc_err sq_exec(void *handle, const char *sql, const char *const *params, int n,
                      int64_t *changes, zc_diag *diag)
{
    sqlite3_stmt *st;
    zc_err err = prepare(handle, sql, params, n, &st, diag);
    if (err)
        return err;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        ; /* RETURNING rows nobody asked for */
    if (rc != SQLITE_DONE)
        err = fail(handle, rc, "sql", diag);
    else if (changes)
        *changes = sqlite3_changes64(handle);
    sqlite3_finalize(st);
    return err;
}

static zc_err sq_each(void *handle, bool in_tx, const char *sql, const char *const *params, int n,
                      zc_hubdb_row_fn fn, void *ctx, zc_diag *diag)
{
    (void)in_tx;
    sqlite3_stmt *st;
    zc_err err = prepare(handle, sql, params, n, &st, diag);
    if (err)
        return err;
    int ncols = sqlite3_column_count(st);
    const char **values = calloc(ncols > 0 ? (size_t)ncols : 1, sizeof *values);
    if (!values) {
        sqlite3_finalize(st);
        return zc_diag_set(diag, ZC_ERR_NOMEM, "out of memory");
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (int c = 0; c < ncols; c++)
            values[c] = (const char *)sqlite3_column_text(st, c);
        if ((err = fn(ctx, values, ncols)))
            break;
    }
    if (!err && rc != SQLITE_DONE)
        err = fail(handle, rc, "sql", diag);
    free(values);
    sqlite3_finalize(st);
    return err;
}

const zc_hubdb_ops zc_hubdb_sqlite_ops = {
    .name = "SQLite",
    .connect = sq_connect,
    .disconnect = sq_disconnect,
    .revive = sq_revive,
    .script = sq_script,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .in_transaction = sq_in_transaction,
    .lock = sq_lock,
    .exec = sq_exec,
    .each = sq_each,
};
