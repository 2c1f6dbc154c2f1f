/* Day reports: totals and breakdowns, voids counted on their own day, JSON/CSV/text shapes. */
#include "testutil.h"

#include "zc/ledger.h"
#include "zc/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const zc_ms T0 = 1767240000000LL; /* 2026-01-01T12:00:00+08:00 */
static const zc_ms MINUTE_MS = 60000;

typedef struct fixture {
    char dir[ZC_TEST_PATH_MAX];
    zc_store *store;
    zc_ledger *ledger;
} fixture;

/* The day's sales, as a staff member would list them. */
typedef struct sale_row {
    int day;
    zc_pay paid;
    const char *period;
    const char *tier;
    zc_fen price, subsidy;
} sale_row;

static const sale_row SALES[] = {
    {1, ZC_PAY_CASH, "lunch", "80+", 1500, 500},    /* seq 1 */
    {1, ZC_PAY_OTHER, "lunch", "70-79", 1500, 300}, /* seq 2 */
    {1, ZC_PAY_CASH, "dinner", "dibao", 1200, 500}, /* seq 3 */
    {1, ZC_PAY_CASH, "", "", 1800, 0},              /* seq 4: outside meal hours */
    {2, ZC_PAY_CASH, "lunch", "80+", 1500, 500},    /* seq 5: next day */
};

static int setup(void **state)
{
    static fixture f;
    char db[ZC_TEST_PATH_MAX];
    zt_mkdtemp(f.dir, sizeof f.dir);
    zt_join(db, sizeof db, f.dir, "kiosk.db");
    assert_int_equal(zc_store_open(db, NULL, &f.store, NULL), ZC_OK);
    zc_keypair key;
    assert_int_equal(zc_keys_generate(&key), ZC_OK);
    assert_int_equal(zc_ledger_open(f.store, "ZK-t", "C1", &key, &f.ledger, NULL), ZC_OK);
    for (size_t i = 0; i < sizeof SALES / sizeof SALES[0]; i++) {
        const sale_row *r = &SALES[i];
        zc_sale s;
        memset(&s, 0, sizeof s);
        s.at = T0 + (zc_ms)i * MINUTE_MS;
        s.date = (zc_date){2026, 1, r->day};
        snprintf(s.period, sizeof s.period, "%s", r->period);
        snprintf(s.tier, sizeof s.tier, "%s", r->tier);
        s.paid = r->paid;
        s.price = r->price;
        s.subsidy = r->subsidy;
        s.self_pay = r->price - r->subsidy;
        assert_int_equal(zc_ledger_append(f.ledger, &s, NULL), ZC_OK);
    }
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    zc_ledger_close(f->ledger);
    zc_store_close(f->store);
    zt_rmtree(f->dir);
    return 0;
}

static json_t *day_json(fixture *f, int day)
{
    zc_report *r;
    assert_int_equal(zc_report_day(f->store, (zc_date){2026, 1, day}, &r, NULL), ZC_OK);
    json_t *o;
    assert_int_equal(zc_report_to_json(r, &o), ZC_OK);
    zc_report_free(r);
    return o;
}

static long long get(json_t *o, const char *path1, const char *path2, const char *key)
{
    json_t *v = o;
    if (path1)
        v = json_object_get(v, path1);
    if (path2)
        v = json_object_get(v, path2);
    v = json_object_get(v, key);
    if (!json_is_integer(v))
        fail_msg("%s.%s.%s is missing", path1 ? path1 : "", path2 ? path2 : "", key);
    return json_integer_value(v);
}

