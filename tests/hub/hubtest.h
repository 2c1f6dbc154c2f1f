/*
 * Support for hub and sync tests: every hub behaviour is checked on both backends, each test on a
 * fresh database; PostgreSQL is the throwaway server tests/support/pgtest.sh started (its URL is
 * in $ZC_TEST_PG_DIR/url). Missing PostgreSQL fails the test: CI installs and starts it.
 */
#ifndef ZC_HUBTEST_H
#define ZC_HUBTEST_H

#include <stddef.h>

/* "sqlite", "postgres", NULL */
extern const char *const ZC_HUBTEST_BACKENDS[];

/* A fresh, empty database of backend for this tag (e.g. the test's name): a new SQLite file
 * under $ZC_TEST_TMP, or a new PostgreSQL database (dropped first if it exists). */
void zc_hubtest_db_url(const char *backend, const char *tag, char *url, size_t size);

#endif
