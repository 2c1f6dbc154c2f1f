/*
 * The route handlers' shared reading of requests and shaping of answers (hubapi.h): what the kiosk
 * API, the console API and `zhucan-hub admin` would otherwise each spell out, so that one argument
 * is read, and one failure answered, alike wherever it occurs.
 */
#include "hubapi.h"

#include <stdlib.h>
#include <string.h>

enum {
    INT_TEXT_MAX = 19,  /* digits of a positive int64 */
    MONTH_TEXT_LEN = 7, /* "YYYY-MM" */
    MONTH_DASH = 4,     /* where its '-' stands */
    MONTHS_PER_YEAR = 12,
    YEAR_MAX = 9999,
    DECIMAL = 10,
};

bool zc_hubapi_id_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n >= ZC_ID_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_'))
            return false;
    return true;
}

bool zc_hubapi_month_parse(const char *text, int *year, int *month)
{
    if (strlen(text) != MONTH_TEXT_LEN || text[MONTH_DASH] != '-')
        return false;
    for (int i = 0; i < MONTH_TEXT_LEN; i++)
        if (i != MONTH_DASH && (text[i] < '0' || text[i] > '9'))
            return false;
    *year = (int)strtol(text, NULL, DECIMAL);
    *month = (int)strtol(text + MONTH_DASH + 1, NULL, DECIMAL);
    return *year >= 1 && *year <= YEAR_MAX && *month >= 1 && *month <= MONTHS_PER_YEAR;
}

void zc_hubapi_bad_request(zc_hubapi_resp *resp, const char *key, const char *what)
{
    zc_hubapi_error(resp, ZC_HTTP_BAD_REQUEST, "bad_request", "%s: %s", key, what);
}

bool zc_hubapi_query_text(const zc_hubapi_req *req, zc_hubapi_resp *resp, const char *name,
                          char **out)
{
    zc_diag diag = {{0}, 0};
    if (zc_hubapi_query(req, name, out, &diag)) {
        zc_hubapi_fail(resp, ZC_ERR_INVALID, &diag);
        return false;
    }
    return true;
}

bool zc_hubapi_query_int(const zc_hubapi_req *req, zc_hubapi_resp *resp, const char *name,
                         int64_t dflt, int64_t min, int64_t max, int64_t *out)
{
    char *text = NULL;
    if (!zc_hubapi_query_text(req, resp, name, &text))
        return false;
    *out = dflt;
    if (!text)
        return true;
    size_t n = strlen(text);
    bool ok = n > 0 && n <= INT_TEXT_MAX;
    for (size_t i = 0; ok && i < n; i++)
        ok = text[i] >= '0' && text[i] <= '9';
    long long v = ok ? strtoll(text, NULL, DECIMAL) : 0;
    free(text);
    if (!ok || v < min || v > max) {
        zc_hubapi_error(resp, ZC_HTTP_BAD_REQUEST, "bad_request",
                        "%s: must be a whole number from %lld to %lld", name, (long long)min,
                        (long long)max);
        return false;
    }
    *out = v;
    return true;
}

void zc_hubapi_answer(zc_hubapi_resp *resp, zc_err err, const zc_diag *diag, json_t *o)
{
    if (err) {
        json_decref(o);
        zc_hubapi_fail(resp, err, diag);
    } else {
        zc_hubapi_json(resp, ZC_HTTP_OK, o);
    }
}

void zc_hubapi_answer_list(zc_hubapi_resp *resp, zc_err err, const zc_diag *diag, const char *key,
                           json_t *list)
{
    if (err) {
        json_decref(list);
        zc_hubapi_fail(resp, err, diag);
    } else {
        zc_hubapi_json(resp, ZC_HTTP_OK, json_pack("{s:o}", key, list));
    }
}
