/*
 * The policy tables: every JSON file in tests/policy is one rule set and its cases, written for
 * policy officers to read (tests/policy/README.md). Each case goes through the real parser
 * (zc_rules_parse) and the real evaluation (zc_rules_quote, zc_quote_to_json); every key under
 * "expect" must equal the same key of the quote's JSON. Every failing case is reported by file and
 * name, then the test fails.
 */
#include "testutil.h"

#include "zc/rules.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    MAX_FILES = 64,
    MAX_HISTORY = 256,
    MIN_CASES_PER_FILE = 1,
};

/* tests/unit/../policy, from this file's own path (CMake compiles it by its full path). */
static void policy_dir(char *buf, size_t size)
{
    snprintf(buf, size, "%s", __FILE__);
    char *slash = strrchr(buf, '/');
    if (slash)
        snprintf(slash, size - (size_t)(slash - buf), "/../policy");
    else
        snprintf(buf, size, "../policy");
}

typedef struct tally {
    int files, cases, failures;
} tally;

__attribute__((format(printf, 4, 5))) static void fail_case(tally *t, const char *file,
                                                            const char *name, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "FAIL %s: \"%s\": %s\n", file, name, msg);
    t->failures++;
}

static int copy_text(const json_t *v, char *dst, size_t size)
{
    const char *s = json_string_value(v);
    if (!s || strlen(s) >= size)
        return -1;
    memcpy(dst, s, strlen(s) + 1);
    return 0;
}

/* ELDER.json: {"registered","birth_date","region","categories","status"}; null: not in roster. */
static int read_elder(const json_t *j, zc_quote_elder *e, char *err, size_t errsize)
{
    memset(e, 0, sizeof *e);
    if (!json_is_object(j)) {
        snprintf(err, errsize, "elder must be an object or null");
        return -1;
    }
    const char *key;
    json_t *v;
    e->registered = true;
    json_object_foreach((json_t *)j, key, v)
    {
        if (strcmp(key, "registered") == 0 && json_is_boolean(v)) {
            e->registered = json_is_true(v);
        } else if (strcmp(key, "birth_date") == 0 && (json_is_null(v) || json_is_string(v))) {
            const char *s = json_string_value(v);
            if (s && *s) {
                if (zc_date_parse(s, strlen(s), &e->birth, NULL) != ZC_OK) {
                    snprintf(err, errsize, "elder.birth_date \"%s\" is not a date", s);
                    return -1;
                }
                e->has_birth = true;
            }
        } else if (strcmp(key, "region") == 0 && json_is_string(v)) {
            if (copy_text(v, e->region, sizeof e->region)) {
                snprintf(err, errsize, "elder.region is too long");
                return -1;
            }
        } else if (strcmp(key, "categories") == 0 && json_is_array(v)) {
            size_t i;
            json_t *c;
            json_array_foreach(v, i, c)
            {
                if (e->ncategories == ZC_RULES_MAX_ITEMS ||
                    copy_text(c, e->categories[e->ncategories], ZC_ID_MAX)) {
                    snprintf(err, errsize, "elder.categories[%zu] is not a short string", i);
                    return -1;
                }
                e->ncategories++;
            }
        } else if (strcmp(key, "status") == 0 && json_is_string(v)) {
            const char *s = json_string_value(v);
            if (strcmp(s, "suspended") == 0)
                e->suspended = true;
            else if (strcmp(s, "active") != 0) {
                snprintf(err, errsize, "elder.status must be active or suspended");
                return -1;
            }
        } else {
            snprintf(err, errsize, "elder.%s: unknown key or wrong type", key);
            return -1;
        }
    }
    return 0;
}

static int read_time(const json_t *v, zc_ms *out, const char *what, char *err, size_t errsize)
{
    const char *s = json_string_value(v);
    zc_diag diag = {0};
    if (!s || zc_time_parse_iso8601(s, out, &diag) != ZC_OK) {
        snprintf(err, errsize, "%s: %.300s", what, s ? diag.msg : "must be an ISO 8601 string");
        return -1;
    }
    return 0;
}

