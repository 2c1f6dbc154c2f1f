/*
 * One meal's subsidy under a rule set: DESIGN.md "Subsidy rules", "Meaning, in order".
 *
 * Pure integer arithmetic in fen. The evaluation order is fixed and every decision leaves a line
 * (rule, amount, note) so staff can see which tier or category gave what, which cap cut it and
 * why nothing applied:
 *   discount (a price rule: any registered, active elder in an age band, whatever else happens)
 *   1. meal period, service_days
 *   2. roster (registered_only), suspended, regions, home_region_digits, limits
 *   3. age tier and listed categories
 *   4. stacking, per_meal_cap, min_self_pay (or its waiver), the price itself, min_price
 *   delivery subsidy, funders' split, operator subsidy.
 */
#include "zc/rules.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Prices and delivery fees above ¥1,000,000 are refused: far above any meal, far from overflow. */
#define QUOTE_MAX_FEN INT64_C(100000000)

enum {
    /*
     * Lines other than the categories' that one quote can add: discount, tier, stacking,
     * per_meal_cap, min_self_pay (or its waiver), price, min_price, delivery. The categories share
     * what is left; beyond that the rest are summed into one line.
     */
    FIXED_LINES = 8,
    CATEGORY_LINES = ZC_QUOTE_MAX_LINES - FIXED_LINES,
    UTF8_MAX_SEQ = 4,
    STOP_RULE_MAX = 32,
};

/* Cuts a trailing partial UTF-8 sequence that truncation left, so the text stays valid JSON. */
static void utf8_trim(char *s)
{
    size_t n = strlen(s);
    size_t cont = 0;
    while (n > 0 && cont < UTF8_MAX_SEQ && ((unsigned char)s[n - 1] & 0xC0u) == 0x80u) {
        n--;
        cont++;
    }
    if (n == 0) {
        s[0] = '\0';
        return;
    }
    unsigned char lead = (unsigned char)s[n - 1];
    if (lead < 0x80u) {
        s[n] = '\0'; /* stray continuation bytes after ASCII */
        return;
    }
    size_t need = lead >= 0xF0u ? 4 : lead >= 0xE0u ? 3 : lead >= 0xC0u ? 2 : 0;
    if (need != cont + 1)
        s[n - 1] = '\0';
}

__attribute__((format(printf, 3, 0))) static void vformat(char *buf, size_t size, const char *fmt,
                                                          va_list ap)
{
    int n = vsnprintf(buf, size, fmt, ap);
    if (n < 0)
        buf[0] = '\0';
    else if ((size_t)n >= size)
        utf8_trim(buf);
}

__attribute__((format(printf, 3, 4))) static void format(char *buf, size_t size, const char *fmt,
                                                         ...)
{
    va_list ap;
    va_start(ap, fmt);
    vformat(buf, size, fmt, ap);
    va_end(ap);
}

/* Appends a line; lines beyond ZC_QUOTE_MAX_LINES are dropped (the budget above prevents it). */
__attribute__((format(printf, 4, 5))) static void add_line(zc_quote *q, const char *rule,
                                                           zc_fen amount, const char *fmt, ...)
{
    if (q->nlines >= ZC_QUOTE_MAX_LINES)
        return;
    zc_quote_line *l = &q->lines[q->nlines++];
    format(l->rule, sizeof l->rule, "%s", rule);
    l->amount = amount;
    va_list ap;
    va_start(ap, fmt);
    vformat(l->note, sizeof l->note, fmt, ap);
    va_end(ap);
}

static void yuan(zc_fen fen, char *buf)
{
    zc_money_format(fen, buf, ZC_MONEY_TEXT_MAX);
}

static bool age_in(int age, int min_age, int max_age)
{
    return age >= min_age && (max_age == ZC_RULES_NO_LIMIT || age <= max_age);
}

static int period_at(const zc_rules_policy *pol, int minute)
{
    for (size_t i = 0; i < pol->nperiods; i++)
        if (pol->periods[i].start_min <= minute && minute < pol->periods[i].end_min)
            return (int)i;
    return -1;
}

