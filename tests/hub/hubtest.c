#include "hubtest.h"

#include "testutil.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *const ZC_HUBTEST_BACKENDS[] = {"sqlite", "postgres", NULL};

/* PostgreSQL identifiers are at most 63 bytes; the tag is cut to fit with the prefix. */
enum { PG_NAME_MAX = 63, CONNINFO_VALUE_MAX = 512 };

static const char PG_DB_PREFIX[] = "zc_";
static const char *const SQLITE_SIDE_FILES[] = {"", "-wal", "-shm", "-journal"};

/* A database or file name from a tag: letters, digits and '_' only, lower case. */
static void safe_name(const char *tag, char *out, size_t size)
{
    size_t n = 0;
    for (const char *p = tag; *p && n + 1 < size; p++) {
        char c = *p;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        out[n++] = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ? c : '_';
    }
    out[n] = '\0';
}

static void sqlite_url(const char *tag, char *url, size_t size)
{
    const char *base = getenv("ZC_TEST_TMP");
    if (!base || !*base)
        base = "/tmp";
    mkdir(base, 0700);
    char name[PG_NAME_MAX + 1];
    safe_name(tag, name, sizeof name);
    char path[ZC_TEST_PATH_MAX];
    snprintf(path, sizeof path, "%s/hub-%s.db", base, name);
    for (size_t i = 0; i < sizeof SQLITE_SIDE_FILES / sizeof SQLITE_SIDE_FILES[0]; i++) {
        char side[ZC_TEST_PATH_MAX + 16];
        snprintf(side, sizeof side, "%s%s", path, SQLITE_SIDE_FILES[i]);
        unlink(side);
    }
    int n = snprintf(url, size, "sqlite:%s", path);
    assert_true(n > 0 && (size_t)n < size);
}

/* The URL of the maintenance database of the test server, from $ZC_TEST_PG_DIR/url. */
static void maintenance_url(char *url, size_t size)
{
    const char *dir = getenv("ZC_TEST_PG_DIR");
    if (!dir || !*dir)
        fail_msg("ZC_TEST_PG_DIR is not set: run hub tests through ctest, whose fixture "
                 "hub.pg_start starts PostgreSQL");
    char path[ZC_TEST_PATH_MAX];
    snprintf(path, sizeof path, "%s/url", dir);
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("%s is missing: PostgreSQL was not started (tests/support/pgtest.sh start %s)",
                 path, dir);
    if (!fgets(url, (int)size, f))
        url[0] = '\0';
    fclose(f);
    url[strcspn(url, "\r\n")] = '\0';
    if (!url[0])
        fail_msg("%s is empty", path);
}

static void pg_do(PGconn *pg, const char *sql)
{
    PGresult *res = PQexec(pg, sql);
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        fail_msg("%s: %s", sql, PQerrorMessage(pg));
    PQclear(res);
}

static void ignore_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* Appends "key=value" to a URL query string, percent-encoding the value. */
static void add_param(char *url, size_t size, const char *key, const char *value)
{
    if (!value || !*value)
        return;
    size_t len = strlen(url);
    int n = snprintf(url + len, size - len, "%c%s=", strchr(url, '?') ? '&' : '?', key);
    assert_true(n > 0 && len + (size_t)n < size);
    len += (size_t)n;
    for (const char *p = value; *p; p++) {
        unsigned char c = (unsigned char)*p;
        bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                     strchr("-._~/", c);
        n = plain ? snprintf(url + len, size - len, "%c", c)
                  : snprintf(url + len, size - len, "%%%02X", c);
        assert_true(n > 0 && len + (size_t)n < size);
        len += (size_t)n;
    }
}

static void postgres_url(const char *tag, char *url, size_t size)
{
    char admin[ZC_HUBTEST_URL_MAX];
    maintenance_url(admin, sizeof admin);
    char name[PG_NAME_MAX + 1];
    snprintf(name, sizeof name, "%s", PG_DB_PREFIX);
    safe_name(tag, name + strlen(PG_DB_PREFIX), sizeof name - strlen(PG_DB_PREFIX));

    PGconn *pg = PQconnectdb(admin);
    if (PQstatus(pg) != CONNECTION_OK)
        fail_msg("cannot connect to the test PostgreSQL at %s: %s", admin, PQerrorMessage(pg));
    PQsetNoticeProcessor(pg, ignore_notice, NULL);
    char sql[2 * PG_NAME_MAX + 128];
    /* FORCE: a test that crashed may have left connections to the old database open. */
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
    pg_do(pg, sql);
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
    pg_do(pg, sql);
    PQfinish(pg);

    /* The same server and user, the new database. */
    char *err = NULL;
    PQconninfoOption *opts = PQconninfoParse(admin, &err);
    if (!opts)
        fail_msg("cannot parse %s: %s", admin, err ? err : "out of memory");
    int n = snprintf(url, size, "postgresql:///%s", name);
    assert_true(n > 0 && (size_t)n < size);
    for (PQconninfoOption *o = opts; o->keyword; o++)
        if (strcmp(o->keyword, "dbname") != 0)
            add_param(url, size, o->keyword, o->val);
    PQconninfoFree(opts);
}

void zc_hubtest_db_url(const char *backend, const char *tag, char *url, size_t size)
{
    if (strcmp(backend, "sqlite") == 0)
        sqlite_url(tag, url, size);
    else if (strcmp(backend, "postgres") == 0)
        postgres_url(tag, url, size);
    else
        fail_msg("unknown hub test backend \"%s\"", backend);
}

zc_hubdb *zc_hubtest_db_open(const char *backend, const char *tag)
{
    char url[ZC_HUBTEST_URL_MAX];
    zc_hubtest_db_url(backend, tag, url, sizeof url);
    zc_hubdb *db = NULL;
    zc_diag d = {0};
    zc_err err = zc_hubdb_open(url, 0, &db, &d);
    if (err)
        fail_msg("zc_hubdb_open %s: %s: %s", url, zc_err_str(err), d.msg);
    return db;
}

void zc_hubtest_exec(zc_hubdb *db, const char *sql)
{
    zc_hubdb_conn *c = NULL;
    zc_diag d = {0};
    zc_err err = zc_hubdb_acquire(db, &c, &d);
    if (!err)
        err = zc_hubdb_exec(c, sql, NULL, 0, NULL, &d);
    zc_hubdb_release(c);
    if (err)
        fail_msg("%s: %s: %s", sql, zc_err_str(err), d.msg);
}

int64_t zc_hubtest_int(zc_hubdb *db, const char *sql)
{
    zc_hubdb_conn *c = NULL;
    zc_hubdb_rows *rows = NULL;
    zc_diag d = {0};
    zc_err err = zc_hubdb_acquire(db, &c, &d);
    if (!err)
        err = zc_hubdb_query(c, sql, NULL, 0, &rows, &d);
    zc_hubdb_release(c);
    if (err)
        fail_msg("%s: %s: %s", sql, zc_err_str(err), d.msg);
    int64_t v = zc_hubdb_rows_int(rows, 0, 0);
    zc_hubdb_rows_free(rows);
    return v;
}
