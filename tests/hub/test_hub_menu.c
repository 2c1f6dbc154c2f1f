/*
 * Canteen menus on the hub, on both backends: an import replaces the menu and bumps its version;
 * a bad file names its line and changes nothing; unknown canteens are not found; the kiosks get
 * the items as syncwire's JSON, which reads back into the same menu.
 */
#include "hubtest.h"
#include "salestest.h"
#include "testutil.h"

#include "zc/hub.h"
#include "zc/syncwire.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HEADER "code,name,price_fen,periods\n"

static const char MENU[] = HEADER "B01,馒头+白粥,800,breakfast\n"
                                  "L01,两荤一素,1500,lunch|dinner\n"
                                  "D01,\"馄饨, 小碗\",1100,dinner\n";

static zc_hub *open_hub(const char *backend, const char *tag)
{
    zc_hub *hub = zc_salestest_hub(backend, tag, NULL, NULL);
    zc_diag d = {0};
    if (zc_hub_canteen_add(hub, "C0107", "幸福食堂", "320202", "Asia/Shanghai", &d))
        fail_msg("%s: canteen: %s", backend, d.msg);
    return hub;
}

static zc_err import(zc_hub *hub, const char *canteen, const char *csv, int64_t *version,
                     int64_t *rows, zc_diag *d)
{
    return zc_hub_menu_import(hub, canteen, csv, strlen(csv), version, rows, d);
}

/* The menu as the kiosk would read it from a pull. */
static size_t pulled(zc_hub *hub, int64_t *version, zc_menu_item **items)
{
    json_t *list = NULL;
    zc_diag d = {0};
    if (zc_hub_menu_get(hub, "C0107", version, &list, &d))
        fail_msg("get: %s", d.msg);
    json_t *o = json_pack("{s:I,s:o}", "version", (json_int_t)*version, "items", list);
    size_t n = 0;
    bool changed = false;
    int64_t v = 0;
    if (zc_syncwire_menu_from_json(o, &v, items, &n, &changed, &d))
        fail_msg("menu from json: %s", d.msg);
    assert_int_equal(v, *version);
    json_decref(o);
    return n;
}

static void test_import_and_get(void **state)
{
    (void)state;
    for (const char *const *be = ZC_HUBTEST_BACKENDS; *be; be++) {
        zc_hub *hub = open_hub(*be, "menu_import");
        int64_t version = 0, rows = 0;
        zc_diag d = {0};
        zc_menu_item *items = NULL;
        /* A new canteen has an empty menu at version 0. */
        assert_int_equal(pulled(hub, &version, &items), 0);
        assert_int_equal(version, 0);
        free(items);

        assert_int_equal(import(hub, "C0107", MENU, &version, &rows, &d), ZC_OK);
        assert_int_equal(version, 1);
        assert_int_equal(rows, 3);
        assert_int_equal(pulled(hub, &version, &items), 3);
        assert_int_equal(version, 1);
        assert_string_equal(items[0].code, "B01");
        assert_string_equal(items[1].name, "两荤一素");
        assert_int_equal(items[1].price, 1500);
        assert_string_equal(items[1].periods, "lunch|dinner");
        assert_string_equal(items[2].name, "馄饨, 小碗");
        free(items);

        /* The file is the menu: an item it leaves out is gone. */
        assert_int_equal(
            import(hub, "C0107", HEADER "L01,两荤一素,1600,lunch\n", &version, &rows, &d), ZC_OK);
        assert_int_equal(version, 2);
        assert_int_equal(rows, 1);
        assert_int_equal(pulled(hub, &version, &items), 1);
        assert_int_equal(items[0].price, 1600);
        free(items);

        /* A header alone empties it. */
        assert_int_equal(import(hub, "C0107", HEADER, &version, &rows, &d), ZC_OK);
        assert_int_equal(version, 3);
        assert_int_equal(rows, 0);
        assert_int_equal(pulled(hub, &version, &items), 0);
        free(items);

        /* The canteens list shows the version. */
        json_t *canteens = NULL;
        assert_int_equal(zc_hub_canteens(hub, &canteens, &d), ZC_OK);
        assert_int_equal(
            json_integer_value(json_object_get(json_array_get(canteens, 0), "menu_version")), 3);
        json_decref(canteens);
        zc_hub_close(hub);
    }
}

static void test_bad_file_and_unknown_canteen(void **state)
{
    (void)state;
    for (const char *const *be = ZC_HUBTEST_BACKENDS; *be; be++) {
        zc_hub *hub = open_hub(*be, "menu_bad");
        int64_t version = 0, rows = 0;
        zc_diag d = {0};
        assert_int_equal(import(hub, "C0107", MENU, &version, &rows, &d), ZC_OK);
        /* Line 3: price is not a whole number of fen. */
        assert_int_equal(
            import(hub, "C0107", HEADER "B01,粥,800,\nL01,面,12.50,\n", &version, &rows, &d),
            ZC_ERR_INVALID);
        assert_int_equal(d.line, 3);
        assert_non_null(strstr(d.msg, "line 3"));
        assert_non_null(strstr(d.msg, "price_fen"));
        zc_menu_item *items = NULL;
        assert_int_equal(pulled(hub, &version, &items), 3);
        assert_int_equal(version, 1);
        free(items);

        assert_int_equal(import(hub, "C9999", MENU, &version, &rows, &d), ZC_ERR_NOT_FOUND);
        assert_non_null(strstr(d.msg, "C9999"));
        json_t *list = NULL;
        assert_int_equal(zc_hub_menu_get(hub, "C9999", &version, &list, &d), ZC_ERR_NOT_FOUND);
        assert_null(list);
        zc_hub_close(hub);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_import_and_get),
        cmocka_unit_test(test_bad_file_and_unknown_canteen),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