static int minute_of(const zc_local *l)
{
    return l->second_of_day / ZC_SECONDS_PER_MINUTE;
}

static bool date_in(zc_date d, const zc_date *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (zc_date_compare(d, list[i]) == 0)
            return true;
    return false;
}

static bool elder_holds(const zc_quote_elder *e, const char *category)
{
    if (!e)
        return false;
    size_t n = e->ncategories < ZC_RULES_MAX_ITEMS ? e->ncategories : ZC_RULES_MAX_ITEMS;
    for (size_t i = 0; i < n; i++)
        if (strncmp(e->categories[i], category, ZC_ID_MAX) == 0)
            return true;
    return false;
}

static zc_fen add_sat(zc_fen a, zc_fen b)
{
    return a > INT64_MAX - b ? INT64_MAX : a + b;
}

/* Why the subsidy stopped before any tier was looked at: the line's rule and the reason. */
typedef struct stop {
    char rule[STOP_RULE_MAX];
    char reason[ZC_QUOTE_REASON_MAX];
} stop;

__attribute__((format(printf, 3, 4))) static bool stop_at(stop *s, const char *rule,
                                                          const char *fmt, ...)
{
    format(s->rule, sizeof s->rule, "%s", rule);
    va_list ap;
    va_start(ap, fmt);
    vformat(s->reason, sizeof s->reason, fmt, ap);
    va_end(ap);
    return true;
}

/* Step 1: the meal period and service_days. */
static bool step1(const zc_rules_policy *pol, const zc_local *now, int period, stop *s)
{
    if (period < 0)
        return stop_at(s, "meal_periods", "outside meal hours");
    if (!pol->has_service_days)
        return false;
    if (date_in(now->date, pol->holidays, pol->nholidays))
        return stop_at(s, "service_days.holidays", "holiday: no subsidy");
    if (date_in(now->date, pol->workdays, pol->nworkdays))
        return false;
    int wd = zc_date_weekday(now->date);
    if (wd < 1 || wd > 7 || !pol->weekdays[wd])
        return stop_at(s, "service_days.weekdays", "no subsidy on this day of the week");
    return false;
}

static bool region_covered(const zc_rules_policy *pol, const char *region)
{
    for (size_t i = 0; i < pol->nregions; i++) {
        size_t n = strnlen(pol->regions[i], ZC_RULES_REGION_MAX);
        if (strncmp(region, pol->regions[i], n) == 0)
            return true;
    }
    return false;
}

/* The earlier subsidised meals the limits count, by the sale's local period, date, week, month. */
typedef struct counts {
    int period, day, week, month;
} counts;

static counts count_history(const zc_rules *rules, const zc_rules_policy *pol,
                            const zc_quote_input *in, const zc_local *now, int period)
{
    counts c = {0, 0, 0, 0};
    zc_date week = zc_date_week_start(now->date);
    for (size_t i = 0; i < in->nhistory; i++) {
        zc_local h;
        zc_tz_local(rules->tz, in->history[i], &h);
        if (h.date.year == now->date.year && h.date.month == now->date.month) {
            c.month++;
            if (h.date.day == now->date.day) {
                c.day++;
                if (period_at(pol, minute_of(&h)) == period)
                    c.period++;
            }
        }
        if (zc_date_compare(zc_date_week_start(h.date), week) == 0)
            c.week++;
    }
    return c;
}

static bool limit_reached(int used, int limit)
{
    return limit != ZC_RULES_NO_LIMIT && used >= limit;
}

