/*
 * zc_rules_quote and zc_quote_to_json on rule sets built by hand (the parser has its own tests;
 * tests/policy holds the policy officers' tables, run by test_policy.c through the parser).
 *
 * The base rule set is DESIGN.md's example; each case may tweak it. Expected amounts are worked
 * out by hand from DESIGN.md, "Meaning, in order". 2026-03-02 is a Monday.
 */
#include "testutil.h"

#include "zc/rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define D(y, m, d) ((zc_date){.year = (y), .month = (m), .day = (d)})
#define HM(h, m) ((h)*60 + (m))

enum {
    MAX_HISTORY = 6,
    MANY_CATEGORIES = 20,
    PRICE = 1500,
};

typedef void (*tweak_fn)(zc_rules_policy *p);

typedef enum roster {
    ACTIVE = 0,
    NOT_IN_ROSTER,
    UNREGISTERED,
    SUSPENDED,
} roster;

typedef struct qcase {
    const char *name;
    tweak_fn tweak;     /* NULL: DESIGN.md's example as is */
    roster roster;      /* ACTIVE unless said */
    const char *birth;  /* NULL: no birth date */
    const char *cats;   /* "dibao|shineng" */
    const char *region; /* NULL: "320202" */
    const char *at;     /* NULL: Monday 2026-03-02 12:00 in Shanghai */
    zc_fen price;       /* 0 means PRICE unless zero_price */
    bool zero_price;
    const char *canteen;
    const char *canteen_region;
    bool delivered;
    zc_fen fee;
    const char *history[MAX_HISTORY];
    /* Expected. */
    zc_fen subsidy, self_pay, discount, delivery_subsidy, operator_subsidy;
    bool pays_nothing;  /* self_pay 0 is checked only when this says so */
    const char *period; /* "" outside every period */
    const char *tier;   /* "" none */
    const char *reason; /* "" none */
} qcase;

static zc_tz *shanghai;

