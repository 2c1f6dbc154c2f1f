/*
 * The sale end to end on a real kiosk directory: roster, menu, signed rules installed against the
 * pinned key, limits counted from the ledger, voids giving the meal back, receipts that verify.
 */
#include "testutil.h"

#include "zc/bundle.h"
#include "zc/menu.h"
#include "zc/receipt.h"
#include "zc/report.h"
#include "zc/rulebook.h"
#include "zc/sell.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The design's example rule set, effective from 2026. */
#define RULES_V1                                                                                   \
    "{\"schema\": \"zhucan.rules/1\", \"version\": 1,"                                             \
    " \"effective_from\": \"2026-01-01T00:00:00+08:00\", \"timezone\": \"Asia/Shanghai\","         \
    " \"meal_periods\": [{\"id\": \"breakfast\", \"start\": \"06:30\", \"end\": \"09:00\"},"       \
    "  {\"id\": \"lunch\", \"start\": \"10:30\", \"end\": \"13:30\"},"                             \
    "  {\"id\": \"dinner\", \"start\": \"16:30\", \"end\": \"19:00\"}],"                           \
    " \"age_tiers\": [{\"id\": \"60-69\", \"min_age\": 60, \"max_age\": 69, \"subsidy\": 200},"    \
    "  {\"id\": \"70-79\", \"min_age\": 70, \"max_age\": 79, \"subsidy\": 300},"                   \
    "  {\"id\": \"80+\", \"min_age\": 80, \"subsidy\": 500}],"                                     \
    " \"categories\": {\"tekun\": {\"subsidy\": 1000, \"waive_min_self_pay\": true},"              \
    "  \"dibao\": {\"subsidy\": 500}, \"shineng\": {\"subsidy\": 300}},"                           \
    " \"stacking\": \"max\", \"per_meal_cap\": 1000, \"min_self_pay\": 100,"                       \
    " \"limits\": {\"per_period\": 1, \"per_day\": 2, \"per_month\": 62},"                         \
    " \"registered_only\": true, \"regions\": [\"3202\"]}"

/* From 1 July the 80+ tier pays 600. */
#define RULES_V2                                                                                   \
    "{\"schema\": \"zhucan.rules/1\", \"version\": 2,"                                             \
    " \"effective_from\": \"2026-07-01T00:00:00+08:00\","                                          \
    " \"meal_periods\": [{\"id\": \"lunch\", \"start\": \"10:30\", \"end\": \"13:30\"}],"          \
    " \"age_tiers\": [{\"id\": \"80+\", \"min_age\": 80, \"subsidy\": 600}],"                      \
    " \"limits\": {\"per_period\": 1}, \"registered_only\": true}"

#define MENU                                                                                       \
    "code,name,price_fen,periods\nL01,红烧肉套餐,1600,lunch|dinner\nB01,包子套餐,800,breakfast\n"

static const char ELDER_80[] = "320202193803151008";              /* 王秀英, born 1938-03-15 */
static const char DIBAO_QR[] = "ZCE1.2JHTLGMXGEDN73U55XTPLPFT7V"; /* 李桂兰, 83, dibao */

typedef struct fixture {
    char dir[ZC_TEST_PATH_MAX];
    char kiosk[ZC_TEST_PATH_MAX];
    zc_keypair rules_key;
    zc_datadir *dd;
    zc_ledger *ledger;
} fixture;

static zc_ms at(const char *iso)
{
    zc_ms t;
    assert_int_equal(zc_time_parse_iso8601(iso, &t, NULL), ZC_OK);
    return t;
}

static char *signed_bundle(const zc_keypair *kp, const char *rules)
{
    char *text;
    assert_int_equal(zc_bundle_sign(kp, rules, strlen(rules), &text, NULL), ZC_OK);
    return text;
}

static zc_err install(fixture *f, const zc_keypair *kp, const char *rules, zc_diag *d)
{
    char *text = signed_bundle(kp, rules);
    zc_err err = zc_rulebook_install(f->dd->store, f->dd->rules_pk, text, strlen(text), 0, NULL, d);
    free(text);
    return err;
}

