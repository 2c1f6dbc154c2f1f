/*
 * What the hub database's pool (hubdb.c) and its two engines (hubdb_sqlite.c, hubdb_pg.c) share
 * (internal to app/hub). The pool owns connections and transactions bookkeeping; an engine only
 * knows how to talk to its server. Rows reach the pool one at a time through a callback, so a
 * query that keeps its rows and one that streams them are the same engine code.
 */
#ifndef ZC_HUBDB_IMPL_H
#define ZC_HUBDB_IMPL_H

#include "zc/hubdb.h"

#include <stdbool.h>

typedef struct zc_hubdb_ops {
    const char *name; /* "SQLite", "PostgreSQL": said in messages */
    /* Opens one connection to target (a file path or a libpq conninfo URL). */
    zc_err (*connect)(const char *target, void **handle, zc_diag *diag);
    void (*disconnect)(void *handle);
    /* Called when a connection leaves the pool: brings a dead one back, or fails. */
    zc_err (*revive)(void *handle, zc_diag *diag);
    /* Runs several statements with no parameters (migrations). */
    zc_err (*script)(void *handle, const char *sql, zc_diag *diag);
    zc_err (*begin)(void *handle, zc_diag *diag);
    zc_err (*commit)(void *handle, zc_diag *diag);
    void (*rollback)(void *handle);
    /* True when a transaction is open on the connection (whoever opened it). */
    bool (*in_transaction)(void *handle);
    zc_err (*lock)(void *handle, const char *name, zc_diag *diag);
    zc_err (*exec)(void *handle, const char *sql, const char *const *params, int n,
                   int64_t *changes, zc_diag *diag);
    /* Calls fn for each row; fn's non-zero return stops the walk and is returned. */
    zc_err (*each)(void *handle, bool in_tx, const char *sql, const char *const *params, int n,
                   zc_hubdb_row_fn fn, void *ctx, zc_diag *diag);
} zc_hubdb_ops;

extern const zc_hubdb_ops zc_hubdb_sqlite_ops;
extern const zc_hubdb_ops zc_hubdb_pg_ops;

/* Both engines bound how long a writer waits for another (SQLite busy_timeout, begin retries). */
enum { ZC_HUBDB_BUSY_TIMEOUT_MS = 5000 };

/*
 * The SQLite form of hub SQL: `$N` outside quoted literals, identifiers and comments becomes
 * `?N`. Returns a malloc'd string, NULL when out of memory.
 */
char *zc_hubdb_sqlite_rewrite(const char *sql);

#endif
