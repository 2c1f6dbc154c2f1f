#include "zc/rules.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Canteens the seeds' overrides name, one nobody names, and none at all. */
static const char *const CANTEENS[] = {"C0107", "C0200", "K0000", ""};

static void check_id(const char *id)
{
    size_t n = strnlen(id, ZC_ID_MAX);
    if (n == 0 || n == ZC_ID_MAX)
        abort();
}

static void check_fen(zc_fen fen)
{
    if (fen < 0 || fen > ZC_RULES_FEN_MAX)
        abort();
}

static void check_ages(int min_age, int max_age)
{
    if (min_age < 0 || (max_age != ZC_RULES_NO_LIMIT && max_age < min_age))
        abort();
}

/* What a parsed policy promises quote.c: everything in range, every list within its bound. */
static void check_policy(const zc_rules_policy *pol)
{
    if (pol->nperiods == 0 || pol->nperiods > ZC_RULES_MAX_ITEMS ||
        pol->ntiers > ZC_RULES_MAX_ITEMS || pol->ncategories > ZC_RULES_MAX_ITEMS ||
        pol->nregions > ZC_RULES_MAX_ITEMS || pol->nholidays > ZC_RULES_MAX_DATES ||
        pol->nworkdays > ZC_RULES_MAX_DATES || pol->ndiscounts > ZC_RULES_MAX_ITEMS ||
        pol->ndelivery > ZC_RULES_MAX_ITEMS || pol->nfunders > ZC_RULES_MAX_ITEMS)
        abort();
    for (size_t i = 0; i < pol->nperiods; i++) {
        const zc_rules_period *a = &pol->periods[i];
        check_id(a->id);
        if (a->start_min < 0 || a->start_min >= a->end_min || a->end_min > ZC_RULES_MINUTES_PER_DAY)
            abort();
        for (size_t j = 0; j < i; j++)
            if (a->start_min < pol->periods[j].end_min && pol->periods[j].start_min < a->end_min)
                abort();
    }
    for (size_t i = 0; i < pol->ntiers; i++) {
        const zc_rules_tier *t = &pol->tiers[i];
        check_id(t->id);
        check_ages(t->min_age, t->max_age);
        check_fen(t->subsidy);
        for (size_t j = 0; j < i; j++) {
            const zc_rules_tier *u = &pol->tiers[j];
            bool t_below = t->max_age != ZC_RULES_NO_LIMIT && t->max_age < u->min_age;
            bool u_below = u->max_age != ZC_RULES_NO_LIMIT && u->max_age < t->min_age;
            if (!t_below && !u_below)
                abort();
        }
    }
    for (size_t i = 0; i < pol->ncategories; i++) {
        check_id(pol->categories[i].id);
        check_fen(pol->categories[i].subsidy);
    }
    if (pol->stacking != ZC_STACKING_MAX && pol->stacking != ZC_STACKING_SUM)
        abort();
    if (pol->per_meal_cap != ZC_RULES_NO_LIMIT)
        check_fen(pol->per_meal_cap);
    check_fen(pol->min_self_pay);
    check_fen(pol->min_price);
    check_fen(pol->operator_subsidy);
    check_fen(pol->delivery_subsidy);
    for (size_t i = 0; i < pol->ndiscounts; i++) {
        check_ages(pol->discounts[i].min_age, pol->discounts[i].max_age);
        if (pol->discounts[i].permille < 0 || pol->discounts[i].permille > ZC_RULES_PERMILLE)
            abort();
    }
    for (size_t i = 0; i < pol->ndelivery; i++)
        for (size_t j = 0; j < pol->delivery[i].ncategories; j++)
            check_id(pol->delivery[i].categories[j]);
    size_t rest = 0;
    for (size_t i = 0; i < pol->nfunders; i++) {
        check_id(pol->funders[i].id);
        check_fen(pol->funders[i].share);
        rest += pol->funders[i].rest;
    }
    if (pol->nfunders && rest != 1)
        abort();
    if (pol->home_region_digits < 0 || pol->home_region_digits >= ZC_RULES_REGION_MAX)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    zc_rules *r = NULL;
    zc_diag diag = {.msg = ""};
    if (zc_rules_parse((const char *)data, size, NULL, &r, &diag) != ZC_OK) {
        if (r || diag.msg[0] == '\0')
            abort();
        return 0;
    }
    if (!r || !r->tz || r->version < 1)
        abort();
    check_policy(&r->base);
    for (size_t i = 0; i < r->noverrides; i++) {
        const zc_rules_override *o = &r->overrides[i];
        check_policy(&o->policy);
        for (size_t j = 0; j < o->ncanteens; j++)
            if (zc_rules_policy_for(r, o->canteens[j]) != &o->policy)
                abort();
    }
    for (size_t i = 0; i < sizeof CANTEENS / sizeof CANTEENS[0]; i++)
        if (!zc_rules_policy_for(r, CANTEENS[i]))
            abort();
    if (zc_rules_policy_for(r, NULL) != &r->base)
        abort();
    zc_rules_free(r);
    return 0;
}