/* Step 2: the roster, the regions and the limits. */
static bool step2(const zc_rules *rules, const zc_rules_policy *pol, const zc_quote_input *in,
                  const zc_local *now, int period, stop *s)
{
    const zc_quote_elder *e = in->elder;
    if (pol->registered_only && (!e || !e->registered))
        return stop_at(s, "registered_only", "not in the roster");
    if (e && e->suspended)
        return stop_at(s, "status", "roster entry suspended");
    char region[ZC_RULES_REGION_MAX] = "";
    if (e)
        format(region, sizeof region, "%.*s", (int)(sizeof region - 1), e->region);
    if (pol->nregions > 0 && !region_covered(pol, region))
        return stop_at(s, "regions", "elder's region is not covered");
    if (pol->home_region_digits > 0) {
        size_t digits = (size_t)pol->home_region_digits;
        const char *canteen = in->canteen_region ? in->canteen_region : "";
        if (!*canteen)
            return stop_at(s, "home_region_digits", "canteen region unknown");
        if (strlen(region) < digits || strlen(canteen) < digits ||
            strncmp(region, canteen, digits) != 0)
            return stop_at(s, "home_region_digits", "outside the elder's home district");
    }
    const zc_rules_limits *lim = &pol->limits;
    if (lim->per_period == ZC_RULES_NO_LIMIT && lim->per_day == ZC_RULES_NO_LIMIT &&
        lim->per_week == ZC_RULES_NO_LIMIT && lim->per_month == ZC_RULES_NO_LIMIT)
        return false;
    counts c = count_history(rules, pol, in, now, period);
    if (limit_reached(c.period, lim->per_period))
        return stop_at(s, "limits.per_period", "limit reached: %d per period", lim->per_period);
    if (limit_reached(c.day, lim->per_day))
        return stop_at(s, "limits.per_day", "limit reached: %d per day", lim->per_day);
    if (limit_reached(c.week, lim->per_week))
        return stop_at(s, "limits.per_week", "limit reached: %d per week", lim->per_week);
    if (limit_reached(c.month, lim->per_month))
        return stop_at(s, "limits.per_month", "limit reached: %d per month", lim->per_month);
    return false;
}

/* A price rule: the first band the elder's age falls in sets what they are charged. */
static zc_err apply_discount(const zc_rules_policy *pol, const zc_quote_elder *e, bool has_age,
                             int age, zc_quote *q, zc_diag *diag)
{
    if (!e || !e->registered || e->suspended || !has_age)
        return ZC_OK;
    for (size_t i = 0; i < pol->ndiscounts; i++) {
        const zc_rules_discount *d = &pol->discounts[i];
        if (!age_in(age, d->min_age, d->max_age))
            continue;
        if (d->permille < 0 || d->permille > ZC_RULES_PERMILLE)
            return zc_diag_set(diag, ZC_ERR_INVALID, "discounts[%zu].permille is out of range", i);
        /* price <= QUOTE_MAX_FEN and permille <= 1000: the product fits easily. */
        zc_fen charged = (q->price * d->permille + ZC_RULES_PERMILLE / 2) / ZC_RULES_PERMILLE;
        q->discount = q->price - charged;
        char rule[ZC_QUOTE_RULE_MAX];
        format(rule, sizeof rule, "discounts[%zu]", i);
        add_line(q, rule, q->discount, "pay %d\u2030", d->permille);
        return ZC_OK;
    }
    return ZC_OK;
}

/* Step 3: the amounts the age tier and the listed categories give; picks the largest's id. */
typedef struct amounts {
    size_t n;
    zc_fen largest, total;
    const char *largest_id;
} amounts;

static void take(amounts *a, zc_fen amount, const char *id)
{
    if (a->n == 0 || amount > a->largest) {
        a->largest = amount;
        a->largest_id = id;
    }
    a->total = add_sat(a->total, amount);
    a->n++;
}

