/*
 * A strict reader for CSV as spreadsheets export it (RFC 4180): UTF-8 with or without a byte-order
 * mark, LF or CRLF line ends, fields quoted with '"' (doubled inside), quoted fields spanning
 * lines. Pure: bytes in, rows out, each row tagged with the line it starts on so that callers can
 * say "line 12: ...". Anything it cannot read unambiguously is an error naming the line.
 */
#ifndef ZC_CSV_H
#define ZC_CSV_H

#include "zc/err.h"

#include <stddef.h>

typedef struct zc_csv zc_csv;

enum { ZC_CSV_MAX_FIELDS = 64, ZC_CSV_MAX_FIELD_LEN = 4096 };

typedef struct zc_csv_row {
    size_t nfields;
    const char *fields[ZC_CSV_MAX_FIELDS]; /* NUL-terminated, valid until the next call */
    size_t lens[ZC_CSV_MAX_FIELDS];
    long line; /* 1-based line the row starts on */
} zc_csv_row;

/* Reads from data[0..len), which must stay valid while the reader is used. */
zc_err zc_csv_new(const char *data, size_t len, zc_csv **out);
void zc_csv_free(zc_csv *csv);

/*
 * Next row into *row. Returns ZC_OK with a row, ZC_ERR_NOT_FOUND at the end, or ZC_ERR_INVALID
 * (unterminated quote, text after a closing quote, invalid UTF-8, a NUL byte, too many or too long
 * fields) with the line in diag. Blank lines are skipped.
 */
zc_err zc_csv_next(zc_csv *csv, zc_csv_row *row, zc_diag *diag);

#endif