static int read_fen(const json_t *v, zc_fen *out, const char *what, char *err, size_t errsize)
{
    if (!json_is_integer(v)) {
        snprintf(err, errsize, "%s must be a whole number of fen", what);
        return -1;
    }
    *out = (zc_fen)json_integer_value(v);
    return 0;
}

/* HISTORY.json entries ({"at": ...}) or bare ISO 8601 strings. */
static int read_history(const json_t *v, zc_ms *out, size_t *n, char *err, size_t errsize)
{
    *n = 0;
    if (!v)
        return 0;
    if (!json_is_array(v) || json_array_size(v) > MAX_HISTORY) {
        snprintf(err, errsize, "history must be an array of at most %d sales", MAX_HISTORY);
        return -1;
    }
    size_t i;
    json_t *h;
    json_array_foreach(v, i, h)
    {
        const json_t *at = json_is_object(h) ? json_object_get(h, "at") : h;
        char what[32];
        snprintf(what, sizeof what, "history[%zu]", i);
        if (read_time(at, &out[i], what, err, errsize))
            return -1;
    }
    *n = json_array_size(v);
    return 0;
}

static const char *const CASE_KEYS[] = {
    "name",    "comment",        "elder",        "at",      "price",
    "canteen", "canteen_region", "delivery_fee", "history", "expect",
};

static int check_case_keys(const json_t *c, char *err, size_t errsize)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)c, key, v)
    {
        bool known = false;
        for (size_t i = 0; i < sizeof CASE_KEYS / sizeof CASE_KEYS[0]; i++)
            known |= strcmp(key, CASE_KEYS[i]) == 0;
        if (!known) {
            snprintf(err, errsize, "unknown key \"%s\" in the case", key);
            return -1;
        }
    }
    return 0;
}

static char *dump(const json_t *v)
{
    return json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_SORT_KEYS);
}

/*
 * The case with the file's "defaults" filled in: keys the case leaves out come from there, and
 * an "elder" object takes the default elder's keys it does not give itself.
 */
static json_t *with_defaults(const json_t *defaults, const json_t *c)
{
    json_t *out = defaults ? json_deep_copy(defaults) : json_object();
    if (!out || json_object_update(out, (json_t *)c))
        goto fail;
    const json_t *de = defaults ? json_object_get(defaults, "elder") : NULL;
    const json_t *ce = json_object_get(c, "elder");
    if (json_is_object(de) && json_is_object(ce)) {
        json_t *elder = json_deep_copy(de);
        if (!elder || json_object_update(elder, (json_t *)ce) ||
            json_object_set_new(out, "elder", elder))
            goto fail;
    }
    return out;
fail:
    json_decref(out);
    return NULL;
}

static void run_case(const zc_rules *rules, const json_t *c, const char *file, tally *t)
{
    const char *name = json_string_value(json_object_get(c, "name"));
    char err[512] = "";
    if (!name) {
        fail_case(t, file, "?", "case without a \"name\"");
        return;
    }
    t->cases++;
    zc_quote_elder elder;
    static zc_ms history[MAX_HISTORY];
    zc_quote_input in = {0};
    const json_t *ej = json_object_get(c, "elder");
    const json_t *fee = json_object_get(c, "delivery_fee");
    const json_t *expect = json_object_get(c, "expect");
    if (check_case_keys(c, err, sizeof err) || !ej ||
        (!json_is_null(ej) && read_elder(ej, &elder, err, sizeof err)) ||
        read_time(json_object_get(c, "at"), &in.at, "at", err, sizeof err) ||
        read_fen(json_object_get(c, "price"), &in.price, "price", err, sizeof err) ||
        (fee && read_fen(fee, &in.delivery_fee, "delivery_fee", err, sizeof err)) ||
        read_history(json_object_get(c, "history"), history, &in.nhistory, err, sizeof err)) {
        fail_case(t, file, name, "%s", *err ? err : "the case needs \"elder\" (object or null)");
        return;
    }
    if (!json_is_object(expect) || json_object_size(expect) == 0) {
        fail_case(t, file, name, "\"expect\" must be an object with at least one key");
        return;
    }
    in.elder = json_is_null(ej) ? NULL : &elder;
    in.canteen = json_string_value(json_object_get(c, "canteen"));
    in.canteen_region = json_string_value(json_object_get(c, "canteen_region"));
    in.delivered = fee != NULL;
    in.history = history;

    zc_quote q;
    zc_diag diag = {0};
    zc_err e = zc_rules_quote(rules, &in, &q, &diag);
    if (e) {
        fail_case(t, file, name, "quote refused: %s: %s", zc_err_str(e), diag.msg);
        return;
    }
    json_t *got = zc_quote_to_json(&q);
    if (!got) {
        fail_case(t, file, name, "zc_quote_to_json failed");
        return;
    }
    const char *key;
    json_t *want;
    json_object_foreach((json_t *)expect, key, want)
    {
        json_t *have = json_object_get(got, key);
        if (have && json_equal(have, want))
            continue;
        char *w = dump(want);
        char *h = have ? dump(have) : NULL;
        char *all = dump(got);
        fail_case(t, file, name, "%s is %s, expected %s\n    quote: %s", key,
                  h ? h : "(no such key)", w ? w : "?", all ? all : "?");
        free(w);
        free(h);
        free(all);
    }
    json_decref(got);
}

