/*
 * Receipt QR text: written from a sale, parsed back, verified against the device key; every
 * changed field refused by the signature, every malformed text refused by the parser.
 */
#include "testutil.h"

#include "zc/codec.h"
#include "zc/receipt.h"

#include <stdio.h>
#include <string.h>

enum {
    HASH_BYTE = 0x9c,
    TEXT_BIG = 512,
};

#define AT_MS INT64_C(1767587400123) /* 2026-01-05T04:30:00.123Z */

#define DEVICE "ZK-3f9a0c12be77"
#define S85 "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
#define S86 S85 "A"
#define H16 "0123456789abcdef"
/* Well formed (parse does not check the signature): the malformed cases change one thing of it. */
#define GOOD "ZCR1|ZK-1|1|0|0|0|0|" H16 "|" S86

typedef struct fixture {
    zc_keypair key, other;
    uint8_t hash[ZC_HASH_LEN];
    zc_sale sale;
    char text[ZC_RECEIPT_TEXT_SIZE];
} fixture;

static int setup(void **state)
{
    static fixture f;
    memset(&f, 0, sizeof f);
    assert_int_equal(zc_keys_generate(&f.key), ZC_OK);
    assert_int_equal(zc_keys_generate(&f.other), ZC_OK);
    for (size_t i = 0; i < ZC_HASH_LEN; i++)
        f.hash[i] = (uint8_t)(HASH_BYTE + i);
    f.sale.kind = ZC_ENTRY_SALE;
    f.sale.seq = 1042;
    snprintf(f.sale.device_id, sizeof f.sale.device_id, "%s", DEVICE);
    f.sale.at = AT_MS;
    f.sale.price = 1500;
    f.sale.subsidy = 500;
    f.sale.self_pay = 1000;
    assert_int_equal(zc_receipt_text(&f.sale, f.hash, &f.key, f.text, sizeof f.text), ZC_OK);
    *state = &f;
    return 0;
}

static void test_round_trip(void **state)
{
    fixture *f = *state;
    zc_receipt r;
    zc_diag diag = {{0}, 0};
    const char *expect = "ZCR1|" DEVICE "|1042|1767587400|1500|500|1000|9c9d9e9fa0a1a2a3|";
    assert_int_equal(strncmp(f->text, expect, strlen(expect)), 0);
    assert_int_equal(strlen(f->text), strlen(expect) + ZC_RECEIPT_SIG_TEXT_LEN);
    assert_true(strlen(f->text) <= ZC_RECEIPT_TEXT_MAX);

    assert_int_equal(zc_receipt_parse(f->text, strlen(f->text), &r, &diag), ZC_OK);
    assert_string_equal(r.device, DEVICE);
    assert_int_equal(r.seq, 1042);
    assert_int_equal(r.at, AT_MS / 1000);
    assert_int_equal(r.price, 1500);
    assert_int_equal(r.subsidy, 500);
    assert_int_equal(r.self_pay, 1000);
    assert_memory_equal(r.hash_prefix, f->hash, ZC_RECEIPT_HASH_PREFIX_LEN);
    assert_int_equal(zc_receipt_verify(&r, f->key.pk, &diag), ZC_OK);
    assert_int_equal(zc_receipt_verify(&r, f->key.pk, NULL), ZC_OK);

    json_t *j = zc_receipt_to_json(&r);
    assert_non_null(j);
    assert_int_equal(json_object_size(j), 7);
    assert_string_equal(json_string_value(json_object_get(j, "device")), DEVICE);
    assert_int_equal(json_integer_value(json_object_get(j, "seq")), 1042);
    assert_string_equal(json_string_value(json_object_get(j, "at")), "2026-01-05T04:30:00Z");
    assert_int_equal(json_integer_value(json_object_get(j, "price")), 1500);
    assert_int_equal(json_integer_value(json_object_get(j, "subsidy")), 500);
    assert_int_equal(json_integer_value(json_object_get(j, "self_pay")), 1000);
    assert_string_equal(json_string_value(json_object_get(j, "hash_prefix")), "9c9d9e9fa0a1a2a3");
    json_decref(j);

    /* Signing is deterministic (Ed25519): the same sale gives the same text. */
    char again[ZC_RECEIPT_TEXT_SIZE];
    assert_int_equal(zc_receipt_text(&f->sale, f->hash, &f->key, again, sizeof again), ZC_OK);
    assert_string_equal(again, f->text);

    /* Zero amounts and the epoch itself are receipts too. */
    zc_sale free_meal = f->sale;
    free_meal.at = 0;
    free_meal.price = free_meal.subsidy = free_meal.self_pay = 0;
    assert_int_equal(zc_receipt_text(&free_meal, f->hash, &f->key, again, sizeof again), ZC_OK);
    assert_int_equal(zc_receipt_parse(again, strlen(again), &r, NULL), ZC_OK);
    assert_int_equal(zc_receipt_verify(&r, f->key.pk, NULL), ZC_OK);
    j = zc_receipt_to_json(&r);
    assert_string_equal(json_string_value(json_object_get(j, "at")), "1970-01-01T00:00:00Z");
    json_decref(j);
}

