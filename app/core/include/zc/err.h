/*
 * Error codes and diagnostics shared by every zhucan module.
 *
 * Every fallible function returns a zc_err; ZC_OK is zero so `if (err)` reads naturally. When
 * bad input is the cause, the function also fills an optional zc_diag with one human-readable
 * line naming what was wrong (file line, field) so that tools can print it and exit 2. Passing
 * NULL for the diag is always allowed.
 */
#ifndef ZC_ERR_H
#define ZC_ERR_H

#include <stddef.h>

typedef enum zc_err {
    ZC_OK = 0,
    ZC_ERR_INVALID,   /* the input is malformed or breaks a rule; diag says which */
    ZC_ERR_NOMEM,     /* an allocation failed */
    ZC_ERR_IO,        /* a file could not be read or written */
    ZC_ERR_DB,        /* SQLite reported an error */
    ZC_ERR_NOT_FOUND, /* the thing asked for does not exist */
    ZC_ERR_CRYPTO,    /* a signature or key failed */
    ZC_ERR_CLOCK,     /* a time earlier than the last recorded sale */
    ZC_ERR_VERSION,   /* data written by a newer version of zhucan */
    ZC_ERR_BROKEN,    /* verification found tampering or corruption */
    ZC_ERR_EXISTS,    /* refused to overwrite something that is already there */
    ZC_ERR_BUSY,      /* the database is locked by another writer */
} zc_err;

enum { ZC_DIAG_MAX = 512 };

/* One line describing why an operation failed. line is 0 when no input line applies. */
typedef struct zc_diag {
    char msg[ZC_DIAG_MAX];
    long line;
} zc_diag;

/* Short English name of an error code, never NULL. */
const char *zc_err_str(zc_err err);

/* Formats into diag (if not NULL) and returns err, so callers can `return zc_diag_set(...)`. */
zc_err zc_diag_set(zc_diag *diag, zc_err err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Like zc_diag_set, also recording the input line the problem is on. */
zc_err zc_diag_set_line(zc_diag *diag, zc_err err, long line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
