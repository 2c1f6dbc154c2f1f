#include "testutil.h"

#include "zc/rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* 2026-01-01T00:00:00+08:00 */
#define NEW_YEAR_2026_MS INT64_C(1767196800000)

enum {
    SHANGHAI_OFFSET = 8 * 3600,
    MINUTE = 1,
    HOUR = 60 * MINUTE,
    PATH_BUF = 4096,
};

/* DESIGN.md's example with every optional key, and a second override. */
static const char FULL[] =
    "{\n"
    "  \"schema\": \"zhucan.rules/1\",\n"
    "  \"version\": 12,\n"
    "  \"effective_from\": \"2026-01-01T00:00:00+08:00\",\n"
    "  \"timezone\": \"Asia/Shanghai\",\n"
    "  \"comment\": \"test set\",\n"
    "  \"meal_periods\": [\n"
    "    {\"id\": \"breakfast\", \"start\": \"06:30\", \"end\": \"09:00\"},\n"
    "    {\"id\": \"lunch\",     \"start\": \"10:30\", \"end\": \"13:30\"},\n"
    "    {\"id\": \"dinner\",    \"start\": \"16:30\", \"end\": \"19:00\"}\n"
    "  ],\n"
    "  \"age_tiers\": [\n"
    "    {\"id\": \"60-69\", \"min_age\": 60, \"max_age\": 69, \"subsidy\": 200},\n"
    "    {\"id\": \"70-79\", \"min_age\": 70, \"max_age\": 79, \"subsidy\": 300},\n"
    "    {\"id\": \"80+\",   \"min_age\": 80,                 \"subsidy\": 500}\n"
    "  ],\n"
    "  \"categories\": {\n"
    "    \"tekun\":  {\"subsidy\": 1000, \"waive_min_self_pay\": true},\n"
    "    \"dibao\":  {\"subsidy\": 500},\n"
    "    \"shineng\": {\"subsidy\": 300}\n"
    "  },\n"
    "  \"stacking\": \"max\",\n"
    "  \"per_meal_cap\": 1000,\n"
    "  \"min_self_pay\": 100,\n"
    "  \"limits\": {\"per_period\": 1, \"per_day\": 2, \"per_week\": 5, \"per_month\": 62},\n"
    "  \"registered_only\": true,\n"
    "  \"regions\": [\"3202\", \"320211\"],\n"
    "  \"service_days\": {\"weekdays\": [1, 2, 3, 4, 5], \"holidays\": [\"2026-10-01\"],\n"
    "                   \"workdays\": [\"2026-09-27\"]},\n"
    "  \"min_price\": 1500,\n"
    "  \"discounts\": [{\"min_age\": 60, \"max_age\": 79, \"permille\": 900},\n"
    "                {\"min_age\": 80, \"permille\": 850}],\n"
    "  \"home_region_digits\": 6,\n"
    "  \"delivery\": {\"subsidy\": 200, \"eligible\": [{\"min_age\": 100},\n"
    "               {\"min_age\": 70, \"categories\": [\"shineng\"]}]},\n"
    "  \"funders\": [{\"id\": \"city\", \"share\": 300}, {\"id\": \"district\", \"share\": 300},\n"
    "              {\"id\": \"street\", \"rest\": true}],\n"
    "  \"operator_subsidy\": 200,\n"
    "  \"canteen_overrides\": [\n"
    "    {\"canteens\": [\"C0107\"], \"age_tiers\": [{\"id\": \"60+\", \"min_age\": 60, "
    "\"subsidy\": 300}]},\n"
    "    {\"canteens\": [\"C0200\", \"C0201\"], \"comment\": \"meals on wheels hub\",\n"
    "     \"stacking\": \"sum\", \"limits\": {\"per_day\": 3}, \"per_meal_cap\": null,\n"
    "     \"regions\": null, \"service_days\": null}\n"
    "  ]\n"
    "}\n";

/* The least a rule set may say. */
#define MIN_HEAD                                                                                   \
    "{\"schema\":\"zhucan.rules/1\",\"version\":1,"                                                \
    "\"effective_from\":\"2026-01-01T00:00:00+08:00\","                                            \
    "\"meal_periods\":[{\"id\":\"lunch\",\"start\":\"10:30\",\"end\":\"13:30\"}]"
static const char MIN[] = MIN_HEAD "}";

/* ---- helpers ---- */

static zc_rules *parse_ok(const char *text, size_t len)
{
    zc_rules *r = NULL;
    zc_diag diag = {.msg = ""};
    zc_err err = zc_rules_parse(text, len, NULL, &r, &diag);
    if (err != ZC_OK)
        fail_msg("refused: %s: %s", zc_err_str(err), diag.msg);
    assert_non_null(r);
    return r;
}

/*
 * Applies one edit to a document: path like "age_tiers[2].min_age" (an index one past the end
 * appends); value is JSON text, NULL deletes.
 */
static void apply_edit(json_t *root, const char *path, const char *value)
{
    json_t *cur = root;
    const char *s = path;
    for (;;) {
        char key[PATH_BUF] = "";
        long index = -1;
        if (*s == '[') {
            char *end = NULL;
            index = strtol(s + 1, &end, 10);
            assert_int_equal(*end, ']');
            s = end + 1;
        } else {
            size_t n = strcspn(s, ".[");
            assert_true(n > 0 && n < sizeof key);
            memcpy(key, s, n);
            key[n] = '\0';
            s += n;
        }
        bool last = *s == '\0';
        if (*s == '.')
            s++;
        if (!last) {
            cur = index >= 0 ? json_array_get(cur, (size_t)index) : json_object_get(cur, key);
            if (!cur)
                fail_msg("edit path %s: no such element", path);
            continue;
        }
        json_t *v = NULL;
        if (value) {
            json_error_t jerr;
            v = json_loads(value, JSON_DECODE_ANY, &jerr);
            if (!v)
                fail_msg("edit value %s: %s", value, jerr.text);
        }
        if (index < 0 && !v)
            assert_int_equal(json_object_del(cur, key), 0);
        else if (index < 0)
            assert_int_equal(json_object_set_new(cur, key, v), 0);
        else if (!v)
            assert_int_equal(json_array_remove(cur, (size_t)index), 0);
        else if ((size_t)index == json_array_size(cur))
            assert_int_equal(json_array_append_new(cur, v), 0);
        else
            assert_int_equal(json_array_set_new(cur, (size_t)index, v), 0);
        return;
    }
}

/* base with one edit applied, as text the caller frees. */
static char *edited(const char *base, const char *path, const char *value)
{
    json_error_t jerr;
    json_t *root = json_loads(base, JSON_REJECT_DUPLICATES, &jerr);
    assert_non_null(root);
    apply_edit(root, path, value);
    char *text = json_dumps(root, JSON_COMPACT);
    assert_non_null(text);
    json_decref(root);
    return text;
}

/* Parses text expecting ZC_ERR_INVALID with a diag starting with prefix; false (and a note). */
static bool refused_as(const char *name, const char *text, size_t len, const char *prefix)
{
    zc_rules *r = NULL;
    zc_diag diag = {.msg = ""};
    zc_err err = zc_rules_parse(text, len, NULL, &r, &diag);
    if (err == ZC_ERR_INVALID && !r && strncmp(diag.msg, prefix, strlen(prefix)) == 0)
        return true;
    print_error("%s: got %s, \"%s\"; expected \"%s...\"\n", name, zc_err_str(err), diag.msg,
                prefix);
    zc_rules_free(r);
    return false;
}

/* ---- the full set ---- */

