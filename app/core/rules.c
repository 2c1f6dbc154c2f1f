/*
 * Rule sets: parsing and validation (DESIGN.md, "Subsidy rules").
 *
 * The parser walks the JSON once and keeps the path of the value in hand, e.g.
 * "canteen_overrides[0].age_tiers[1].min_age", so that every refusal says where the problem is.
 * Each policy key has one parser, which also knows the key's default. A canteen override starts
 * as a copy of the base policy and runs the same parsers over the keys it names, so an override
 * is checked by exactly the code that checks the base. Every invariant concerns one key (tiers
 * do not overlap, ids are unique, ...), so a policy whose keys each passed is valid as a whole.
 */
#include "zc/rules.h"

#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    AGE_MAX = 150,
    PATH_MAX_LEN = 256,
    QUOTE_MAX = 48,               /* bytes of a key or value echoed back in a message */
    QUOTE_BUF = QUOTE_MAX + 4,    /* and "..." and a NUL */
    DESCRIBE_BUF = QUOTE_BUF + 2, /* and two quotes */
    SPAN_TEXT_MAX = ZC_ID_MAX + 32,
    HHMM_LEN = 5,   /* "HH:MM" */
    HHMM_COLON = 2, /* where the ':' is */
    DECIMAL = 10,
    HOURS_PER_DAY = 24,
    MINUTES_PER_HOUR = 60,
    WEEKDAY_MIN = 1,
    WEEKDAY_MAX = 7,
    REGION_DIGITS_MAX = ZC_RULES_REGION_MAX - 1,
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

typedef struct parser {
    zc_diag *diag;
    size_t len;
    char path[PATH_MAX_LEN]; /* where we are, "" at the root */
} parser;

/* ---- messages and the path ---- */

/*
 * Copies text into a message: at most QUOTE_MAX bytes (cut on a UTF-8 boundary, "..." added)
 * and control characters as '?', so a hostile key cannot garble a terminal or a log line.
 */
static bool utf8_continuation(char c)
{
    return ((unsigned char)c & 0xC0) == 0x80; /* 10xxxxxx */
}

static void quote(char *buf, const char *s, size_t len)
{
    size_t n = len;
    if (n > QUOTE_MAX) {
        n = QUOTE_MAX;
        while (n > 0 && utf8_continuation(s[n]))
            n--;
    }
    for (size_t i = 0; i < n; i++)
        buf[i] = (unsigned char)s[i] < ' ' || s[i] == '\x7f' ? '?' : s[i];
    strcpy(buf + n, n < len ? "..." : "");
}

__attribute__((format(printf, 2, 3))) static size_t path_push(parser *p, const char *fmt, ...)
{
    size_t mark = p->len;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(p->path + mark, sizeof p->path - mark, fmt, ap);
    va_end(ap);
    if (n > 0)
        p->len = mark + (size_t)n < sizeof p->path ? mark + (size_t)n : sizeof p->path - 1;
    return mark;
}

/* Appends ".key" ("key" at the root); returns the mark path_pop restores. */
static size_t path_key(parser *p, const char *key)
{
    char q[QUOTE_BUF];
    quote(q, key, strlen(key));
    return path_push(p, "%s%s", p->len ? "." : "", q);
}

static size_t path_index(parser *p, size_t i)
{
    return path_push(p, "[%zu]", i);
}

static void path_pop(parser *p, size_t mark)
{
    p->len = mark;
    p->path[mark] = '\0';
}

/* Refuses the value at the current path: "<path>: <what is wrong>". */
__attribute__((format(printf, 2, 3))) static zc_err fail(parser *p, const char *fmt, ...)
{
    char msg[ZC_DIAG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return zc_diag_set(p->diag, ZC_ERR_INVALID, "%s: %s", p->len ? p->path : "rule set", msg);
}

static const char *type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a real number";
    case JSON_TRUE:
        return "true";
    case JSON_FALSE:
        return "false";
    case JSON_NULL:
        return "null";
    }
    return "?";
}

/* What a value was, for "must be X, not Y": its text when a string, else its type. */
static void describe(char *buf, const json_t *v)
{
    if (json_is_string(v)) {
        char q[QUOTE_BUF];
        quote(q, json_string_value(v), json_string_length(v));
        snprintf(buf, DESCRIBE_BUF, "\"%s\"", q);
    } else {
        snprintf(buf, DESCRIBE_BUF, "%s", type_name(v));
    }
}

/* ---- typed values ---- */

/* An integer in lo..hi (the range is left out of the message when hi is just the type's). */
static zc_err get_int(parser *p, const json_t *v, const char *noun, int64_t lo, int64_t hi,
                      int64_t *out)
{
    char got[DESCRIBE_BUF];
    if (json_is_integer(v)) {
        int64_t n = json_integer_value(v);
        if (n >= lo && n <= hi) {
            *out = n;
            return ZC_OK;
        }
        snprintf(got, sizeof got, "%" PRId64, n);
    } else {
        describe(got, v);
    }
    if (hi >= INT_MAX)
        return fail(p, "must be %s, not %s", noun, got);
    return fail(p, "must be %s (%" PRId64 "..%" PRId64 "), not %s", noun, lo, hi, got);
}

/* An amount in fen: integers only, so that no floating point ever touches money. */
static zc_err get_fen(parser *p, const json_t *v, zc_fen *out)
{
    if (json_is_real(v))
        return fail(p, "must be an integer number of fen (¥2.50 is 250), not a real number");
    if (json_is_integer(v) && json_integer_value(v) > ZC_RULES_FEN_MAX)
        return fail(p, "must be at most %d fen, not %" PRId64, ZC_RULES_FEN_MAX,
                    (int64_t)json_integer_value(v));
    int64_t n = 0;
    zc_err err = get_int(p, v, "a non-negative integer (fen)", 0, INT64_MAX, &n);
    *out = n;
    return err;
}