static amounts step3(const zc_rules_policy *pol, const zc_quote_elder *e, bool has_age, int age,
                     zc_quote *q)
{
    amounts a = {0, 0, 0, NULL};
    if (has_age) {
        for (size_t i = 0; i < pol->ntiers; i++) {
            const zc_rules_tier *t = &pol->tiers[i];
            if (!age_in(age, t->min_age, t->max_age))
                continue;
            char rule[ZC_QUOTE_RULE_MAX];
            format(rule, sizeof rule, "age_tiers[%zu] %s", i, t->id);
            add_line(q, rule, t->subsidy, "age %d", age);
            take(&a, t->subsidy, t->id);
            break;
        }
    }
    /* The rules' order, each listed category once however often the roster repeats it. */
    size_t held = 0;
    for (size_t i = 0; i < pol->ncategories; i++)
        held += elder_holds(e, pol->categories[i].id);
    /* When they would not all fit, the last line sums the rest. */
    size_t shown_max = held <= CATEGORY_LINES ? held : CATEGORY_LINES - 1;
    size_t shown = 0;
    zc_fen rest = 0;
    for (size_t i = 0; i < pol->ncategories; i++) {
        const zc_rules_category *c = &pol->categories[i];
        if (!elder_holds(e, c->id))
            continue;
        take(&a, c->subsidy, c->id);
        if (shown < shown_max) {
            char rule[ZC_QUOTE_RULE_MAX];
            format(rule, sizeof rule, "categories.%s", c->id);
            add_line(q, rule, c->subsidy, "roster category");
            shown++;
        } else {
            rest = add_sat(rest, c->subsidy);
        }
    }
    if (held > shown)
        add_line(q, "categories", rest, "%zu more categories", held - shown);
    return a;
}

static const char *waiver_of(const zc_rules_policy *pol, const zc_quote_elder *e)
{
    for (size_t i = 0; i < pol->ncategories; i++)
        if (pol->categories[i].waive_min_self_pay && elder_holds(e, pol->categories[i].id))
            return pol->categories[i].id;
    return NULL;
}

/* Step 4: stacking and the caps, on p = price less discount. Returns the meal's subsidy. */
static zc_fen step4(const zc_rules_policy *pol, const zc_quote_elder *e, const amounts *a, zc_fen p,
                    zc_quote *q)
{
    char was[ZC_MONEY_TEXT_MAX], floor_text[ZC_MONEY_TEXT_MAX];
    zc_fen s = pol->stacking == ZC_STACKING_SUM ? a->total : a->largest;
    if (a->n > 1) {
        if (pol->stacking == ZC_STACKING_SUM)
            add_line(q, "stacking sum", s, "sum of %zu amounts", a->n);
        else
            add_line(q, "stacking max", s, "largest of %zu amounts", a->n);
    }
    if (pol->per_meal_cap != ZC_RULES_NO_LIMIT && pol->per_meal_cap >= 0 && s > pol->per_meal_cap) {
        yuan(s, was);
        add_line(q, "per_meal_cap", pol->per_meal_cap, "capped from %s", was);
        s = pol->per_meal_cap;
    }
    if (pol->min_self_pay > 0) {
        zc_fen room = p > pol->min_self_pay ? p - pol->min_self_pay : 0;
        if (s > room) {
            const char *waiver = waiver_of(pol, e);
            yuan(pol->min_self_pay, floor_text);
            if (waiver) {
                char rule[ZC_QUOTE_RULE_MAX];
                format(rule, sizeof rule, "waive_min_self_pay (%s)", waiver);
                add_line(q, rule, s, "minimum self-pay %s waived", floor_text);
            } else {
                yuan(s, was);
                add_line(q, "min_self_pay", room, "capped from %s; pays at least %s", was,
                         floor_text);
                s = room;
            }
        }
    }
    if (s > p) {
        yuan(s, was);
        add_line(q, "price", p, "capped from %s", was);
        s = p;
    }
    if (pol->min_price > 0 && p < pol->min_price) {
        yuan(pol->min_price, floor_text);
        format(q->reason, sizeof q->reason, "price below the minimum for a subsidy (%s)",
               floor_text);
        add_line(q, "min_price", 0, "%s", q->reason);
        s = 0;
    }
    return s;
}

