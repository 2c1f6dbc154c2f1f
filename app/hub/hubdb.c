#include "zc/hubdb.h"

#include "hubdb_impl.h"
#include "hubschema.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct zc_hubdb_conn {
    zc_hubdb *db;
    void *handle;
    bool in_tx;
    zc_hubdb_conn *next_free;
};

struct zc_hubdb {
    zc_hubdb_kind kind;
    const zc_hubdb_ops *ops;
    char *target; /* what ops->connect takes: a path or a conninfo URL */
    pthread_mutex_t mu;
    pthread_cond_t freed;
    int size;   /* connections the pool may hold */
    int opened; /* connections made (or being made) so far */
    zc_hubdb_conn *free_list;
};

struct zc_hubdb_rows {
    size_t count, cap;
    int ncols;
    char **cells; /* count * ncols values, NULL for SQL NULL */
};

static const char SQLITE_PREFIX[] = "sqlite:";
static const char *const POSTGRES_PREFIXES[] = {"postgresql://", "postgres://"};

/* The version table is not a migration: it must exist before we can know which to run. */
static const char SCHEMA_TABLE_SQL[] = "CREATE TABLE IF NOT EXISTS hub_schema ("
                                       "version BIGINT PRIMARY KEY, name TEXT NOT NULL, "
                                       "applied_ms BIGINT NOT NULL)";
static const char SCHEMA_VERSION_SQL[] = "SELECT COALESCE(MAX(version), 0) FROM hub_schema";
static const char SCHEMA_LOCK[] = "zc_hub_schema";

enum { MS_PER_S = 1000, NS_PER_MS = 1000000 };

static bool has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

zc_hubdb_kind zc_hubdb_kind_of(const zc_hubdb *db)
{
    return db->kind;
}

int zc_hubdb_schema_latest(void)
{
    size_t n;
    zc_hubschema_migrations(&n);
    return (int)n;
}

/* ---- connections ---- */

zc_err zc_hubdb_acquire(zc_hubdb *db, zc_hubdb_conn **out, zc_diag *diag)
{
    *out = NULL;
    pthread_mutex_lock(&db->mu);
    while (!db->free_list && db->opened >= db->size)
        pthread_cond_wait(&db->freed, &db->mu);
    zc_hubdb_conn *conn = db->free_list;
    if (conn) {
        db->free_list = conn->next_free;
        pthread_mutex_unlock(&db->mu);
        zc_err err = db->ops->revive(conn->handle, diag);
        if (err) {
            /* Keep the slot: the next acquire tries the server again. */
            zc_hubdb_release(conn);
            return err;
        }
        conn->next_free = NULL;
        *out = conn;
        return ZC_OK;
    }
    /* Connect outside the lock: a slow server must not stall threads holding connections. */
    db->opened++;
    pthread_mutex_unlock(&db->mu);
    conn = calloc(1, sizeof *conn);
    zc_err err = conn ? db->ops->connect(db->target, &conn->handle, diag)
                      : zc_diag_set(diag, ZC_ERR_NOMEM, "out of memory");
    if (err) {
        free(conn);
        pthread_mutex_lock(&db->mu);
        db->opened--;
        pthread_cond_signal(&db->freed);
        pthread_mutex_unlock(&db->mu);
        return err;
    }
    conn->db = db;
    *out = conn;
    return ZC_OK;
}

void zc_hubdb_release(zc_hubdb_conn *conn)
{
    if (!conn)
        return;
    zc_hubdb *db = conn->db;
    if (conn->in_tx || db->ops->in_transaction(conn->handle))
        db->ops->rollback(conn->handle);
    conn->in_tx = false;
    pthread_mutex_lock(&db->mu);
    conn->next_free = db->free_list;
    db->free_list = conn;
    pthread_cond_signal(&db->freed);
    pthread_mutex_unlock(&db->mu);
}

/* ---- transactions and statements ---- */