/* Replaces field `index` of text with value, into out. */
static void replace_field(const char *text, int index, const char *value, char *out, size_t size)
{
    size_t used = 0;
    int field = 0;
    for (const char *p = text;; p++) {
        if (field == index) {
            size_t n = strlen(value);
            assert_true(used + n < size);
            memcpy(out + used, value, n);
            used += n;
            while (*p && *p != '|')
                p++;
            field++;
        }
        if (!*p)
            break;
        assert_true(used + 1 < size);
        out[used++] = *p;
        if (*p == '|')
            field++;
    }
    out[used] = '\0';
}

typedef struct tamper_case {
    int field;
    const char *value;
} tamper_case;

static const tamper_case TAMPER[] = {
    {1, "ZK-3f9a0c12be78"},
    {1, "ZK-3F9A0C12BE77"},
    {2, "1043"},
    {2, "1"},
    {3, "1767587401"},
    {4, "1600"},
    {4, "150"},
    {5, "600"},
    {6, "100"},
    {6, "1001"},
    {7, "9c9d9e9fa0a1a2a4"},
    {7, "0000000000000000"},
    {8, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
};

static void expect_not_genuine(const zc_receipt *r, const uint8_t *pk, const char *what)
{
    zc_diag diag = {{0}, 0};
    zc_err err = zc_receipt_verify(r, pk, &diag);
    if (err != ZC_ERR_CRYPTO ||
        strcmp(diag.msg, "signature does not match this device's key: not a genuine receipt") != 0)
        fail_msg("%s: got %s \"%s\"", what, zc_err_str(err), diag.msg);
}

static void test_tampered_refused(void **state)
{
    fixture *f = *state;
    char text[TEXT_BIG];
    zc_receipt r;
    for (size_t i = 0; i < sizeof TAMPER / sizeof TAMPER[0]; i++) {
        zc_diag diag = {{0}, 0};
        replace_field(f->text, TAMPER[i].field, TAMPER[i].value, text, sizeof text);
        assert_string_not_equal(text, f->text);
        if (zc_receipt_parse(text, strlen(text), &r, &diag))
            fail_msg("case %zu: does not parse: %s", i, diag.msg);
        expect_not_genuine(&r, f->key.pk, text);
    }

    /* One character of the signature changed, still well-formed base64url. */
    memcpy(text, f->text, sizeof f->text);
    char *sig = strrchr(text, '|') + 1;
    sig[10] = sig[10] == 'Q' ? 'R' : 'Q';
    assert_int_equal(zc_receipt_parse(text, strlen(text), &r, NULL), ZC_OK);
    expect_not_genuine(&r, f->key.pk, "signature character");

    /* Changing the parsed fields is caught too: the signed bytes are rebuilt from them. */
    assert_int_equal(zc_receipt_parse(f->text, strlen(f->text), &r, NULL), ZC_OK);
    zc_receipt changed = r;
    changed.price++;
    expect_not_genuine(&changed, f->key.pk, "struct price");
    changed = r;
    changed.hash_prefix[0] ^= 1;
    expect_not_genuine(&changed, f->key.pk, "struct hash");
    changed = r;
    changed.device[0] = 'X';
    expect_not_genuine(&changed, f->key.pk, "struct device");
    changed = r;
    changed.seq = INT64_MAX;
    expect_not_genuine(&changed, f->key.pk, "struct seq");
    changed = r;
    memset(changed.device, 'A', sizeof changed.device); /* not even terminated */
    expect_not_genuine(&changed, f->key.pk, "struct device unterminated");
}

static void test_other_device_refused(void **state)
{
    fixture *f = *state;
    zc_receipt r;
    uint8_t zero[ZC_PUBKEY_LEN] = {0};
    assert_int_equal(zc_receipt_parse(f->text, strlen(f->text), &r, NULL), ZC_OK);
    expect_not_genuine(&r, f->other.pk, "other device's key");
    expect_not_genuine(&r, zero, "all-zero key");
    assert_int_equal(zc_receipt_verify(&r, f->other.pk, NULL), ZC_ERR_CRYPTO);

    /* The other device's own receipt of the same sale verifies only under its key. */
    char text[ZC_RECEIPT_TEXT_SIZE];
    assert_int_equal(zc_receipt_text(&f->sale, f->hash, &f->other, text, sizeof text), ZC_OK);
    assert_int_equal(zc_receipt_parse(text, strlen(text), &r, NULL), ZC_OK);
    assert_int_equal(zc_receipt_verify(&r, f->other.pk, NULL), ZC_OK);
    expect_not_genuine(&r, f->key.pk, "first device's key");
}

typedef struct bad_case {
    const char *text;
    size_t len; /* 0: strlen(text) */
    const char *msg;
} bad_case;

#define FIELDS_AFTER_SEQ "|0|0|0|0|" H16 "|" S86

static const bad_case BAD[] = {
    {"", 0, "not a zhucan receipt: the text is empty"},
    {"ZCE1.ABCDEFGH", 0, "not a zhucan receipt: it does not start with \"ZCR1|\""},
    {"zcr1|ZK-1|1|0|0|0|0|" H16 "|" S86, 0, "not a zhucan receipt: it does not start"},
    {"ZCR|ZK-1|1|0|0|0|0|" H16 "|" S86, 0, "not a zhucan receipt: it does not start"},
    {"ZCR1x|ZK-1|1|0|0|0|0|" H16 "|" S86, 0, "not a zhucan receipt: it does not start"},
    {" ZCR1|ZK-1|1|0|0|0|0|" H16 "|" S86, 0, "not a zhucan receipt: it does not start"},
    {"ZCR2|ZK-1|1|0|0|0|0|" H16 "|" S86, 0,
     "receipt format ZCR2 is not supported: this build reads ZCR1"},
    {"ZCR10|ZK-1|1|0|0|0|0|" H16 "|" S86, 0, "receipt format ZCR10 is not supported"},
    {"ZCR1", 0, "receipt has 1 fields, expected 9"},
    {"ZCR1|ZK-1|1|0|0|0|0|" H16, 0, "receipt has 8 fields, expected 9"},
    {"ZCR1|ZK-1|1|0|0|0|" H16 "|" S86, 0, "receipt has 8 fields, expected 9"},
    {GOOD "|", 0, "receipt has 10 fields, expected 9"},
    {GOOD "|x", 0, "receipt has 10 fields, expected 9"},
    {"ZCR1||1" FIELDS_AFTER_SEQ, 0, "receipt device \"\" is not a device id"},
    {"ZCR1|ZK/1|1" FIELDS_AFTER_SEQ, 0, "receipt device \"ZK/1\" is not a device id"},
    {"ZCR1|ZK-0123456789abcd|1" FIELDS_AFTER_SEQ, 0, "receipt device \"ZK-0123456789abcd\" is not"},
    {"ZCR1|ZK-1||0|0|0|0|" H16 "|" S86, 0, "receipt seq is empty"},
    {"ZCR1|ZK-1|0" FIELDS_AFTER_SEQ, 0, "receipt seq \"0\" is out of range"},
    {"ZCR1|ZK-1|01" FIELDS_AFTER_SEQ, 0, "receipt seq \"01\" has a leading zero"},
    {"ZCR1|ZK-1|+1" FIELDS_AFTER_SEQ, 0, "receipt seq \"+1\" is not a whole number"},
    {"ZCR1|ZK-1|-1" FIELDS_AFTER_SEQ, 0, "receipt seq \"-1\" is not a whole number"},
    {"ZCR1|ZK-1|1e3" FIELDS_AFTER_SEQ, 0, "receipt seq \"1e3\" is not a whole number"},
    {"ZCR1|ZK-1|0x10" FIELDS_AFTER_SEQ, 0, "receipt seq \"0x10\" is not a whole number"},
    {"ZCR1|ZK-1|10000000000" FIELDS_AFTER_SEQ, 0, "receipt seq \"10000000000\" is out of range"},
    {"ZCR1|ZK-1|99999999999999999999999" FIELDS_AFTER_SEQ, 0, "receipt seq \"9999999999999999"},
    {"ZCR1|ZK-1|1|10000000000|0|0|0|" H16 "|" S86, 0, "receipt at \"10000000000\" is out of"},
    {"ZCR1|ZK-1|1|-1|0|0|0|" H16 "|" S86, 0, "receipt at \"-1\" is not a whole number"},
    {"ZCR1|ZK-1|1|0|1000000000|0|0|" H16 "|" S86, 0, "receipt price \"1000000000\" is out of"},
    {"ZCR1|ZK-1|1|0|12.50|0|0|" H16 "|" S86, 0, "receipt price \"12.50\" is not a whole number"},
    {"ZCR1|ZK-1|1|0|0|-0|0|" H16 "|" S86, 0, "receipt subsidy \"-0\" is not a whole number"},
    {"ZCR1|ZK-1|1|0|0|0||" H16 "|" S86, 0, "receipt self_pay is empty"},
    {"ZCR1|ZK-1|1|0|0|0|00|" H16 "|" S86, 0, "receipt self_pay \"00\" has a leading zero"},
    {"ZCR1|ZK-1|1|0|0|0|0|0123456789abcde|" S86, 0, "receipt hash \"0123456789abcde\" is not 16"},
    {"ZCR1|ZK-1|1|0|0|0|0|0123456789abcdef0|" S86, 0, "receipt hash \"0123456789abcdef0\" is"},
    {"ZCR1|ZK-1|1|0|0|0|0|0123456789ABCDEF|" S86, 0, "receipt hash \"0123456789ABCDEF\" is not"},
    {"ZCR1|ZK-1|1|0|0|0|0|0123456789abcdeg|" S86, 0, "receipt hash \"0123456789abcdeg\" is not"},
    {"ZCR1|ZK-1|1|0|0|0|0|" H16 "|", 0, "receipt signature \"\" is not 86 characters"},
    {GOOD "A", 0, "receipt signature \"AAAAAAAAAAAAAAAAAAAAAAAA...\" is not 86 characters"},
    {"ZCR1|ZK-1|1|0|0|0|0|" H16 "|" S86 "==", 0, "receipt signature \"AAAAAAAAAAAAAAA"},
    {"ZCR1|ZK-1|1|0|0|0|0|" H16 "|+" S86, 0, "receipt signature \"+AAA"}, /* 87 chars */
    {"ZCR1|ZK-1|1|0|0|0|0|" H16 "|+" S85, 0, "receipt signature \"+AAA"}, /* standard base64 */
    {"ZCR1|ZK-1|1|0|0|0|0|" H16 "|/" S85, 0, "receipt signature \"/AAA"},
    {"ZCR1|ZK-1|1|0|0|0|0|" H16 "|." S85, 0, "receipt signature \".AAA"},
    {"ZCR1|ZK-1|1|0|0|0|0|" H16 "|" S85 "=", 0, "receipt signature \"AAAA"}, /* padding */
    {"ZCR1|ZK-1|1|0|0|0|0|" H16 "|" S85 "B", 0,
     "receipt signature \"AAAA"}, /* bits after byte 64 */
    {"ZCR1|ZK-中|1" FIELDS_AFTER_SEQ, 0,
     "receipt has byte 0xe4 at position 9: only printable ASCII without spaces is allowed"},
    {"ZCR1|ZK-1|1|0|0|0|0|" H16 "|" S86 "\n", 0, "receipt has byte 0x0a at position 124"},
    {"ZCR1|ZK-1|1|0|0|0|0 |" H16 "|" S86, 0, "receipt has byte 0x20 at position 20"},
    {"ZCR1|ZK-1|1|0|0|0|0|" H16 "\t|" S86, 0, "receipt has byte 0x09"},
    {"ZCR1|ZK-1|1|0|0|0|0|" H16 "|" S86 "\x7f", 0, "receipt has byte 0x7f"},
    /* Embedded NUL bytes, given by the length. */
    {"ZCR1|ZK-1\0|1" FIELDS_AFTER_SEQ, sizeof "ZCR1|ZK-1\0|1" FIELDS_AFTER_SEQ - 1,
     "receipt has byte 0x00 at position 10"},
    {GOOD, sizeof GOOD, "receipt has byte 0x00 at position 124"},
    {"ZCR1\0", 5, "not a zhucan receipt: it does not start"},
    {"ZCR1|" S86 S86 S86, 0, "receipt is 263 bytes long, longer than any receipt (177)"},
};

static void test_malformed_refused(void **state)
{
    (void)state;
    zc_receipt r;
    /* The template itself is fine. */
    assert_int_equal(zc_receipt_parse(GOOD, strlen(GOOD), &r, NULL), ZC_OK);
    assert_int_equal(strlen(GOOD), 123);
    /* base64url's own characters, and the last one carrying no bits beyond the 64 bytes. */
    static const char URL_CHARS[] = "ZCR1|ZK-1|1|0|0|0|0|" H16 "|-_" S85;
    assert_int_equal(zc_receipt_parse(URL_CHARS, strlen(URL_CHARS) - 1, &r, NULL), ZC_OK);
    assert_int_equal(r.sig[0], 0xfb);
    assert_int_equal(r.sig[1], 0xf0);
    static const char LAST_Q[] = "ZCR1|ZK-1|1|0|0|0|0|" H16 "|" S85 "Q";
    assert_int_equal(zc_receipt_parse(LAST_Q, strlen(LAST_Q), &r, NULL), ZC_OK);
    assert_int_equal(r.sig[ZC_SIG_LEN - 1], 0x01);
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        const bad_case *c = &BAD[i];
        zc_diag diag = {{0}, 0};
        size_t len = c->len ? c->len : strlen(c->text);
        zc_err err = zc_receipt_parse(c->text, len, &r, &diag);
        if (err != ZC_ERR_INVALID || strncmp(diag.msg, c->msg, strlen(c->msg)) != 0)
            fail_msg("case %zu: got %s \"%s\"; expected \"%s\"", i, zc_err_str(err), diag.msg,
                     c->msg);
        assert_int_equal(zc_receipt_parse(c->text, len, &r, NULL), ZC_ERR_INVALID);
    }
}