static void test_full_set_values(void **state)
{
    (void)state;
    zc_rules *r = parse_ok(FULL, strlen(FULL));
    assert_int_equal(r->version, 12);
    assert_int_equal(r->effective_from, NEW_YEAR_2026_MS);
    assert_string_equal(r->timezone, "Asia/Shanghai");
    assert_non_null(r->tz);
    assert_int_equal(zc_tz_offset(r->tz, NEW_YEAR_2026_MS), SHANGHAI_OFFSET);

    const zc_rules_policy *b = &r->base;
    assert_int_equal(b->nperiods, 3);
    assert_string_equal(b->periods[0].id, "breakfast");
    assert_int_equal(b->periods[0].start_min, 6 * HOUR + 30);
    assert_int_equal(b->periods[0].end_min, 9 * HOUR);
    assert_string_equal(b->periods[1].id, "lunch");
    assert_int_equal(b->periods[1].start_min, 10 * HOUR + 30);
    assert_int_equal(b->periods[1].end_min, 13 * HOUR + 30);
    assert_string_equal(b->periods[2].id, "dinner");
    assert_int_equal(b->periods[2].end_min, 19 * HOUR);

    assert_int_equal(b->ntiers, 3);
    assert_string_equal(b->tiers[0].id, "60-69");
    assert_int_equal(b->tiers[0].min_age, 60);
    assert_int_equal(b->tiers[0].max_age, 69);
    assert_int_equal(b->tiers[0].subsidy, 200);
    assert_int_equal(b->tiers[1].subsidy, 300);
    assert_string_equal(b->tiers[2].id, "80+");
    assert_int_equal(b->tiers[2].min_age, 80);
    assert_int_equal(b->tiers[2].max_age, ZC_RULES_NO_LIMIT);
    assert_int_equal(b->tiers[2].subsidy, 500);

    assert_int_equal(b->ncategories, 3);
    assert_string_equal(b->categories[0].id, "tekun");
    assert_int_equal(b->categories[0].subsidy, 1000);
    assert_true(b->categories[0].waive_min_self_pay);
    assert_string_equal(b->categories[1].id, "dibao");
    assert_int_equal(b->categories[1].subsidy, 500);
    assert_false(b->categories[1].waive_min_self_pay);
    assert_string_equal(b->categories[2].id, "shineng");

    assert_int_equal(b->stacking, ZC_STACKING_MAX);
    assert_int_equal(b->per_meal_cap, 1000);
    assert_int_equal(b->min_self_pay, 100);
    assert_int_equal(b->limits.per_period, 1);
    assert_int_equal(b->limits.per_day, 2);
    assert_int_equal(b->limits.per_week, 5);
    assert_int_equal(b->limits.per_month, 62);
    assert_true(b->registered_only);
    assert_int_equal(b->nregions, 2);
    assert_string_equal(b->regions[0], "3202");
    assert_string_equal(b->regions[1], "320211");

    assert_true(b->has_service_days);
    for (int d = 1; d <= 7; d++)
        assert_int_equal(b->weekdays[d], d <= 5);
    assert_int_equal(b->nholidays, 1);
    assert_int_equal(b->holidays[0].year, 2026);
    assert_int_equal(b->holidays[0].month, 10);
    assert_int_equal(b->holidays[0].day, 1);
    assert_int_equal(b->nworkdays, 1);
    assert_int_equal(b->workdays[0].month, 9);
    assert_int_equal(b->workdays[0].day, 27);

    assert_int_equal(b->min_price, 1500);
    assert_int_equal(b->ndiscounts, 2);
    assert_int_equal(b->discounts[0].min_age, 60);
    assert_int_equal(b->discounts[0].max_age, 79);
    assert_int_equal(b->discounts[0].permille, 900);
    assert_int_equal(b->discounts[1].min_age, 80);
    assert_int_equal(b->discounts[1].max_age, ZC_RULES_NO_LIMIT);
    assert_int_equal(b->discounts[1].permille, 850);
    assert_int_equal(b->home_region_digits, 6);

    assert_true(b->has_delivery);
    assert_int_equal(b->delivery_subsidy, 200);
    assert_int_equal(b->ndelivery, 2);
    assert_int_equal(b->delivery[0].min_age, 100);
    assert_int_equal(b->delivery[0].ncategories, 0);
    assert_int_equal(b->delivery[1].min_age, 70);
    assert_int_equal(b->delivery[1].ncategories, 1);
    assert_string_equal(b->delivery[1].categories[0], "shineng");

    assert_int_equal(b->nfunders, 3);
    assert_string_equal(b->funders[0].id, "city");
    assert_int_equal(b->funders[0].share, 300);
    assert_false(b->funders[0].rest);
    assert_string_equal(b->funders[1].id, "district");
    assert_string_equal(b->funders[2].id, "street");
    assert_true(b->funders[2].rest);
    assert_int_equal(b->operator_subsidy, 200);

    assert_int_equal(r->noverrides, 2);
    assert_int_equal(r->overrides[0].ncanteens, 1);
    assert_string_equal(r->overrides[0].canteens[0], "C0107");
    assert_int_equal(r->overrides[1].ncanteens, 2);
    assert_string_equal(r->overrides[1].canteens[1], "C0201");
    zc_rules_free(r);
}

/* Which keys two policies differ in: one bit per key, compared element by element. */
enum {
    K_PERIODS = 1 << 0,
    K_TIERS = 1 << 1,
    K_CATEGORIES = 1 << 2,
    K_STACKING = 1 << 3,
    K_CAP = 1 << 4,
    K_MIN_SELF_PAY = 1 << 5,
    K_LIMITS = 1 << 6,
    K_REGISTERED = 1 << 7,
    K_REGIONS = 1 << 8,
    K_SERVICE_DAYS = 1 << 9,
    K_MIN_PRICE = 1 << 10,
    K_DISCOUNTS = 1 << 11,
    K_HOME = 1 << 12,
    K_DELIVERY = 1 << 13,
    K_FUNDERS = 1 << 14,
    K_OPERATOR = 1 << 15,
};

static bool same_dates(const zc_date *a, const zc_date *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (zc_date_compare(a[i], b[i]) != 0)
            return false;
    return true;
}

static unsigned policy_diff(const zc_rules_policy *a, const zc_rules_policy *b)
{
    unsigned d = 0;
    bool same = a->nperiods == b->nperiods;
    for (size_t i = 0; same && i < a->nperiods; i++)
        same = strcmp(a->periods[i].id, b->periods[i].id) == 0 &&
               a->periods[i].start_min == b->periods[i].start_min &&
               a->periods[i].end_min == b->periods[i].end_min;
    d |= same ? 0 : K_PERIODS;
    same = a->ntiers == b->ntiers;
    for (size_t i = 0; same && i < a->ntiers; i++)
        same = strcmp(a->tiers[i].id, b->tiers[i].id) == 0 &&
               a->tiers[i].min_age == b->tiers[i].min_age &&
               a->tiers[i].max_age == b->tiers[i].max_age &&
               a->tiers[i].subsidy == b->tiers[i].subsidy;
    d |= same ? 0 : K_TIERS;
    same = a->ncategories == b->ncategories;
    for (size_t i = 0; same && i < a->ncategories; i++)
        same = strcmp(a->categories[i].id, b->categories[i].id) == 0 &&
               a->categories[i].subsidy == b->categories[i].subsidy &&
               a->categories[i].waive_min_self_pay == b->categories[i].waive_min_self_pay;
    d |= same ? 0 : K_CATEGORIES;
    d |= a->stacking == b->stacking ? 0 : K_STACKING;
    d |= a->per_meal_cap == b->per_meal_cap ? 0 : K_CAP;
    d |= a->min_self_pay == b->min_self_pay ? 0 : K_MIN_SELF_PAY;
    d |= a->limits.per_period == b->limits.per_period && a->limits.per_day == b->limits.per_day &&
                 a->limits.per_week == b->limits.per_week &&
                 a->limits.per_month == b->limits.per_month
             ? 0
             : K_LIMITS;
    d |= a->registered_only == b->registered_only ? 0 : K_REGISTERED;
    same = a->nregions == b->nregions;
    for (size_t i = 0; same && i < a->nregions; i++)
        same = strcmp(a->regions[i], b->regions[i]) == 0;
    d |= same ? 0 : K_REGIONS;
    same = a->has_service_days == b->has_service_days && a->nholidays == b->nholidays &&
           a->nworkdays == b->nworkdays && same_dates(a->holidays, b->holidays, a->nholidays) &&
           same_dates(a->workdays, b->workdays, a->nworkdays);
    for (int i = 1; same && i <= 7; i++)
        same = a->weekdays[i] == b->weekdays[i];
    d |= same ? 0 : K_SERVICE_DAYS;
    d |= a->min_price == b->min_price ? 0 : K_MIN_PRICE;
    same = a->ndiscounts == b->ndiscounts;
    for (size_t i = 0; same && i < a->ndiscounts; i++)
        same = a->discounts[i].min_age == b->discounts[i].min_age &&
               a->discounts[i].max_age == b->discounts[i].max_age &&
               a->discounts[i].permille == b->discounts[i].permille;
    d |= same ? 0 : K_DISCOUNTS;
    d |= a->home_region_digits == b->home_region_digits ? 0 : K_HOME;
    same = a->has_delivery == b->has_delivery && a->delivery_subsidy == b->delivery_subsidy &&
           a->ndelivery == b->ndelivery;
    for (size_t i = 0; same && i < a->ndelivery; i++) {
        same = a->delivery[i].min_age == b->delivery[i].min_age &&
               a->delivery[i].ncategories == b->delivery[i].ncategories;
        for (size_t j = 0; same && j < a->delivery[i].ncategories; j++)
            same = strcmp(a->delivery[i].categories[j], b->delivery[i].categories[j]) == 0;
    }
    d |= same ? 0 : K_DELIVERY;
    same = a->nfunders == b->nfunders;
    for (size_t i = 0; same && i < a->nfunders; i++)
        same = strcmp(a->funders[i].id, b->funders[i].id) == 0 &&
               a->funders[i].share == b->funders[i].share &&
               a->funders[i].rest == b->funders[i].rest;
    d |= same ? 0 : K_FUNDERS;
    d |= a->operator_subsidy == b->operator_subsidy ? 0 : K_OPERATOR;
    return d;
}