static void run_file(const char *dir, const char *file, tally *t)
{
    char path[ZC_TEST_PATH_MAX];
    zt_join(path, sizeof path, dir, file);
    json_error_t jerr;
    json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    json_t *defaults = NULL;
    if (!doc) {
        fail_case(t, file, "(file)", "line %d: %s", jerr.line, jerr.text);
        return;
    }
    t->files++;
    const json_t *rules_json = json_object_get(doc, "rules");
    const json_t *cases = json_object_get(doc, "cases");
    defaults = json_object_get(doc, "defaults");
    char *text = rules_json ? json_dumps(rules_json, JSON_COMPACT) : NULL;
    zc_rules *rules = NULL;
    zc_diag diag = {0};
    if (!json_is_string(json_object_get(doc, "title")) || !json_is_object(rules_json) ||
        !json_is_array(cases) || json_array_size(cases) < MIN_CASES_PER_FILE ||
        (defaults && !json_is_object(defaults))) {
        fail_case(t, file, "(file)",
                  "needs \"title\", \"rules\", a non-empty \"cases\" and no other "
                  "\"defaults\" than an object");
    } else if (zc_rules_parse(text, strlen(text), NULL, &rules, &diag) != ZC_OK) {
        fail_case(t, file, "(rules)", "rule set refused: %s", diag.msg);
    } else {
        size_t i;
        json_t *c;
        json_array_foreach(cases, i, c)
        {
            json_t *full = json_is_object(c) ? with_defaults(defaults, c) : NULL;
            if (!full)
                fail_case(t, file, "?", "cases[%zu] is not an object", i);
            else
                run_case(rules, full, file, t);
            json_decref(full);
        }
    }
    zc_rules_free(rules);
    free(text);
    json_decref(doc);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_policy_tables(void **state)
{
    (void)state;
    char dir[ZC_TEST_PATH_MAX];
    policy_dir(dir, sizeof dir);
    DIR *d = opendir(dir);
    if (!d)
        fail_msg("cannot open the policy tables in %s", dir);
    char *names[MAX_FILES];
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        if (len > 5 && strcmp(de->d_name + len - 5, ".json") == 0 && n < MAX_FILES) {
            names[n] = strdup(de->d_name);
            assert_non_null(names[n]);
            n++;
        }
    }
    closedir(d);
    qsort(names, n, sizeof names[0], by_name);
    tally t = {0, 0, 0};
    for (size_t i = 0; i < n; i++) {
        run_file(dir, names[i], &t);
        free(names[i]);
    }
    fprintf(stderr, "policy tables: %d files, %d cases, %d failures\n", t.files, t.cases,
            t.failures);
    assert_true(t.files >= 3);
    assert_int_equal(t.failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_tables),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