static zc_err get_bool(parser *p, const json_t *v, bool *out)
{
    if (!json_is_boolean(v))
        return fail(p, "must be true or false, not %s", type_name(v));
    *out = json_is_true(v);
    return ZC_OK;
}

static zc_err get_string(parser *p, const json_t *v, const char **s, size_t *len)
{
    if (!json_is_string(v))
        return fail(p, "must be a string, not %s", type_name(v));
    *s = json_string_value(v);
    *len = json_string_length(v);
    return ZC_OK;
}

static bool id_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '+' || c == '-' || c == '.';
}

static bool id_ok(const char *s, size_t len)
{
    if (len == 0 || len >= ZC_ID_MAX)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!id_char(s[i]))
            return false;
    return true;
}

static zc_err id_refused(parser *p, const json_t *v)
{
    char got[DESCRIBE_BUF];
    describe(got, v);
    return fail(p, "must be an id of 1 to %d characters A-Z a-z 0-9 _ + - ., not %s", ZC_ID_MAX - 1,
                got);
}

static zc_err get_id(parser *p, const json_t *v, char out[ZC_ID_MAX])
{
    if (!json_is_string(v) || !id_ok(json_string_value(v), json_string_length(v)))
        return id_refused(p, v);
    memcpy(out, json_string_value(v), json_string_length(v) + 1);
    return ZC_OK;
}

/* Index of id among n elements whose first member is a char[ZC_ID_MAX], or -1. */
static long id_index(const void *base, size_t stride, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp((const char *)base + i * stride, id) == 0)
            return (long)i;
    return -1;
}

/* An id that must not repeat one of the n before it in the list at path mark `list`. */
static zc_err get_unique_id(parser *p, const json_t *v, size_t list, void *base, size_t stride,
                            size_t n)
{
    char *out = (char *)base + n * stride;
    zc_err err = get_id(p, v, out);
    if (err)
        return err;
    long j = id_index(base, stride, n, out);
    if (j >= 0)
        return fail(p, "\"%s\" is already used by %.*s[%ld]", out, (int)list, p->path, j);
    return ZC_OK;
}

/* The value of two decimal digits, or -1. */
static int two_digits(const char *s)
{
    if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
        return -1;
    return (s[0] - '0') * DECIMAL + (s[1] - '0');
}

/* Minutes since midnight of "HH:MM"; "24:00" (the end of the day) only when allow_24. */
static int parse_hhmm(const char *s, size_t len, bool allow_24)
{
    if (len != HHMM_LEN || s[HHMM_COLON] != ':')
        return -1;
    int h = two_digits(s), m = two_digits(s + HHMM_COLON + 1);
    if (h < 0 || m < 0)
        return -1;
    if (allow_24 && h == HOURS_PER_DAY && m == 0)
        return ZC_RULES_MINUTES_PER_DAY;
    if (h >= HOURS_PER_DAY || m >= MINUTES_PER_HOUR)
        return -1;
    return h * MINUTES_PER_HOUR + m;
}

static zc_err get_hhmm(parser *p, const json_t *v, bool allow_24, int *out)
{
    char got[DESCRIBE_BUF];
    describe(got, v);
    int m =
        json_is_string(v) ? parse_hhmm(json_string_value(v), json_string_length(v), allow_24) : -1;
    if (m < 0)
        return fail(p, "%s is not a time HH:MM%s", got, allow_24 ? " (00:00 to 24:00)" : "");
    *out = m;
    return ZC_OK;
}

static zc_err get_date(parser *p, const json_t *v, zc_date *out)
{
    if (!json_is_string(v) ||
        zc_date_parse(json_string_value(v), json_string_length(v), out, NULL) != ZC_OK) {
        char got[DESCRIBE_BUF];
        describe(got, v);
        return fail(p, "%s is not a date YYYY-MM-DD", got);
    }
    return ZC_OK;
}

/* ---- arrays, objects and their members ---- */

/* An array of at most max elements (and at least one when nonempty); noun is the elements. */
static zc_err get_array(parser *p, const json_t *v, const char *noun, bool nonempty, size_t max,
                        size_t *n)
{
    if (!json_is_array(v))
        return fail(p, "must be an array of %s, not %s", noun, type_name(v));
    size_t k = json_array_size(v);
    if (k == 0 && nonempty)
        return fail(p, "must not be empty");
    if (k > max)
        return fail(p, "lists %zu %s; at most %zu are allowed", k, noun, max);
    *n = k;
    return ZC_OK;
}

static bool name_in(const char *name, const char *const *names)
{
    for (; *names; names++)
        if (strcmp(name, *names) == 0)
            return true;
    return false;
}

/* v must be an object whose keys are all in known (NULL-terminated): typos are not ignored. */
static zc_err check_object(parser *p, json_t *v, const char *const *known)
{
    if (!json_is_object(v))
        return fail(p, "must be an object, not %s", type_name(v));
    for (void *it = json_object_iter(v); it; it = json_object_iter_next(v, it)) {
        const char *key = json_object_iter_key(it);
        if (!name_in(key, known)) {
            char list[ZC_DIAG_MAX / 2] = "";
            size_t used = 0;
            for (const char *const *k = known; *k && used < sizeof list; k++) {
                int n = snprintf(list + used, sizeof list - used, "%s%s", used ? ", " : "", *k);
                used += n > 0 ? (size_t)n : 0;
            }
            path_key(p, key);
            return fail(p, "unknown key (known: %s)", list);
        }
    }
    return ZC_OK;
}