static void test_totals_and_breakdowns(void **state)
{
    fixture *f = *state;
    json_t *o = day_json(f, 1);
    assert_string_equal(json_string_value(json_object_get(o, "date")), "2026-01-01");
    assert_int_equal(get(o, NULL, NULL, "sales"), 4);
    assert_int_equal(get(o, NULL, NULL, "voids"), 0);
    assert_int_equal(get(o, NULL, NULL, "gross"), 6000);
    assert_int_equal(get(o, NULL, NULL, "subsidy"), 1300);
    assert_int_equal(get(o, NULL, NULL, "self_pay"), 4700);
    assert_int_equal(get(o, "by_period", "lunch", "sales"), 2);
    assert_int_equal(get(o, "by_period", "dinner", "subsidy"), 500);
    assert_int_equal(get(o, "by_period", ZC_REPORT_NONE, "gross"), 1800);
    assert_int_equal(get(o, "by_tier", "80+", "subsidy"), 500);
    assert_int_equal(get(o, "by_tier", "dibao", "sales"), 1);
    assert_int_equal(get(o, "by_tier", ZC_REPORT_NONE, "sales"), 1);
    assert_int_equal(get(o, "by_payment", "cash", "sales"), 3);
    assert_int_equal(get(o, "by_payment", "other", "gross"), 1500);
    assert_int_equal(get(o, "chain_head", NULL, "seq"), 4);
    json_decref(o);

    o = day_json(f, 2);
    assert_int_equal(get(o, NULL, NULL, "sales"), 1);
    assert_int_equal(get(o, "chain_head", NULL, "seq"), 5);
    json_decref(o);

    o = day_json(f, 3); /* a day with nothing */
    assert_int_equal(get(o, NULL, NULL, "sales"), 0);
    assert_true(json_is_null(json_object_get(o, "chain_head")));
    assert_int_equal(json_object_size(json_object_get(o, "by_period")), 0);
    json_decref(o);
}

static void test_voids_count_on_their_day(void **state)
{
    fixture *f = *state;
    /* Same day: sale 2 voided. Next day: sale 3 (of day 1) voided. */
    assert_int_equal(zc_ledger_void(f->ledger, 2, "wrong", T0 + 10 * MINUTE_MS,
                                    (zc_date){2026, 1, 1}, NULL, NULL),
                     ZC_OK);
    assert_int_equal(zc_ledger_void(f->ledger, 3, "refund", T0 + 11 * MINUTE_MS,
                                    (zc_date){2026, 1, 2}, NULL, NULL),
                     ZC_OK);
    json_t *o = day_json(f, 1);
    assert_int_equal(get(o, NULL, NULL, "sales"), 4);
    assert_int_equal(get(o, NULL, NULL, "voids"), 1);
    assert_int_equal(get(o, NULL, NULL, "gross"), 4500);
    assert_int_equal(get(o, NULL, NULL, "subsidy"), 1000);
    assert_int_equal(get(o, "by_payment", "other", "gross"), 0);
    json_decref(o);
    o = day_json(f, 2);
    assert_int_equal(get(o, NULL, NULL, "voids"), 1);
    assert_int_equal(get(o, NULL, NULL, "gross"), 300); /* 1500 sold, 1200 refunded */
    assert_int_equal(get(o, "by_period", "dinner", "gross"), -1200);
    json_decref(o);
}

static void test_text_and_csv(void **state)
{
    fixture *f = *state;
    zc_report *r;
    assert_int_equal(zc_report_day(f->store, (zc_date){2026, 1, 1}, &r, NULL), ZC_OK);
    char *text, *csv;
    assert_int_equal(zc_report_to_text(r, &text), ZC_OK);
    assert_int_equal(zc_report_to_csv(r, &csv), ZC_OK);
    zc_report_free(r);
    assert_non_null(strstr(text, "Day report 2026-01-01"));
    assert_non_null(strstr(text, "¥60.00"));
    assert_non_null(strstr(text, "Chain head: sale 4"));
    assert_non_null(strstr(csv, "section,key,sales,voids,gross,subsidy,self_pay\r\n"));
    assert_non_null(strstr(csv, "total,\"2026-01-01\",4,0,6000,1300,4700\r\n"));
    assert_non_null(strstr(csv, "period,\"lunch\",2,0,3000,800,2200\r\n"));
    assert_non_null(strstr(csv, "payment,\"cash\",3,0,4500,1000,3500\r\n"));
    free(text);
    free(csv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_totals_and_breakdowns, setup, teardown),
        cmocka_unit_test_setup_teardown(test_voids_count_on_their_day, setup, teardown),
        cmocka_unit_test_setup_teardown(test_text_and_csv, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
