#include "zc/store.h"

#include "migrations.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct zc_store {
    sqlite3 *db;
    int savepoint_depth; /* nesting inside an open BEGIN IMMEDIATE */
};

/* Pragmas for every connection: durability first (DESIGN.md: a sale the elder saw is on disk). */
static const char PRAGMAS[] = "PRAGMA journal_mode=WAL;"
                              "PRAGMA synchronous=FULL;"
                              "PRAGMA foreign_keys=ON;";

zc_err zc_store_fail(zc_store *store, int rc, const char *what, zc_diag *diag)
{
    int primary = rc & 0xff;
    const char *detail = store && store->db ? sqlite3_errmsg(store->db) : sqlite3_errstr(rc);
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
        return zc_diag_set(diag, ZC_ERR_BUSY, "%s: database is busy (%s)", what, detail);
    if (primary == SQLITE_NOMEM)
        return zc_diag_set(diag, ZC_ERR_NOMEM, "%s: out of memory", what);
    if (primary == SQLITE_CONSTRAINT)
        return zc_diag_set(diag, ZC_ERR_INVALID, "%s: %s", what, detail);
    return zc_diag_set(diag, ZC_ERR_DB, "%s: %s", what, detail);
}

zc_err zc_store_exec(zc_store *store, const char *sql, zc_diag *diag)
{
    int rc = sqlite3_exec(store->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? ZC_OK : zc_store_fail(store, rc, "sql", diag);
}

int zc_store_schema_latest(void)
{
    size_t n;
    zc_migrations(&n);
    return (int)n;
}

static zc_err read_user_version(zc_store *store, int *out, zc_diag *diag)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(store->db, "PRAGMA user_version", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return zc_store_fail(store, rc, "reading the schema version", diag);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_finalize(st);
        return zc_store_fail(store, rc, "reading the schema version", diag);
    }
    *out = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return ZC_OK;
}

int zc_store_schema_version(zc_store *store)
{
    int v = -1;
    return read_user_version(store, &v, NULL) == ZC_OK ? v : -1;
}

static zc_err migrate(zc_store *store, const char *path, zc_diag *diag)
{
    size_t count;
    const zc_migration *migrations = zc_migrations(&count);
    int version = 0;
    zc_err err = read_user_version(store, &version, diag);
    if (err)
        return err;
    if (version > (int)count)
        return zc_diag_set(diag, ZC_ERR_VERSION,
                           "%s: database schema version %d is newer than this zhucan "
                           "understands (%d); upgrade zhucan instead of opening it",
                           path, version, (int)count);
    for (size_t i = (size_t)version; i < count; i++) {
        char sql[64];
        if ((err = zc_store_begin(store, diag)))
            return err;
        err = zc_store_exec(store, migrations[i].sql, diag);
        snprintf(sql, sizeof sql, "PRAGMA user_version=%zu", i + 1);
        if (!err)
            err = zc_store_exec(store, sql, diag);
        if (!err)
            err = zc_store_commit(store, diag);
        if (err) {
            zc_store_rollback(store);
            char inner[ZC_DIAG_MAX];
            memcpy(inner, diag ? diag->msg : "", diag ? sizeof inner : 1);
            return zc_diag_set(diag, err, "migration %zu (%s) failed: %.200s", i + 1,
                               migrations[i].name, inner);
        }
    }
    return ZC_OK;
}

zc_err zc_store_open(const char *path, const zc_store_opts *opts, zc_store **out, zc_diag *diag)
{
    *out = NULL;
    zc_store *store = calloc(1, sizeof *store);
    if (!store)
        return ZC_ERR_NOMEM;
    bool read_only = opts && opts->read_only;
    int flags = read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    int rc =
        sqlite3_open_v2(path, &store->db, flags | SQLITE_OPEN_NOMUTEX, opts ? opts->vfs : NULL);
    zc_err err = ZC_OK;
    if (rc != SQLITE_OK) {
        err = zc_diag_set(diag, ZC_ERR_IO, "%s: cannot open database: %s", path,
                          store->db ? sqlite3_errmsg(store->db) : sqlite3_errstr(rc));
        goto fail;
    }
    sqlite3_extended_result_codes(store->db, 1);
    sqlite3_busy_timeout(store->db, ZC_STORE_BUSY_TIMEOUT_MS);
    if (!read_only && (err = zc_store_exec(store, PRAGMAS, diag)))
        goto fail;
    if (read_only) {
        int version = 0;
        if ((err = read_user_version(store, &version, diag)))
            goto fail;
        if (version > zc_store_schema_latest()) {
            err = zc_diag_set(diag, ZC_ERR_VERSION,
                              "%s: database schema version %d is newer than this zhucan "
                              "understands (%d)",
                              path, version, zc_store_schema_latest());
            goto fail;
        }
    } else if ((err = migrate(store, path, diag))) {
        goto fail;
    }
    *out = store;
    return ZC_OK;
fail:
    zc_store_close(store);
    return err;
}