zc_err zc_hubdb_begin(zc_hubdb_conn *conn, zc_diag *diag)
{
    if (conn->in_tx)
        return zc_diag_set(diag, ZC_ERR_INVALID, "a transaction is already open");
    zc_err err = conn->db->ops->begin(conn->handle, diag);
    if (!err)
        conn->in_tx = true;
    return err;
}

zc_err zc_hubdb_commit(zc_hubdb_conn *conn, zc_diag *diag)
{
    if (!conn->in_tx)
        return zc_diag_set(diag, ZC_ERR_INVALID, "commit without an open transaction");
    zc_err err = conn->db->ops->commit(conn->handle, diag);
    /* A transaction that could not commit is over either way: nothing half-done stays open. */
    if (err && conn->db->ops->in_transaction(conn->handle))
        conn->db->ops->rollback(conn->handle);
    conn->in_tx = false;
    return err;
}

void zc_hubdb_rollback(zc_hubdb_conn *conn)
{
    if (conn->in_tx || conn->db->ops->in_transaction(conn->handle))
        conn->db->ops->rollback(conn->handle);
    conn->in_tx = false;
}

zc_err zc_hubdb_lock(zc_hubdb_conn *conn, const char *name, zc_diag *diag)
{
    /* Outside a transaction the lock would be gone when the statement ends. */
    if (!conn->in_tx)
        return zc_diag_set(diag, ZC_ERR_INVALID, "lock \"%s\" taken outside a transaction",
                           name ? name : "");
    if (!name || !*name)
        return zc_diag_set(diag, ZC_ERR_INVALID, "lock needs a name");
    return conn->db->ops->lock(conn->handle, name, diag);
}

static zc_err check_params(const char *sql, const char *const *params, int n, zc_diag *diag)
{
    if (!sql)
        return zc_diag_set(diag, ZC_ERR_INVALID, "no SQL statement");
    if (n < 0 || n > ZC_HUBDB_PARAMS_MAX)
        return zc_diag_set(diag, ZC_ERR_INVALID, "%d parameters (at most %d)", n,
                           ZC_HUBDB_PARAMS_MAX);
    if (n > 0 && !params)
        return zc_diag_set(diag, ZC_ERR_INVALID, "%d parameters announced, none given", n);
    return ZC_OK;
}

zc_err zc_hubdb_exec(zc_hubdb_conn *conn, const char *sql, const char *const *params, int n,
                     int64_t *changes, zc_diag *diag)
{
    if (changes)
        *changes = 0;
    zc_err err = check_params(sql, params, n, diag);
    if (err)
        return err;
    return conn->db->ops->exec(conn->handle, sql, params, n, changes, diag);
}

zc_err zc_hubdb_each(zc_hubdb_conn *conn, const char *sql, const char *const *params, int n,
                     zc_hubdb_row_fn fn, void *ctx, zc_diag *diag)
{
    zc_err err = check_params(sql, params, n, diag);
    if (err)
        return err;
    return conn->db->ops->each(conn->handle, conn->in_tx, sql, params, n, fn, ctx, diag);
}

/* ---- kept rows ---- */

enum { ROWS_INITIAL_CAP = 16 };

static zc_err rows_add(void *ctx, const char *const *values, int ncols)
{
    zc_hubdb_rows *rows = ctx;
    if (rows->count == 0 && rows->cap == 0)
        rows->ncols = ncols;
    if (rows->count == rows->cap) {
        size_t cap = rows->cap ? rows->cap * 2 : ROWS_INITIAL_CAP;
        char **cells = realloc(rows->cells, cap * (size_t)rows->ncols * sizeof *cells);
        if (!cells && rows->ncols > 0)
            return ZC_ERR_NOMEM;
        rows->cells = cells;
        rows->cap = cap;
    }
    char **row = rows->cells + rows->count * (size_t)rows->ncols;
    for (int c = 0; c < rows->ncols; c++) {
        row[c] = NULL;
        if (values[c] && !(row[c] = strdup(values[c]))) {
            for (int k = 0; k < c; k++)
                free(row[k]);
            return ZC_ERR_NOMEM;
        }
    }
    rows->count++;
    return ZC_OK;
}