static int setup(void **state)
{
    (void)state;
    zc_diag diag = {0};
    if (zc_tz_open(NULL, "Asia/Shanghai", &shanghai, &diag) != ZC_OK) {
        fprintf(stderr, "tz: %s\n", diag.msg);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    zc_tz_free(shanghai);
    return 0;
}

static void set_id(char *dst, const char *src)
{
    snprintf(dst, ZC_ID_MAX, "%s", src);
}

/* DESIGN.md's example rule set, without its canteen override. */
static void example_policy(zc_rules_policy *p)
{
    memset(p, 0, sizeof *p);
    static const struct {
        const char *id;
        int start, end;
    } periods[] = {{"breakfast", HM(6, 30), HM(9, 0)},
                   {"lunch", HM(10, 30), HM(13, 30)},
                   {"dinner", HM(16, 30), HM(19, 0)}};
    for (size_t i = 0; i < N_ELEMS(periods); i++) {
        set_id(p->periods[i].id, periods[i].id);
        p->periods[i].start_min = periods[i].start;
        p->periods[i].end_min = periods[i].end;
    }
    p->nperiods = N_ELEMS(periods);
    static const zc_rules_tier tiers[] = {
        {"60-69", 60, 69, 200}, {"70-79", 70, 79, 300}, {"80+", 80, ZC_RULES_NO_LIMIT, 500}};
    memcpy(p->tiers, tiers, sizeof tiers);
    p->ntiers = N_ELEMS(tiers);
    static const zc_rules_category cats[] = {
        {"tekun", 1000, true}, {"dibao", 500, false}, {"shineng", 300, false}};
    memcpy(p->categories, cats, sizeof cats);
    p->ncategories = N_ELEMS(cats);
    p->stacking = ZC_STACKING_MAX;
    p->per_meal_cap = 1000;
    p->min_self_pay = 100;
    p->limits = (zc_rules_limits){1, 2, ZC_RULES_NO_LIMIT, 62};
    p->registered_only = true;
    snprintf(p->regions[0], sizeof p->regions[0], "3202");
    p->nregions = 1;
}

static zc_rules *make_rules(tweak_fn tweak)
{
    zc_rules *r = calloc(1, sizeof *r);
    assert_non_null(r);
    r->version = 12;
    set_id(r->timezone, "Asia/Shanghai");
    r->tz = shanghai;
    example_policy(&r->base);
    if (tweak)
        tweak(&r->base);
    return r;
}

static void free_rules(zc_rules *r)
{
    free(r->overrides);
    free(r);
}

/* ---- tweaks: the optional keys ---- */

static void t_sum(zc_rules_policy *p)
{
    p->stacking = ZC_STACKING_SUM;
}

static void t_sum_no_cap(zc_rules_policy *p)
{
    p->stacking = ZC_STACKING_SUM;
    p->per_meal_cap = ZC_RULES_NO_LIMIT;
}

static void t_open_roster(zc_rules_policy *p)
{
    p->registered_only = false;
    p->nregions = 0;
}

static void t_per_week(zc_rules_policy *p)
{
    p->limits = (zc_rules_limits){ZC_RULES_NO_LIMIT, ZC_RULES_NO_LIMIT, 5, ZC_RULES_NO_LIMIT};
}

static void t_per_month_2(zc_rules_policy *p)
{
    p->limits.per_month = 2;
}

static void t_discounts(zc_rules_policy *p)
{
    p->discounts[0] = (zc_rules_discount){60, 79, 900};
    p->discounts[1] = (zc_rules_discount){80, ZC_RULES_NO_LIMIT, 850};
    p->ndiscounts = 2;
}

static void t_service_days(zc_rules_policy *p)
{
    p->has_service_days = true;
    for (int d = 1; d <= 5; d++)
        p->weekdays[d] = true;
    p->holidays[0] = D(2026, 10, 1);
    p->nholidays = 1;
    p->workdays[0] = D(2026, 9, 27);
    p->nworkdays = 1;
}

static void t_min_price(zc_rules_policy *p)
{
    p->min_price = 1500;
}

static void t_home(zc_rules_policy *p)
{
    p->home_region_digits = 6;
}

static void t_delivery(zc_rules_policy *p)
{
    p->has_delivery = true;
    p->delivery_subsidy = 200;
    p->delivery[0].min_age = 100;
    p->delivery[1].min_age = 70;
    set_id(p->delivery[1].categories[0], "shineng");
    p->delivery[1].ncategories = 1;
    p->ndelivery = 2;
}

static void t_funders_operator(zc_rules_policy *p)
{
    p->funders[0] = (zc_rules_funder){"city", 300, false};
    p->funders[1] = (zc_rules_funder){"district", 300, false};
    p->funders[2] = (zc_rules_funder){"street", 0, true};
    p->nfunders = 3;
    p->operator_subsidy = 200;
}

static void t_delivery_funders(zc_rules_policy *p)
{
    t_delivery(p);
    t_funders_operator(p);
}

/* ---- the table ---- */

static const qcase CASES[] = {
    {.name = "79 at lunch",
     .birth = "1946-05-01",
     .subsidy = 300,
     .self_pay = 1200,
     .period = "lunch",
     .tier = "70-79",
     .reason = ""},
    {.name = "80th birthday on the sale date",
     .birth = "1946-03-02",
     .subsidy = 500,
     .self_pay = 1000,
     .tier = "80+"},
    {.name = "80th birthday the day after",
     .birth = "1946-03-03",
     .subsidy = 300,
     .self_pay = 1200,
     .tier = "70-79"},
    {.name = "60 today", .birth = "1966-03-02", .subsidy = 200, .self_pay = 1300, .tier = "60-69"},
    {.name = "59, 60 tomorrow",
     .birth = "1966-03-03",
     .subsidy = 0,
     .self_pay = 1500,
     .tier = "",
     .reason = "no age tier or category applies"},
    {.name = "no birth date, no category",
     .subsidy = 0,
     .self_pay = 1500,
     .reason = "no age tier or category applies"},
    {.name = "born 29 Feb, 28 Feb of a common year: still 69",
     .birth = "1956-02-29",
     .at = "2026-02-28T12:00:00+08:00",
     .subsidy = 200,
     .self_pay = 1300,
     .tier = "60-69"},
    {.name = "born 29 Feb, 1 Mar of a common year: 70",
     .birth = "1956-02-29",
     .at = "2026-03-01T12:00:00+08:00",
     .subsidy = 300,
     .self_pay = 1200,
     .tier = "70-79"},
    {.name = "born 29 Feb, 29 Feb of a leap year: 80",
     .birth = "1948-02-29",
     .at = "2028-02-29T12:00:00+08:00",
     .subsidy = 500,
     .tier = "80+"},
    {.name = "born 29 Feb, 28 Feb of a leap year: 79",
     .birth = "1948-02-29",
     .at = "2028-02-28T12:00:00+08:00",
     .subsidy = 300,
     .tier = "70-79"},
    {.name = "tekun beats the tier",
     .birth = "1946-05-01",
     .cats = "tekun",
     .subsidy = 1000,
     .self_pay = 500,
     .tier = "tekun"},
    {.name = "tie: the tier wins",
     .birth = "1946-05-01",
     .cats = "shineng",
     .subsidy = 300,
     .self_pay = 1200,
     .tier = "70-79"},
    {.name = "tekun waives min_self_pay but never above the price",
     .birth = "1946-05-01",
     .cats = "tekun",
     .price = 800,
     .subsidy = 800,
     .pays_nothing = true,
     .tier = "tekun"},
    {.name = "min_self_pay cuts",
     .birth = "1946-05-01",
     .cats = "dibao",
     .price = 500,
     .subsidy = 400,
     .self_pay = 100,
     .tier = "dibao"},
    {.name = "price below min_self_pay",
     .birth = "1946-05-01",
     .price = 80,
     .subsidy = 0,
     .self_pay = 80,
     .tier = "70-79",
     .reason = ""},
    {.name = "zero price",
     .birth = "1946-05-01",
     .zero_price = true,
     .subsidy = 0,
     .pays_nothing = true,
     .tier = "70-79"},
    {.name = "unknown category ignored",
     .birth = "1946-05-01",
     .cats = "veteran",
     .subsidy = 300,
     .self_pay = 1200},
    {.name = "sum stacking, capped",
     .tweak = t_sum,
     .birth = "1946-05-01",
     .cats = "dibao|shineng",
     .subsidy = 1000,
     .self_pay = 500,
     .tier = "dibao"},
    {.name = "sum stacking, capped, then min_self_pay",
     .tweak = t_sum,
     .birth = "1946-05-01",
     .cats = "dibao|shineng",
     .price = 1000,
     .subsidy = 900,
     .self_pay = 100},
    {.name = "per_meal_cap absent",
     .tweak = t_sum_no_cap,
     .birth = "1940-01-01",
     .cats = "tekun",
     .price = 3000,
     .subsidy = 1500,
     .self_pay = 1500},
    {.name = "period start included",
     .birth = "1946-05-01",
     .at = "2026-03-02T10:30:00+08:00",
     .subsidy = 300,
     .period = "lunch"},
    {.name = "period end excluded",
     .birth = "1946-05-01",
     .at = "2026-03-02T13:30:00+08:00",
     .subsidy = 0,
     .self_pay = 1500,
     .period = "",
     .tier = "",
     .reason = "outside meal hours"},
    {.name = "one minute before the end",
     .birth = "1946-05-01",
     .at = "2026-03-02T13:29:59+08:00",
     .subsidy = 300,
     .period = "lunch"},
    {.name = "UTC time is Shanghai lunch",
     .birth = "1946-05-01",
     .at = "2026-03-02T03:00:00Z",
     .subsidy = 300,
     .period = "lunch"},
    {.name = "not in the roster",
     .roster = NOT_IN_ROSTER,
     .subsidy = 0,
     .self_pay = 1500,
     .period = "lunch",
     .tier = "",
     .reason = "not in the roster"},
    {.name = "unregistered",
     .roster = UNREGISTERED,
     .birth = "1946-05-01",
     .subsidy = 0,
     .reason = "not in the roster"},
    {.name = "unregistered, rules open to all",
     .tweak = t_open_roster,
     .roster = UNREGISTERED,
     .birth = "1946-05-01",
     .subsidy = 300,
     .reason = ""},
    {.name = "not in the roster, rules open to all",
     .tweak = t_open_roster,
     .roster = NOT_IN_ROSTER,
     .subsidy = 0,
     .reason = "no age tier or category applies"},
    {.name = "suspended",
     .roster = SUSPENDED,
     .birth = "1946-05-01",
     .subsidy = 0,
     .reason = "roster entry suspended"},
    {.name = "other region",
     .birth = "1946-05-01",
     .region = "330102",
     .subsidy = 0,
     .reason = "elder's region is not covered"},
    {.name = "per period used",
     .birth = "1946-05-01",
     .history = {"2026-03-02T11:00:00+08:00"},
     .subsidy = 0,
     .tier = "",
     .reason = "limit reached: 1 per period"},
    {.name = "breakfast does not count for lunch",
     .birth = "1946-05-01",
     .history = {"2026-03-02T07:00:00+08:00"},
     .subsidy = 300},
    {.name = "per day used",
     .birth = "1946-05-01",
     .history = {"2026-03-02T07:00:00+08:00", "2026-03-02T18:00:00+08:00"},
     .subsidy = 0,
     .reason = "limit reached: 2 per day"},
    {.name = "yesterday's meals count for nothing today",
     .birth = "1946-05-01",
     .history = {"2026-03-01T11:00:00+08:00", "2026-03-01T17:00:00+08:00"},
     .subsidy = 300},
    {.name = "UTC history on the previous UTC day is today's breakfast",
     .birth = "1946-05-01",
     .history = {"2026-03-01T23:00:00Z", "2026-03-02T04:00:00Z"},
     .subsidy = 0,
     .reason = "limit reached: 1 per period"},
    {.name = "per week: 4 of 5 used",
     .tweak = t_per_week,
     .birth = "1946-05-01",
     .at = "2026-03-08T12:00:00+08:00",
     .history = {"2026-03-02T12:00:00+08:00", "2026-03-03T12:00:00+08:00",
                 "2026-03-04T12:00:00+08:00", "2026-03-05T12:00:00+08:00"},
     .subsidy = 300},
    {.name = "per week reached on Sunday",
     .tweak = t_per_week,
     .birth = "1946-05-01",
     .at = "2026-03-08T12:00:00+08:00",
     .history = {"2026-03-02T12:00:00+08:00", "2026-03-03T12:00:00+08:00",
                 "2026-03-04T12:00:00+08:00", "2026-03-05T12:00:00+08:00",
                 "2026-03-06T12:00:00+08:00"},
     .subsidy = 0,
     .reason = "limit reached: 5 per week"},
    {.name = "per week: last Sunday is another week",
     .tweak = t_per_week,
     .birth = "1946-05-01",
     .at = "2026-03-06T12:00:00+08:00",
     .history = {"2026-03-01T12:00:00+08:00", "2026-03-02T12:00:00+08:00",
                 "2026-03-03T12:00:00+08:00", "2026-03-04T12:00:00+08:00",
                 "2026-03-05T12:00:00+08:00"},
     .subsidy = 300,
     .reason = ""},
    {.name = "per week: Monday starts afresh",
     .tweak = t_per_week,
     .birth = "1946-05-01",
     .at = "2026-03-09T12:00:00+08:00",
     .history = {"2026-03-04T12:00:00+08:00", "2026-03-05T12:00:00+08:00",
                 "2026-03-06T12:00:00+08:00", "2026-03-07T12:00:00+08:00",
                 "2026-03-08T12:00:00+08:00"},
     .subsidy = 300},
    {.name = "per month reached",
     .tweak = t_per_month_2,
     .birth = "1946-05-01",
     .at = "2026-03-31T12:00:00+08:00",
     .history = {"2026-03-01T12:00:00+08:00", "2026-03-15T12:00:00+08:00"},
     .subsidy = 0,
     .reason = "limit reached: 2 per month"},
    {.name = "last month does not count",
     .tweak = t_per_month_2,
     .birth = "1946-05-01",
     .at = "2026-03-01T12:00:00+08:00",
     .history = {"2026-02-28T12:00:00+08:00", "2026-02-27T12:00:00+08:00"},
     .subsidy = 300},
    {.name = "discount 90%, half up",
     .tweak = t_discounts,
     .birth = "1946-05-01",
     .price = 1505,
     .discount = 150,
     .subsidy = 300,
     .self_pay = 1055},
    {.name = "discount 85%, rounds down",
     .tweak = t_discounts,
     .birth = "1946-01-01",
     .price = 1505,
     .discount = 226,
     .subsidy = 500,
     .self_pay = 779},
    {.name = "discount even outside meal hours",
     .tweak = t_discounts,
     .birth = "1946-05-01",
     .at = "2026-03-02T15:00:00+08:00",
     .price = 1000,
     .discount = 100,
     .subsidy = 0,
     .self_pay = 900,
     .reason = "outside meal hours"},
    {.name = "no discount when suspended",
     .tweak = t_discounts,
     .roster = SUSPENDED,
     .birth = "1946-05-01",
     .discount = 0,
     .self_pay = 1500},
    {.name = "Saturday",
     .tweak = t_service_days,
     .birth = "1946-05-01",
     .at = "2026-03-07T12:00:00+08:00",
     .subsidy = 0,
     .period = "lunch",
     .tier = "",
     .reason = "no subsidy on this day of the week"},
    {.name = "holiday on a Thursday",
     .tweak = t_service_days,
     .birth = "1946-05-01",
     .at = "2026-10-01T12:00:00+08:00",
     .subsidy = 0,
     .reason = "holiday: no subsidy"},
    {.name = "make-up workday on a Sunday",
     .tweak = t_service_days,
     .birth = "1946-05-01",
     .at = "2026-09-27T12:00:00+08:00",
     .subsidy = 500,
     .tier = "80+"},
    {.name = "below min_price",
     .tweak = t_min_price,
     .birth = "1946-05-01",
     .price = 1499,
     .subsidy = 0,
     .self_pay = 1499,
     .tier = "70-79",
     .reason = "price below the minimum for a subsidy (\xc2\xa5"
               "15.00)"},
    {.name = "at min_price",
     .tweak = t_min_price,
     .birth = "1946-05-01",
     .price = 1500,
     .subsidy = 300,
     .reason = ""},
    {.name = "home district",
     .tweak = t_home,
     .birth = "1946-05-01",
     .canteen_region = "320202",
     .subsidy = 300},
    {.name = "other district",
     .tweak = t_home,
     .birth = "1946-05-01",
     .canteen_region = "320211",
     .subsidy = 0,
     .reason = "outside the elder's home district"},
    {.name = "canteen region unknown",
     .tweak = t_home,
     .birth = "1946-05-01",
     .subsidy = 0,
     .reason = "canteen region unknown"},
    {.name = "delivery, category clause",
     .tweak = t_delivery,
     .birth = "1946-05-01",
     .cats = "shineng",
     .delivered = true,
     .fee = 300,
     .subsidy = 300,
     .delivery_subsidy = 200,
     .self_pay = 1300},
    {.name = "delivery fee below the subsidy",
     .tweak = t_delivery,
     .birth = "1946-05-01",
     .cats = "shineng",
     .delivered = true,
     .fee = 150,
     .subsidy = 300,
     .delivery_subsidy = 150,
     .self_pay = 1200},
    {.name = "delivery, no clause",
     .tweak = t_delivery,
     .birth = "1946-05-01",
     .delivered = true,
     .fee = 300,
     .subsidy = 300,
     .delivery_subsidy = 0,
     .self_pay = 1500},
    {.name = "delivery, 100 years old",
     .tweak = t_delivery,
     .birth = "1926-03-02",
     .delivered = true,
     .fee = 500,
     .subsidy = 500,
     .delivery_subsidy = 200,
     .self_pay = 1300},
    {.name = "delivery, but a limit is used",
     .tweak = t_delivery,
     .birth = "1926-03-02",
     .history = {"2026-03-02T11:00:00+08:00"},
     .delivered = true,
     .fee = 500,
     .subsidy = 0,
     .delivery_subsidy = 0,
     .self_pay = 2000},
    {.name = "fee ignored when not delivered",
     .tweak = t_delivery,
     .birth = "1926-03-02",
     .fee = 500,
     .subsidy = 500,
     .delivery_subsidy = 0,
     .self_pay = 1000},
    {.name = "operator subsidy when subsidised",
     .tweak = t_funders_operator,
     .birth = "1946-05-01",
     .subsidy = 300,
     .operator_subsidy = 200},
    {.name = "no operator subsidy when nothing applies",
     .tweak = t_funders_operator,
     .birth = "1966-05-01",
     .subsidy = 0,
     .operator_subsidy = 0},
    {.name = "delivery and funders",
     .tweak = t_delivery_funders,
     .birth = "1926-03-02",
     .delivered = true,
     .fee = 500,
     .subsidy = 500,
     .delivery_subsidy = 200,
     .self_pay = 1300,
     .operator_subsidy = 200},
};

static void fill_elder(const qcase *c, zc_quote_elder *e)
{
    memset(e, 0, sizeof *e);
    e->registered = c->roster != UNREGISTERED;
    e->suspended = c->roster == SUSPENDED;
    if (c->birth) {
        e->has_birth = true;
        assert_int_equal(zc_date_parse(c->birth, strlen(c->birth), &e->birth, NULL), ZC_OK);
    }
    snprintf(e->region, sizeof e->region, "%s", c->region ? c->region : "320202");
    if (c->cats) {
        char buf[256];
        snprintf(buf, sizeof buf, "%s", c->cats);
        char *save = NULL;
        for (char *t = strtok_r(buf, "|", &save); t; t = strtok_r(NULL, "|", &save))
            set_id(e->categories[e->ncategories++], t);
    }
}

static zc_ms at_of(const char *text)
{
    zc_ms t = 0;
    zc_diag diag = {0};
    if (zc_time_parse_iso8601(text, &t, &diag) != ZC_OK)
        fail_msg("time %s: %s", text, diag.msg);
    return t;
}

static void run_case(const qcase *c, zc_quote *q)
{
    zc_rules *r = make_rules(c->tweak);
    zc_quote_elder elder;
    fill_elder(c, &elder);
    zc_ms history[MAX_HISTORY];
    size_t nhistory = 0;
    for (; nhistory < MAX_HISTORY && c->history[nhistory]; nhistory++)
        history[nhistory] = at_of(c->history[nhistory]);
    zc_quote_input in = {
        .elder = c->roster == NOT_IN_ROSTER ? NULL : &elder,
        .price = c->price || c->zero_price ? c->price : PRICE,
        .at = at_of(c->at ? c->at : "2026-03-02T12:00:00+08:00"),
        .canteen = c->canteen,
        .canteen_region = c->canteen_region,
        .delivered = c->delivered,
        .delivery_fee = c->fee,
        .history = nhistory ? history : NULL,
        .nhistory = nhistory,
    };
    zc_diag diag = {0};
    if (zc_rules_quote(r, &in, q, &diag) != ZC_OK)
        fail_msg("%s: %s", c->name, diag.msg);
    free_rules(r);
}

#define EXPECT_INT(c, field, got)                                                                  \
    do {                                                                                           \
        if ((long long)(got) != (long long)(c)->field)                                             \
            fail_msg("%s: " #field " %lld, want %lld", (c)->name, (long long)(got),                \
                     (long long)(c)->field);                                                       \
    } while (0)

static void expect_text(const qcase *c, const char *what, const char *got, const char *want)
{
    if (want && strcmp(got, want) != 0)
        fail_msg("%s: %s \"%s\", want \"%s\"", c->name, what, got, want);
}

static void test_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ELEMS(CASES); i++) {
        const qcase *c = &CASES[i];
        zc_quote q;
        run_case(c, &q);
        EXPECT_INT(c, subsidy, q.subsidy);
        EXPECT_INT(c, discount, q.discount);
        EXPECT_INT(c, delivery_subsidy, q.delivery_subsidy);
        EXPECT_INT(c, operator_subsidy, q.operator_subsidy);
        if (c->self_pay || c->pays_nothing)
            EXPECT_INT(c, self_pay, q.self_pay);
        expect_text(c, "period", q.period, c->period);
        expect_text(c, "tier", q.tier, c->tier);
        expect_text(c, "reason", q.reason, c->reason);
        /* Invariants of every quote. */
        zc_fen fee = c->delivered ? c->fee : 0;
        assert_int_equal(q.self_pay, q.price - q.discount - q.subsidy + fee - q.delivery_subsidy);
        assert_true(q.subsidy >= 0 && q.subsidy <= q.price - q.discount);
        assert_true(q.nlines >= 1 && q.nlines <= ZC_QUOTE_MAX_LINES);
        assert_int_equal(q.rules_version, 12);
        if (q.subsidy == 0 && !*q.tier)
            assert_true(*q.reason);
    }
}