/* The largest values the format allows make the longest receipt, which still parses. */
static void test_longest_receipt(void **state)
{
    fixture *f = *state;
    zc_sale big = f->sale;
    char text[ZC_RECEIPT_TEXT_SIZE];
    zc_receipt r;
    snprintf(big.device_id, sizeof big.device_id, "%s", "ZK-0123456789abc");
    assert_int_equal(strlen(big.device_id), ZC_RECEIPT_DEVICE_MAX);
    big.seq = ZC_RECEIPT_SEQ_MAX;
    big.at = ZC_RECEIPT_AT_MAX * 1000 + 999;
    big.price = big.subsidy = big.self_pay = ZC_RECEIPT_FEN_MAX;
    assert_int_equal(zc_receipt_text(&big, f->hash, &f->key, text, sizeof text), ZC_OK);
    assert_int_equal(strlen(text), ZC_RECEIPT_TEXT_MAX);
    assert_int_equal(zc_receipt_parse(text, strlen(text), &r, NULL), ZC_OK);
    assert_int_equal(zc_receipt_verify(&r, f->key.pk, NULL), ZC_OK);
    assert_int_equal(r.seq, ZC_RECEIPT_SEQ_MAX);
    assert_int_equal(r.at, ZC_RECEIPT_AT_MAX);
    assert_int_equal(r.self_pay, ZC_RECEIPT_FEN_MAX);
    json_t *j = zc_receipt_to_json(&r);
    assert_string_equal(json_string_value(json_object_get(j, "at")), "2286-11-20T17:46:39Z");
    json_decref(j);

    /* One byte short of the buffer it needs: refused, and the buffer holds "". */
    char small[ZC_RECEIPT_TEXT_MAX];
    memset(small, 'x', sizeof small);
    assert_int_equal(zc_receipt_text(&big, f->hash, &f->key, small, sizeof small), ZC_ERR_INVALID);
    assert_string_equal(small, "");
    assert_int_equal(zc_receipt_text(&big, f->hash, &f->key, small, 0), ZC_ERR_INVALID);
}