static zc_err missing(parser *p)
{
    return fail(p, "missing (required)");
}

/*
 * The member_* helpers read obj[key] with the key on the path. An absent optional member
 * leaves *out as it was (the caller's default); an absent required one is refused.
 */
static zc_err member_int(parser *p, json_t *obj, const char *key, bool required, const char *noun,
                         int lo, int hi, int *out)
{
    size_t mark = path_key(p, key);
    json_t *v = json_object_get(obj, key);
    int64_t n = 0;
    zc_err err = v ? get_int(p, v, noun, lo, hi, &n) : required ? missing(p) : ZC_OK;
    if (!err && v)
        *out = (int)n;
    path_pop(p, mark);
    return err;
}

static zc_err member_fen(parser *p, json_t *obj, const char *key, bool required, zc_fen *out)
{
    size_t mark = path_key(p, key);
    json_t *v = json_object_get(obj, key);
    zc_err err = v ? get_fen(p, v, out) : required ? missing(p) : ZC_OK;
    path_pop(p, mark);
    return err;
}

static zc_err member_bool(parser *p, json_t *obj, const char *key, bool *out)
{
    size_t mark = path_key(p, key);
    json_t *v = json_object_get(obj, key);
    zc_err err = v ? get_bool(p, v, out) : ZC_OK;
    path_pop(p, mark);
    return err;
}

static zc_err member_hhmm(parser *p, json_t *obj, const char *key, bool allow_24, int *out)
{
    size_t mark = path_key(p, key);
    json_t *v = json_object_get(obj, key);
    zc_err err = v ? get_hhmm(p, v, allow_24, out) : missing(p);
    path_pop(p, mark);
    return err;
}

/* A required id, unique among the n elements before it in the list at mark `list`. */
static zc_err member_id(parser *p, json_t *obj, size_t list, void *base, size_t stride, size_t n)
{
    size_t mark = path_key(p, "id");
    json_t *v = json_object_get(obj, "id");
    zc_err err = v ? get_unique_id(p, v, list, base, stride, n) : missing(p);
    path_pop(p, mark);
    return err;
}

/* ---- overlaps ---- */

/* One element of a list of ranges: lo..hi inclusive, hi INT_MAX when open-ended. */
typedef struct span {
    int lo, hi;
    size_t index;
    char text[SPAN_TEXT_MAX]; /* how the message names it */
} span;

/*
 * Refuses the first element that starts inside another. Sorted by start, a list has an overlap
 * exactly when two neighbours overlap, so one pass over neighbours finds it. The later one is
 * named at list[index].field, the earlier one by its index and text.
 */
static zc_err check_overlaps(parser *p, size_t list, span *s, size_t n, const char *field)
{
    /* Insertion sort: at most ZC_RULES_MAX_ITEMS elements, stable on index for equal starts. */
    for (size_t i = 1; i < n; i++) {
        span x = s[i];
        size_t j = i;
        for (; j > 0 && s[j - 1].lo > x.lo; j--)
            s[j] = s[j - 1];
        s[j] = x;
    }
    for (size_t i = 1; i < n; i++) {
        if (s[i].lo <= s[i - 1].hi) {
            path_index(p, s[i].index);
            path_key(p, field);
            return fail(p, "overlaps %.*s[%zu] (%s)", (int)list, p->path, s[i - 1].index,
                        s[i - 1].text);
        }
    }
    return ZC_OK;
}

/* min_age (required) and max_age (optional, not below min_age) of a tier or discount. */
static zc_err parse_age_band(parser *p, json_t *e, int *min_age, int *max_age, span *s)
{
    zc_err err;
    *max_age = ZC_RULES_NO_LIMIT;
    if ((err = member_int(p, e, "min_age", true, "an age in years", 0, AGE_MAX, min_age)) ||
        (err = member_int(p, e, "max_age", false, "an age in years", 0, AGE_MAX, max_age)))
        return err;
    if (*max_age != ZC_RULES_NO_LIMIT && *max_age < *min_age) {
        path_key(p, "max_age");
        return fail(p, "%d is below min_age %d", *max_age, *min_age);
    }
    s->lo = *min_age;
    s->hi = *max_age == ZC_RULES_NO_LIMIT ? INT_MAX : *max_age;
    if (*max_age == ZC_RULES_NO_LIMIT)
        snprintf(s->text, sizeof s->text, "%d+", *min_age);
    else
        snprintf(s->text, sizeof s->text, "%d-%d", *min_age, *max_age);
    return ZC_OK;
}

/* ---- policy keys: each parser takes NULL for "absent" and then sets the key's default ---- */

static zc_err parse_periods(parser *p, json_t *v, zc_rules_policy *pol)
{
    static const char *const KEYS[] = {"id", "start", "end", NULL};
    pol->nperiods = 0;
    if (!v)
        return ZC_OK;
    size_t n = 0, list = p->len;
    span spans[ZC_RULES_MAX_ITEMS];
    zc_err err = get_array(p, v, "meal periods", true, ZC_RULES_MAX_ITEMS, &n);
    for (size_t i = 0; !err && i < n; i++) {
        size_t mark = path_index(p, i);
        json_t *e = json_array_get(v, i);
        zc_rules_period *per = &pol->periods[i];
        if ((err = check_object(p, e, KEYS)) ||
            (err = member_id(p, e, list, pol->periods, sizeof *per, i)) ||
            (err = member_hhmm(p, e, "start", false, &per->start_min)) ||
            (err = member_hhmm(p, e, "end", true, &per->end_min)))
            return err;
        if (per->end_min <= per->start_min) {
            path_key(p, "end");
            return fail(p, "must be after start (a period may not pass midnight)");
        }
        spans[i] = (span){.lo = per->start_min, .hi = per->end_min - 1, .index = i};
        snprintf(spans[i].text, sizeof spans[i].text, "%s %02d:%02d-%02d:%02d", per->id,
                 per->start_min / MINUTES_PER_HOUR, per->start_min % MINUTES_PER_HOUR,
                 per->end_min / MINUTES_PER_HOUR, per->end_min % MINUTES_PER_HOUR);
        path_pop(p, mark);
    }
    if (err || (err = check_overlaps(p, list, spans, n, "start")))
        return err;
    pol->nperiods = n;
    return ZC_OK;
}