static const zc_quote_line *find_line(const zc_quote *q, const char *rule)
{
    for (size_t i = 0; i < q->nlines; i++)
        if (strcmp(q->lines[i].rule, rule) == 0)
            return &q->lines[i];
    return NULL;
}

static void assert_line(const zc_quote *q, const char *rule, zc_fen amount, const char *note)
{
    const zc_quote_line *l = find_line(q, rule);
    if (!l)
        fail_msg("no line \"%s\"", rule);
    assert_int_equal(l->amount, amount);
    if (note)
        assert_string_equal(l->note, note);
}

static zc_quote quote_of(const qcase *c)
{
    zc_quote q;
    run_case(c, &q);
    return q;
}

static void test_lines(void **state)
{
    (void)state;
    /* 79, tekun, sum: 300 + 1000 = 1300, capped at 1000. */
    zc_quote q = quote_of(
        &(qcase){.name = "lines", .tweak = t_sum, .birth = "1946-05-01", .cats = "tekun|nope"});
    assert_int_equal(q.nlines, 4);
    assert_line(&q, "age_tiers[1] 70-79", 300, "age 79");
    assert_line(&q, "categories.tekun", 1000, NULL);
    assert_line(&q, "stacking sum", 1300, NULL);
    assert_line(&q, "per_meal_cap", 1000,
                "capped from \xc2\xa5"
                "13.00");

    /* One amount: no stacking line. */
    q = quote_of(&(qcase){.name = "one", .birth = "1946-05-01"});
    assert_int_equal(q.nlines, 1);

    /* Waived and capped by the price. */
    q = quote_of(&(qcase){.name = "waive", .birth = "1946-05-01", .cats = "tekun", .price = 800});
    assert_line(&q, "waive_min_self_pay (tekun)", 1000, NULL);
    assert_line(&q, "price", 800,
                "capped from \xc2\xa5"
                "10.00");
    assert_line(&q, "stacking max", 1000, NULL);

    q = quote_of(&(qcase){.name = "msp", .birth = "1946-05-01", .cats = "dibao", .price = 500});
    assert_line(&q, "min_self_pay", 400, NULL);

    /* A reason stops everything: one line. */
    q = quote_of(&(qcase){.name = "stop", .birth = "1946-05-01", .region = "110101"});
    assert_int_equal(q.nlines, 1);
    assert_line(&q, "regions", 0, "elder's region is not covered");

    q = quote_of(
        &(qcase){.name = "limit", .birth = "1946-05-01", .history = {"2026-03-02T11:00:00+08:00"}});
    assert_line(&q, "limits.per_period", 0, "limit reached: 1 per period");

    q = quote_of(
        &(qcase){.name = "discount", .tweak = t_discounts, .birth = "1946-05-01", .price = 1505});
    assert_line(&q, "discounts[0]", 150, "pay 900\xe2\x80\xb0");

    q = quote_of(&(qcase){.name = "delivery",
                          .tweak = t_delivery,
                          .birth = "1926-01-01",
                          .delivered = true,
                          .fee = 300});
    assert_line(&q, "delivery.eligible[0]", 200, NULL);
}

