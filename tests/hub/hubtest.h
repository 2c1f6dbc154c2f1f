/*
 * Support for hub and sync tests: every hub behaviour is checked on both backends, each test on a
 * fresh database; PostgreSQL is the throwaway server tests/support/pgtest.sh started (its URL is
 * in $ZC_TEST_PG_DIR/url). Missing PostgreSQL fails the test: CI installs and starts it.
 */
#ifndef ZC_HUBTEST_H
#define ZC_HUBTEST_H

#include "zc/hubdb.h"

#include <stddef.h>

enum { ZC_HUBTEST_URL_MAX = 1024 };

/* "sqlite", "postgres", NULL */
extern const char *const ZC_HUBTEST_BACKENDS[];

/* A fresh, empty database of backend for this tag (e.g. the test's name): a new SQLite file
 * under $ZC_TEST_TMP, or a new PostgreSQL database (dropped first if it exists). */
void zc_hubtest_db_url(const char *backend, const char *tag, char *url, size_t size);

/* zc_hubtest_db_url, then zc_hubdb_open on it (default pool); fails the test if it cannot. */
zc_hubdb *zc_hubtest_db_open(const char *backend, const char *tag);

/* Runs one statement on a connection of db; fails the test on any error. */
void zc_hubtest_exec(zc_hubdb *db, const char *sql);

/* The first column of the first row of a query as an integer (0 when no row); fails the test on
 * any error. */
int64_t zc_hubtest_int(zc_hubdb *db, const char *sql);

#endif