static void test_overrides_replace_only_named_keys(void **state)
{
    (void)state;
    zc_rules *r = parse_ok(FULL, strlen(FULL));
    const zc_rules_policy *b = &r->base;
    const zc_rules_policy *o0 = &r->overrides[0].policy;
    const zc_rules_policy *o1 = &r->overrides[1].policy;

    assert_int_equal(policy_diff(o0, b), K_TIERS);
    assert_int_equal(o0->ntiers, 1);
    assert_string_equal(o0->tiers[0].id, "60+");
    assert_int_equal(o0->tiers[0].min_age, 60);
    assert_int_equal(o0->tiers[0].max_age, ZC_RULES_NO_LIMIT);
    assert_int_equal(o0->tiers[0].subsidy, 300);
    assert_int_equal(b->ntiers, 3); /* the base is untouched */

    /* A replaced key is replaced whole: limits {"per_day": 3} drops the others. null: absent. */
    assert_int_equal(policy_diff(o1, b),
                     K_STACKING | K_LIMITS | K_CAP | K_REGIONS | K_SERVICE_DAYS);
    assert_int_equal(o1->stacking, ZC_STACKING_SUM);
    assert_int_equal(o1->limits.per_day, 3);
    assert_int_equal(o1->limits.per_period, ZC_RULES_NO_LIMIT);
    assert_int_equal(o1->limits.per_week, ZC_RULES_NO_LIMIT);
    assert_int_equal(o1->limits.per_month, ZC_RULES_NO_LIMIT);
    assert_int_equal(o1->per_meal_cap, ZC_RULES_NO_LIMIT);
    assert_int_equal(o1->nregions, 0);
    assert_false(o1->has_service_days);
    assert_int_equal(o1->nholidays, 0);

    assert_ptr_equal(zc_rules_policy_for(r, "C0107"), o0);
    assert_ptr_equal(zc_rules_policy_for(r, "C0200"), o1);
    assert_ptr_equal(zc_rules_policy_for(r, "C0201"), o1);
    assert_ptr_equal(zc_rules_policy_for(r, "C9999"), b);
    assert_ptr_equal(zc_rules_policy_for(r, "c0107"), b);
    assert_ptr_equal(zc_rules_policy_for(r, ""), b);
    assert_ptr_equal(zc_rules_policy_for(r, NULL), b);
    zc_rules_free(r);
}

static void test_absent_keys_take_defaults(void **state)
{
    (void)state;
    zc_rules *r = parse_ok(MIN, strlen(MIN));
    assert_int_equal(r->version, 1);
    assert_string_equal(r->timezone, ZC_TZ_DEFAULT);
    assert_non_null(r->tz);
    const zc_rules_policy *b = &r->base;
    assert_int_equal(b->nperiods, 1);
    assert_int_equal(b->ntiers, 0);
    assert_int_equal(b->ncategories, 0);
    assert_int_equal(b->stacking, ZC_STACKING_MAX);
    assert_int_equal(b->per_meal_cap, ZC_RULES_NO_LIMIT);
    assert_int_equal(b->min_self_pay, 0);
    assert_int_equal(b->limits.per_period, ZC_RULES_NO_LIMIT);
    assert_int_equal(b->limits.per_day, ZC_RULES_NO_LIMIT);
    assert_int_equal(b->limits.per_week, ZC_RULES_NO_LIMIT);
    assert_int_equal(b->limits.per_month, ZC_RULES_NO_LIMIT);
    assert_false(b->registered_only);
    assert_int_equal(b->nregions, 0);
    assert_false(b->has_service_days);
    assert_int_equal(b->min_price, 0);
    assert_int_equal(b->ndiscounts, 0);
    assert_int_equal(b->home_region_digits, 0);
    assert_false(b->has_delivery);
    assert_int_equal(b->nfunders, 0);
    assert_int_equal(b->operator_subsidy, 0);
    assert_int_equal(r->noverrides, 0);
    assert_ptr_equal(zc_rules_policy_for(r, "C0107"), b);
    zc_rules_free(r);

    /* service_days without weekdays: every weekday, only the holidays off. */
    char *text = edited(MIN, "service_days", "{\"holidays\": [\"2026-10-01\"]}");
    r = parse_ok(text, strlen(text));
    assert_true(r->base.has_service_days);
    for (int d = 1; d <= 7; d++)
        assert_true(r->base.weekdays[d]);
    assert_int_equal(r->base.nholidays, 1);
    zc_rules_free(r);
    free(text);
}

/* ---- refused edits of the full set ---- */

typedef struct edit_case {
    const char *path;
    const char *value;  /* JSON text; NULL deletes the key */
    const char *expect; /* the diag starts with this */
} edit_case;