static void test_funders(void **state)
{
    (void)state;
    static const struct {
        const char *birth, *cats;
        zc_fen city, district, street;
    } rows[] = {
        {"1946-01-01", NULL, 300, 200, 0},      /* 500: the second share is capped */
        {"1946-05-01", "tekun", 300, 300, 400}, /* 1000: the rest takes 400 */
        {"1966-05-01", NULL, 0, 0, 0},          /* 59: nothing, every funder still listed */
        {"1946-05-01", NULL, 300, 0, 0},        /* 300 */
    };
    for (size_t i = 0; i < N_ELEMS(rows); i++) {
        zc_quote q = quote_of(&(qcase){.name = "funders",
                                       .tweak = t_funders_operator,
                                       .birth = rows[i].birth,
                                       .cats = rows[i].cats});
        assert_int_equal(q.nfunders, 3);
        assert_string_equal(q.funders[0].id, "city");
        assert_int_equal(q.funders[0].amount, rows[i].city);
        assert_string_equal(q.funders[1].id, "district");
        assert_int_equal(q.funders[1].amount, rows[i].district);
        assert_string_equal(q.funders[2].id, "street");
        assert_int_equal(q.funders[2].amount, rows[i].street);
    }
    /* The split covers the delivery subsidy too: 500 + 200. */
    zc_quote q = quote_of(&(qcase){.name = "funders+delivery",
                                   .tweak = t_delivery_funders,
                                   .birth = "1926-03-02",
                                   .delivered = true,
                                   .fee = 500});
    assert_int_equal(q.funders[0].amount, 300);
    assert_int_equal(q.funders[1].amount, 300);
    assert_int_equal(q.funders[2].amount, 100);
}

