/*
 * The JSON inputs of `zhucanctl quote` (DESIGN.md, "Formats"): an elder as the rules see them,
 * and the elder's earlier subsidised sales. Strict readers: a wrong type, an unknown key or an
 * impossible date is refused with the key named, never guessed at.
 *
 *   ELDER.json:   {"registered": true, "birth_date": "1946-05-01", "region": "320202",
 *                  "categories": ["dibao"], "status": "active"}
 *   HISTORY.json: [{"at": "2026-03-02T12:00:00+08:00"}, ...]
 */
#ifndef ZC_QUOTEJSON_H
#define ZC_QUOTEJSON_H

#include "zc/rules.h"

enum { ZC_QUOTEJSON_HISTORY_MAX = 10000 };

/* Missing keys default to: registered true, no birth date, region "", no categories, active. */
zc_err zc_quotejson_elder(const char *text, size_t len, zc_quote_elder *out, zc_diag *diag);

/*
 * *out is malloc'd (NULL when empty); the caller frees it. Times without an offset are local in
 * tz (the rules' zone); with tz NULL they are refused.
 */
zc_err zc_quotejson_history(const char *text, size_t len, const zc_tz *tz, zc_ms **out, size_t *n,
                            zc_diag *diag);

#endif