zc_err zc_hubdb_query(zc_hubdb_conn *conn, const char *sql, const char *const *params, int n,
                      zc_hubdb_rows **out, zc_diag *diag)
{
    *out = NULL;
    zc_hubdb_rows *rows = calloc(1, sizeof *rows);
    if (!rows)
        return zc_diag_set(diag, ZC_ERR_NOMEM, "out of memory");
    zc_err err = zc_hubdb_each(conn, sql, params, n, rows_add, rows, diag);
    if (err == ZC_ERR_NOMEM)
        zc_diag_set(diag, err, "out of memory keeping the rows of a query");
    if (err) {
        zc_hubdb_rows_free(rows);
        return err;
    }
    *out = rows;
    return ZC_OK;
}

void zc_hubdb_rows_free(zc_hubdb_rows *rows)
{
    if (!rows)
        return;
    for (size_t i = 0; i < rows->count * (size_t)rows->ncols; i++)
        free(rows->cells[i]);
    free(rows->cells);
    free(rows);
}

size_t zc_hubdb_rows_count(const zc_hubdb_rows *rows)
{
    return rows ? rows->count : 0;
}

const char *zc_hubdb_rows_text(const zc_hubdb_rows *rows, size_t r, int c)
{
    if (!rows || r >= rows->count || c < 0 || c >= rows->ncols)
        return NULL;
    return rows->cells[r * (size_t)rows->ncols + (size_t)c];
}

int64_t zc_hubdb_rows_int(const zc_hubdb_rows *rows, size_t r, int c)
{
    const char *s = zc_hubdb_rows_text(rows, r, c);
    if (!s || !*s)
        return 0;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end)
        return 0;
    return (int64_t)v;
}

/* ---- migrations ---- */

static zc_err read_version(zc_hubdb_conn *conn, int *version, zc_diag *diag)
{
    zc_hubdb_rows *rows;
    zc_err err = zc_hubdb_query(conn, SCHEMA_VERSION_SQL, NULL, 0, &rows, diag);
    if (err)
        return err;
    *version = (int)zc_hubdb_rows_int(rows, 0, 0);
    zc_hubdb_rows_free(rows);
    return ZC_OK;
}

int zc_hubdb_schema_version(zc_hubdb *db)
{
    zc_hubdb_conn *conn;
    if (zc_hubdb_acquire(db, &conn, NULL))
        return -1;
    int version = -1;
    if (read_version(conn, &version, NULL))
        version = -1;
    zc_hubdb_release(conn);
    return version;
}

/*
 * One migration per transaction, each under the schema lock, reading the version afresh: a hub
 * that waited for another hub's migration finds it done and goes on with the next one, if any.
 */
static zc_err migrate_step(zc_hubdb *db, zc_hubdb_conn *conn, bool *done, zc_diag *diag)
{
    size_t count;
    const zc_hubschema_migration *migrations = zc_hubschema_migrations(&count);
    zc_err err = zc_hubdb_begin(conn, diag);
    if (err)
        return err;
    if ((err = zc_hubdb_lock(conn, SCHEMA_LOCK, diag)) ||
        (err = db->ops->script(conn->handle, SCHEMA_TABLE_SQL, diag)))
        goto fail;
    int version = 0;
    if ((err = read_version(conn, &version, diag)))
        goto fail;
    if (version > (int)count) {
        err = zc_diag_set(diag, ZC_ERR_VERSION,
                          "hub database schema version %d is newer than this zhucan-hub "
                          "understands (%d); upgrade zhucan-hub instead of opening it",
                          version, (int)count);
        goto fail;
    }
    if (version == (int)count) {
        *done = true;
        return zc_hubdb_commit(conn, diag);
    }
    const zc_hubschema_migration *m = &migrations[version];
    char vtext[32], now[32];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    snprintf(vtext, sizeof vtext, "%d", version + 1);
    snprintf(now, sizeof now, "%lld", (long long)ts.tv_sec * MS_PER_S + ts.tv_nsec / NS_PER_MS);
    const char *params[] = {vtext, m->name, now};
    err =
        db->ops->script(conn->handle, db->kind == ZC_HUBDB_SQLITE ? m->sqlite : m->postgres, diag);
    if (!err)
        err = zc_hubdb_exec(conn,
                            "INSERT INTO hub_schema (version, name, applied_ms) "
                            "VALUES ($1, $2, $3)",
                            params, 3, NULL, diag);
    if (!err)
        err = zc_hubdb_commit(conn, diag);
    if (err) {
        char inner[ZC_DIAG_MAX] = "";
        if (diag)
            memcpy(inner, diag->msg, sizeof inner);
        zc_hubdb_rollback(conn);
        return zc_diag_set(diag, err, "%s migration %d (%s) failed: %.400s", db->ops->name,
                           version + 1, m->name, inner);
    }
    return ZC_OK;
fail:
    zc_hubdb_rollback(conn);
    return err;
}

