/*
 * Subsidy rules: the public contract administrators write (DESIGN.md, "Subsidy rules").
 *
 * A rule set is a JSON document. zc_rules_parse validates all of it and names every problem by
 * its JSON path ("age_tiers[2].min_age overlaps age_tiers[1]"); a rule set that parses is safe to
 * evaluate. zc_rules_quote (quote.c) then works out one meal's subsidy: pure, integer fen only,
 * with the explanation lines staff see and the reason when nothing applies.
 */
#ifndef ZC_RULES_H
#define ZC_RULES_H

#include "zc/date.h"
#include "zc/err.h"
#include "zc/money.h"
#include "zc/sale.h"
#include "zc/tz.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ZC_RULES_SCHEMA "zhucan.rules/1"

enum {
    ZC_RULES_NO_LIMIT = -1,      /* a limit, cap or age bound that is absent */
    ZC_RULES_MAX_ITEMS = 32,     /* periods, tiers, categories, ... per list */
    ZC_RULES_MAX_DATES = 400,    /* holidays or workdays listed */
    ZC_RULES_MAX_CANTEENS = 256, /* canteens named by one override */
    ZC_RULES_REGION_MAX = 13,    /* region code prefixes: 1..12 digits */
    ZC_RULES_MINUTES_PER_DAY = 1440,
    ZC_RULES_PERMILLE = 1000,
    /* Any amount or price in a rule set (¥10,000,000): sums of every amount fit int64 easily. */
    ZC_RULES_FEN_MAX = 1000000000,
};

typedef enum zc_stacking { ZC_STACKING_MAX = 0, ZC_STACKING_SUM } zc_stacking;

/* A meal period, local minutes since midnight: start inclusive, end exclusive. */
typedef struct zc_rules_period {
    char id[ZC_ID_MAX];
    int start_min;
    int end_min;
} zc_rules_period;

typedef struct zc_rules_tier {
    char id[ZC_ID_MAX];
    int min_age;
    int max_age; /* ZC_RULES_NO_LIMIT: no upper bound */
    zc_fen subsidy;
} zc_rules_tier;

typedef struct zc_rules_category {
    char id[ZC_ID_MAX];
    zc_fen subsidy;
    bool waive_min_self_pay;
} zc_rules_category;

typedef struct zc_rules_discount {
    int min_age;
    int max_age; /* ZC_RULES_NO_LIMIT: no upper bound */
    int permille;
} zc_rules_discount;

typedef struct zc_rules_delivery_clause {
    int min_age;
    size_t ncategories; /* 0: any elder of that age */
    char categories[ZC_RULES_MAX_ITEMS][ZC_ID_MAX];
} zc_rules_delivery_clause;

typedef struct zc_rules_funder {
    char id[ZC_ID_MAX];
    zc_fen share; /* fixed share, capped by what is left; unused when rest */
    bool rest;    /* takes whatever the fixed shares leave */
} zc_rules_funder;

/* Limits on subsidised meals; each ZC_RULES_NO_LIMIT when absent. */
typedef struct zc_rules_limits {
    int per_period;
    int per_day;
    int per_week;
    int per_month;
} zc_rules_limits;

/* Everything a canteen override may replace: every top-level key but the set's identity. */
typedef struct zc_rules_policy {
    size_t nperiods;
    zc_rules_period periods[ZC_RULES_MAX_ITEMS];
    size_t ntiers;
    zc_rules_tier tiers[ZC_RULES_MAX_ITEMS];
    size_t ncategories;
    zc_rules_category categories[ZC_RULES_MAX_ITEMS];
    zc_stacking stacking;
    zc_fen per_meal_cap; /* ZC_RULES_NO_LIMIT when absent */
    zc_fen min_self_pay; /* 0 when absent */
    zc_rules_limits limits;
    bool registered_only;
    size_t nregions; /* 0: regions absent, every region */
    char regions[ZC_RULES_MAX_ITEMS][ZC_RULES_REGION_MAX];

    /* Optional keys (absent: no effect). */
    bool has_service_days;
    bool weekdays[8]; /* index 1..7, ISO weekday */
    size_t nholidays, nworkdays;
    zc_date holidays[ZC_RULES_MAX_DATES];
    zc_date workdays[ZC_RULES_MAX_DATES];
    zc_fen min_price; /* 0 when absent */
    size_t ndiscounts;
    zc_rules_discount discounts[ZC_RULES_MAX_ITEMS];
    int home_region_digits; /* 0 when absent */
    bool has_delivery;
    zc_fen delivery_subsidy;
    size_t ndelivery;
    zc_rules_delivery_clause delivery[ZC_RULES_MAX_ITEMS];
    size_t nfunders; /* 0: funders absent */
    zc_rules_funder funders[ZC_RULES_MAX_ITEMS];
    zc_fen operator_subsidy; /* 0 when absent */
} zc_rules_policy;

