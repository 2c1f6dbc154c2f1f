#include "fieldcheck.h"

#include "zc/csv.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

zc_err zc_field_fail(zc_diag *diag, long line, const char *field, const char *fmt, ...)
{
    char why[ZC_DIAG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    if (line > 0)
        return zc_csv_fail(diag, line, field, "%s", why);
    return zc_diag_set(diag, ZC_ERR_INVALID, "%s: %s", field, why);
}

zc_err zc_field_check_id_list(long line, const char *text, size_t len, const char *field,
                              const char *what, size_t max_len, size_t id_max, zc_diag *diag)
{
    zc_csv_row row;
    zc_diag local = {{0}, 0};
    row.nfields = 1;
    row.fields[0] = text;
    row.lens[0] = len;
    row.line = line;
    row.offset = 0;
    zc_err err = zc_csv_check_id_list(&row, 0, field, what, max_len, id_max, &local);
    if (!err || line > 0) {
        if (err && diag)
            *diag = local;
        return err;
    }
    /* The list checker speaks of file lines; a value from no line drops that prefix. */
    static const char NO_LINE[] = "line 0: ";
    const char *msg = local.msg;
    if (strncmp(msg, NO_LINE, sizeof NO_LINE - 1) == 0)
        msg += sizeof NO_LINE - 1;
    return zc_diag_set(diag, err, "%s", msg);
}