static zc_err migrate(zc_hubdb *db, zc_diag *diag)
{
    zc_hubdb_conn *conn;
    zc_err err = zc_hubdb_acquire(db, &conn, diag);
    if (err)
        return err;
    bool done = false;
    while (!err && !done)
        err = migrate_step(db, conn, &done, diag);
    zc_hubdb_release(conn);
    return err;
}

/* ---- open and close ---- */

static void free_pool(zc_hubdb *db)
{
    while (db->free_list) {
        zc_hubdb_conn *conn = db->free_list;
        db->free_list = conn->next_free;
        db->ops->disconnect(conn->handle);
        free(conn);
    }
}

zc_err zc_hubdb_open(const char *url, int pool, zc_hubdb **out, zc_diag *diag)
{
    *out = NULL;
    if (!url)
        return zc_diag_set(diag, ZC_ERR_INVALID, "no database URL");
    if (pool < 0)
        return zc_diag_set(diag, ZC_ERR_INVALID, "pool size %d is negative", pool);
    const zc_hubdb_ops *ops = NULL;
    zc_hubdb_kind kind = ZC_HUBDB_SQLITE;
    const char *target = url;
    if (has_prefix(url, SQLITE_PREFIX)) {
        ops = &zc_hubdb_sqlite_ops;
        target = url + strlen(SQLITE_PREFIX);
        if (!*target)
            return zc_diag_set(diag, ZC_ERR_INVALID, "%s: no file path after \"sqlite:\"", url);
    } else {
        for (size_t i = 0; i < sizeof POSTGRES_PREFIXES / sizeof POSTGRES_PREFIXES[0]; i++)
            if (has_prefix(url, POSTGRES_PREFIXES[i])) {
                ops = &zc_hubdb_pg_ops;
                kind = ZC_HUBDB_POSTGRES;
            }
    }
    if (!ops)
        return zc_diag_set(diag, ZC_ERR_INVALID,
                           "%.200s: database URL must start with sqlite:, postgresql:// or "
                           "postgres://",
                           url);
    zc_hubdb *db = calloc(1, sizeof *db);
    if (!db || !(db->target = strdup(target))) {
        free(db);
        return zc_diag_set(diag, ZC_ERR_NOMEM, "out of memory");
    }
    db->kind = kind;
    db->ops = ops;
    db->size = pool ? pool : ZC_HUBDB_POOL_DEFAULT;
    pthread_mutex_init(&db->mu, NULL);
    pthread_cond_init(&db->freed, NULL);
    zc_err err = migrate(db, diag);
    if (err) {
        zc_hubdb_close(db);
        return err;
    }
    *out = db;
    return ZC_OK;
}

void zc_hubdb_close(zc_hubdb *db)
{
    if (!db)
        return;
    free_pool(db);
    pthread_cond_destroy(&db->freed);
    pthread_mutex_destroy(&db->mu);
    free(db->target);
    free(db);
}