static json_t *json_of(const qcase *c)
{
    zc_quote q = quote_of(c);
    json_t *j = zc_quote_to_json(&q);
    assert_non_null(j);
    return j;
}

static void test_json(void **state)
{
    (void)state;
    static const char *const KEYS[] = {
        "subsidy", "self_pay", "price",  "discount", "delivery_subsidy", "period",
        "funders", "lines",    "reason", "tier",     "operator_subsidy", "rules_version"};
    json_t *j =
        json_of(&(qcase){.name = "json", .tweak = t_funders_operator, .birth = "1946-05-01"});
    assert_int_equal(json_object_size(j), N_ELEMS(KEYS));
    for (size_t i = 0; i < N_ELEMS(KEYS); i++)
        if (!json_object_get(j, KEYS[i]))
            fail_msg("no key %s", KEYS[i]);
    assert_int_equal(json_integer_value(json_object_get(j, "subsidy")), 300);
    assert_int_equal(json_integer_value(json_object_get(j, "self_pay")), 1200);
    assert_int_equal(json_integer_value(json_object_get(j, "price")), 1500);
    assert_int_equal(json_integer_value(json_object_get(j, "operator_subsidy")), 200);
    assert_int_equal(json_integer_value(json_object_get(j, "rules_version")), 12);
    assert_string_equal(json_string_value(json_object_get(j, "period")), "lunch");
    assert_string_equal(json_string_value(json_object_get(j, "tier")), "70-79");
    assert_true(json_is_null(json_object_get(j, "reason")));
    json_t *f = json_object_get(j, "funders");
    assert_int_equal(json_object_size(f), 3);
    assert_int_equal(json_integer_value(json_object_get(f, "city")), 300);
    assert_int_equal(json_integer_value(json_object_get(f, "street")), 0);
    json_t *line = json_array_get(json_object_get(j, "lines"), 0);
    assert_int_equal(json_object_size(line), 3);
    assert_string_equal(json_string_value(json_object_get(line, "rule")), "age_tiers[1] 70-79");
    assert_int_equal(json_integer_value(json_object_get(line, "amount")), 300);
    assert_string_equal(json_string_value(json_object_get(line, "note")), "age 79");
    json_decref(j);

    /* Outside meal hours: period, tier null; reason a string; funders absent: {}. */
    j = json_of(
        &(qcase){.name = "json null", .birth = "1946-05-01", .at = "2026-03-02T02:00:00+08:00"});
    assert_true(json_is_null(json_object_get(j, "period")));
    assert_true(json_is_null(json_object_get(j, "tier")));
    assert_string_equal(json_string_value(json_object_get(j, "reason")), "outside meal hours");
    assert_true(json_is_object(json_object_get(j, "funders")));
    assert_int_equal(json_object_size(json_object_get(j, "funders")), 0);
    assert_int_equal(json_array_size(json_object_get(j, "lines")), 1);
    json_decref(j);

    assert_null(zc_quote_to_json(NULL));
}