static bool delivery_clause_matches(const zc_rules_delivery_clause *c, const zc_quote_elder *e,
                                    bool has_age, int age)
{
    if (c->min_age > 0 && (!has_age || age < c->min_age))
        return false;
    if (c->ncategories == 0)
        return true;
    size_t n = c->ncategories < ZC_RULES_MAX_ITEMS ? c->ncategories : ZC_RULES_MAX_ITEMS;
    for (size_t i = 0; i < n; i++)
        if (elder_holds(e, c->categories[i]))
            return true;
    return false;
}

static zc_fen delivery(const zc_rules_policy *pol, const zc_quote_elder *e, bool has_age, int age,
                       zc_fen fee, zc_quote *q)
{
    char fee_text[ZC_MONEY_TEXT_MAX];
    yuan(fee, fee_text);
    for (size_t i = 0; i < pol->ndelivery; i++) {
        if (!delivery_clause_matches(&pol->delivery[i], e, has_age, age))
            continue;
        zc_fen d = pol->delivery_subsidy < fee ? pol->delivery_subsidy : fee;
        if (d < 0)
            d = 0;
        char rule[ZC_QUOTE_RULE_MAX];
        format(rule, sizeof rule, "delivery.eligible[%zu]", i);
        add_line(q, rule, d, "towards the delivery fee %s", fee_text);
        return d;
    }
    add_line(q, "delivery", 0, "no delivery clause applies (fee %s)", fee_text);
    return 0;
}

static void split_funders(const zc_rules_policy *pol, zc_quote *q)
{
    size_t n = pol->nfunders < ZC_RULES_MAX_ITEMS ? pol->nfunders : ZC_RULES_MAX_ITEMS;
    zc_fen left = q->subsidy + q->delivery_subsidy;
    for (size_t i = 0; i < n; i++) {
        const zc_rules_funder *f = &pol->funders[i];
        zc_quote_funder *out = &q->funders[i];
        format(out->id, sizeof out->id, "%s", f->id);
        if (f->rest)
            continue;
        zc_fen share = f->share > 0 ? f->share : 0;
        out->amount = share < left ? share : left;
        left -= out->amount;
    }
    for (size_t i = 0; i < n; i++)
        if (pol->funders[i].rest) {
            q->funders[i].amount = left;
            break;
        }
    q->nfunders = n;
}

static zc_err check_input(const zc_rules *rules, const zc_quote_input *in, zc_diag *diag)
{
    if (!rules->tz)
        return zc_diag_set(diag, ZC_ERR_INVALID, "rules have no time zone");
    if (in->price < 0 || in->price > QUOTE_MAX_FEN)
        return zc_diag_set(diag, ZC_ERR_INVALID,
                           "price must be between 0 and %" PRId64 " fen (got %" PRId64 ")",
                           QUOTE_MAX_FEN, in->price);
    if (in->delivered && (in->delivery_fee < 0 || in->delivery_fee > QUOTE_MAX_FEN))
        return zc_diag_set(diag, ZC_ERR_INVALID,
                           "delivery fee must be between 0 and %" PRId64 " fen (got %" PRId64 ")",
                           QUOTE_MAX_FEN, in->delivery_fee);
    if (in->at < ZC_MS_MIN || in->at > ZC_MS_MAX)
        return zc_diag_set(diag, ZC_ERR_INVALID, "sale time is outside years 1 to 9999");
    if (in->nhistory > 0 && !in->history)
        return zc_diag_set(diag, ZC_ERR_INVALID, "history has %zu entries but no array",
                           in->nhistory);
    for (size_t i = 0; i < in->nhistory; i++)
        if (in->history[i] < ZC_MS_MIN || in->history[i] > ZC_MS_MAX)
            return zc_diag_set(diag, ZC_ERR_INVALID, "history[%zu] is outside years 1 to 9999", i);
    return ZC_OK;
}

