/* The quote command's JSON inputs: ELDER.json and HISTORY.json, strictly read. */
#include "testutil.h"

#include "zc/quotejson.h"

#include <stdlib.h>
#include <string.h>

static void test_elder_full_and_defaults(void **state)
{
    (void)state;
    zc_quote_elder e;
    zc_diag d = {{0}, 0};
    const char *full = "{\"registered\": true, \"birth_date\": \"1946-05-01\", \"region\": "
                       "\"320202\", \"categories\": [\"dibao\", \"shineng\"], \"status\": "
                       "\"suspended\"}";
    assert_int_equal(zc_quotejson_elder(full, strlen(full), &e, &d), ZC_OK);
    assert_true(e.registered);
    assert_true(e.has_birth);
    assert_int_equal(e.birth.year, 1946);
    assert_int_equal(e.birth.day, 1);
    assert_string_equal(e.region, "320202");
    assert_int_equal(e.ncategories, 2);
    assert_string_equal(e.categories[1], "shineng");
    assert_true(e.suspended);

    assert_int_equal(zc_quotejson_elder("{}", 2, &e, &d), ZC_OK);
    assert_true(e.registered);
    assert_false(e.has_birth);
    assert_false(e.suspended);
    assert_int_equal(e.ncategories, 0);
    const char *unreg = "{\"registered\": false, \"birth_date\": null}";
    assert_int_equal(zc_quotejson_elder(unreg, strlen(unreg), &e, &d), ZC_OK);
    assert_false(e.registered);
    assert_false(e.has_birth);
}

typedef struct bad_json {
    const char *text;
    const char *msg;
} bad_json;

static const bad_json BAD_ELDERS[] = {
    {"", "elder: line"},
    {"[]", "elder: must be a JSON object"},
    {"{\"registered\": 1}", "elder: registered must be"},
    {"{\"birth_date\": \"1946-02-30\"}", "elder: birth_date must be"},
    {"{\"birth_date\": 19460501}", "elder: birth_date must be"},
    {"{\"region\": \"32-02\"}", "elder: region must be"},
    {"{\"region\": \"3202020000001\"}", "elder: region must be"},
    {"{\"categories\": \"dibao\"}", "elder: categories must be an array"},
    {"{\"categories\": [\"Dibao\"]}", "elder: categories[0] must be"},
    {"{\"categories\": [1]}", "elder: categories[0] must be"},
    {"{\"status\": \"retired\"}", "elder: status must be"},
    {"{\"name\": \"张三\"}", "elder: name: unknown key"},
    {"{\"status\": \"active\", \"status\": \"active\"}", "elder: line"},
};

static const bad_json BAD_HISTORIES[] = {
    {"{}", "history: must be a JSON array"},
    {"[1]", "history[0]: must be"},
    {"[{\"at\": \"2026-03-02T12:00:00+08:00\"}, {\"when\": \"x\"}]", "history[1]: must be"},
    {"[{\"at\": \"2026-03-02T12:00:00\"}]", "history[0].at: "},
    {"[{\"at\": \"2026-03-02T12:00:00+08:00\", \"x\": 1}]", "history[0]: must be"},
    {"[", "history: line"},
};

static void run_bad(const bad_json *cases, size_t n, bool elder)
{
    for (size_t i = 0; i < n; i++) {
        zc_diag d = {{0}, 0};
        zc_quote_elder e;
        zc_ms *h = NULL;
        size_t nh = 0;
        zc_err err =
            elder ? zc_quotejson_elder(cases[i].text, strlen(cases[i].text), &e, &d)
                  : zc_quotejson_history(cases[i].text, strlen(cases[i].text), NULL, &h, &nh, &d);
        if (err != ZC_ERR_INVALID || strncmp(d.msg, cases[i].msg, strlen(cases[i].msg)) != 0)
            fail_msg("case %zu (%s): %s \"%s\"", i, cases[i].text, zc_err_str(err), d.msg);
        assert_null(h);
    }
}

static void test_bad_elders(void **state)
{
    (void)state;
    run_bad(BAD_ELDERS, sizeof BAD_ELDERS / sizeof BAD_ELDERS[0], true);
}

static void test_history(void **state)
{
    (void)state;
    zc_ms *h;
    size_t n;
    zc_diag d = {{0}, 0};
    const char *text =
        "[{\"at\": \"2026-03-02T12:00:00+08:00\"}, {\"at\": \"2026-03-02T04:00:00Z\"}]";
    assert_int_equal(zc_quotejson_history(text, strlen(text), NULL, &h, &n, &d), ZC_OK);
    assert_int_equal(n, 2);
    assert_true(h[0] == h[1]); /* the same instant, written two ways */
    free(h);
    assert_int_equal(zc_quotejson_history("[]", 2, NULL, &h, &n, &d), ZC_OK);
    assert_int_equal(n, 0);
    assert_null(h);
    run_bad(BAD_HISTORIES, sizeof BAD_HISTORIES / sizeof BAD_HISTORIES[0], false);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_elder_full_and_defaults),
        cmocka_unit_test(test_bad_elders),
        cmocka_unit_test(test_history),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
