#include "zc/err.h"

#include <stdarg.h>
#include <stdio.h>

const char *zc_err_str(zc_err err)
{
    switch (err) {
    case ZC_OK:
        return "ok";
    case ZC_ERR_INVALID:
        return "invalid input";
    case ZC_ERR_NOMEM:
        return "out of memory";
    case ZC_ERR_IO:
        return "input/output error";
    case ZC_ERR_DB:
        return "database error";
    case ZC_ERR_NOT_FOUND:
        return "not found";
    case ZC_ERR_CRYPTO:
        return "cryptographic failure";
    case ZC_ERR_CLOCK:
        return "clock earlier than the last recorded sale";
    case ZC_ERR_VERSION:
        return "written by a newer version";
    case ZC_ERR_BROKEN:
        return "verification failed";
    case ZC_ERR_EXISTS:
        return "already exists";
    case ZC_ERR_BUSY:
        return "database busy";
    }
    return "unknown error";
}

__attribute__((format(printf, 3, 0))) static void diag_vset(zc_diag *diag, long line,
                                                            const char *fmt, va_list ap)
{
    if (!diag)
        return;
    vsnprintf(diag->msg, sizeof diag->msg, fmt, ap);
    diag->line = line;
}

zc_err zc_diag_set(zc_diag *diag, zc_err err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vset(diag, 0, fmt, ap);
    va_end(ap);
    return err;
}

zc_err zc_diag_set_line(zc_diag *diag, zc_err err, long line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vset(diag, line, fmt, ap);
    va_end(ap);
    return err;
}