typedef struct sale_case {
    const char *what;
    const char *device;
    zc_entry_kind kind;
    int64_t seq;
    zc_ms at;
    zc_fen price, subsidy, self_pay;
} sale_case;

static const sale_case BAD_SALES[] = {
    {"void", DEVICE, ZC_ENTRY_VOID, 1, AT_MS, 0, 0, 0},
    {"seq 0", DEVICE, ZC_ENTRY_SALE, 0, AT_MS, 0, 0, 0},
    {"seq too big", DEVICE, ZC_ENTRY_SALE, ZC_RECEIPT_SEQ_MAX + 1, AT_MS, 0, 0, 0},
    {"before 1970", DEVICE, ZC_ENTRY_SALE, 1, -1, 0, 0, 0},
    {"after 2286", DEVICE, ZC_ENTRY_SALE, 1, (ZC_RECEIPT_AT_MAX + 1) * 1000, 0, 0, 0},
    {"negative price", DEVICE, ZC_ENTRY_SALE, 1, AT_MS, -1, 0, 0},
    {"negative subsidy", DEVICE, ZC_ENTRY_SALE, 1, AT_MS, 0, -1, 0},
    {"negative self-pay", DEVICE, ZC_ENTRY_SALE, 1, AT_MS, 0, 0, -1},
    {"price too big", DEVICE, ZC_ENTRY_SALE, 1, AT_MS, ZC_RECEIPT_FEN_MAX + 1, 0, 0},
    {"self-pay too big", DEVICE, ZC_ENTRY_SALE, 1, AT_MS, 0, 0, INT64_MAX},
    {"empty device", "", ZC_ENTRY_SALE, 1, AT_MS, 0, 0, 0},
    {"long device", "ZK-0123456789abcd", ZC_ENTRY_SALE, 1, AT_MS, 0, 0, 0},
    {"device with |", "ZK|1", ZC_ENTRY_SALE, 1, AT_MS, 0, 0, 0},
    {"device with space", "ZK 1", ZC_ENTRY_SALE, 1, AT_MS, 0, 0, 0},
    {"Chinese device", "设备", ZC_ENTRY_SALE, 1, AT_MS, 0, 0, 0},
};

static void test_text_refuses_bad_sales(void **state)
{
    fixture *f = *state;
    for (size_t i = 0; i < sizeof BAD_SALES / sizeof BAD_SALES[0]; i++) {
        const sale_case *c = &BAD_SALES[i];
        zc_sale s = f->sale;
        char text[ZC_RECEIPT_TEXT_SIZE] = "x";
        snprintf(s.device_id, sizeof s.device_id, "%s", c->device);
        s.kind = c->kind;
        s.seq = c->seq;
        s.at = c->at;
        s.price = c->price;
        s.subsidy = c->subsidy;
        s.self_pay = c->self_pay;
        zc_err err = zc_receipt_text(&s, f->hash, &f->key, text, sizeof text);
        if (err != ZC_ERR_INVALID || text[0] != '\0')
            fail_msg("%s: got %s \"%s\"", c->what, zc_err_str(err), text);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_round_trip, setup),
        cmocka_unit_test_setup(test_tampered_refused, setup),
        cmocka_unit_test_setup(test_other_device_refused, setup),
        cmocka_unit_test(test_malformed_refused),
        cmocka_unit_test_setup(test_longest_receipt, setup),
        cmocka_unit_test_setup(test_text_refuses_bad_sales, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
