/*
 * Field checks shared by the CSV importers and the JSON readers of the same records (roster rows,
 * menu items), so that one value is judged by one piece of code whichever way it arrives. A CSV
 * row's problems read "line N: FIELD: reason" (with diag->line = N), a JSON value's "FIELD:
 * reason": line 0 means the value came from no file line.
 */
#ifndef ZC_FIELDCHECK_H
#define ZC_FIELDCHECK_H

#include "zc/err.h"

#include <stddef.h>

/* ZC_ERR_INVALID with "line N: FIELD: why" (line > 0) or "FIELD: why" (line 0); field non-NULL. */
zc_err zc_field_fail(zc_diag *diag, long line, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* zc_csv_check_id_list on one value, reported as zc_field_fail would. */
zc_err zc_field_check_id_list(long line, const char *text, size_t len, const char *field,
                              const char *what, size_t max_len, size_t id_max, zc_diag *diag);

#endif
