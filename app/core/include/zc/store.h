/*
 * The kiosk's durable store: one SQLite database in the data directory.
 *
 * Opened in WAL mode with synchronous=FULL so that a sale the elder saw as paid survives a power
 * cut. The schema changes only through the numbered migrations in migrations.c, applied at open,
 * each in its own transaction; the schema version lives in PRAGMA user_version. A database written
 * by a newer zhucan (user_version above what this build knows) is refused, never touched.
 */
#ifndef ZC_STORE_H
#define ZC_STORE_H

#include "zc/err.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct zc_store zc_store;

/* How long a writer waits for another connection's lock before giving up with ZC_ERR_BUSY. */
enum { ZC_STORE_BUSY_TIMEOUT_MS = 5000, ZC_META_VALUE_MAX = 256 };

typedef struct zc_store_opts {
    const char *vfs; /* SQLite VFS name, NULL for the default (tests inject faults with it) */
    bool read_only;  /* open without creating or migrating */
} zc_store_opts;

/* Opens (creating if needed) the database at path and brings its schema up to date. */
zc_err zc_store_open(const char *path, const zc_store_opts *opts, zc_store **out, zc_diag *diag);
void zc_store_close(zc_store *store);

sqlite3 *zc_store_db(zc_store *store);

/* The schema version this build writes, and the one the open database has. */
int zc_store_schema_latest(void);
int zc_store_schema_version(zc_store *store);

/*
 * Transactions. begin takes the write lock at once (BEGIN IMMEDIATE) so a sale never fails half
 * way on a lock; inside an open transaction it nests with a savepoint instead, so a module can
 * make its own work atomic and still be part of a caller's larger transaction.
 */
zc_err zc_store_begin(zc_store *store, zc_diag *diag);
zc_err zc_store_commit(zc_store *store, zc_diag *diag);
void zc_store_rollback(zc_store *store);

/* Runs a statement with no result rows. */
zc_err zc_store_exec(zc_store *store, const char *sql, zc_diag *diag);

/* Maps a SQLite result code to a zc_err and a diag naming what was being done. */
zc_err zc_store_fail(zc_store *store, int rc, const char *what, zc_diag *diag);

/* Small key/value settings (device id, canteen, time zone ...). get gives ZC_ERR_NOT_FOUND. */
zc_err zc_store_meta_get(zc_store *store, const char *key, char *buf, size_t size, zc_diag *diag);
zc_err zc_store_meta_set(zc_store *store, const char *key, const char *value, zc_diag *diag);

/* PRAGMA integrity_check: ZC_OK when "ok", else ZC_ERR_BROKEN with the first problem in diag. */
zc_err zc_store_integrity_check(zc_store *store, zc_diag *diag);

#endif
