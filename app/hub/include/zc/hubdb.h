/*
 * The hub's database, whichever it is: an SQLite file (the default, nothing to install) or a
 * PostgreSQL server (production, and several hubs sharing one database).
 *
 * Hub code writes its SQL once, in the subset both engines accept: `$1`, `$2` ... parameters
 * (rewritten to `?1`, `?2` for SQLite), `INSERT ... ON CONFLICT ... DO NOTHING/UPDATE`,
 * `RETURNING`, BIGINT and TEXT columns (binary values travel as hex or base64 text), 0/1 for
 * booleans. Parameters and results are text (NULL for SQL NULL), as libpq's text protocol has
 * them; the SQLite backend binds a parameter that is a canonical decimal integer as an integer.
 *
 * A zc_hubdb is a pool of connections, safe to share between the HTTP server's threads: each
 * thread takes a zc_hubdb_conn for one unit of work and gives it back. Transactions are per
 * connection. zc_hubdb_lock serialises writers of one kind across every hub sharing the
 * database (pg_advisory_xact_lock; SQLite's BEGIN IMMEDIATE already serialises all writers), so
 * that, for example, roster versions follow commit order.
 *
 * The schema is brought up to date by numbered migrations at open, one transaction each, under a
 * lock, so two hubs starting at once on one PostgreSQL migrate once. A database whose schema is
 * newer than this build is refused.
 */
#ifndef ZC_HUBDB_H
#define ZC_HUBDB_H

#include "zc/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct zc_hubdb zc_hubdb;
typedef struct zc_hubdb_conn zc_hubdb_conn;
typedef struct zc_hubdb_rows zc_hubdb_rows;

typedef enum zc_hubdb_kind { ZC_HUBDB_SQLITE, ZC_HUBDB_POSTGRES } zc_hubdb_kind;

enum { ZC_HUBDB_POOL_DEFAULT = 8, ZC_HUBDB_PARAMS_MAX = 32 };

/*
 * url: "sqlite:PATH" (the file is created) or "postgresql://..." / "postgres://..." (libpq
 * conninfo URL). pool: connections kept, 0 for ZC_HUBDB_POOL_DEFAULT.
 */
zc_err zc_hubdb_open(const char *url, int pool, zc_hubdb **out, zc_diag *diag);
void zc_hubdb_close(zc_hubdb *db);
zc_hubdb_kind zc_hubdb_kind_of(const zc_hubdb *db);
int zc_hubdb_schema_version(zc_hubdb *db);
int zc_hubdb_schema_latest(void);

/* Takes a connection (waits while all are busy); give it back with zc_hubdb_release. */
zc_err zc_hubdb_acquire(zc_hubdb *db, zc_hubdb_conn **out, zc_diag *diag);
/* Rolls back anything left open, and returns the connection to the pool. */
void zc_hubdb_release(zc_hubdb_conn *conn);

zc_err zc_hubdb_begin(zc_hubdb_conn *conn, zc_diag *diag);
zc_err zc_hubdb_commit(zc_hubdb_conn *conn, zc_diag *diag);
void zc_hubdb_rollback(zc_hubdb_conn *conn);

/* Inside a transaction: waits for, then holds until commit/rollback, the named writer lock. */
zc_err zc_hubdb_lock(zc_hubdb_conn *conn, const char *name, zc_diag *diag);

/*
 * Runs one statement with n text parameters (params[i] NULL = SQL NULL). *changes (optional)
 * gets the rows changed. A unique-constraint violation is ZC_ERR_EXISTS, anything else the
 * engine refuses ZC_ERR_DB; diag carries the engine's message.
 */
zc_err zc_hubdb_exec(zc_hubdb_conn *conn, const char *sql, const char *const *params, int n,
                     int64_t *changes, zc_diag *diag);

/* Runs a query and keeps all its result rows; free with zc_hubdb_rows_free. */
zc_err zc_hubdb_query(zc_hubdb_conn *conn, const char *sql, const char *const *params, int n,
                      zc_hubdb_rows **out, zc_diag *diag);
void zc_hubdb_rows_free(zc_hubdb_rows *rows);
size_t zc_hubdb_rows_count(const zc_hubdb_rows *rows);
/* The text of row r, column c; NULL for SQL NULL (or out of range). */
const char *zc_hubdb_rows_text(const zc_hubdb_rows *rows, size_t r, int c);
/* The value as an integer; 0 for NULL or text that is not one. */
int64_t zc_hubdb_rows_int(const zc_hubdb_rows *rows, size_t r, int c);

/*
 * Streams a query's rows to fn without keeping them (for a million-row roster page or export);
 * fn returning non-zero stops the walk and is returned.
 */
typedef zc_err (*zc_hubdb_row_fn)(void *ctx, const char *const *values, int ncols);
zc_err zc_hubdb_each(zc_hubdb_conn *conn, const char *sql, const char *const *params, int n,
                     zc_hubdb_row_fn fn, void *ctx, zc_diag *diag);

#endif