static zc_err parse_tiers(parser *p, json_t *v, zc_rules_policy *pol)
{
    static const char *const KEYS[] = {"id", "min_age", "max_age", "subsidy", NULL};
    pol->ntiers = 0;
    if (!v)
        return ZC_OK;
    size_t n = 0, list = p->len;
    span spans[ZC_RULES_MAX_ITEMS];
    zc_err err = get_array(p, v, "age tiers", false, ZC_RULES_MAX_ITEMS, &n);
    for (size_t i = 0; !err && i < n; i++) {
        size_t mark = path_index(p, i);
        json_t *e = json_array_get(v, i);
        zc_rules_tier *t = &pol->tiers[i];
        if ((err = check_object(p, e, KEYS)) ||
            (err = member_id(p, e, list, pol->tiers, sizeof *t, i)) ||
            (err = parse_age_band(p, e, &t->min_age, &t->max_age, &spans[i])) ||
            (err = member_fen(p, e, "subsidy", true, &t->subsidy)))
            return err;
        spans[i].index = i;
        path_pop(p, mark);
    }
    if (err || (err = check_overlaps(p, list, spans, n, "min_age")))
        return err;
    pol->ntiers = n;
    return ZC_OK;
}

static zc_err parse_categories(parser *p, json_t *v, zc_rules_policy *pol)
{
    static const char *const KEYS[] = {"subsidy", "waive_min_self_pay", NULL};
    pol->ncategories = 0;
    if (!v)
        return ZC_OK;
    if (!json_is_object(v))
        return fail(p,
                    "must be an object of categories, e.g. {\"dibao\": {\"subsidy\": 500}}, "
                    "not %s",
                    type_name(v));
    if (json_object_size(v) > ZC_RULES_MAX_ITEMS)
        return fail(p, "lists %zu categories; at most %d are allowed", json_object_size(v),
                    ZC_RULES_MAX_ITEMS);
    size_t n = 0;
    for (void *it = json_object_iter(v); it; it = json_object_iter_next(v, it), n++) {
        const char *key = json_object_iter_key(it);
        json_t *e = json_object_iter_value(it);
        zc_rules_category *c = &pol->categories[n];
        size_t mark = path_key(p, key);
        if (!id_ok(key, strlen(key)))
            return fail(p,
                        "a category must be named by an id of 1 to %d characters "
                        "A-Z a-z 0-9 _ + - .",
                        ZC_ID_MAX - 1);
        memcpy(c->id, key, strlen(key) + 1);
        c->waive_min_self_pay = false;
        zc_err err;
        if ((err = check_object(p, e, KEYS)) ||
            (err = member_fen(p, e, "subsidy", true, &c->subsidy)) ||
            (err = member_bool(p, e, "waive_min_self_pay", &c->waive_min_self_pay)))
            return err;
        path_pop(p, mark);
    }
    pol->ncategories = n;
    return ZC_OK;
}

static zc_err parse_stacking(parser *p, json_t *v, zc_rules_policy *pol)
{
    pol->stacking = ZC_STACKING_MAX;
    if (!v)
        return ZC_OK;
    const char *s = json_string_value(v); /* NULL unless a string */
    if (s && strcmp(s, "max") == 0)
        pol->stacking = ZC_STACKING_MAX;
    else if (s && strcmp(s, "sum") == 0)
        pol->stacking = ZC_STACKING_SUM;
    else {
        char got[DESCRIBE_BUF];
        describe(got, v);
        return fail(p, "must be \"max\" or \"sum\", not %s", got);
    }
    return ZC_OK;
}

static zc_err parse_per_meal_cap(parser *p, json_t *v, zc_rules_policy *pol)
{
    pol->per_meal_cap = ZC_RULES_NO_LIMIT;
    return v ? get_fen(p, v, &pol->per_meal_cap) : ZC_OK;
}

static zc_err parse_min_self_pay(parser *p, json_t *v, zc_rules_policy *pol)
{
    pol->min_self_pay = 0;
    return v ? get_fen(p, v, &pol->min_self_pay) : ZC_OK;
}

static zc_err parse_limits(parser *p, json_t *v, zc_rules_policy *pol)
{
    static const char *const KEYS[] = {"per_period", "per_day", "per_week", "per_month", NULL};
    zc_rules_limits *l = &pol->limits;
    int *slots[] = {&l->per_period, &l->per_day, &l->per_week, &l->per_month};
    for (size_t i = 0; i < COUNT(slots); i++)
        *slots[i] = ZC_RULES_NO_LIMIT;
    if (!v)
        return ZC_OK;
    zc_err err = check_object(p, v, KEYS);
    for (size_t i = 0; !err && i < COUNT(slots); i++)
        err = member_int(p, v, KEYS[i], false, "a non-negative integer (meals)", 0, INT_MAX,
                         slots[i]);
    return err;
}

static zc_err parse_registered_only(parser *p, json_t *v, zc_rules_policy *pol)
{
    pol->registered_only = false;
    return v ? get_bool(p, v, &pol->registered_only) : ZC_OK;
}

