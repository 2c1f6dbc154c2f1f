/*
 * Publishing subsidy rules on the hub, on both backends: the shipped default rule set is signed
 * with the hub's key and stored byte for byte; older versions and invalid sets are refused with a
 * message naming what is wrong; effective_from can be set at publishing; kiosks get the bundles
 * after a version, oldest first.
 */
#include "hubtest.h"
#include "salestest.h"
#include "testutil.h"

#include "zc/bundle.h"
#include "zc/hub.h"
#include "zc/rules.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 2026-03-01T00:00:00+08:00 */
#define MARCH_1_MS INT64_C(1772294400000)
#define MARCH_1_TEXT "2026-03-01T00:00:00+08:00"

static char *default_rules(size_t *len)
{
    const char *src = getenv("ZC_SOURCE_DIR");
    char path[ZC_TEST_PATH_MAX];
    assert_non_null(src);
    snprintf(path, sizeof path, "%s/assets/rules/default.json", src);
    return zt_read_file(path, len);
}

/* The default set with its version (and optionally another key) replaced. */
static char *variant(int64_t version, const char *key, json_t *value)
{
    size_t len;
    char *text = default_rules(&len);
    json_t *root = json_loadb(text, len, 0, NULL);
    assert_non_null(root);
    json_object_set_new(root, "version", json_integer(version));
    if (key)
        json_object_set_new(root, key, value);
    char *out = json_dumps(root, JSON_INDENT(2));
    json_decref(root);
    free(text);
    return out;
}

static zc_err publish(zc_hub *hub, const char *text, zc_ms effective_from, int64_t *version,
                      zc_ms *effective, zc_diag *d)
{
    return zc_hub_rules_publish(hub, text, strlen(text), effective_from, "admin", version,
                                effective, d);
}

/* The bundle's payload, checked against the hub's public key. */
static zc_bundle *verified(zc_hub *hub, const json_t *bundle)
{
    char *text = json_dumps(bundle, JSON_COMPACT);
    zc_bundle *b = NULL;
    uint8_t pk[ZC_PUBKEY_LEN];
    zc_diag d = {0};
    zc_hub_rules_public_key(hub, pk);
    assert_non_null(text);
    if (zc_bundle_parse(text, strlen(text), &b, &d) || zc_bundle_verify(b, pk, &d))
        fail_msg("bundle: %s", d.msg);
    free(text);
    return b;
}

static void test_publish_default_rules(void **state)
{
    (void)state;
    for (const char *const *be = ZC_HUBTEST_BACKENDS; *be; be++) {
        zc_hub *hub = zc_salestest_hub(*be, "rules_default", NULL, NULL);
        size_t len;
        char *text = default_rules(&len);
        int64_t version = 0;
        zc_ms effective = 0;
        zc_diag d = {0};
        assert_int_equal(
            zc_hub_rules_publish(hub, text, len, -1, "admin", &version, &effective, &d), ZC_OK);
        assert_int_equal(version, 1);
        zc_ms want;
        assert_int_equal(zc_time_parse_iso8601("2026-01-01T00:00:00+08:00", &want, NULL), ZC_OK);
        assert_int_equal(effective, want);

        /* The kiosks' bundles: signed by the hub's rules key, over the file's exact bytes. */
        json_t *bundles = NULL;
        assert_int_equal(zc_hub_rules_after(hub, 0, &bundles, &d), ZC_OK);
        assert_int_equal(json_array_size(bundles), 1);
        zc_bundle *b = verified(hub, json_array_get(bundles, 0));
        assert_int_equal(b->len, len);
        assert_memory_equal(b->payload, text, len);
        zc_bundle_free(b);
        json_decref(bundles);
        assert_int_equal(zc_hub_rules_after(hub, 1, &bundles, &d), ZC_OK);
        assert_int_equal(json_array_size(bundles), 0);
        json_decref(bundles);

        /* The console's list. */
        json_t *list = NULL;
        assert_int_equal(zc_hub_rules_list(hub, &list, &d), ZC_OK);
        assert_int_equal(json_array_size(list), 1);
        json_t *set = json_array_get(list, 0);
        assert_int_equal(json_integer_value(json_object_get(set, "version")), 1);
        assert_int_equal(json_integer_value(json_object_get(set, "effective_from_ms")), want);
        assert_string_equal(json_string_value(json_object_get(set, "published_by")), "admin");
        assert_true(json_integer_value(json_object_get(set, "published_ms")) > 0);
        json_t *rules = json_object_get(set, "rules");
        assert_string_equal(json_string_value(json_object_get(rules, "schema")), ZC_RULES_SCHEMA);
        json_decref(list);
        free(text);
        zc_hub_close(hub);
    }
}

