#include "testutil.h"

#include "zc/idnum.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

enum { BODY = ZC_IDNUM_LEN - 1, ID_BUF = 32 };

/*
 * The check character computed from the standard's own definition rather than from tables:
 * weight i is 2^(17 - i) mod 11 and the check value c satisfies sum + c = 1 (mod 11).
 */
static char reference_check(const char *body)
{
    int sum = 0;
    for (int i = 0; i < BODY; i++) {
        int weight = 1;
        for (int k = 0; k < BODY - i; k++)
            weight = weight * 2 % 11;
        sum += (body[i] - '0') * weight;
    }
    int c = (12 - sum % 11) % 11;
    return (char)(c == 10 ? 'X' : '0' + c);
}

/* A '?' in the last place becomes the right check character, a '!' a wrong one. */
static void expand(const char *pattern, char *out)
{
    snprintf(out, ID_BUF, "%s", pattern);
    size_t n = strlen(out);
    if (n != ZC_IDNUM_LEN || (out[BODY] != '?' && out[BODY] != '!'))
        return;
    static const char CHARS[] = "0123456789X";
    char right = reference_check(out);
    if (out[BODY] == '?') {
        out[BODY] = right;
        return;
    }
    const char *at = strchr(CHARS, right);
    out[BODY] = CHARS[(at - CHARS + 1) % (sizeof CHARS - 1)];
}

typedef struct id_case {
    const char *text;
    zc_err err;
    const char *msg; /* a fragment of the diag, or on success the normalised text */
    int year, month, day;
    zc_sex sex;
} id_case;

static const id_case CASES[] = {
    {"11010519491231002X", ZC_OK, "11010519491231002X", 1949, 12, 31, ZC_SEX_FEMALE},
    {"11010519491231002x", ZC_OK, "11010519491231002X", 1949, 12, 31, ZC_SEX_FEMALE},
    {"44030820000229001?", ZC_OK, NULL, 2000, 2, 29, ZC_SEX_MALE},
    {"31010119000101003?", ZC_OK, NULL, 1900, 1, 1, ZC_SEX_MALE},
    {"51010720241231004?", ZC_OK, NULL, 2024, 12, 31, ZC_SEX_FEMALE},
    {"110105194912310021", ZC_ERR_INVALID, "check digit is wrong (expected X)", 0, 0, 0, 0},
    {"44030820000229001!", ZC_ERR_INVALID, "check digit is wrong", 0, 0, 0, 0},
    {"110105491231002", ZC_ERR_INVALID, "18-digit", 0, 0, 0, 0},
    {"11010549123100X", ZC_ERR_INVALID, "18-digit", 0, 0, 0, 0},
    {"11010519491231002", ZC_ERR_INVALID, "must be 18 characters, not 17", 0, 0, 0, 0},
    {"11010519491231002X1", ZC_ERR_INVALID, "must be 18 characters, not 19", 0, 0, 0, 0},
    {"", ZC_ERR_INVALID, "must be 18 characters, not 0", 0, 0, 0, 0},
    {"11010519491A31002X", ZC_ERR_INVALID, "character 12 must be a digit", 0, 0, 0, 0},
    {"X10105194912310021", ZC_ERR_INVALID, "character 1 must be a digit", 0, 0, 0, 0},
    {"1101051949123100X2", ZC_ERR_INVALID, "character 17 must be a digit", 0, 0, 0, 0},
    {"11010519491231002Y", ZC_ERR_INVALID, "must end in a digit or X", 0, 0, 0, 0},
    {"11010519491231002 ", ZC_ERR_INVALID, "must end in a digit or X", 0, 0, 0, 0},
    {"11010519990230001?", ZC_ERR_INVALID, "19990230 (characters 7-14) is not a real", 0, 0, 0, 0},
    {"11010520010229001?", ZC_ERR_INVALID, "20010229 (characters 7-14) is not a real", 0, 0, 0, 0},
    {"11010519991301001?", ZC_ERR_INVALID, "not a real date", 0, 0, 0, 0},
    {"11010519990100001?", ZC_ERR_INVALID, "not a real date", 0, 0, 0, 0},
    {"11010500000101001?", ZC_ERR_INVALID, "not a real date", 0, 0, 0, 0},
    {"11010518991231001?", ZC_ERR_INVALID, "birth year 1899 is before 1900", 0, 0, 0, 0},
};

