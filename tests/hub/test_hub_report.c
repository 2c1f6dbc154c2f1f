/*
 * Reports from pushed sales, on both backends: the hub's day report is the kiosk's own
 * (`zhucanctl report day --format json`), chain head included, voids included; quarantined records
 * do not count; month reports by day; the settlement CSV (BOM, CRLF, funders, voids in the month
 * they were made) totals to the fen.
 */
#include "hubtest.h"
#include "salestest.h"

#include "zc/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct fixture {
    zc_salestest_kiosk a; /* C0107, rules with funders */
    zc_salestest_kiosk b; /* C0108, rules without */
    zc_syncwire_sale *ra, *rb;
    size_t na, nb;
} fixture;

static int setup(void **state)
{
    static fixture f;
    zc_salestest_kiosk_new(&f.a, "C0107", ZC_SALESTEST_RULES_FUNDERS);
    zc_salestest_kiosk_new(&f.b, "C0108", ZC_SALESTEST_RULES);
    zc_salestest_kiosk *a = &f.a;
    zc_salestest_sell(a, ZC_SALESTEST_ELDER_80, 1500, "2026-03-02T11:00:00+08:00");
    zc_salestest_sell(a, ZC_SALESTEST_ELDER_DIBAO, 1200, "2026-03-02T11:05:00+08:00");
    zc_salestest_sell(a, ZC_SALESTEST_ELDER_66, 1000, "2026-03-02T11:10:00+08:00");
    zc_salestest_sell(a, ZC_SALESTEST_NOT_IN_ROSTER, 1500, "2026-03-02T11:20:00+08:00");
    zc_salestest_void(a, 3, "2026-03-02T11:30:00+08:00");
    zc_salestest_sell(a, ZC_SALESTEST_ELDER_80, 1500, "2026-03-02T17:00:00+08:00");
    zc_salestest_sell(a, ZC_SALESTEST_ELDER_80, 800, "2026-03-03T07:00:00+08:00");
    int64_t last =
        zc_salestest_sell(a, ZC_SALESTEST_ELDER_DIBAO, 1500, "2026-03-31T17:00:00+08:00").seq;
    /* Voided the next morning: taken back in April. */
    zc_salestest_void(a, last, "2026-04-01T09:00:00+08:00");
    zc_salestest_sell(&f.b, ZC_SALESTEST_ELDER_80, 1500, "2026-03-02T12:00:00+08:00");
    f.ra = zc_salestest_records(&f.a, 0, &f.na);
    f.rb = zc_salestest_records(&f.b, 0, &f.nb);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    zc_syncwire_sales_free(f->ra, f->na);
    zc_syncwire_sales_free(f->rb, f->nb);
    zc_salestest_kiosk_free(&f->a);
    zc_salestest_kiosk_free(&f->b);
    return 0;
}

static zc_hub *hub_with_sales(const char *backend, const char *tag, fixture *f)
{
    zc_hub *hub = zc_salestest_hub(backend, tag, NULL, NULL);
    zc_salestest_enrol(&f->a, hub, "C0107");
    zc_salestest_enrol(&f->b, hub, "C0108");
    assert_int_equal(zc_salestest_push(hub, &f->a, f->ra, f->na).acked, (int64_t)f->na);
    assert_int_equal(zc_salestest_push(hub, &f->b, f->rb, f->nb).acked, (int64_t)f->nb);
    return hub;
}

static zc_date day(const char *text)
{
    zc_date d;
    assert_int_equal(zc_date_parse(text, strlen(text), &d, NULL), ZC_OK);
    return d;
}

/* The kiosk's `report day --format json` text, chain head included. */
static char *kiosk_report(zc_salestest_kiosk *k, const char *date)
{
    zc_report *r = NULL;
    json_t *o = NULL;
    assert_int_equal(zc_report_day(k->dd->store, day(date), &r, NULL), ZC_OK);
    assert_int_equal(zc_report_to_json(r, &o), ZC_OK);
    zc_report_free(r);
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return text;
}

static char *hub_report(zc_hub *hub, const char *canteen, const char *date)
{
    json_t *o = NULL;
    zc_diag d = {{0}, 0};
    if (zc_hub_report_day(hub, canteen, day(date), &o, &d))
        fail_msg("hub report %s %s: %s", canteen, date, d.msg);
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return text;
}