static bool region_ok(const char *s, size_t len)
{
    if (len == 0 || len > REGION_DIGITS_MAX)
        return false;
    for (size_t i = 0; i < len; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static zc_err parse_regions(parser *p, json_t *v, zc_rules_policy *pol)
{
    pol->nregions = 0;
    if (!v)
        return ZC_OK;
    /* Empty is refused: nregions 0 means "every region", the opposite of what [] says. */
    size_t n = 0, list = p->len;
    zc_err err = get_array(p, v, "region codes", true, ZC_RULES_MAX_ITEMS, &n);
    for (size_t i = 0; !err && i < n; i++) {
        size_t mark = path_index(p, i);
        json_t *e = json_array_get(v, i);
        if (!json_is_string(e) || !region_ok(json_string_value(e), json_string_length(e))) {
            char got[DESCRIBE_BUF];
            describe(got, e);
            return fail(p, "must be a region code prefix of 1 to %d digits, not %s",
                        REGION_DIGITS_MAX, got);
        }
        memcpy(pol->regions[i], json_string_value(e), json_string_length(e) + 1);
        long j = id_index(pol->regions, sizeof pol->regions[0], i, pol->regions[i]);
        if (j >= 0)
            return fail(p, "\"%s\" is already listed at %.*s[%ld]", pol->regions[i], (int)list,
                        p->path, j);
        path_pop(p, mark);
    }
    if (!err)
        pol->nregions = n;
    return err;
}

/*
 * obj[key]: distinct dates. A date may not also be in `other` (n_other long, named other_key
 * beside key): a day both off and on would depend on which list is read first.
 */
static zc_err parse_dates(parser *p, json_t *obj, const char *key, zc_date *out, size_t *count,
                          const zc_date *other, size_t n_other, const char *other_key)
{
    *count = 0;
    json_t *v = json_object_get(obj, key);
    if (!v)
        return ZC_OK;
    size_t owner = p->len, mark = path_key(p, key), list = p->len, n = 0;
    zc_err err = get_array(p, v, "dates YYYY-MM-DD", false, ZC_RULES_MAX_DATES, &n);
    for (size_t i = 0; !err && i < n; i++) {
        path_index(p, i);
        char text[ZC_DATE_TEXT_LEN + 1];
        if ((err = get_date(p, json_array_get(v, i), &out[i])))
            return err;
        zc_date_format(out[i], text);
        for (size_t j = 0; j < i; j++)
            if (zc_date_compare(out[j], out[i]) == 0)
                return fail(p, "%s is already listed at %.*s[%zu]", text, (int)list, p->path, j);
        for (size_t j = 0; j < n_other; j++)
            if (zc_date_compare(other[j], out[i]) == 0)
                return fail(p, "%s is also listed at %.*s.%s[%zu]", text, (int)owner, p->path,
                            other_key, j);
        path_pop(p, list);
    }
    if (!err)
        *count = n;
    path_pop(p, mark);
    return err;
}

static zc_err parse_weekdays(parser *p, json_t *v, bool weekdays[WEEKDAY_MAX + 1])
{
    size_t n = 0, list = p->len, listed_at[WEEKDAY_MAX + 1] = {0};
    zc_err err = get_array(p, v, "ISO weekdays (1 = Monday .. 7 = Sunday)", true, WEEKDAY_MAX, &n);
    for (int d = 0; d <= WEEKDAY_MAX; d++)
        weekdays[d] = false;
    for (size_t i = 0; !err && i < n; i++) {
        path_index(p, i);
        int64_t d = 0;
        if ((err =
                 get_int(p, json_array_get(v, i), "an ISO weekday", WEEKDAY_MIN, WEEKDAY_MAX, &d)))
            return err;
        if (weekdays[d])
            return fail(p, "%d is already listed at %.*s[%zu]", (int)d, (int)list, p->path,
                        listed_at[d]);
        weekdays[d] = true;
        listed_at[d] = i;
        path_pop(p, list);
    }
    return err;
}

static zc_err parse_service_days(parser *p, json_t *v, zc_rules_policy *pol)
{
    static const char *const KEYS[] = {"weekdays", "holidays", "workdays", NULL};
    pol->has_service_days = v != NULL;
    pol->nholidays = pol->nworkdays = 0;
    /* Every weekday when weekdays is left out: a set may name only holidays. */
    for (int d = 0; d <= WEEKDAY_MAX; d++)
        pol->weekdays[d] = d >= WEEKDAY_MIN;
    if (!v)
        return ZC_OK;
    zc_err err = check_object(p, v, KEYS);
    json_t *w = json_object_get(v, "weekdays");
    if (!err && w) {
        size_t mark = path_key(p, "weekdays");
        if ((err = parse_weekdays(p, w, pol->weekdays)))
            return err;
        path_pop(p, mark);
    }
    if (!err)
        err = parse_dates(p, v, "holidays", pol->holidays, &pol->nholidays, NULL, 0, NULL);
    if (!err)
        err = parse_dates(p, v, "workdays", pol->workdays, &pol->nworkdays, pol->holidays,
                          pol->nholidays, "holidays");
    return err;
}

static zc_err parse_min_price(parser *p, json_t *v, zc_rules_policy *pol)
{
    pol->min_price = 0;
    return v ? get_fen(p, v, &pol->min_price) : ZC_OK;
}

static zc_err parse_discounts(parser *p, json_t *v, zc_rules_policy *pol)
{
    static const char *const KEYS[] = {"min_age", "max_age", "permille", NULL};
    pol->ndiscounts = 0;
    if (!v)
        return ZC_OK;
    size_t n = 0, list = p->len;
    span spans[ZC_RULES_MAX_ITEMS];
    zc_err err = get_array(p, v, "discounts", false, ZC_RULES_MAX_ITEMS, &n);
    for (size_t i = 0; !err && i < n; i++) {
        size_t mark = path_index(p, i);
        json_t *e = json_array_get(v, i);
        zc_rules_discount *d = &pol->discounts[i];
        if ((err = check_object(p, e, KEYS)) ||
            (err = parse_age_band(p, e, &d->min_age, &d->max_age, &spans[i])) ||
            (err = member_int(p, e, "permille", true, "a permille of the price", 0,
                              ZC_RULES_PERMILLE, &d->permille)))
            return err;
        spans[i].index = i;
        path_pop(p, mark);
    }
    if (err || (err = check_overlaps(p, list, spans, n, "min_age")))
        return err;
    pol->ndiscounts = n;
    return ZC_OK;
}

static zc_err parse_home_region_digits(parser *p, json_t *v, zc_rules_policy *pol)
{
    int64_t n = 0;
    pol->home_region_digits = 0;
    zc_err err =
        v ? get_int(p, v, "a number of leading region digits", 1, REGION_DIGITS_MAX, &n) : ZC_OK;
    pol->home_region_digits = (int)n;
    return err;
}

static zc_err parse_delivery_clause(parser *p, json_t *e, zc_rules_delivery_clause *c)
{
    static const char *const KEYS[] = {"min_age", "categories", NULL};
    zc_err err;
    c->ncategories = 0;
    if ((err = check_object(p, e, KEYS)) ||
        (err = member_int(p, e, "min_age", true, "an age in years", 0, AGE_MAX, &c->min_age)))
        return err;
    json_t *v = json_object_get(e, "categories");
    if (!v)
        return ZC_OK;
    /* [] would read as "one of no categories": never. Any elder of the age: leave it out. */
    size_t mark = path_key(p, "categories"), list = p->len, n = 0;
    if ((err = get_array(p, v, "category ids", true, ZC_RULES_MAX_ITEMS, &n)))
        return err;
    for (size_t i = 0; i < n; i++) {
        path_index(p, i);
        if ((err = get_unique_id(p, json_array_get(v, i), list, c->categories,
                                 sizeof c->categories[0], i)))
            return err;
        path_pop(p, list);
    }
    c->ncategories = n;
    path_pop(p, mark);
    return ZC_OK;
}

static zc_err parse_delivery(parser *p, json_t *v, zc_rules_policy *pol)
{
    static const char *const KEYS[] = {"subsidy", "eligible", NULL};
    pol->has_delivery = v != NULL;
    pol->delivery_subsidy = 0;
    pol->ndelivery = 0;
    if (!v)
        return ZC_OK;
    zc_err err;
    if ((err = check_object(p, v, KEYS)) ||
        (err = member_fen(p, v, "subsidy", true, &pol->delivery_subsidy)))
        return err;
    json_t *el = json_object_get(v, "eligible");
    size_t mark = path_key(p, "eligible"), list = p->len, n = 0;
    if (!el)
        return missing(p);
    if ((err = get_array(p, el, "eligibility clauses", true, ZC_RULES_MAX_ITEMS, &n)))
        return err;
    for (size_t i = 0; i < n; i++) {
        path_index(p, i);
        if ((err = parse_delivery_clause(p, json_array_get(el, i), &pol->delivery[i])))
            return err;
        path_pop(p, list);
    }
    pol->ndelivery = n;
    path_pop(p, mark);
    return ZC_OK;
}

/* One funder: {id, share} or {id, rest: true}. */
static zc_err parse_funder(parser *p, json_t *e, size_t list, zc_rules_policy *pol, size_t i)
{
    static const char *const KEYS[] = {"id", "share", "rest", NULL};
    zc_rules_funder *f = &pol->funders[i];
    zc_err err;
    f->share = 0;
    f->rest = false;
    if ((err = check_object(p, e, KEYS)) ||
        (err = member_id(p, e, list, pol->funders, sizeof *f, i)) ||
        (err = member_bool(p, e, "rest", &f->rest)))
        return err;
    bool has_share = json_object_get(e, "share") != NULL;
    if (f->rest && has_share) {
        path_key(p, "share");
        return fail(p, "not allowed with \"rest\": true (that funder takes what is left)");
    }
    if (!f->rest && !has_share) {
        path_key(p, "share");
        return fail(p, "missing (required unless \"rest\": true)");
    }
    return f->rest ? ZC_OK : member_fen(p, e, "share", true, &f->share);
}

static zc_err parse_funders(parser *p, json_t *v, zc_rules_policy *pol)
{
    pol->nfunders = 0;
    if (!v)
        return ZC_OK;
    size_t n = 0, list = p->len, rest_at = 0;
    bool has_rest = false;
    zc_err err = get_array(p, v, "funders", false, ZC_RULES_MAX_ITEMS, &n);
    for (size_t i = 0; !err && i < n; i++) {
        path_index(p, i);
        if ((err = parse_funder(p, json_array_get(v, i), list, pol, i)))
            return err;
        if (pol->funders[i].rest && has_rest) {
            path_key(p, "rest");
            return fail(p, "%.*s[%zu] already has \"rest\": true; exactly one funder may",
                        (int)list, p->path, rest_at);
        }
        if (pol->funders[i].rest) {
            has_rest = true;
            rest_at = i;
        }
        path_pop(p, list);
    }
    /* Without a rest funder, whatever the fixed shares leave would be paid by nobody. */
    if (!err && !has_rest)
        return fail(p, "exactly one funder must have \"rest\": true");
    if (!err)
        pol->nfunders = n;
    return err;
}

static zc_err parse_operator_subsidy(parser *p, json_t *v, zc_rules_policy *pol)
{
    pol->operator_subsidy = 0;
    return v ? get_fen(p, v, &pol->operator_subsidy) : ZC_OK;
}

/* ---- the rule set ---- */

typedef zc_err (*key_parser)(parser *p, json_t *v, zc_rules_policy *pol);

/* The keys a policy has, i.e. those a canteen override may replace. */
static const struct policy_key {
    const char *name;
    key_parser parse; /* v NULL: the key is absent; sets its default and cannot fail */
    bool required;
} POLICY_KEYS[] = {
    {"meal_periods", parse_periods, true},
    {"age_tiers", parse_tiers, false},
    {"categories", parse_categories, false},
    {"stacking", parse_stacking, false},
    {"per_meal_cap", parse_per_meal_cap, false},
    {"min_self_pay", parse_min_self_pay, false},
    {"limits", parse_limits, false},
    {"registered_only", parse_registered_only, false},
    {"regions", parse_regions, false},
    {"service_days", parse_service_days, false},
    {"min_price", parse_min_price, false},
    {"discounts", parse_discounts, false},
    {"home_region_digits", parse_home_region_digits, false},
    {"delivery", parse_delivery, false},
    {"funders", parse_funders, false},
    {"operator_subsidy", parse_operator_subsidy, false},
};

/* The rule set's identity and its overrides: once per set, never in an override. */
static const char *const SET_KEYS[] = {
    "schema", "version", "effective_from", "timezone", "canteen_overrides", NULL,
};

/* Free text for administrators (which city's rules a set follows); the parser ignores it. */
static const char COMMENT_KEY[] = "comment";

static const struct policy_key *policy_key_find(const char *name)
{
    for (size_t i = 0; i < COUNT(POLICY_KEYS); i++)
        if (strcmp(name, POLICY_KEYS[i].name) == 0)
            return &POLICY_KEYS[i];
    return NULL;
}

static zc_err parse_comment(parser *p, json_t *v)
{
    const char *s = NULL;
    size_t len = 0;
    return get_string(p, v, &s, &len);
}

static zc_err parse_canteens(parser *p, json_t *v, zc_rules *r, size_t k, size_t overrides)
{
    zc_rules_override *o = &r->overrides[k];
    size_t n = 0, list = p->len;
    zc_err err = get_array(p, v, "canteen ids", true, ZC_RULES_MAX_CANTEENS, &n);
    for (size_t i = 0; !err && i < n; i++) {
        path_index(p, i);
        if ((err = get_unique_id(p, json_array_get(v, i), list, o->canteens, sizeof o->canteens[0],
                                 i)))
            return err;
        /* One canteen, one policy: with two, which applied would depend on their order. */
        for (size_t j = 0; j < k; j++) {
            const zc_rules_override *q = &r->overrides[j];
            long at = id_index(q->canteens, sizeof q->canteens[0], q->ncanteens, o->canteens[i]);
            if (at >= 0)
                return fail(p, "\"%s\" is already named by %.*s[%zu].canteens[%ld]", o->canteens[i],
                            (int)overrides, p->path, j, at);
        }
        path_pop(p, list);
    }
    if (!err)
        o->ncanteens = n;
    return err;
}

/* Override k: the base policy with the override's keys parsed in their place. */
static zc_err parse_override(parser *p, json_t *e, zc_rules *r, size_t k, size_t overrides)
{
    if (!json_is_object(e))
        return fail(p, "must be an object {\"canteens\": [...], and the keys it replaces}, not %s",
                    type_name(e));
    zc_rules_override *o = &r->overrides[k];
    o->policy = r->base;
    for (void *it = json_object_iter(e); it; it = json_object_iter_next(e, it)) {
        const char *key = json_object_iter_key(it);
        json_t *v = json_object_iter_value(it);
        const struct policy_key *pk = policy_key_find(key);
        size_t mark = path_key(p, key);
        zc_err err;
        if (pk) /* null: the key is absent at these canteens, e.g. no per_meal_cap there */
            err = pk->parse(p, json_is_null(v) && !pk->required ? NULL : v, &o->policy);
        else if (strcmp(key, "canteens") == 0)
            err = parse_canteens(p, v, r, k, overrides);
        else if (strcmp(key, COMMENT_KEY) == 0)
            err = parse_comment(p, v);
        else if (name_in(key, SET_KEYS))
            err = fail(p, "belongs to the whole rule set; an override may not set it");
        else
            err = fail(p, "unknown key");
        if (err)
            return err;
        path_pop(p, mark);
    }
    if (!json_object_get(e, "canteens")) {
        path_key(p, "canteens");
        return missing(p);
    }
    return ZC_OK;
}

static zc_err parse_overrides(parser *p, json_t *v, zc_rules *r)
{
    size_t n = 0, list = p->len;
    zc_err err = get_array(p, v, "canteen overrides", false, ZC_RULES_MAX_ITEMS, &n);
    if (err || n == 0)
        return err;
    r->overrides = calloc(n, sizeof *r->overrides);
    if (!r->overrides)
        return zc_diag_set(p->diag, ZC_ERR_NOMEM, "out of memory for %zu canteen overrides", n);
    r->noverrides = n;
    for (size_t i = 0; i < n; i++) {
        path_index(p, i);
        if ((err = parse_override(p, json_array_get(v, i), r, i, list)))
            return err;
        path_pop(p, list);
    }
    return ZC_OK;
}

static zc_err parse_schema(parser *p, json_t *root)
{
    size_t mark = path_key(p, "schema");
    json_t *v = json_object_get(root, "schema");
    zc_err err = ZC_OK;
    if (!v) {
        err = missing(p);
    } else if (!json_is_string(v) || strcmp(json_string_value(v), ZC_RULES_SCHEMA) != 0) {
        char got[DESCRIBE_BUF];
        describe(got, v);
        err = fail(p, "must be \"%s\", not %s", ZC_RULES_SCHEMA, got);
    }
    path_pop(p, mark);
    return err;
}

static zc_err parse_instant(parser *p, json_t *v, zc_ms *out)
{
    const char *s = NULL;
    size_t len = 0;
    zc_err err = get_string(p, v, &s, &len);
    if (err)
        return err;
    zc_diag inner = {.msg = ""};
    if (zc_time_parse_iso8601(s, out, &inner) != ZC_OK) {
        char q[QUOTE_BUF];
        quote(q, s, len);
        return fail(p, "\"%s\" is not an RFC 3339 time with an offset: %s", q, inner.msg);
    }
    return ZC_OK;
}

/* v NULL: the default zone. zc_tz_open refuses names that would leave tzdir. */
static zc_err parse_timezone(parser *p, json_t *v, const char *tzdir, zc_rules *r)
{
    const char *name = ZC_TZ_DEFAULT;
    size_t len = strlen(name);
    zc_err err = v ? get_string(p, v, &name, &len) : ZC_OK;
    if (err)
        return err;
    if (len >= sizeof r->timezone)
        return fail(p, "must be a time zone name shorter than %zu bytes", sizeof r->timezone);
    zc_diag inner = {.msg = ""};
    err = zc_tz_open(tzdir, name, &r->tz, &inner);
    /* Out of memory or a failing disk is not the rule set's fault: say so by the code. */
    if (err == ZC_ERR_NOMEM || err == ZC_ERR_IO)
        return zc_diag_set(p->diag, err, "%s: %s", p->path, inner.msg);
    if (err)
        return fail(p, "%s", inner.msg);
    memcpy(r->timezone, name, len + 1);
    return ZC_OK;
}

static zc_err require(parser *p, json_t *root, const char *key)
{
    if (json_object_get(root, key))
        return ZC_OK;
    path_key(p, key);
    return missing(p);
}

static zc_err parse_set(parser *p, json_t *root, const char *tzdir, zc_rules *r)
{
    if (!json_is_object(root))
        return fail(p, "must be a JSON object, not %s", type_name(root));
    /* First, so that a document of another kind is named as such, not as a list of bad keys. */
    zc_err err = parse_schema(p, root);
    if (err)
        return err;
    for (size_t i = 0; i < COUNT(POLICY_KEYS); i++)
        POLICY_KEYS[i].parse(p, NULL, &r->base);
    for (void *it = json_object_iter(root); it; it = json_object_iter_next(root, it)) {
        const char *key = json_object_iter_key(it);
        json_t *v = json_object_iter_value(it);
        const struct policy_key *pk = policy_key_find(key);
        size_t mark = path_key(p, key);
        if (pk)
            err = pk->parse(p, v, &r->base);
        else if (strcmp(key, "version") == 0)
            err = get_int(p, v, "a positive integer", 1, INT64_MAX, &r->version);
        else if (strcmp(key, "effective_from") == 0)
            err = parse_instant(p, v, &r->effective_from);
        else if (strcmp(key, COMMENT_KEY) == 0)
            err = parse_comment(p, v);
        else if (!name_in(key, SET_KEYS)) /* the rest of SET_KEYS are read below */
            err = fail(p, "unknown key");
        if (err)
            return err;
        path_pop(p, mark);
    }
    if ((err = require(p, root, "version")) || (err = require(p, root, "effective_from")))
        return err;
    for (size_t i = 0; i < COUNT(POLICY_KEYS); i++)
        if (POLICY_KEYS[i].required && (err = require(p, root, POLICY_KEYS[i].name)))
            return err;
    size_t mark = path_key(p, "timezone");
    if ((err = parse_timezone(p, json_object_get(root, "timezone"), tzdir, r)))
        return err;
    path_pop(p, mark);
    json_t *overrides = json_object_get(root, "canteen_overrides");
    if (!overrides)
        return ZC_OK;
    path_key(p, "canteen_overrides");
    return parse_overrides(p, overrides, r);
}

zc_err zc_rules_parse(const char *text, size_t len, const char *tzdir, zc_rules **out,
                      zc_diag *diag)
{
    *out = NULL;
    json_error_t jerr;
    /* jansson refuses NUL bytes itself, also one after a complete document. */
    json_t *root = json_loadb(text ? text : "", text ? len : 0, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        if (json_error_code(&jerr) == json_error_out_of_memory)
            return zc_diag_set(diag, ZC_ERR_NOMEM, "out of memory reading the rule set");
        return zc_diag_set_line(diag, ZC_ERR_INVALID, jerr.line, "line %d, column %d: %s",
                                jerr.line, jerr.column, jerr.text);
    }
    parser p = {.diag = diag};
    zc_rules *r = calloc(1, sizeof *r);
    zc_err err = r ? parse_set(&p, root, tzdir, r)
                   : zc_diag_set(diag, ZC_ERR_NOMEM, "out of memory reading the rule set");
    json_decref(root);
    if (err) {
        zc_rules_free(r);
        return err;
    }
    *out = r;
    return ZC_OK;
}

void zc_rules_free(zc_rules *rules)
{
    if (!rules)
        return;
    zc_tz_free(rules->tz);
    free(rules->overrides);
    free(rules);
}

const zc_rules_policy *zc_rules_policy_for(const zc_rules *rules, const char *canteen)
{
    if (canteen && canteen[0]) {
        for (size_t i = 0; i < rules->noverrides; i++) {
            const zc_rules_override *o = &rules->overrides[i];
            if (id_index(o->canteens, sizeof o->canteens[0], o->ncanteens, canteen) >= 0)
                return &o->policy;
        }
    }
    return &rules->base;
}