static void test_parse(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ELEMS(CASES); i++) {
        const id_case *c = &CASES[i];
        char text[ID_BUF];
        expand(c->text, text);
        zc_idnum id;
        memset(&id, 0, sizeof id);
        zc_diag diag = {.msg = ""};
        zc_err err = zc_idnum_parse(text, strlen(text), &id, &diag);
        if (err != c->err)
            fail_msg("%s: got %s (%s)", text, zc_err_str(err), diag.msg);
        if (err) {
            if (!strstr(diag.msg, c->msg))
                fail_msg("%s: message \"%s\" lacks \"%s\"", text, diag.msg, c->msg);
            continue;
        }
        char want[ID_BUF];
        snprintf(want, sizeof want, "%s", c->msg ? c->msg : text);
        assert_string_equal(id.text, want);
        assert_int_equal(strncmp(id.region, text, ZC_IDNUM_REGION_LEN), 0);
        assert_int_equal(strlen(id.region), ZC_IDNUM_REGION_LEN);
        assert_int_equal(id.birth.year, c->year);
        assert_int_equal(id.birth.month, c->month);
        assert_int_equal(id.birth.day, c->day);
        assert_int_equal(id.sex, c->sex);
    }
}

/* Each kind of mistake gets its own message, so staff can tell the elder what to fix. */
static void test_messages_distinct(void **state)
{
    (void)state;
    static const char *const KINDS[] = {
        "11010519491231002",  "110105491231002",    "11010519491A31002X", "11010519491231002Y",
        "11010519990230001?", "11010518991231001?", "110105194912310021",
    };
    char msgs[N_ELEMS(KINDS)][ZC_DIAG_MAX];
    for (size_t i = 0; i < N_ELEMS(KINDS); i++) {
        char text[ID_BUF];
        expand(KINDS[i], text);
        zc_idnum id;
        zc_diag diag = {.msg = ""};
        assert_int_equal(zc_idnum_parse(text, strlen(text), &id, &diag), ZC_ERR_INVALID);
        snprintf(msgs[i], sizeof msgs[i], "%s", diag.msg);
        for (size_t j = 0; j < i; j++) {
            if (strcmp(msgs[i], msgs[j]) == 0)
                fail_msg("\"%s\" and \"%s\" share the message \"%s\"", KINDS[i], KINDS[j], msgs[i]);
        }
    }
}

/* The library's check character agrees with the reference over many pseudo-random bodies. */
static void test_check_char(void **state)
{
    (void)state;
    assert_int_equal(zc_idnum_check_char("11010519491231002"), 'X');
    assert_int_equal(zc_idnum_check_char("1101051949123100A"), '\0');
    uint32_t x = 12345;
    for (int n = 0; n < 10000; n++) {
        char body[BODY + 1];
        for (int i = 0; i < BODY; i++) {
            x = x * 1103515245u + 12345u; /* any spread of digits will do */
            body[i] = (char)('0' + (x >> 16) % 10);
        }
        body[BODY] = '\0';
        if (zc_idnum_check_char(body) != reference_check(body))
            fail_msg("check character of %s", body);
    }
}

static void test_hmac(void **state)
{
    (void)state;
    uint8_t key[ZC_REGION_KEY_LEN], other_key[ZC_REGION_KEY_LEN];
    for (int i = 0; i < ZC_REGION_KEY_LEN; i++) {
        key[i] = (uint8_t)i;
        other_key[i] = (uint8_t)i;
    }
    other_key[ZC_REGION_KEY_LEN - 1] ^= 1;

    zc_idnum lower, upper, other;
    assert_int_equal(zc_idnum_parse("11010519491231002x", ZC_IDNUM_LEN, &lower, NULL), ZC_OK);
    assert_int_equal(zc_idnum_parse("11010519491231002X", ZC_IDNUM_LEN, &upper, NULL), ZC_OK);
    char text[ID_BUF];
    expand("44030820000229001?", text);
    assert_int_equal(zc_idnum_parse(text, ZC_IDNUM_LEN, &other, NULL), ZC_OK);

    uint8_t want[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256(want, (const unsigned char *)"11010519491231002X", ZC_IDNUM_LEN, key);

    uint8_t a[ZC_IDNUM_HMAC_LEN], b[ZC_IDNUM_HMAC_LEN], c[ZC_IDNUM_HMAC_LEN], d[ZC_IDNUM_HMAC_LEN];
    zc_idnum_hmac(key, &lower, a);
    zc_idnum_hmac(key, &upper, b);
    zc_idnum_hmac(other_key, &upper, c);
    zc_idnum_hmac(key, &other, d);
    assert_memory_equal(a, want, sizeof want); /* over the normalised text */
    assert_memory_equal(a, b, sizeof a);       /* deterministic, case-blind */
    assert_memory_not_equal(a, c, sizeof a);   /* depends on the key */
    assert_memory_not_equal(a, d, sizeof a);   /* and on the number */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_messages_distinct),
        cmocka_unit_test(test_check_char),
        cmocka_unit_test(test_hmac),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
