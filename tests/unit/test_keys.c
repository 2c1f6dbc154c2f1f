/* Key files: modes, refusing to overwrite, refusing readable secrets, parsing, signing. */
#include "testutil.h"

#include "zc/codec.h"
#include "zc/keys.h"

#include <string.h>
#include <sys/stat.h>

static void test_write_read_round_trip(void **state)
{
    (void)state;
    char dir[ZC_TEST_PATH_MAX], sec[ZC_TEST_PATH_MAX], pub[ZC_TEST_PATH_MAX];
    zt_mkdtemp(dir, sizeof dir);
    zt_join(sec, sizeof sec, dir, ZC_SECRET_KEY_FILE);
    zt_join(pub, sizeof pub, dir, ZC_PUBLIC_KEY_FILE);
    zc_keypair kp, back;
    assert_int_equal(zc_keys_generate(&kp), ZC_OK);
    assert_int_equal(zc_keys_write(&kp, sec, pub, NULL), ZC_OK);
    struct stat st;
    assert_int_equal(stat(sec, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(zc_keys_read_secret(sec, &back, NULL), ZC_OK);
    assert_memory_equal(back.pk, kp.pk, ZC_PUBKEY_LEN);
    assert_memory_equal(back.sk, kp.sk, ZC_SECKEY_LEN);

    uint8_t pk[ZC_PUBKEY_LEN];
    assert_int_equal(zc_keys_load_public(pub, pk, NULL), ZC_OK); /* from the file */
    assert_memory_equal(pk, kp.pk, ZC_PUBKEY_LEN);
    char text[ZC_PUBKEY_TEXT_SIZE];
    zc_keys_public_text(kp.pk, text);
    memset(pk, 0, sizeof pk);
    assert_int_equal(zc_keys_load_public(text, pk, NULL), ZC_OK); /* from the text */
    assert_memory_equal(pk, kp.pk, ZC_PUBKEY_LEN);

    zc_diag d = {0};
    assert_int_equal(zc_keys_write(&kp, sec, pub, &d), ZC_ERR_EXISTS);
    assert_int_equal(chmod(sec, 0644), 0);
    assert_int_equal(zc_keys_read_secret(sec, &back, &d), ZC_ERR_CRYPTO);
    assert_non_null(strstr(d.msg, "chmod 600"));
    zt_rmtree(dir);
}

static const char *const BAD_PUBLIC_KEYS[] = {
    "",
    "abc",
    "not base64 at all !!!!!!!!!!!!!!!!!!!!!!!!!!!",
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==",     /* 31 bytes */
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", /* 36 bytes */
};

static void test_bad_public_keys(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof BAD_PUBLIC_KEYS / sizeof BAD_PUBLIC_KEYS[0]; i++) {
        uint8_t pk[ZC_PUBKEY_LEN];
        zc_diag d = {0};
        if (zc_keys_parse_public(BAD_PUBLIC_KEYS[i], pk, &d) != ZC_ERR_INVALID)
            fail_msg("accepted public key '%s'", BAD_PUBLIC_KEYS[i]);
    }
}

static void test_sign_verify(void **state)
{
    (void)state;
    zc_keypair kp;
    assert_int_equal(zc_keys_generate(&kp), ZC_OK);
    const uint8_t msg[] = "sale 1";
    uint8_t sig[ZC_SIG_LEN];
    zc_keys_sign(&kp, msg, sizeof msg, sig);
    assert_int_equal(zc_keys_verify(kp.pk, msg, sizeof msg, sig), ZC_OK);
    sig[0] ^= 1;
    assert_int_equal(zc_keys_verify(kp.pk, msg, sizeof msg, sig), ZC_ERR_CRYPTO);
}

static void test_codec(void **state)
{
    (void)state;
    const uint8_t bytes[] = {0x00, 0xab, 0xff};
    char hex[ZC_HEX_SIZE(3)], b64[ZC_B64_SIZE(3)];
    zc_hex_encode(bytes, 3, hex);
    assert_string_equal(hex, "00abff");
    uint8_t back[3];
    assert_int_equal(zc_hex_decode("00ABff", 6, back, 3), ZC_OK);
    assert_memory_equal(back, bytes, 3);
    assert_int_equal(zc_hex_decode("00abf", 5, back, 3), ZC_ERR_INVALID);
    assert_int_equal(zc_hex_decode("00abfg", 6, back, 3), ZC_ERR_INVALID);
    zc_b64_encode(bytes, 3, b64);
    assert_string_equal(b64, "AKv/");
    assert_int_equal(zc_b64_decode(" AKv/\n", 6, back, 3), ZC_OK);
    assert_memory_equal(back, bytes, 3);
    assert_int_equal(zc_b64_decode("AKv", 3, back, 3), ZC_ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_write_read_round_trip),
        cmocka_unit_test(test_bad_public_keys),
        cmocka_unit_test(test_sign_verify),
        cmocka_unit_test(test_codec),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
