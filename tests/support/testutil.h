/*
 * Helpers shared by the tests: scratch directories on a real disk and small file utilities.
 * Tests use real files and real SQLite databases; nothing here fakes a component.
 */
#ifndef ZC_TESTUTIL_H
#define ZC_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka needs setjmp.h, stdarg.h and stddef.h before its own header. */
#include <setjmp.h>

#include <cmocka.h>

enum { ZC_TEST_PATH_MAX = 4096 };

/* Creates a fresh scratch directory (under $ZC_TEST_TMP or /tmp) and writes its path to buf. */
void zt_mkdtemp(char *buf, size_t size);

/* Removes a directory tree (used on scratch directories only). */
void zt_rmtree(const char *path);

/* path = dir + "/" + name. */
void zt_join(char *buf, size_t size, const char *dir, const char *name);

/* Writes len bytes to path, replacing it. */
void zt_write_file(const char *path, const void *data, size_t len);

/* Reads a whole file; the caller frees. */
char *zt_read_file(const char *path, size_t *len);

#endif