static const edit_case REFUSED[] = {
    /* identity */
    {"schema", NULL, "schema: missing (required)"},
    {"schema", "\"zhucan.rules/2\"", "schema: must be \"zhucan.rules/1\", not \"zhucan.rules/2\""},
    {"schema", "1", "schema: must be \"zhucan.rules/1\", not an integer"},
    {"version", NULL, "version: missing (required)"},
    {"version", "0", "version: must be a positive integer, not 0"},
    {"version", "-3", "version: must be a positive integer"},
    {"version", "12.0", "version: must be a positive integer, not a real number"},
    {"version", "\"12\"", "version: must be a positive integer, not \"12\""},
    {"version", "null", "version: must be a positive integer, not null"},
    {"effective_from", NULL, "effective_from: missing (required)"},
    {"effective_from", "\"2026-01-01T00:00:00\"",
     "effective_from: \"2026-01-01T00:00:00\" is not an RFC 3339 time with an offset"},
    {"effective_from", "\"2026-01-01\"", "effective_from: \"2026-01-01\" is not an RFC 3339"},
    {"effective_from", "\"2026-02-30T00:00:00+08:00\"", "effective_from: \"2026-02-30"},
    {"effective_from", "20260101", "effective_from: must be a string, not an integer"},
    {"timezone", "\"Mars/Olympus_Mons\"", "timezone: unknown time zone"},
    {"timezone", "\"../../../etc/passwd\"", "timezone: time zone name"},
    {"timezone", "\"/etc/localtime\"", "timezone: "},
    {"timezone", "\"\"", "timezone: "},
    {"timezone", "8", "timezone: must be a string, not an integer"},
    {"timezone", "\"America/Argentina/Buenos_Aires_and_then_some_more_characters_to_pass_64\"",
     "timezone: must be a time zone name shorter than 64 bytes"},
    {"comment", "42", "comment: must be a string, not an integer"},
    {"per_meal_capp", "500", "per_meal_capp: unknown key"},
    {"foo", "null", "foo: unknown key"},
    {"Version", "12", "Version: unknown key"},
    {"canteens", "[\"C1\"]", "canteens: unknown key"},
    /* meal periods */
    {"meal_periods", NULL, "meal_periods: missing (required)"},
    {"meal_periods", "[]", "meal_periods: must not be empty"},
    {"meal_periods", "{}", "meal_periods: must be an array of meal periods, not an object"},
    {"meal_periods[1]", "\"lunch\"", "meal_periods[1]: must be an object, not a string"},
    {"meal_periods[1].start", "\"25:00\"", "meal_periods[1].start: \"25:00\" is not a time HH:MM"},
    {"meal_periods[1].start", "\"10:60\"", "meal_periods[1].start: \"10:60\" is not a time"},
    {"meal_periods[1].start", "\"9:30\"", "meal_periods[1].start: \"9:30\" is not a time"},
    {"meal_periods[1].start", "\"10:30:00\"", "meal_periods[1].start: \"10:30:00\" is not a"},
    {"meal_periods[1].start", "\"1O:30\"", "meal_periods[1].start: \"1O:30\" is not a time"},
    {"meal_periods[1].start", "\"24:00\"", "meal_periods[1].start: \"24:00\" is not a time"},
    {"meal_periods[1].end", "\"24:01\"", "meal_periods[1].end: \"24:01\" is not a time"},
    {"meal_periods[1].start", "630", "meal_periods[1].start: an integer is not a time HH:MM"},
    {"meal_periods[1].end", NULL, "meal_periods[1].end: missing (required)"},
    {"meal_periods[1].end", "\"10:30\"", "meal_periods[1].end: must be after start"},
    {"meal_periods[2].end", "\"01:00\"", "meal_periods[2].end: must be after start"},
    {"meal_periods[1].start", "\"08:59\"",
     "meal_periods[1].start: overlaps meal_periods[0] (breakfast 06:30-09:00)"},
    {"meal_periods[0]", "{\"id\": \"brunch\", \"start\": \"12:00\", \"end\": \"14:00\"}",
     "meal_periods[0].start: overlaps meal_periods[1] (lunch 10:30-13:30)"},
    {"meal_periods[3]", "{\"id\": \"all\", \"start\": \"00:00\", \"end\": \"24:00\"}",
     "meal_periods[0].start: overlaps meal_periods[3] (all 00:00-24:00)"},
    {"meal_periods[1].id", "\"breakfast\"",
     "meal_periods[1].id: \"breakfast\" is already used by meal_periods[0]"},
    {"meal_periods[1].id", "\"\"", "meal_periods[1].id: must be an id of 1 to 63 characters"},
    {"meal_periods[1].id", "\"lunch time\"", "meal_periods[1].id: must be an id"},
    {"meal_periods[1].id", "\"午餐\"", "meal_periods[1].id: must be an id"},
    {"meal_periods[1].id", NULL, "meal_periods[1].id: missing (required)"},
    {"meal_periods[1].id", "\"L234567890123456789012345678901234567890123456789012345678901234\"",
     "meal_periods[1].id: must be an id"},
    {"meal_periods[1].stop", "\"13:00\"",
     "meal_periods[1].stop: unknown key (known: id, start, end)"},
    /* age tiers */
    {"age_tiers", "{}", "age_tiers: must be an array of age tiers, not an object"},
    {"age_tiers", "null", "age_tiers: must be an array"},
    {"age_tiers[2].min_age", "75", "age_tiers[2].min_age: overlaps age_tiers[1] (70-79)"},
    {"age_tiers[3]", "{\"id\": \"90+\", \"min_age\": 90, \"subsidy\": 600}",
     "age_tiers[3].min_age: overlaps age_tiers[2] (80+)"},
    {"age_tiers[3]", "{\"id\": \"65-66\", \"min_age\": 65, \"max_age\": 66, \"subsidy\": 1}",
     "age_tiers[3].min_age: overlaps age_tiers[0] (60-69)"},
    {"age_tiers[0].max_age", "59", "age_tiers[0].max_age: 59 is below min_age 60"},
    {"age_tiers[0].min_age", "151", "age_tiers[0].min_age: must be an age in years (0..150), not"},
    {"age_tiers[0].min_age", "-1", "age_tiers[0].min_age: must be an age"},
    {"age_tiers[0].min_age", "60.5", "age_tiers[0].min_age: must be an age"},
    {"age_tiers[0].min_age", "\"60\"", "age_tiers[0].min_age: must be an age"},
    {"age_tiers[0].min_age", NULL, "age_tiers[0].min_age: missing (required)"},
    {"age_tiers[0].max_age", "null", "age_tiers[0].max_age: must be an age"},
    {"age_tiers[0].subsidy", "2.5", "age_tiers[0].subsidy: must be an integer number of fen"},
    {"age_tiers[0].subsidy", "-200", "age_tiers[0].subsidy: must be a non-negative integer (fen)"},
    {"age_tiers[0].subsidy", "\"200\"", "age_tiers[0].subsidy: must be a non-negative integer"},
    {"age_tiers[0].subsidy", "true", "age_tiers[0].subsidy: must be a non-negative integer"},
    {"age_tiers[0].subsidy", "1000000001", "age_tiers[0].subsidy: must be at most 1000000000 fen"},
    {"age_tiers[0].subsidy", NULL, "age_tiers[0].subsidy: missing (required)"},
    {"age_tiers[1].id", "\"60-69\"", "age_tiers[1].id: \"60-69\" is already used by age_tiers[0]"},
    {"age_tiers[1].id", NULL, "age_tiers[1].id: missing (required)"},
    {"age_tiers[0].subsidy_fen", "1", "age_tiers[0].subsidy_fen: unknown key"},
    {"age_tiers[0]", "[]", "age_tiers[0]: must be an object, not an array"},
    /* categories */
    {"categories", "[]", "categories: must be an object of categories"},
    {"categories.tekun.subsidy", "-1",
     "categories.tekun.subsidy: must be a non-negative integer (fen)"},
    {"categories.tekun.subsidy", "10.5",
     "categories.tekun.subsidy: must be an integer number of fen"},
    {"categories.tekun.subsidy", "1e3", "categories.tekun.subsidy: must be an integer number"},
    {"categories.tekun", "1000", "categories.tekun: must be an object, not an integer"},
    {"categories.tekun.waive_min_self_pay", "1",
     "categories.tekun.waive_min_self_pay: must be true or false, not an integer"},
    {"categories.tekun.waive_min_self_pay", "\"true\"",
     "categories.tekun.waive_min_self_pay: must be true or false"},
    {"categories.te kun", "{\"subsidy\": 1}", "categories.te kun: a category must be named by"},
    {"categories.dibao.subsidy", NULL, "categories.dibao.subsidy: missing (required)"},
    {"categories.dibao.waive", "true", "categories.dibao.waive: unknown key"},
    /* stacking, caps */
    {"stacking", "\"min\"", "stacking: must be \"max\" or \"sum\", not \"min\""},
    {"stacking", "\"MAX\"", "stacking: must be \"max\" or \"sum\""},
    {"stacking", "1", "stacking: must be \"max\" or \"sum\", not an integer"},
    {"stacking", "null", "stacking: must be \"max\" or \"sum\", not null"},
    {"per_meal_cap", "-1", "per_meal_cap: must be a non-negative integer (fen)"},
    {"per_meal_cap", "10.0", "per_meal_cap: must be an integer number of fen"},
    {"per_meal_cap", "null", "per_meal_cap: must be a non-negative integer (fen), not null"},
    {"per_meal_cap", "\"¥10\"", "per_meal_cap: must be a non-negative integer (fen)"},
    {"min_self_pay", "-100", "min_self_pay: must be a non-negative integer (fen)"},
    {"min_self_pay", "\"1.00\"", "min_self_pay: must be a non-negative integer (fen)"},
    {"min_self_pay", "0.5", "min_self_pay: must be an integer number of fen"},
    /* limits */
    {"limits", "[1, 2]", "limits: must be an object, not an array"},
    {"limits", "2", "limits: must be an object"},
    {"limits", "false", "limits: must be an object, not false"},
    {"limits.per_day", "-1", "limits.per_day: must be a non-negative integer (meals)"},
    {"limits.per_day", "1.5", "limits.per_day: must be a non-negative integer"},
    {"limits.per_month", "\"62\"", "limits.per_month: must be a non-negative integer"},
    {"limits.per_week", "2147483648", "limits.per_week: must be a non-negative integer"},
    {"limits.per_period", "null", "limits.per_period: must be a non-negative integer"},
    {"limits.per_year", "300", "limits.per_year: unknown key"},
    /* registered_only, regions */
    {"registered_only", "\"yes\"", "registered_only: must be true or false, not a string"},
    {"registered_only", "1", "registered_only: must be true or false"},
    {"regions", "\"3202\"", "regions: must be an array of region codes"},
    {"regions", "[]", "regions: must not be empty"},
    {"regions[0]", "3202", "regions[0]: must be a region code prefix of 1 to 12 digits"},
    {"regions[0]", "\"32a2\"", "regions[0]: must be a region code prefix"},
    {"regions[0]", "\"\"", "regions[0]: must be a region code prefix"},
    {"regions[0]", "\"1234567890123\"", "regions[0]: must be a region code prefix"},
    {"regions[0]", "\" 3202\"", "regions[0]: must be a region code prefix"},
    {"regions[1]", "\"3202\"", "regions[1]: \"3202\" is already listed at regions[0]"},
    /* service_days */
    {"service_days", "[1, 2]", "service_days: must be an object"},
    {"service_days.weekdays[0]", "0", "service_days.weekdays[0]: must be an ISO weekday"},
    {"service_days.weekdays[0]", "8", "service_days.weekdays[0]: must be an ISO weekday"},
    {"service_days.weekdays[0]", "\"Mon\"", "service_days.weekdays[0]: must be an ISO weekday"},
    {"service_days.weekdays[0]", "1.0", "service_days.weekdays[0]: must be an ISO weekday"},
    {"service_days.weekdays[1]", "1",
     "service_days.weekdays[1]: 1 is already listed at service_days.weekdays[0]"},
    {"service_days.weekdays", "[]", "service_days.weekdays: must not be empty"},
    {"service_days.weekdays", "\"1-5\"", "service_days.weekdays: must be an array"},
    {"service_days.holidays[0]", "\"2026-02-30\"",
     "service_days.holidays[0]: \"2026-02-30\" is not a date YYYY-MM-DD"},
    {"service_days.holidays[0]", "\"2026/10/01\"", "service_days.holidays[0]: \"2026/10/01\" is"},
    {"service_days.holidays[0]", "\"2026-10-1\"", "service_days.holidays[0]: \"2026-10-1\" is"},
    {"service_days.holidays[0]", "20261001", "service_days.holidays[0]: an integer is not a date"},
    {"service_days.holidays[1]", "\"2026-10-01\"",
     "service_days.holidays[1]: 2026-10-01 is already listed at service_days.holidays[0]"},
    {"service_days.workdays[0]", "\"2026-10-01\"",
     "service_days.workdays[0]: 2026-10-01 is also listed at service_days.holidays[0]"},
    {"service_days.holidays", "\"2026-10-01\"", "service_days.holidays: must be an array"},
    {"service_days.holiday", "[]", "service_days.holiday: unknown key"},
    /* min_price, discounts, home_region_digits */
    {"min_price", "15.00", "min_price: must be an integer number of fen"},
    {"min_price", "-1", "min_price: must be a non-negative integer (fen)"},
    {"discounts", "{}", "discounts: must be an array"},
    {"discounts[1].min_age", "79", "discounts[1].min_age: overlaps discounts[0] (60-79)"},
    {"discounts[2]", "{\"min_age\": 95, \"permille\": 500}",
     "discounts[2].min_age: overlaps discounts[1] (80+)"},
    {"discounts[0].permille", "1001", "discounts[0].permille: must be a permille of the price"},
    {"discounts[0].permille", "-1", "discounts[0].permille: must be a permille"},
    {"discounts[0].permille", "0.9", "discounts[0].permille: must be a permille"},
    {"discounts[0].permille", NULL, "discounts[0].permille: missing (required)"},
    {"discounts[0].min_age", NULL, "discounts[0].min_age: missing (required)"},
    {"discounts[0].max_age", "59", "discounts[0].max_age: 59 is below min_age 60"},
    {"discounts[0].id", "\"x\"", "discounts[0].id: unknown key"},
    {"home_region_digits", "0", "home_region_digits: must be a number of leading region digits"},
    {"home_region_digits", "13", "home_region_digits: must be a number"},
    {"home_region_digits", "\"6\"", "home_region_digits: must be a number"},
    /* delivery */
    {"delivery", "true", "delivery: must be an object, not true"},
    {"delivery.subsidy", NULL, "delivery.subsidy: missing (required)"},
    {"delivery.subsidy", "2.0", "delivery.subsidy: must be an integer number of fen"},
    {"delivery.eligible", NULL, "delivery.eligible: missing (required)"},
    {"delivery.eligible", "[]", "delivery.eligible: must not be empty"},
    {"delivery.eligible", "{}", "delivery.eligible: must be an array"},
    {"delivery.eligible[0]", "100", "delivery.eligible[0]: must be an object"},
    {"delivery.eligible[0].min_age", NULL, "delivery.eligible[0].min_age: missing (required)"},
    {"delivery.eligible[0].min_age", "200", "delivery.eligible[0].min_age: must be an age"},
    {"delivery.eligible[0].max_age", "120", "delivery.eligible[0].max_age: unknown key"},
    {"delivery.eligible[1].categories", "[]", "delivery.eligible[1].categories: must not be empty"},
    {"delivery.eligible[1].categories", "\"shineng\"",
     "delivery.eligible[1].categories: must be an array"},
    {"delivery.eligible[1].categories[0]", "\"\"",
     "delivery.eligible[1].categories[0]: must be an id"},
    {"delivery.eligible[1].categories[1]", "\"shineng\"",
     "delivery.eligible[1].categories[1]: \"shineng\" is already used by "
     "delivery.eligible[1].categories[0]"},
    {"delivery.fee", "100", "delivery.fee: unknown key"},
    /* funders */
    {"funders[2]", "{\"id\": \"street\", \"share\": 0}",
     "funders: exactly one funder must have \"rest\": true"},
    {"funders", "[]", "funders: exactly one funder must have \"rest\": true"},
    {"funders[2].rest", NULL, "funders[2].share: missing (required unless \"rest\": true)"},
    {"funders[2].rest", "false", "funders[2].share: missing (required unless"},
    {"funders[0].rest", "true", "funders[0].share: not allowed with \"rest\": true"},
    {"funders[3]", "{\"id\": \"province\", \"rest\": true}",
     "funders[3].rest: funders[2] already has \"rest\": true"},
    {"funders[1].id", "\"city\"", "funders[1].id: \"city\" is already used by funders[0]"},
    {"funders[1].id", NULL, "funders[1].id: missing (required)"},
    {"funders[0].share", "-1", "funders[0].share: must be a non-negative integer (fen)"},
    {"funders[0].share", "0.5", "funders[0].share: must be an integer number of fen"},
    {"funders[2].rest", "\"yes\"", "funders[2].rest: must be true or false"},
    {"funders[0].percent", "30", "funders[0].percent: unknown key"},
    {"funders", "{\"city\": 300}", "funders: must be an array of funders"},
    /* operator_subsidy */
    {"operator_subsidy", "-200", "operator_subsidy: must be a non-negative integer (fen)"},
    {"operator_subsidy", "2e2", "operator_subsidy: must be an integer number of fen"},
    /* canteen overrides */
    {"canteen_overrides", "{}", "canteen_overrides: must be an array of canteen overrides"},
    {"canteen_overrides[0]", "[]", "canteen_overrides[0]: must be an object"},
    {"canteen_overrides[0].canteens", NULL, "canteen_overrides[0].canteens: missing (required)"},
    {"canteen_overrides[0].canteens", "[]", "canteen_overrides[0].canteens: must not be empty"},
    {"canteen_overrides[0].canteens", "\"C0107\"", "canteen_overrides[0].canteens: must be an"},
    {"canteen_overrides[0].canteens[0]", "\"\"", "canteen_overrides[0].canteens[0]: must be an id"},
    {"canteen_overrides[0].canteens[0]", "107", "canteen_overrides[0].canteens[0]: must be an id"},
    {"canteen_overrides[0].canteens[1]", "\"C0107\"",
     "canteen_overrides[0].canteens[1]: \"C0107\" is already used by "
     "canteen_overrides[0].canteens[0]"},
    {"canteen_overrides[1].canteens[2]", "\"C0107\"",
     "canteen_overrides[1].canteens[2]: \"C0107\" is already named by "
     "canteen_overrides[0].canteens[0]"},
    {"canteen_overrides[0].schema", "\"zhucan.rules/1\"",
     "canteen_overrides[0].schema: belongs to the whole rule set"},
    {"canteen_overrides[0].version", "13", "canteen_overrides[0].version: belongs to the whole"},
    {"canteen_overrides[0].effective_from", "\"2026-02-01T00:00:00+08:00\"",
     "canteen_overrides[0].effective_from: belongs to the whole rule set"},
    {"canteen_overrides[0].timezone", "\"UTC\"", "canteen_overrides[0].timezone: belongs to"},
    {"canteen_overrides[0].canteen_overrides", "[]",
     "canteen_overrides[0].canteen_overrides: belongs to the whole rule set"},
    {"canteen_overrides[0].per_meal_capp", "1", "canteen_overrides[0].per_meal_capp: unknown key"},
    {"canteen_overrides[1].comment", "[]", "canteen_overrides[1].comment: must be a string"},
    {"canteen_overrides[0].meal_periods", "null",
     "canteen_overrides[0].meal_periods: must be an array"},
    {"canteen_overrides[0].meal_periods",
     "[{\"id\": \"a\", \"start\": \"11:00\", \"end\": \"12:00\"},"
     " {\"id\": \"b\", \"start\": \"11:30\", \"end\": \"13:00\"}]",
     "canteen_overrides[0].meal_periods[1].start: overlaps canteen_overrides[0].meal_periods[0] "
     "(a 11:00-12:00)"},
    {"canteen_overrides[0].age_tiers[1]", "{\"id\": \"70+\", \"min_age\": 70, \"subsidy\": 400}",
     "canteen_overrides[0].age_tiers[1].min_age: overlaps canteen_overrides[0].age_tiers[0] "
     "(60+)"},
    {"canteen_overrides[0].age_tiers[0].subsidy", "-1",
     "canteen_overrides[0].age_tiers[0].subsidy: must be a non-negative integer (fen)"},
    {"canteen_overrides[0].age_tiers[0].subsidy", "3.5",
     "canteen_overrides[0].age_tiers[0].subsidy: must be an integer number of fen"},
    {"canteen_overrides[1].stacking", "\"avg\"", "canteen_overrides[1].stacking: must be \"max\""},
    {"canteen_overrides[1].limits.per_day", "-1",
     "canteen_overrides[1].limits.per_day: must be a non-negative integer"},
    {"canteen_overrides[1].limits.daily", "1", "canteen_overrides[1].limits.daily: unknown key"},
    {"canteen_overrides[0].funders", "[{\"id\": \"a\", \"share\": 1}]",
     "canteen_overrides[0].funders: exactly one funder must have \"rest\": true"},
    {"canteen_overrides[0].service_days",
     "{\"holidays\": [\"2026-10-01\"], \"workdays\": [\"2026-10-01\"]}",
     "canteen_overrides[0].service_days.workdays[0]: 2026-10-01 is also listed at "
     "canteen_overrides[0].service_days.holidays[0]"},
    {"canteen_overrides[0].categories", "{\"tekun\": {\"subsidy\": -5}}",
     "canteen_overrides[0].categories.tekun.subsidy: must be a non-negative integer (fen)"},
    {"canteen_overrides[0].regions", "[]", "canteen_overrides[0].regions: must not be empty"},
};