static int setup(void **state)
{
    static fixture f;
    char pub[ZC_TEST_PATH_MAX], sec[ZC_TEST_PATH_MAX], roster[ZC_TEST_PATH_MAX];
    zt_mkdtemp(f.dir, sizeof f.dir);
    zt_join(f.kiosk, sizeof f.kiosk, f.dir, "kiosk");
    zt_join(pub, sizeof pub, f.dir, "rules.pub");
    zt_join(sec, sizeof sec, f.dir, "rules.key");
    assert_int_equal(zc_keys_generate(&f.rules_key), ZC_OK);
    assert_int_equal(zc_keys_write(&f.rules_key, sec, pub, NULL), ZC_OK);
    zc_datadir_init_opts o = {.canteen = "C0107", .rules_pubkey = pub, .canteen_region = "320202"};
    zc_diag d = {{0}, 0};
    assert_int_equal(zc_datadir_init(f.kiosk, &o, &d), ZC_OK);
    assert_int_equal(zc_datadir_open(f.kiosk, &f.dd, &d), ZC_OK);
    assert_int_equal(zc_datadir_ledger(f.dd, &f.ledger, &d), ZC_OK);

    snprintf(roster, sizeof roster, "%s/../../assets/demo/roster.csv", ZC_SOURCE_DIR_TESTS);
    size_t len;
    char *csv = zt_read_file(roster, &len);
    assert_int_equal(zc_roster_import_csv(f.dd->store, f.dd->region_key, csv, len, NULL, &d),
                     ZC_OK);
    free(csv);
    assert_int_equal(zc_menu_import_csv(f.dd->store, MENU, strlen(MENU), NULL, &d), ZC_OK);
    if (install(&f, &f.rules_key, RULES_V1, &d))
        fail_msg("installing the example rules: %s", d.msg);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    zc_ledger_close(f->ledger);
    zc_datadir_close(f->dd);
    zt_rmtree(f->dir);
    return 0;
}

static zc_sell_result sell(fixture *f, zc_ident ident, const char *credential, const char *item,
                           zc_fen price, const char *when)
{
    zc_sell_request req = {.ident = ident,
                           .credential = credential,
                           .item_code = item,
                           .price = price,
                           .at = at(when),
                           .paid = ZC_PAY_CASH};
    zc_sell_result r;
    zc_diag d = {{0}, 0};
    if (zc_sell(f->dd, f->ledger, &req, &r, &d))
        fail_msg("sale at %s: %s", when, d.msg);
    return r;
}

static void test_limits_voids_and_report(void **state)
{
    fixture *f = *state;
    zc_sell_result r = sell(f, ZC_IDENT_ID_CARD, ELDER_80, NULL, 1500, "2026-03-02T12:00:00+08:00");
    assert_true(r.found);
    assert_int_equal(r.sale.seq, 1);
    assert_int_equal(r.quote.subsidy, 500);
    assert_int_equal(r.sale.self_pay, 1000);
    assert_string_equal(r.sale.period, "lunch");
    assert_string_equal(r.sale.tier, "80+");
    assert_int_equal(r.sale.rules_version, 1);

    /* Same lunch again: the per-period limit is used up, full price with the reason. */
    r = sell(f, ZC_IDENT_ID_CARD, ELDER_80, NULL, 1500, "2026-03-02T12:30:00+08:00");
    assert_int_equal(r.quote.subsidy, 0);
    assert_int_equal(r.sale.self_pay, 1500);
    assert_non_null(strstr(r.quote.reason, "limit"));

    /* Voiding the first sale gives the meal back. */
    zc_diag d = {{0}, 0};
    assert_int_equal(
        zc_sell_void(f->dd, f->ledger, 1, "wrong elder", at("2026-03-02T12:35:00+08:00"), NULL, &d),
        ZC_OK);
    r = sell(f, ZC_IDENT_ID_CARD, ELDER_80, NULL, 1500, "2026-03-02T12:40:00+08:00");
    assert_int_equal(r.quote.subsidy, 500);

    /* By QR code, a menu item: the dibao elder; price from the menu. */
    r = sell(f, ZC_IDENT_QR, DIBAO_QR, "L01", 0, "2026-03-02T12:50:00+08:00");
    assert_int_equal(r.quote.price, 1600);
    assert_int_equal(r.quote.subsidy, 500);
    assert_int_equal(r.sale.self_pay, 1100);

    /* Someone the roster does not know pays full price. */
    r = sell(f, ZC_IDENT_QR, "ZCE1.UNKNOWN", NULL, 1500, "2026-03-02T12:55:00+08:00");
    assert_false(r.found);
    assert_int_equal(r.sale.elder_id, 0);
    assert_int_equal(r.quote.subsidy, 0);
    assert_true(strlen(r.quote.reason) > 0);

    zc_report *rep;
    assert_int_equal(zc_report_day(f->dd->store, (zc_date){2026, 3, 2}, &rep, &d), ZC_OK);
    const zc_report_totals *t = zc_report_totals_get(rep);
    assert_int_equal(t->sales, 5);
    assert_int_equal(t->voids, 1);
    assert_int_equal(t->gross, 1500 + 1500 - 1500 + 1500 + 1600 + 1500);
    assert_int_equal(t->subsidy, 500 + 0 - 500 + 500 + 500 + 0);
    zc_report_free(rep);

    zc_ledger_check check;
    assert_int_equal(zc_ledger_verify(f->dd->store, f->dd->device_key.pk, &check, &d), ZC_OK);
    assert_int_equal(check.entries, 6);
}