void zc_store_close(zc_store *store)
{
    if (!store)
        return;
    sqlite3_close_v2(store->db);
    free(store);
}

sqlite3 *zc_store_db(zc_store *store)
{
    return store->db;
}

zc_err zc_store_begin(zc_store *store, zc_diag *diag)
{
    if (sqlite3_get_autocommit(store->db)) {
        store->savepoint_depth = 0;
        int rc = sqlite3_exec(store->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
        return rc == SQLITE_OK ? ZC_OK : zc_store_fail(store, rc, "starting a transaction", diag);
    }
    int rc = sqlite3_exec(store->db, "SAVEPOINT zc_nested", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return zc_store_fail(store, rc, "starting a savepoint", diag);
    store->savepoint_depth++;
    return ZC_OK;
}

zc_err zc_store_commit(zc_store *store, zc_diag *diag)
{
    const char *sql = store->savepoint_depth > 0 ? "RELEASE zc_nested" : "COMMIT";
    int rc = sqlite3_exec(store->db, sql, NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return zc_store_fail(store, rc, "committing", diag);
    if (store->savepoint_depth > 0)
        store->savepoint_depth--;
    return ZC_OK;
}

void zc_store_rollback(zc_store *store)
{
    if (store->savepoint_depth > 0) {
        sqlite3_exec(store->db, "ROLLBACK TO zc_nested; RELEASE zc_nested", NULL, NULL, NULL);
        store->savepoint_depth--;
        return;
    }
    if (!sqlite3_get_autocommit(store->db))
        sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
}

zc_err zc_store_meta_get(zc_store *store, const char *key, char *buf, size_t size, zc_diag *diag)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(store->db, "SELECT value FROM meta WHERE key = ?1", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return zc_store_fail(store, rc, "reading settings", diag);
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    zc_err err = ZC_OK;
    if (rc == SQLITE_ROW) {
        const char *value = (const char *)sqlite3_column_text(st, 0);
        if ((size_t)sqlite3_column_bytes(st, 0) >= size)
            err = zc_diag_set(diag, ZC_ERR_INVALID, "setting %s is too long", key);
        else
            snprintf(buf, size, "%s", value ? value : "");
    } else if (rc == SQLITE_DONE) {
        err = zc_diag_set(diag, ZC_ERR_NOT_FOUND, "setting %s is not set", key);
    } else {
        err = zc_store_fail(store, rc, "reading settings", diag);
    }
    sqlite3_finalize(st);
    return err;
}

zc_err zc_store_meta_set(zc_store *store, const char *key, const char *value, zc_diag *diag)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(store->db,
                                "INSERT INTO meta(key, value) VALUES (?1, ?2) "
                                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return zc_store_fail(store, rc, "writing settings", diag);
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? ZC_OK : zc_store_fail(store, rc, "writing settings", diag);
}

zc_err zc_store_integrity_check(zc_store *store, zc_diag *diag)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(store->db, "PRAGMA integrity_check", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return zc_store_fail(store, rc, "integrity check", diag);
    rc = sqlite3_step(st);
    zc_err err = ZC_OK;
    if (rc == SQLITE_ROW) {
        const char *first = (const char *)sqlite3_column_text(st, 0);
        if (!first || strcmp(first, "ok") != 0)
            err = zc_diag_set(diag, ZC_ERR_BROKEN, "integrity_check: %s",
                              first ? first : "(no answer)");
    } else {
        err = zc_store_fail(store, rc, "integrity check", diag);
    }
    sqlite3_finalize(st);
    return err;
}