zc_err zc_rules_quote(const zc_rules *rules, const zc_quote_input *in, zc_quote *out, zc_diag *diag)
{
    if (!rules || !in || !out)
        return zc_diag_set(diag, ZC_ERR_INVALID, "quote needs rules, an input and an output");
    memset(out, 0, sizeof *out);
    zc_err err = check_input(rules, in, diag);
    if (err)
        return err;
    out->price = in->price;
    out->rules_version = rules->version;

    const zc_rules_policy *pol = zc_rules_policy_for(rules, in->canteen ? in->canteen : "");
    if (!pol)
        pol = &rules->base;
    const zc_quote_elder *e = in->elder;
    zc_local now;
    zc_tz_local(rules->tz, in->at, &now);
    bool has_age = e && e->has_birth;
    int age = has_age ? zc_date_age(e->birth, now.date) : 0;

    err = apply_discount(pol, e, has_age, age, out, diag);
    if (err)
        return err;
    zc_fen p = in->price - out->discount;

    int period = period_at(pol, minute_of(&now));
    if (period >= 0)
        format(out->period, sizeof out->period, "%s", pol->periods[period].id);

    stop s;
    bool stopped = step1(pol, &now, period, &s) || step2(rules, pol, in, &now, period, &s);
    if (stopped) {
        format(out->reason, sizeof out->reason, "%s", s.reason);
        add_line(out, s.rule, 0, "%s", s.reason);
    } else {
        amounts a = step3(pol, e, has_age, age, out);
        if (a.n == 0) {
            format(out->reason, sizeof out->reason, "no age tier or category applies");
            add_line(out, "age_tiers", 0, "%s", out->reason);
        } else {
            format(out->tier, sizeof out->tier, "%s", a.largest_id);
            out->subsidy = step4(pol, e, &a, p, out);
        }
    }

    zc_fen fee = in->delivered ? in->delivery_fee : 0;
    if (in->delivered && pol->has_delivery && !stopped)
        out->delivery_subsidy = delivery(pol, e, has_age, age, fee, out);
    out->self_pay = p - out->subsidy + fee - out->delivery_subsidy;
    out->operator_subsidy = out->subsidy > 0 ? pol->operator_subsidy : 0;
    split_funders(pol, out);
    return ZC_OK;
}

static int set_int(json_t *o, const char *key, int64_t v)
{
    return json_object_set_new(o, key, json_integer((json_int_t)v));
}

/* A string, or null when empty. */
static int set_text(json_t *o, const char *key, const char *text)
{
    return json_object_set_new(o, key, *text ? json_string(text) : json_null());
}

json_t *zc_quote_to_json(const zc_quote *quote)
{
    if (!quote)
        return NULL;
    json_t *o = json_object();
    json_t *funders = json_object();
    json_t *lines = json_array();
    int bad = !o || !funders || !lines;
    for (size_t i = 0; !bad && i < quote->nfunders && i < ZC_RULES_MAX_ITEMS; i++)
        bad |= set_int(funders, quote->funders[i].id, quote->funders[i].amount);
    for (size_t i = 0; !bad && i < quote->nlines && i < ZC_QUOTE_MAX_LINES; i++) {
        const zc_quote_line *l = &quote->lines[i];
        json_t *line = json_object();
        bad |= !line || json_array_append_new(lines, line);
        if (!bad)
            bad |= json_object_set_new(line, "rule", json_string(l->rule)) |
                   set_int(line, "amount", l->amount) |
                   json_object_set_new(line, "note", json_string(l->note));
    }
    if (bad) {
        json_decref(o);
        json_decref(funders);
        json_decref(lines);
        return NULL;
    }
    bad |= set_int(o, "subsidy", quote->subsidy) | set_int(o, "self_pay", quote->self_pay) |
           set_int(o, "price", quote->price) | set_int(o, "discount", quote->discount) |
           set_int(o, "delivery_subsidy", quote->delivery_subsidy) |
           set_text(o, "period", quote->period) | json_object_set_new(o, "funders", funders) |
           json_object_set_new(o, "lines", lines) | set_text(o, "reason", quote->reason) |
           set_text(o, "tier", quote->tier) |
           set_int(o, "operator_subsidy", quote->operator_subsidy) |
           set_int(o, "rules_version", quote->rules_version);
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}