static void test_receipt_verifies(void **state)
{
    fixture *f = *state;
    zc_sell_result r = sell(f, ZC_IDENT_ID_CARD, ELDER_80, NULL, 1500, "2026-03-02T12:00:00+08:00");
    char text[ZC_RECEIPT_TEXT_SIZE];
    assert_int_equal(zc_receipt_text(&r.sale, r.sale.hash, &f->dd->device_key, text, sizeof text),
                     ZC_OK);
    zc_receipt rec;
    zc_diag d = {{0}, 0};
    assert_int_equal(zc_receipt_parse(text, strlen(text), &rec, &d), ZC_OK);
    assert_int_equal(zc_receipt_verify(&rec, f->dd->device_key.pk, &d), ZC_OK);
    assert_int_equal(zc_receipt_verify(&rec, f->rules_key.pk, &d), ZC_ERR_CRYPTO);
}

static void test_rules_by_effective_date(void **state)
{
    fixture *f = *state;
    zc_diag d = {{0}, 0};
    assert_int_equal(install(f, &f->rules_key, RULES_V2, &d), ZC_OK);
    zc_sell_result r = sell(f, ZC_IDENT_ID_CARD, ELDER_80, NULL, 1500, "2026-06-30T12:00:00+08:00");
    assert_int_equal(r.sale.rules_version, 1);
    assert_int_equal(r.quote.subsidy, 500);
    r = sell(f, ZC_IDENT_ID_CARD, ELDER_80, NULL, 1500, "2026-07-01T12:00:00+08:00");
    assert_int_equal(r.sale.rules_version, 2);
    assert_int_equal(r.quote.subsidy, 600);
}

/* Changes one base64 character `offset` places after key; false when key is not there. */
static bool flip_after(char *text, const char *key, size_t offset)
{
    size_t n = strlen(key);
    for (char *p = text; *p; p++)
        if (strncmp(p, key, n) == 0 && strlen(p) > n + offset) {
            p[n + offset] = p[n + offset] == 'A' ? 'B' : 'A';
            return true;
        }
    return false;
}