static void test_day_report_is_the_kiosks(void **state)
{
    fixture *f = *state;
    static const char *const DATES[] = {"2026-03-02", "2026-03-03", "2026-03-31", "2026-04-01"};
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        zc_hub *hub = hub_with_sales(*b, "report_day", f);
        for (size_t i = 0; i < sizeof DATES / sizeof DATES[0]; i++) {
            char *kiosk = kiosk_report(&f->a, DATES[i]), *held = hub_report(hub, "C0107", DATES[i]);
            assert_string_equal(held, kiosk);
            free(kiosk);
            free(held);
        }
        char *kiosk = kiosk_report(&f->b, "2026-03-02"),
             *held = hub_report(hub, "C0108", "2026-03-02");
        assert_string_equal(held, kiosk);
        free(kiosk);
        free(held);
        /* The voided lunch is in: one void, and the gross is what stood at the end of the day. */
        json_t *o = NULL;
        assert_int_equal(zc_hub_report_day(hub, "C0107", day("2026-03-02"), &o, NULL), ZC_OK);
        assert_int_equal(json_integer_value(json_object_get(o, "voids")), 1);
        assert_int_equal(json_integer_value(json_object_get(o, "sales")), 5);
        assert_int_equal(json_integer_value(json_object_get(o, "gross")),
                         1500 + 1200 + 1500 + 1500);
        json_t *head = json_object_get(o, "chain_head");
        assert_true(json_is_object(head)); /* one kiosk: its chain head, as the kiosk has it */
        json_decref(o);
        /* A day with nothing, and a canteen the hub does not have. */
        assert_int_equal(zc_hub_report_day(hub, "C0107", day("2026-02-01"), &o, NULL), ZC_OK);
        assert_int_equal(json_integer_value(json_object_get(o, "sales")), 0);
        json_decref(o);
        assert_int_equal(zc_hub_report_day(hub, "C9999", day("2026-03-02"), &o, NULL),
                         ZC_ERR_NOT_FOUND);
        zc_hub_close(hub);
    }
}

static void test_quarantine_not_counted(void **state)
{
    fixture *f = *state;
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        zc_hub *hub = zc_salestest_hub(*b, "report_quarantine", NULL, NULL);
        zc_salestest_enrol(&f->a, hub, "C0107");
        zc_syncwire_sale batch[2] = {f->ra[0], f->ra[1]};
        batch[1].sig[0] ^= 1; /* entry 2's signature broken */
        zc_hub_push_result r = zc_salestest_push(hub, &f->a, batch, 2);
        assert_int_equal(r.quarantined, 1);
        json_t *o = NULL;
        assert_int_equal(zc_hub_report_day(hub, "C0107", day("2026-03-02"), &o, NULL), ZC_OK);
        assert_int_equal(json_integer_value(json_object_get(o, "sales")), 1);
        assert_int_equal(json_integer_value(json_object_get(o, "gross")), 1500);
        json_decref(o);
        zc_hub_close(hub);
    }
}

/* Adds the kiosk's report totals of date to sum and checks them against the hub's day object. */
static void check_day(zc_salestest_kiosk *k, const json_t *held, zc_report_totals *sum)
{
    const char *date = json_string_value(json_object_get(held, "date"));
    assert_non_null(date);
    zc_report *r = NULL;
    assert_int_equal(zc_report_day(k->dd->store, day(date), &r, NULL), ZC_OK);
    const zc_report_totals *t = zc_report_totals_get(r);
    assert_int_equal(json_integer_value(json_object_get(held, "sales")), t->sales);
    assert_int_equal(json_integer_value(json_object_get(held, "voids")), t->voids);
    assert_int_equal(json_integer_value(json_object_get(held, "gross")), t->gross);
    assert_int_equal(json_integer_value(json_object_get(held, "subsidy")), t->subsidy);
    assert_int_equal(json_integer_value(json_object_get(held, "self_pay")), t->self_pay);
    sum->sales += t->sales;
    sum->voids += t->voids;
    sum->gross += t->gross;
    sum->subsidy += t->subsidy;
    sum->self_pay += t->self_pay;
    zc_report_free(r);
}