static void test_refused_edits(void **state)
{
    (void)state;
    size_t failures = 0;
    for (size_t i = 0; i < N_ELEMS(REFUSED); i++) {
        const edit_case *c = &REFUSED[i];
        char *text = edited(FULL, c->path, c->value);
        if (!refused_as(c->path, text, strlen(text), c->expect))
            failures++;
        free(text);
    }
    assert_int_equal(failures, 0);
}

/* ---- edits that must still parse ---- */

static const edit_case ACCEPTED[] = {
    {"meal_periods[2].end", "\"24:00\"", NULL},
    {"meal_periods[1].start", "\"09:00\"", NULL}, /* touching is not overlapping */
    {"meal_periods[0].start", "\"00:00\"", NULL},
    {"meal_periods[0].id", "\"A.b_c+d-1\"", NULL},
    {"meal_periods[0].id", "\"L23456789012345678901234567890123456789012345678901234567890123\"",
     NULL},
    {"age_tiers[0].max_age", "60", NULL},
    {"age_tiers[0].min_age", "0", NULL},
    {"age_tiers[2].min_age", "150", NULL},
    {"age_tiers", "[]", NULL},
    {"age_tiers[0].subsidy", "1000000000", NULL},
    {"categories", "{}", NULL},
    {"categories.tekun.waive_min_self_pay", "false", NULL},
    {"comment", NULL, NULL},
    {"per_meal_cap", "0", NULL},
    {"stacking", "\"sum\"", NULL},
    {"limits", "{}", NULL},
    {"limits.per_day", "0", NULL},
    {"regions[0]", "\"123456789012\"", NULL},
    {"service_days", "{}", NULL},
    {"service_days.weekdays", "[7, 6, 5, 4, 3, 2, 1]", NULL},
    {"discounts", "[]", NULL},
    {"discounts[0].permille", "1000", NULL},
    {"discounts[0].permille", "0", NULL},
    {"home_region_digits", "12", NULL},
    {"delivery.eligible[1].categories", NULL, NULL},
    {"funders", "[{\"id\": \"all\", \"rest\": true}]", NULL},
    {"funders[2].rest", "true", NULL},
    {"funders[0].share", "0", NULL},
    {"version", "9223372036854775807", NULL},
    {"timezone", "\"UTC\"", NULL},
    {"timezone", NULL, NULL},
    {"effective_from", "\"2026-01-01T00:00:00Z\"", NULL},
    {"effective_from", "\"2025-12-31T16:00:00.000Z\"", NULL},
    {"canteen_overrides", "[]", NULL},
    {"canteen_overrides", NULL, NULL},
    {"canteen_overrides[0].comment", "\"why this canteen differs\"", NULL},
    {"canteen_overrides[0].funders", "null", NULL},
    {"canteen_overrides[0].delivery", "null", NULL},
    {"canteen_overrides[0].age_tiers", "[]", NULL},
    {"canteen_overrides[2]", "{\"canteens\": [\"C0300\"]}", NULL},
};