static void t_many_categories(zc_rules_policy *p)
{
    for (int i = 0; i < MANY_CATEGORIES; i++) {
        zc_rules_category *c = &p->categories[i];
        snprintf(c->id, sizeof c->id, "c%02d", i);
        c->subsidy = 10 * (i + 1);
        c->waive_min_self_pay = false;
    }
    p->ncategories = MANY_CATEGORIES;
    p->stacking = ZC_STACKING_SUM;
    p->per_meal_cap = 500;
    p->min_self_pay = 0;
    t_discounts(p);
}

/* Twenty categories: every amount counts, the lines stay within ZC_QUOTE_MAX_LINES. */
static void test_many_lines(void **state)
{
    (void)state;
    zc_rules *r = make_rules(t_many_categories);
    zc_quote_elder e = {.registered = true, .has_birth = true, .birth = D(1946, 5, 1)};
    snprintf(e.region, sizeof e.region, "320202");
    for (int i = 0; i < MANY_CATEGORIES; i++)
        snprintf(e.categories[i], sizeof e.categories[i], "c%02d", i);
    e.ncategories = MANY_CATEGORIES;
    zc_quote_input in = {.elder = &e, .price = 100000, .at = at_of("2026-03-02T12:00:00+08:00")};
    zc_quote q;
    assert_int_equal(zc_rules_quote(r, &in, &q, NULL), ZC_OK);
    assert_true(q.nlines <= ZC_QUOTE_MAX_LINES);
    /* 300 + 10 * (1 + ... + 20) = 2400 capped at 500. */
    assert_line(&q, "stacking sum", 2400, NULL);
    assert_line(&q, "per_meal_cap", 500, NULL);
    assert_int_equal(q.subsidy, 500);
    assert_string_equal(q.tier, "70-79"); /* 300 beats c19's 200 */
    zc_fen total = 0;
    for (size_t i = 0; i < q.nlines; i++)
        if (strncmp(q.lines[i].rule, "categories", strlen("categories")) == 0 ||
            strncmp(q.lines[i].rule, "age_tiers", strlen("age_tiers")) == 0)
            total += q.lines[i].amount;
    assert_int_equal(total, 2400);
    json_t *j = zc_quote_to_json(&q);
    assert_non_null(j);
    json_decref(j);
    free_rules(r);
}