static void test_refused_installs_keep_rules(void **state)
{
    fixture *f = *state;
    zc_diag d = {{0}, 0};
    zc_keypair stranger;
    assert_int_equal(zc_keys_generate(&stranger), ZC_OK);
    assert_int_equal(install(f, &stranger, RULES_V2, &d), ZC_ERR_CRYPTO);
    assert_int_equal(install(f, &f->rules_key, RULES_V1, &d), ZC_ERR_INVALID); /* not newer */
    assert_non_null(strstr(d.msg, "not newer"));
    assert_int_equal(install(f, &f->rules_key, "{\"schema\": \"zhucan.rules/1\"}", &d),
                     ZC_ERR_INVALID);
    char *text = signed_bundle(&f->rules_key, RULES_V2);
    assert_true(flip_after(text, "\"payload\": \"", 5)); /* tamper with the signed bytes */
    assert_int_not_equal(
        zc_rulebook_install(f->dd->store, f->dd->rules_pk, text, strlen(text), 0, NULL, &d), ZC_OK);
    free(text);
    int64_t latest;
    assert_int_equal(zc_rulebook_latest(f->dd->store, &latest, &d), ZC_OK);
    assert_int_equal(latest, 1);
}

static void test_refused_sales_record_nothing(void **state)
{
    fixture *f = *state;
    zc_diag d = {{0}, 0};
    zc_sell_result r = sell(f, ZC_IDENT_ID_CARD, ELDER_80, NULL, 1500, "2026-03-02T12:00:00+08:00");
    struct {
        zc_ident ident;
        const char *credential, *item;
        zc_fen price;
        const char *when;
        zc_err err;
    } cases[] = {
        {ZC_IDENT_ID_CARD, "320202193803151009", NULL, 1500, "2026-03-02T12:10:00+08:00",
         ZC_ERR_INVALID}, /* check digit */
        {ZC_IDENT_ID_CARD, ELDER_80, "NOPE", 0, "2026-03-02T12:10:00+08:00", ZC_ERR_NOT_FOUND},
        {ZC_IDENT_ID_CARD, ELDER_80, NULL, -1, "2026-03-02T12:10:00+08:00", ZC_ERR_INVALID},
        {ZC_IDENT_ID_CARD, ELDER_80, NULL, 1500, "2026-03-02T11:00:00+08:00", ZC_ERR_CLOCK},
        {ZC_IDENT_QR, "", NULL, 1500, "2026-03-02T12:10:00+08:00", ZC_ERR_INVALID},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        zc_sell_request req = {.ident = cases[i].ident,
                               .credential = cases[i].credential,
                               .item_code = cases[i].item,
                               .price = cases[i].price,
                               .at = at(cases[i].when)};
        zc_err err = zc_sell(f->dd, f->ledger, &req, &r, &d);
        if (err != cases[i].err)
            fail_msg("case %zu: %s (%s), expected %s", i, zc_err_str(err), d.msg,
                     zc_err_str(cases[i].err));
    }
    zc_ledger_head head;
    assert_int_equal(zc_ledger_head_get(f->dd->store, &head, &d), ZC_OK);
    assert_int_equal(head.seq, 1);
}

static void test_rules_edited_in_the_database_refused(void **state)
{
    fixture *f = *state;
    assert_int_equal(
        zc_store_exec(f->dd->store, "UPDATE rule_set SET bundle = replace(bundle, 'A', 'B')", NULL),
        ZC_OK);
    zc_sell_request req = {.ident = ZC_IDENT_ID_CARD,
                           .credential = ELDER_80,
                           .price = 1500,
                           .at = at("2026-03-02T12:00:00+08:00")};
    zc_sell_result r;
    zc_diag d = {{0}, 0};
    assert_int_equal(zc_sell(f->dd, f->ledger, &req, &r, &d), ZC_ERR_BROKEN);
    assert_non_null(strstr(d.msg, "installed rule set 1"));
}

static void test_before_any_rules(void **state)
{
    fixture *f = *state;
    zc_sell_result r = sell(f, ZC_IDENT_ID_CARD, ELDER_80, NULL, 1500, "2025-12-31T12:00:00+08:00");
    assert_int_equal(r.quote.subsidy, 0);
    assert_int_equal(r.sale.rules_version, 0);
    assert_non_null(strstr(r.quote.reason, "no subsidy rules"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_limits_voids_and_report, setup, teardown),
        cmocka_unit_test_setup_teardown(test_receipt_verifies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rules_by_effective_date, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_installs_keep_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_sales_record_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rules_edited_in_the_database_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_before_any_rules, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