static void test_refuses_version_not_newer(void **state)
{
    (void)state;
    for (const char *const *be = ZC_HUBTEST_BACKENDS; *be; be++) {
        zc_hub *hub = zc_salestest_hub(*be, "rules_older", NULL, NULL);
        char *v5 = variant(5, NULL, NULL), *v3 = variant(3, NULL, NULL);
        int64_t version = 0;
        zc_diag d = {0};
        assert_int_equal(publish(hub, v5, -1, &version, NULL, &d), ZC_OK);
        assert_int_equal(version, 5);
        /* The same version again, and an older one: both refused, naming both versions. */
        assert_int_equal(publish(hub, v5, -1, &version, NULL, &d), ZC_ERR_INVALID);
        assert_non_null(strstr(d.msg, "5 is not newer than the published version 5"));
        assert_int_equal(publish(hub, v3, -1, &version, NULL, &d), ZC_ERR_INVALID);
        assert_non_null(strstr(d.msg, "version: 3"));
        assert_non_null(strstr(d.msg, "published version 5"));
        json_t *list = NULL;
        assert_int_equal(zc_hub_rules_list(hub, &list, &d), ZC_OK);
        assert_int_equal(json_array_size(list), 1);
        json_decref(list);
        free(v5);
        free(v3);
        zc_hub_close(hub);
    }
}

static void test_refuses_invalid_set_naming_path(void **state)
{
    (void)state;
    for (const char *const *be = ZC_HUBTEST_BACKENDS; *be; be++) {
        zc_hub *hub = zc_salestest_hub(*be, "rules_invalid", NULL, NULL);
        char *bad = variant(2, "per_meal_cap", json_integer(-1));
        zc_diag d = {0};
        int64_t version = 0;
        assert_int_equal(publish(hub, bad, -1, &version, NULL, &d), ZC_ERR_INVALID);
        assert_non_null(strstr(d.msg, "per_meal_cap"));
        /* Not JSON at all, and JSON that is not an object even with an override. */
        assert_int_equal(publish(hub, "{\"schema\":", -1, &version, NULL, &d), ZC_ERR_INVALID);
        assert_int_equal(publish(hub, "[1,2]", MARCH_1_MS, &version, NULL, &d), ZC_ERR_INVALID);
        assert_int_equal(zc_hub_rules_publish(hub, NULL, 0, -1, "admin", &version, NULL, &d),
                         ZC_ERR_INVALID);
        json_t *list = NULL;
        assert_int_equal(zc_hub_rules_list(hub, &list, &d), ZC_OK);
        assert_int_equal(json_array_size(list), 0);
        json_decref(list);
        free(bad);
        zc_hub_close(hub);
    }
}

static void test_effective_from_override(void **state)
{
    (void)state;
    for (const char *const *be = ZC_HUBTEST_BACKENDS; *be; be++) {
        zc_hub *hub = zc_salestest_hub(*be, "rules_effective", NULL, NULL);
        char *v1 = variant(1, NULL, NULL), *v2 = variant(2, NULL, NULL);
        int64_t version = 0;
        zc_ms effective = 0;
        zc_diag d = {0};
        assert_int_equal(publish(hub, v1, -1, &version, &effective, &d), ZC_OK);
        assert_int_equal(publish(hub, v2, MARCH_1_MS, &version, &effective, &d), ZC_OK);
        assert_int_equal(version, 2);
        assert_int_equal(effective, MARCH_1_MS);

        /* The signed payload says so, in the rule set's own zone. */
        json_t *bundles = NULL;
        assert_int_equal(zc_hub_rules_after(hub, 1, &bundles, &d), ZC_OK);
        assert_int_equal(json_array_size(bundles), 1);
        zc_bundle *b = verified(hub, json_array_get(bundles, 0));
        json_t *rules = json_loadb(b->payload, b->len, 0, NULL);
        assert_string_equal(json_string_value(json_object_get(rules, "effective_from")),
                            MARCH_1_TEXT);
        assert_int_equal(json_integer_value(json_object_get(rules, "version")), 2);
        /* Every other key kept, in its order. */
        assert_string_equal(json_object_iter_key(json_object_iter(rules)), "comment");
        zc_rules *parsed = NULL;
        assert_int_equal(zc_rules_parse(b->payload, b->len, NULL, &parsed, &d), ZC_OK);
        assert_int_equal(parsed->effective_from, MARCH_1_MS);
        zc_rules_free(parsed);
        json_decref(rules);
        zc_bundle_free(b);
        json_decref(bundles);

        /* Newest first in the console's list; oldest first for kiosks. */
        json_t *list = NULL;
        assert_int_equal(zc_hub_rules_list(hub, &list, &d), ZC_OK);
        assert_int_equal(json_array_size(list), 2);
        assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 0), "version")),
                         2);
        assert_int_equal(
            json_integer_value(json_object_get(json_array_get(list, 0), "effective_from_ms")),
            MARCH_1_MS);
        json_decref(list);
        assert_int_equal(zc_hub_rules_after(hub, 0, &bundles, &d), ZC_OK);
        assert_int_equal(json_array_size(bundles), 2);
        zc_bundle *first = verified(hub, json_array_get(bundles, 0));
        assert_int_equal(first->len, strlen(v1));
        zc_bundle_free(first);
        json_decref(bundles);
        free(v1);
        free(v2);
        zc_hub_close(hub);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_publish_default_rules),
        cmocka_unit_test(test_refuses_version_not_newer),
        cmocka_unit_test(test_refuses_invalid_set_naming_path),
        cmocka_unit_test(test_effective_from_override),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