static void test_accepted_edits(void **state)
{
    (void)state;
    size_t failures = 0;
    for (size_t i = 0; i < N_ELEMS(ACCEPTED); i++) {
        const edit_case *c = &ACCEPTED[i];
        char *text = edited(FULL, c->path, c->value);
        zc_rules *r = NULL;
        zc_diag diag = {.msg = ""};
        zc_err err = zc_rules_parse(text, strlen(text), NULL, &r, &diag);
        if (err != ZC_OK) {
            print_error("%s = %s: refused: %s\n", c->path, c->value ? c->value : "(deleted)",
                        diag.msg);
            failures++;
        }
        zc_rules_free(r);
        free(text);
    }
    assert_int_equal(failures, 0);
}

static void test_edited_values(void **state)
{
    (void)state;
    char *text = edited(FULL, "meal_periods[2].end", "\"24:00\"");
    zc_rules *r = parse_ok(text, strlen(text));
    assert_int_equal(r->base.periods[2].end_min, ZC_RULES_MINUTES_PER_DAY);
    zc_rules_free(r);
    free(text);

    text = edited(FULL, "effective_from", "\"2025-12-31T16:00:00.000Z\"");
    r = parse_ok(text, strlen(text));
    assert_int_equal(r->effective_from, NEW_YEAR_2026_MS);
    zc_rules_free(r);
    free(text);

    text = edited(FULL, "timezone", "\"UTC\"");
    r = parse_ok(text, strlen(text));
    assert_string_equal(r->timezone, "UTC");
    assert_int_equal(zc_tz_offset(r->tz, NEW_YEAR_2026_MS), 0);
    zc_rules_free(r);
    free(text);

    /* An override with nothing but canteens is the base policy again. */
    text = edited(FULL, "canteen_overrides[2]", "{\"canteens\": [\"C0300\"]}");
    r = parse_ok(text, strlen(text));
    assert_int_equal(r->noverrides, 3);
    assert_int_equal(policy_diff(zc_rules_policy_for(r, "C0300"), &r->base), 0);
    zc_rules_free(r);
    free(text);
}

/* ---- whole documents ---- */

