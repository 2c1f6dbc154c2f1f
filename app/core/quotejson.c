#include "zc/quotejson.h"

#include <stdlib.h>
#include <string.h>

enum { REGION_DIGITS_MAX = ZC_RULES_REGION_MAX - 1 };

static zc_err load(const char *what, const char *text, size_t len, json_t **out, zc_diag *diag)
{
    json_error_t jerr;
    *out = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!*out)
        return zc_diag_set(diag, ZC_ERR_INVALID, "%s: line %d, column %d: %s", what, jerr.line,
                           jerr.column, jerr.text);
    return ZC_OK;
}

static bool id_text(const char *s, size_t n)
{
    if (n == 0 || n >= ZC_ID_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return false;
    return true;
}

static zc_err read_categories(json_t *v, zc_quote_elder *out, zc_diag *diag)
{
    if (!json_is_array(v))
        return zc_diag_set(diag, ZC_ERR_INVALID, "elder: categories must be an array of ids");
    if (json_array_size(v) > ZC_RULES_MAX_ITEMS)
        return zc_diag_set(diag, ZC_ERR_INVALID, "elder: more than %d categories",
                           ZC_RULES_MAX_ITEMS);
    size_t i;
    json_t *c;
    json_array_foreach(v, i, c)
    {
        if (!json_is_string(c) || !id_text(json_string_value(c), json_string_length(c)))
            return zc_diag_set(diag, ZC_ERR_INVALID,
                               "elder: categories[%zu] must be an id like \"dibao\"", i);
        memcpy(out->categories[out->ncategories++], json_string_value(c),
               json_string_length(c) + 1);
    }
    return ZC_OK;
}

static zc_err read_elder(json_t *o, zc_quote_elder *out, zc_diag *diag)
{
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v)
    {
        if (strcmp(key, "registered") == 0) {
            if (!json_is_boolean(v))
                return zc_diag_set(diag, ZC_ERR_INVALID, "elder: registered must be true or false");
            out->registered = json_is_true(v);
        } else if (strcmp(key, "birth_date") == 0) {
            if (json_is_null(v))
                continue;
            if (!json_is_string(v) ||
                zc_date_parse(json_string_value(v), json_string_length(v), &out->birth, NULL))
                return zc_diag_set(diag, ZC_ERR_INVALID,
                                   "elder: birth_date must be a real date YYYY-MM-DD");
            out->has_birth = true;
        } else if (strcmp(key, "region") == 0) {
            const char *r = json_is_string(v) ? json_string_value(v) : "";
            size_t n = json_is_string(v) ? json_string_length(v) : 0;
            bool ok = json_is_string(v) && n <= REGION_DIGITS_MAX && strspn(r, "0123456789") == n;
            if (!ok)
                return zc_diag_set(diag, ZC_ERR_INVALID, "elder: region must be up to %d digits",
                                   REGION_DIGITS_MAX);
            memcpy(out->region, r, n + 1);
        } else if (strcmp(key, "categories") == 0) {
            zc_err err = read_categories(v, out, diag);
            if (err)
                return err;
        } else if (strcmp(key, "status") == 0) {
            const char *s = json_is_string(v) ? json_string_value(v) : "";
            if (strcmp(s, "active") != 0 && strcmp(s, "suspended") != 0)
                return zc_diag_set(diag, ZC_ERR_INVALID,
                                   "elder: status must be \"active\" or \"suspended\"");
            out->suspended = s[0] == 's';
        } else {
            return zc_diag_set(diag, ZC_ERR_INVALID, "elder: %s: unknown key", key);
        }
    }
    return ZC_OK;
}

zc_err zc_quotejson_elder(const char *text, size_t len, zc_quote_elder *out, zc_diag *diag)
{
    memset(out, 0, sizeof *out);
    out->registered = true;
    json_t *o;
    zc_err err = load("elder", text, len, &o, diag);
    if (err)
        return err;
    err = json_is_object(o) ? read_elder(o, out, diag)
                            : zc_diag_set(diag, ZC_ERR_INVALID, "elder: must be a JSON object");
    json_decref(o);
    return err;
}

static zc_err read_history(json_t *a, const zc_tz *tz, zc_ms *out, zc_diag *diag)
{
    size_t i;
    json_t *e;
    json_array_foreach(a, i, e)
    {
        json_t *at = json_object_get(e, "at");
        if (!json_is_object(e) || json_object_size(e) != 1 || !json_is_string(at))
            return zc_diag_set(diag, ZC_ERR_INVALID,
                               "history[%zu]: must be {\"at\": \"ISO 8601 time\"}", i);
        zc_diag inner = {{0}, 0};
        const char *text = json_string_value(at);
        if (tz ? zc_tz_parse_time(tz, text, &out[i], &inner)
               : zc_time_parse_iso8601(text, &out[i], &inner))
            return zc_diag_set(diag, ZC_ERR_INVALID, "history[%zu].at: %s", i, inner.msg);
    }
    return ZC_OK;
}

zc_err zc_quotejson_history(const char *text, size_t len, const zc_tz *tz, zc_ms **out, size_t *n,
                            zc_diag *diag)
{
    *out = NULL;
    *n = 0;
    json_t *a;
    zc_err err = load("history", text, len, &a, diag);
    if (err)
        return err;
    size_t count = json_array_size(a);
    if (!json_is_array(a))
        err = zc_diag_set(diag, ZC_ERR_INVALID, "history: must be a JSON array");
    else if (count > ZC_QUOTEJSON_HISTORY_MAX)
        err = zc_diag_set(diag, ZC_ERR_INVALID, "history: more than %d entries",
                          ZC_QUOTEJSON_HISTORY_MAX);
    else if (count > 0 && !(*out = calloc(count, sizeof **out)))
        err = ZC_ERR_NOMEM;
    else if (count > 0 && (err = read_history(a, tz, *out, diag))) {
        free(*out);
        *out = NULL;
    }
    if (!err)
        *n = count;
    json_decref(a);
    return err;
}