/* A long Chinese id is cut on a character boundary: the JSON stays valid UTF-8. */
static void test_utf8_truncation(void **state)
{
    (void)state;
    zc_rules *r = make_rules(NULL);
    char id[ZC_ID_MAX] = "";
    for (int i = 0; i < 21; i++)
        strcat(id, "\xe7\x89\xb9"); /* 特, 3 bytes: 63 in all */
    set_id(r->base.categories[0].id, id);
    zc_quote_elder e = {.registered = true};
    snprintf(e.region, sizeof e.region, "320202");
    set_id(e.categories[0], id);
    e.ncategories = 1;
    zc_quote_input in = {.elder = &e, .price = 1500, .at = at_of("2026-03-02T12:00:00+08:00")};
    zc_quote q;
    assert_int_equal(zc_rules_quote(r, &in, &q, NULL), ZC_OK);
    assert_int_equal(q.subsidy, 1000);
    assert_string_equal(q.tier, id);
    json_t *j = zc_quote_to_json(&q);
    assert_non_null(j);
    const char *rule =
        json_string_value(json_object_get(json_array_get(json_object_get(j, "lines"), 0), "rule"));
    assert_non_null(rule);
    assert_int_equal(strncmp(rule, "categories.", 11), 0);
    assert_int_equal((strlen(rule) - 11) % 3, 0);
    json_decref(j);
    free_rules(r);
}