static void test_month_report(void **state)
{
    fixture *f = *state;
    static const char *const MARCH_DAYS[] = {"2026-03-02", "2026-03-03", "2026-03-31"};
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        zc_hub *hub = hub_with_sales(*b, "report_month", f);
        json_t *o = NULL;
        zc_diag d = {{0}, 0};
        if (zc_hub_report_month(hub, "C0107", 2026, 3, &o, &d))
            fail_msg("month report: %s", d.msg);
        assert_string_equal(json_string_value(json_object_get(o, "month")), "2026-03");
        assert_string_equal(json_string_value(json_object_get(o, "canteen")), "C0107");
        json_t *days = json_object_get(o, "days");
        assert_int_equal(json_array_size(days), 3);
        zc_report_totals sum = {0};
        for (size_t i = 0; i < 3; i++) {
            assert_string_equal(json_string_value(json_object_get(json_array_get(days, i), "date")),
                                MARCH_DAYS[i]);
            check_day(&f->a, json_array_get(days, i), &sum);
        }
        json_t *totals = json_object_get(o, "totals");
        assert_int_equal(json_integer_value(json_object_get(totals, "sales")), sum.sales);
        assert_int_equal(json_integer_value(json_object_get(totals, "voids")), 1);
        assert_int_equal(json_integer_value(json_object_get(totals, "gross")), sum.gross);
        assert_int_equal(json_integer_value(json_object_get(totals, "subsidy")), sum.subsidy);
        assert_int_equal(json_integer_value(json_object_get(totals, "self_pay")), sum.self_pay);
        json_decref(o);

        /* April holds only the void of 31 March's dinner. */
        assert_int_equal(zc_hub_report_month(hub, "C0107", 2026, 4, &o, NULL), ZC_OK);
        days = json_object_get(o, "days");
        assert_int_equal(json_array_size(days), 1);
        totals = json_object_get(o, "totals");
        assert_int_equal(json_integer_value(json_object_get(totals, "voids")), 1);
        assert_int_equal(json_integer_value(json_object_get(totals, "gross")), -1500);
        json_decref(o);
        assert_int_equal(zc_hub_report_month(hub, "C0107", 2026, 13, &o, NULL), ZC_ERR_INVALID);
        zc_hub_close(hub);
    }
}

static void test_settlement_csv(void **state)
{
    fixture *f = *state;
    /*
     * March at C0107: lunches of 15.00 (subsidy 5.00), 12.00 (5.00), 10.00 (2.00, voided the same
     * day), a walk-in without subsidy, a dinner of 15.00 (5.00), a breakfast of 8.00 (5.00) and a
     * dinner of 15.00 (5.00) voided in April. The city pays the first 3.00 of each subsidy, the
     * district the rest. C0108's rules name no funders.
     */
    static const char MARCH[] =
        "\xEF\xBB\xBF"
        "月份,食堂编号,食堂名称,出资方,餐次,原价合计(元),补贴合计(元),自付合计(元)\r\n"
        "2026-03,C0107,幸福食堂,city,5,65.00,15.00,40.00\r\n"
        "2026-03,C0107,幸福食堂,district,5,65.00,10.00,40.00\r\n"
        "2026-03,C0108,幸福食堂,未注明,1,15.00,5.00,10.00\r\n"
        "2026-03,合计,,,6,80.00,30.00,50.00\r\n";
    static const char APRIL[] =
        "\xEF\xBB\xBF"
        "月份,食堂编号,食堂名称,出资方,餐次,原价合计(元),补贴合计(元),自付合计(元)\r\n"
        "2026-04,C0107,幸福食堂,city,-1,-15.00,-3.00,-10.00\r\n"
        "2026-04,C0107,幸福食堂,district,-1,-15.00,-2.00,-10.00\r\n"
        "2026-04,合计,,,-1,-15.00,-5.00,-10.00\r\n";
    static const char EMPTY[] =
        "\xEF\xBB\xBF"
        "月份,食堂编号,食堂名称,出资方,餐次,原价合计(元),补贴合计(元),自付合计(元)\r\n"
        "2026-05,合计,,,0,0.00,0.00,0.00\r\n";
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        zc_hub *hub = hub_with_sales(*b, "report_settlement", f);
        char *csv = NULL;
        size_t len = 0;
        zc_diag d = {{0}, 0};
        if (zc_hub_settlement_csv(hub, 2026, 3, &csv, &len, &d))
            fail_msg("settlement: %s", d.msg);
        assert_int_equal(len, strlen(MARCH));
        assert_string_equal(csv, MARCH);
        free(csv);
        assert_int_equal(zc_hub_settlement_csv(hub, 2026, 4, &csv, &len, &d), ZC_OK);
        assert_string_equal(csv, APRIL);
        free(csv);
        assert_int_equal(zc_hub_settlement_csv(hub, 2026, 5, &csv, &len, &d), ZC_OK);
        assert_string_equal(csv, EMPTY);
        free(csv);
        assert_int_equal(zc_hub_settlement_csv(hub, 2026, 0, &csv, &len, &d), ZC_ERR_INVALID);
        assert_null(csv);
        zc_hub_close(hub);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_day_report_is_the_kiosks),
        cmocka_unit_test(test_quarantine_not_counted),
        cmocka_unit_test(test_month_report),
        cmocka_unit_test(test_settlement_csv),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
