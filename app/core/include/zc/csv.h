/*
 * A strict reader for CSV as spreadsheets export it (RFC 4180): UTF-8 with or without a byte-order
 * mark, LF, CRLF or lone CR line ends, fields quoted with '"' (doubled inside), quoted fields
 * spanning lines (their line ends are kept as they are). Pure: bytes in, rows out, each row tagged
 * with the line it starts on so that callers can say "line 12: ...". Anything it cannot read
 * unambiguously is an error naming the line. Fields are not trimmed: spaces are data.
 */
#ifndef ZC_CSV_H
#define ZC_CSV_H

#include "zc/err.h"

#include <stddef.h>

typedef struct zc_csv zc_csv;

enum { ZC_CSV_MAX_FIELDS = 64, ZC_CSV_MAX_FIELD_LEN = 4096, ZC_CSV_QUOTE_MAX = 40 };

typedef struct zc_csv_row {
    size_t nfields;
    const char *fields[ZC_CSV_MAX_FIELDS]; /* NUL-terminated, valid until the next call */
    size_t lens[ZC_CSV_MAX_FIELDS];
    long line;     /* 1-based line the row starts on */
    size_t offset; /* where the row starts in data, for zc_csv_seek */
} zc_csv_row;

/* Reads from data[0..len), which must stay valid while the reader is used. */
zc_err zc_csv_new(const char *data, size_t len, zc_csv **out);
void zc_csv_free(zc_csv *csv);

/*
 * Next row into *row. Returns ZC_OK with a row, ZC_ERR_NOT_FOUND at the end, or ZC_ERR_INVALID
 * (unterminated quote, text after a closing quote, a quote inside an unquoted field, invalid UTF-8
 * including overlong forms and surrogates, a NUL byte, too many or too long fields) with
 * "line N: reason" and the line in diag. Blank lines are skipped. An error is final: later calls
 * fail too, until a seek.
 */
zc_err zc_csv_next(zc_csv *csv, zc_csv_row *row, zc_diag *diag);

/*
 * Goes back (or forward) to a row that zc_csv_next returned earlier, given its offset and line, so
 * that a caller can read rows again in another order without keeping them.
 */
void zc_csv_seek(zc_csv *csv, size_t offset, long line);

/*
 * Helpers for importers that refuse a whole file at its first bad row, so that every import says
 * what is wrong the same way: "line N: FIELD: reason", with diag->line = N. field may be NULL.
 */
zc_err zc_csv_fail(zc_diag *diag, long line, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* How much of a bad value to echo in a message: at most ZC_CSV_QUOTE_MAX bytes, whole characters.
 */
int zc_csv_quote_len(const char *text, size_t len);

/*
 * Checks a header row against the expected column names, in order. Spreadsheets pad header cells,
 * so surrounding blanks are ignored; the names themselves must be exact.
 */
zc_err zc_csv_check_header(const zc_csv_row *row, const char *const *names, size_t n,
                           zc_diag *diag);

/*
 * Checks field `col` as a '|'-separated list of ids ([a-z0-9_]+, each at most id_max bytes, none
 * listed twice, the whole under max_len bytes; empty is an empty list). `what` names an id in
 * messages ("category", "period"): "line N: FIELD: \"X\" is not a category id ...".
 */
zc_err zc_csv_check_id_list(const zc_csv_row *row, size_t col, const char *field, const char *what,
                            size_t max_len, size_t id_max, zc_diag *diag);

#endif