static void test_bad_input(void **state)
{
    (void)state;
    zc_rules *r = make_rules(NULL);
    zc_quote q;
    zc_diag diag = {0};
    zc_quote_input in = {.price = -1, .at = at_of("2026-03-02T12:00:00+08:00")};
    assert_int_equal(zc_rules_quote(r, &in, &q, &diag), ZC_ERR_INVALID);
    assert_non_null(strstr(diag.msg, "price"));
    in.price = INT64_C(100000001);
    assert_int_equal(zc_rules_quote(r, &in, &q, &diag), ZC_ERR_INVALID);
    in.price = INT64_C(100000000);
    assert_int_equal(zc_rules_quote(r, &in, &q, NULL), ZC_OK);
    in.delivered = true;
    in.delivery_fee = -5;
    assert_int_equal(zc_rules_quote(r, &in, &q, &diag), ZC_ERR_INVALID);
    assert_non_null(strstr(diag.msg, "delivery fee"));
    in.delivered = false;
    in.nhistory = 2;
    assert_int_equal(zc_rules_quote(r, &in, &q, &diag), ZC_ERR_INVALID);
    in.nhistory = 0;
    in.at = ZC_MS_MAX + 1;
    assert_int_equal(zc_rules_quote(r, &in, &q, NULL), ZC_ERR_INVALID);
    assert_int_equal(zc_rules_quote(NULL, &in, &q, NULL), ZC_ERR_INVALID);
    assert_int_equal(zc_rules_quote(r, NULL, &q, NULL), ZC_ERR_INVALID);
    free_rules(r);
}

/* The largest price with the deepest discount: no overflow, exact half-up arithmetic. */
static void test_large_price(void **state)
{
    (void)state;
    zc_quote q = quote_of(&(qcase){
        .name = "large", .tweak = t_discounts, .birth = "1940-01-01", .price = INT64_C(99999999)});
    /* 99999999 * 850 / 1000 = 84999999.15 -> 84999999. */
    assert_int_equal(q.discount, 15000000);
    assert_int_equal(q.subsidy, 500);
    assert_int_equal(q.self_pay, 84999999 - 500);
}

/* An override replaces the policy for the canteens it names only. */
static void test_override(void **state)
{
    (void)state;
    zc_rules *r = make_rules(NULL);
    r->overrides = calloc(1, sizeof *r->overrides);
    assert_non_null(r->overrides);
    r->noverrides = 1;
    zc_rules_override *o = &r->overrides[0];
    set_id(o->canteens[0], "C0107");
    o->ncanteens = 1;
    o->policy = r->base;
    o->policy.tiers[0] = (zc_rules_tier){"60+", 60, ZC_RULES_NO_LIMIT, 300};
    o->policy.ntiers = 1;
    zc_quote_elder e = {.registered = true, .has_birth = true, .birth = D(1946, 1, 1)};
    snprintf(e.region, sizeof e.region, "320202");
    static const struct {
        const char *canteen;
        zc_fen subsidy;
        const char *tier;
    } rows[] = {{"C0107", 300, "60+"}, {"C0108", 500, "80+"}, {NULL, 500, "80+"}, {"", 500, "80+"}};
    for (size_t i = 0; i < N_ELEMS(rows); i++) {
        zc_quote_input in = {.elder = &e,
                             .price = 1500,
                             .at = at_of("2026-03-02T12:00:00+08:00"),
                             .canteen = rows[i].canteen};
        zc_quote q;
        assert_int_equal(zc_rules_quote(r, &in, &q, NULL), ZC_OK);
        assert_int_equal(q.subsidy, rows[i].subsidy);
        assert_string_equal(q.tier, rows[i].tier);
    }
    free_rules(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),      cmocka_unit_test(test_lines),
        cmocka_unit_test(test_funders),    cmocka_unit_test(test_json),
        cmocka_unit_test(test_many_lines), cmocka_unit_test(test_utf8_truncation),
        cmocka_unit_test(test_bad_input),  cmocka_unit_test(test_large_price),
        cmocka_unit_test(test_override),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