typedef struct doc_case {
    const char *name;
    const char *doc;
    size_t len; /* 0: strlen(doc) */
    const char *expect;
    const char *also; /* the diag also contains this, or NULL */
} doc_case;

static const char NUL_IN_STRING[] = "{\"schema\":\"zhucan\0rules/1\"}";
static const char NUL_AFTER_DOC[] = MIN_HEAD "}\0{\"garbage\":1}";
static const char NUL_ONLY[] = "\0";

static const doc_case DOCS[] = {
    {"empty", "", 0, "line 1, column 0: ", "expected"},
    {"blanks", "  \n\t ", 0, "line 2, column ", NULL},
    {"array root", "[]", 0, "rule set: must be a JSON object, not an array", NULL},
    {"array root 2", "[{\"schema\":\"zhucan.rules/1\"}]", 0, "rule set: must be a JSON object",
     NULL},
    {"string root", "\"zhucan.rules/1\"", 0, "line 1, column ", "expected"},
    {"number root", "42", 0, "line 1, column ", NULL},
    {"null root", "null", 0, "line 1, column ", NULL},
    {"empty object", "{}", 0, "schema: missing (required)", NULL},
    {"truncated", MIN_HEAD, 0, "line 1, column ", NULL},
    {"truncated string", "{\"schema\":\"zhucan", 0, "line 1, column ", NULL},
    {"trailing garbage", MIN_HEAD "}x", 0, "line 1, column ", "end of file expected"},
    {"two documents", MIN_HEAD "}{}", 0, "line 1, column ", "end of file expected"},
    {"trailing comma", MIN_HEAD ",}", 0, "line 1, column ", NULL},
    {"single quotes", "{'schema':'zhucan.rules/1'}", 0, "line 1, column ", NULL},
    {"comment syntax", "{/* c */}", 0, "line 1, column ", NULL},
    {"duplicate key", MIN_HEAD ",\"version\":2}", 0, "line 1, column ", "duplicate object key"},
    {"duplicate nested key", MIN_HEAD ",\"limits\":{\"per_day\":1,\"per_day\":2}}", 0,
     "line 1, column ", "duplicate object key"},
    {"duplicate category",
     MIN_HEAD ",\"categories\":{\"a\":{\"subsidy\":1},\"a\":{\"subsidy\":2}}}", 0,
     "line 1, column ", "duplicate object key"},
    {"real overflow", MIN_HEAD ",\"per_meal_cap\":1e400}", 0, "line 1, column ",
     "real number overflow"},
    {"integer overflow", MIN_HEAD ",\"per_meal_cap\":9223372036854775808}", 0, "line 1, column ",
     "too big integer"},
    {"negative overflow", MIN_HEAD ",\"min_price\":-9223372036854775809}", 0, "line 1, column ",
     "too big negative integer"},
    {"int64 max fen", MIN_HEAD ",\"per_meal_cap\":9223372036854775807}", 0,
     "per_meal_cap: must be at most 1000000000 fen", NULL},
    {"int64 min fen", MIN_HEAD ",\"per_meal_cap\":-9223372036854775808}", 0,
     "per_meal_cap: must be a non-negative integer (fen)", NULL},
    {"unknown key after a valid head", MIN_HEAD ",\"x\":1}", 0, "x: unknown key", NULL},
    {"NUL in string", NUL_IN_STRING, sizeof NUL_IN_STRING - 1, "line 1, column ", NULL},
    {"NUL after document", NUL_AFTER_DOC, sizeof NUL_AFTER_DOC - 1, "line 1, column ", NULL},
    {"NUL only", NUL_ONLY, sizeof NUL_ONLY - 1, "line 1, column ", NULL},
    {"escaped NUL in string", MIN_HEAD ",\"comment\":\"a\\u0000b\"}", 0, "line 1, column ",
     "\\u0000 is not allowed"},
    {"escaped NUL in key", MIN_HEAD ",\"a\\u0000b\":1}", 0, "line 1, column ", "NUL byte"},
    {"bad UTF-8", "{\"schema\":\"\xff\"}", 0, "line 1, column ", NULL},
    {"byte order mark", "\xEF\xBB\xBF" MIN_HEAD "}", 0, "line 1, column ", NULL},
    {"error on line 3", "{\n\"schema\": \"zhucan.rules/1\",\n\"version\": 1,,\n}", 0,
     "line 3, column ", NULL},
    {"no periods",
     "{\"schema\":\"zhucan.rules/1\",\"version\":1,"
     "\"effective_from\":\"2026-01-01T00:00:00+08:00\"}",
     0, "meal_periods: missing (required)", NULL},
    {"schema only", "{\"schema\":\"zhucan.rules/1\"}", 0, "version: missing (required)", NULL},
    {"another schema", "{\"schema\":\"zhucan.menu/1\",\"items\":[]}", 0,
     "schema: must be \"zhucan.rules/1\", not \"zhucan.menu/1\"", NULL},
    /* A long key is cut at 48 bytes, backing up to a whole UTF-8 character (3 bytes each). */
    {"long Chinese key", MIN_HEAD ",\"a助餐助餐助餐助餐助餐助餐助餐助餐助餐助餐\":1}", 0,
     "a助餐助餐助餐助餐助餐助餐助餐助...: unknown key", NULL},
    {"control char in key", MIN_HEAD ",\"a\\u0007b\":1}", 0, "a?b: unknown key", NULL},
    {"long unknown key",
     MIN_HEAD ",\"k123456789012345678901234567890123456789012345678901234567890\":1}", 0,
     "k12345678901234567890123456789012345678901234567...: unknown key", NULL},
};

static void test_refused_documents(void **state)
{
    (void)state;
    size_t failures = 0;
    for (size_t i = 0; i < N_ELEMS(DOCS); i++) {
        const doc_case *c = &DOCS[i];
        size_t len = c->len ? c->len : strlen(c->doc);
        if (!refused_as(c->name, c->doc, len, c->expect)) {
            failures++;
            continue;
        }
        if (c->also) {
            zc_diag diag = {.msg = ""};
            zc_rules *r = NULL;
            zc_rules_parse(c->doc, len, NULL, &r, &diag);
            if (!strstr(diag.msg, c->also)) {
                print_error("%s: \"%s\" lacks \"%s\"\n", c->name, diag.msg, c->also);
                failures++;
            }
        }
    }
    assert_int_equal(failures, 0);
}

static void test_syntax_error_records_line(void **state)
{
    (void)state;
    static const char doc[] = "{\n\"schema\": \"zhucan.rules/1\",\n\"version\": 1,,\n}";
    zc_diag diag = {.msg = ""};
    zc_rules *r = NULL;
    assert_int_equal(zc_rules_parse(doc, strlen(doc), NULL, &r, &diag), ZC_ERR_INVALID);
    assert_int_equal(diag.line, 3);
    assert_null(r);
    /* diag is optional; NULL text with no bytes is an empty document. */
    assert_int_equal(zc_rules_parse(doc, strlen(doc), NULL, &r, NULL), ZC_ERR_INVALID);
    assert_int_equal(zc_rules_parse(NULL, 0, NULL, &r, NULL), ZC_ERR_INVALID);
    assert_null(r);
    zc_rules_free(NULL);
}

static void test_tzdir_is_used(void **state)
{
    (void)state;
    char dir[ZC_TEST_PATH_MAX];
    zt_mkdtemp(dir, sizeof dir);
    zc_rules *r = NULL;
    zc_diag diag = {.msg = ""};
    assert_int_equal(zc_rules_parse(MIN, strlen(MIN), dir, &r, &diag), ZC_ERR_INVALID);
    assert_null(r);
    static const char expect[] = "timezone: unknown time zone \"Asia/Shanghai\"";
    assert_true(strncmp(diag.msg, expect, strlen(expect)) == 0);
    zt_rmtree(dir);
}

/* ---- list limits: the largest list allowed parses, one more is refused, never truncated ---- */

typedef json_t *(*make_item)(size_t i);

static json_t *make_period(size_t i)
{
    /* Period i: 20 minutes from half hour i; ids and times stay short for i < 48. */
    unsigned h = (unsigned)(i / 2 % 24), m = (unsigned)(i % 2 * 30);
    char id[16], start[16], end[16];
    snprintf(id, sizeof id, "p%u", (unsigned)(i % 1000));
    snprintf(start, sizeof start, "%02u:%02u", h % 100, m % 100);
    snprintf(end, sizeof end, "%02u:%02u", h % 100, (m + 20) % 100);
    return json_pack("{ssssss}", "id", id, "start", start, "end", end);
}

