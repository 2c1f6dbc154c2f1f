/* Signed bundles: exact bytes survive, tampering and foreign keys are refused. */
#include "testutil.h"

#include "zc/bundle.h"

#include <stdlib.h>
#include <string.h>

static const char RULES[] =
    "{\"schema\": \"zhucan.rules/1\",\n  \"version\": 3, \"note\": \"é\"}\n";

static void test_round_trip_keeps_exact_bytes(void **state)
{
    (void)state;
    zc_keypair kp;
    assert_int_equal(zc_keys_generate(&kp), ZC_OK);
    char *text;
    assert_int_equal(zc_bundle_sign(&kp, RULES, strlen(RULES), &text, NULL), ZC_OK);
    assert_true(zc_bundle_is_bundle(text, strlen(text)));
    assert_false(zc_bundle_is_bundle(RULES, strlen(RULES)));
    zc_bundle *b;
    zc_diag d = {{0}, 0};
    assert_int_equal(zc_bundle_parse(text, strlen(text), &b, &d), ZC_OK);
    assert_int_equal(b->len, strlen(RULES));
    assert_memory_equal(b->payload, RULES, b->len); /* whitespace and all */
    assert_int_equal(zc_bundle_verify(b, NULL, &d), ZC_OK);
    assert_int_equal(zc_bundle_verify(b, kp.pk, &d), ZC_OK);
    zc_keypair other;
    assert_int_equal(zc_keys_generate(&other), ZC_OK);
    assert_int_equal(zc_bundle_verify(b, other.pk, &d), ZC_ERR_CRYPTO);
    assert_non_null(strstr(d.msg, "pinned"));
    b->payload[10] ^= 1; /* one flipped bit in what was signed */
    assert_int_equal(zc_bundle_verify(b, kp.pk, &d), ZC_ERR_CRYPTO);
    assert_non_null(strstr(d.msg, "tampered"));
    zc_bundle_free(b);
    free(text);
}

typedef struct bad_bundle {
    const char *text;
    const char *msg;
} bad_bundle;

#define SIGNER "\"signer\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\""
#define SIG                                                                                        \
    "\"signature\":"                                                                               \
    "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\""
#define FORMAT "\"bundle\":\"zhucan.bundle/1\""

static const bad_bundle BAD[] = {
    {"", "bundle: line"},
    {"[]", "bundle: not a JSON object"},
    {"{" FORMAT "," SIGNER "," SIG "}", "bundle: payload must be"},
    {"{\"bundle\":\"zhucan.bundle/2\"," SIGNER "," SIG ",\"payload\":\"e30=\"}", "bundle: format"},
    {"{" FORMAT ",\"signer\":\"xyz\"," SIG ",\"payload\":\"e30=\"}", "bundle: signer must be"},
    {"{" FORMAT "," SIGNER ",\"signature\":1,\"payload\":\"e30=\"}", "bundle: signature must be"},
    {"{" FORMAT "," SIGNER "," SIG ",\"payload\":\"e30\"}", "bundle: payload is not valid"},
    {"{" FORMAT "," SIGNER "," SIG ",\"payload\":\"AA==\"}", "bundle: payload contains a NUL"},
    {"{" FORMAT "," SIGNER "," SIG ",\"payload\":\"e30=\",\"x\":1}", "bundle: unknown keys"},
    {"{" FORMAT "," FORMAT "," SIGNER "," SIG ",\"payload\":\"e30=\"}", "bundle: line"},
};

static void test_malformed_refused(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        zc_bundle *b = (zc_bundle *)&b;
        zc_diag d = {{0}, 0};
        zc_err err = zc_bundle_parse(BAD[i].text, strlen(BAD[i].text), &b, &d);
        if (err != ZC_ERR_INVALID || b != NULL || strncmp(d.msg, BAD[i].msg, strlen(BAD[i].msg)))
            fail_msg("case %zu: %s \"%s\", expected \"%s\"", i, zc_err_str(err), d.msg, BAD[i].msg);
    }
}

static void test_well_formed_but_forged(void **state)
{
    (void)state;
    const char *text = "{" FORMAT "," SIGNER "," SIG ",\"payload\":\"e30=\"}";
    zc_bundle *b;
    zc_diag d = {{0}, 0};
    assert_int_equal(zc_bundle_parse(text, strlen(text), &b, &d), ZC_OK);
    assert_string_equal(b->payload, "{}");
    assert_int_equal(zc_bundle_verify(b, NULL, &d), ZC_ERR_CRYPTO);
    zc_bundle_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_keeps_exact_bytes),
        cmocka_unit_test(test_malformed_refused),
        cmocka_unit_test(test_well_formed_but_forged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