typedef struct zc_rules_override {
    size_t ncanteens;
    char canteens[ZC_RULES_MAX_CANTEENS][ZC_ID_MAX];
    zc_rules_policy policy; /* the base policy with the override's keys replaced */
} zc_rules_override;

typedef struct zc_rules {
    int64_t version;
    zc_ms effective_from;
    char timezone[ZC_ID_MAX];
    zc_tz *tz;
    zc_rules_policy base;
    size_t noverrides;
    zc_rules_override *overrides;
} zc_rules;

/*
 * Parses and validates a rule set from JSON text. On failure diag names the JSON path and the rule
 * broken (jansson's line and column for JSON syntax errors). Validation covers: schema, version
 * (a positive integer), effective_from (RFC 3339 with offset), timezone (a zone in tzdata), every
 * known key's type and range, unknown keys refused, periods and tiers must not overlap, amounts
 * non-negative integers, ids unique, overrides' keys. tzdir: NULL for the system's zoneinfo.
 */
zc_err zc_rules_parse(const char *text, size_t len, const char *tzdir, zc_rules **out,
                      zc_diag *diag);
void zc_rules_free(zc_rules *rules);

/* The policy in force at a canteen: its override's, or the base. */
const zc_rules_policy *zc_rules_policy_for(const zc_rules *rules, const char *canteen);

/* ---- quotes (quote.c) ---- */

enum {
    ZC_QUOTE_MAX_LINES = 16,
    ZC_QUOTE_RULE_MAX = 64,
    ZC_QUOTE_NOTE_MAX = 128,
    ZC_QUOTE_REASON_MAX = 128,
};

/* The elder as the rules see them; NULL in zc_quote_input when the elder is not in the roster. */
typedef struct zc_quote_elder {
    bool registered;
    bool has_birth;
    zc_date birth;
    char region[ZC_RULES_REGION_MAX];
    size_t ncategories;
    char categories[ZC_RULES_MAX_ITEMS][ZC_ID_MAX];
    bool suspended;
} zc_quote_elder;

typedef struct zc_quote_input {
    const zc_quote_elder *elder; /* NULL: not in the roster */
    zc_fen price;                /* menu price before any discount */
    zc_ms at;
    const char *canteen;        /* may be NULL or "" */
    const char *canteen_region; /* may be NULL or "" */
    bool delivered;
    zc_fen delivery_fee;
    const zc_ms *history; /* instants of the elder's earlier subsidised, unvoided sales */
    size_t nhistory;
} zc_quote_input;

typedef struct zc_quote_line {
    char rule[ZC_QUOTE_RULE_MAX];
    zc_fen amount;
    char note[ZC_QUOTE_NOTE_MAX];
} zc_quote_line;

typedef struct zc_quote_funder {
    char id[ZC_ID_MAX];
    zc_fen amount;
} zc_quote_funder;

typedef struct zc_quote {
    zc_fen price;    /* as given */
    zc_fen discount; /* price less what is charged before subsidy */
    zc_fen subsidy;
    zc_fen delivery_subsidy;
    zc_fen self_pay; /* price - discount - subsidy + delivery fee - delivery subsidy */
    zc_fen operator_subsidy;
    char period[ZC_ID_MAX]; /* "" outside every period */
    char tier[ZC_ID_MAX];   /* tier or category that gave the (largest) amount; "" for none */
    size_t nlines;
    zc_quote_line lines[ZC_QUOTE_MAX_LINES];
    size_t nfunders;
    zc_quote_funder funders[ZC_RULES_MAX_ITEMS];
    char reason[ZC_QUOTE_REASON_MAX]; /* "" when a subsidy applies */
    int64_t rules_version;
} zc_quote;

/* Evaluates DESIGN.md's steps 1-6 for one meal. Fails only on bad input (negative price...). */
zc_err zc_rules_quote(const zc_rules *rules, const zc_quote_input *in, zc_quote *out,
                      zc_diag *diag);

/*
 * {"subsidy","self_pay","price","discount","delivery_subsidy","period":..|null,
 *  "funders":{...},"lines":[{"rule","amount","note"}],"reason":null|"...", ...}
 */
json_t *zc_quote_to_json(const zc_quote *quote);

#endif