static json_t *make_tier(size_t i)
{
    char id[16];
    snprintf(id, sizeof id, "t%zu", i);
    return json_pack("{sssisisi}", "id", id, "min_age", (int)i * 2, "max_age", (int)i * 2 + 1,
                     "subsidy", 100);
}

static json_t *make_discount(size_t i)
{
    return json_pack("{sisisi}", "min_age", (int)i * 2, "max_age", (int)i * 2 + 1, "permille", 900);
}

static json_t *make_region(size_t i)
{
    char code[16];
    snprintf(code, sizeof code, "32%02zu", i);
    return json_string(code);
}

static json_t *make_date(size_t i)
{
    char text[ZC_DATE_TEXT_LEN + 1];
    zc_date_format(zc_date_from_days(20000 + (int64_t)i), text);
    return json_string(text);
}

static json_t *make_id(size_t i)
{
    char id[16];
    snprintf(id, sizeof id, "C%04zu", i);
    return json_string(id);
}

/* Canteens no override in FULL names. */
static json_t *make_canteen(size_t i)
{
    char id[16];
    snprintf(id, sizeof id, "K%04zu", i);
    return json_string(id);
}

static json_t *make_clause(size_t i)
{
    return json_pack("{si}", "min_age", (int)i);
}

static json_t *make_funder(size_t i)
{
    char id[16];
    snprintf(id, sizeof id, "f%zu", i);
    return i == 0 ? json_pack("{sssb}", "id", id, "rest", 1)
                  : json_pack("{sssi}", "id", id, "share", 1);
}

static json_t *make_override(size_t i)
{
    return json_pack("{s[o]}", "canteens", make_id(i));
}

static json_t *make_weekday(size_t i)
{
    return json_integer((json_int_t)(i % 7 + 1));
}

/* FULL with the array at path (its parent must exist) made of n items. */
static char *with_list(const char *path, make_item make, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        assert_int_equal(json_array_append_new(a, make(i)), 0);
    char *value = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    char *text = edited(FULL, path, value);
    free(value);
    return text;
}

static void test_list_limits(void **state)
{
    (void)state;
    static const struct {
        const char *path;
        make_item make;
        size_t max;
        const char *expect; /* for max + 1 */
    } LISTS[] = {
        {"meal_periods", make_period, ZC_RULES_MAX_ITEMS, "meal_periods: lists 33 meal periods"},
        {"age_tiers", make_tier, ZC_RULES_MAX_ITEMS, "age_tiers: lists 33 age tiers; at most 32"},
        {"discounts", make_discount, ZC_RULES_MAX_ITEMS, "discounts: lists 33 discounts"},
        {"regions", make_region, ZC_RULES_MAX_ITEMS, "regions: lists 33 region codes"},
        {"service_days.holidays", make_date, ZC_RULES_MAX_DATES,
         "service_days.holidays: lists 401 dates"},
        {"service_days.workdays", make_date, ZC_RULES_MAX_DATES,
         "service_days.workdays: lists 401 dates"},
        {"service_days.weekdays", make_weekday, 7, "service_days.weekdays: lists 8 ISO weekdays"},
        {"delivery.eligible", make_clause, ZC_RULES_MAX_ITEMS,
         "delivery.eligible: lists 33 eligibility clauses"},
        {"delivery.eligible[1].categories", make_id, ZC_RULES_MAX_ITEMS,
         "delivery.eligible[1].categories: lists 33 category ids"},
        {"funders", make_funder, ZC_RULES_MAX_ITEMS, "funders: lists 33 funders"},
        {"canteen_overrides", make_override, ZC_RULES_MAX_ITEMS,
         "canteen_overrides: lists 33 canteen overrides"},
        {"canteen_overrides[0].canteens", make_canteen, ZC_RULES_MAX_CANTEENS,
         "canteen_overrides[0].canteens: lists 257 canteen ids; at most 256"},
    };
    for (size_t i = 0; i < N_ELEMS(LISTS); i++) {
        char *text = with_list(LISTS[i].path, LISTS[i].make, LISTS[i].max);
        zc_rules *r = parse_ok(text, strlen(text));
        zc_rules_free(r);
        free(text);
        text = with_list(LISTS[i].path, LISTS[i].make, LISTS[i].max + 1);
        assert_true(refused_as(LISTS[i].path, text, strlen(text), LISTS[i].expect));
        free(text);
    }

    /* Categories are an object: 32 members parse, 33 are refused. */
    json_t *cats = json_object();
    for (size_t i = 0; i <= ZC_RULES_MAX_ITEMS; i++) {
        char id[16];
        snprintf(id, sizeof id, "c%zu", i);
        json_object_set_new(cats, id, json_pack("{si}", "subsidy", (int)i));
        char *value = json_dumps(cats, JSON_COMPACT);
        char *text = edited(FULL, "categories", value);
        if (i < ZC_RULES_MAX_ITEMS) {
            zc_rules *r = parse_ok(text, strlen(text));
            assert_int_equal(r->base.ncategories, i + 1);
            zc_rules_free(r);
        } else {
            assert_true(refused_as("categories", text, strlen(text),
                                   "categories: lists 33 categories; at most 32"));
        }
        free(text);
        free(value);
    }
    json_decref(cats);
}

/* ---- the shipped default ---- */

static void test_default_asset_parses(void **state)
{
    (void)state;
    /* $ZC_SOURCE_DIR when set, else the tree this file is in (tests/unit/ under the root). */
    char path[ZC_TEST_PATH_MAX];
    const char *root = getenv("ZC_SOURCE_DIR");
    if (root && *root) {
        snprintf(path, sizeof path, "%s/assets/rules/default.json", root);
    } else {
        const char *file = __FILE__;
        const char *at = strstr(file, "tests/unit/test_rules.c");
        assert_non_null(at);
        snprintf(path, sizeof path, "%.*sassets/rules/default.json", (int)(at - file), file);
    }
    size_t len = 0;
    char *text = zt_read_file(path, &len);
    assert_non_null(text);
    zc_rules *r = parse_ok(text, len);
    assert_int_equal(r->version, 1);
    assert_int_equal(r->effective_from, NEW_YEAR_2026_MS);
    assert_string_equal(r->timezone, "Asia/Shanghai");
    const zc_rules_policy *b = &r->base;
    assert_int_equal(b->nperiods, 3);
    assert_int_equal(b->ntiers, 4);
    assert_int_equal(b->tiers[0].subsidy, 200);
    assert_int_equal(b->tiers[3].min_age, 90);
    assert_int_equal(b->tiers[3].max_age, ZC_RULES_NO_LIMIT);
    assert_int_equal(b->tiers[3].subsidy, 500);
    assert_int_equal(b->ncategories, 5);
    assert_string_equal(b->categories[0].id, "tekun");
    assert_true(b->categories[0].waive_min_self_pay);
    assert_int_equal(b->stacking, ZC_STACKING_MAX);
    assert_int_equal(b->per_meal_cap, 1000);
    assert_int_equal(b->min_self_pay, 100);
    assert_int_equal(b->limits.per_period, 1);
    assert_int_equal(b->limits.per_day, 2);
    assert_int_equal(b->limits.per_week, ZC_RULES_NO_LIMIT);
    assert_int_equal(b->limits.per_month, 62);
    assert_true(b->registered_only);
    assert_int_equal(b->nregions, 1);
    assert_string_equal(b->regions[0], "3202");
    assert_int_equal(r->noverrides, 0);
    zc_rules_free(r);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_set_values),
        cmocka_unit_test(test_overrides_replace_only_named_keys),
        cmocka_unit_test(test_absent_keys_take_defaults),
        cmocka_unit_test(test_refused_edits),
        cmocka_unit_test(test_accepted_edits),
        cmocka_unit_test(test_edited_values),
        cmocka_unit_test(test_refused_documents),
        cmocka_unit_test(test_syntax_error_records_line),
        cmocka_unit_test(test_tzdir_is_used),
        cmocka_unit_test(test_list_limits),
        cmocka_unit_test(test_default_asset_parses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
