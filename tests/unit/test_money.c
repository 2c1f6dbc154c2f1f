#include "testutil.h"

#include "zc/money.h"

#include <string.h>

typedef struct parse_case {
    const char *text;
    zc_err err;
    zc_fen fen;
} parse_case;

static const parse_case PARSE_CASES[] = {
    {"12", ZC_OK, 1200},
    {"12.5", ZC_OK, 1250},
    {"12.50", ZC_OK, 1250},
    {"¥12.50", ZC_OK, 1250},
    {"￥12.50", ZC_OK, 1250},
    {"-3.00", ZC_OK, -300},
    {"-¥0.05", ZC_OK, -5},
    {"-￥1", ZC_OK, -100},
    {"0", ZC_OK, 0},
    {"-0", ZC_OK, 0},
    {"0.01", ZC_OK, 1},
    {"007.10", ZC_OK, 710},
    {"92233720368547758.07", ZC_OK, INT64_MAX},
    {"-92233720368547758.08", ZC_OK, INT64_MIN},
    {"92233720368547758.08", ZC_ERR_INVALID, 0},
    {"92233720368547759", ZC_ERR_INVALID, 0},
    {"-92233720368547758.09", ZC_ERR_INVALID, 0},
    {"99999999999999999999999", ZC_ERR_INVALID, 0},
    {"", ZC_ERR_INVALID, 0},
    {"1.234", ZC_ERR_INVALID, 0},
    {"0.001", ZC_ERR_INVALID, 0},
    {"12.", ZC_ERR_INVALID, 0},
    {".5", ZC_ERR_INVALID, 0},
    {"1e3", ZC_ERR_INVALID, 0},
    {"1,000.00", ZC_ERR_INVALID, 0},
    {" 12", ZC_ERR_INVALID, 0},
    {"12 ", ZC_ERR_INVALID, 0},
    {"+12", ZC_ERR_INVALID, 0},
    {"¥", ZC_ERR_INVALID, 0},
    {"-", ZC_ERR_INVALID, 0},
    {"¥-3", ZC_ERR_INVALID, 0},
    {"--1", ZC_ERR_INVALID, 0},
    {"¥¥1", ZC_ERR_INVALID, 0},
    {"１２", ZC_ERR_INVALID, 0}, /* fullwidth digits */
    {"12.5a", ZC_ERR_INVALID, 0},
    {"12.-5", ZC_ERR_INVALID, 0},
    {"\xC2", ZC_ERR_INVALID, 0}, /* half a yuan sign */
};

static const parse_case FEN_CASES[] = {
    {"1250", ZC_OK, 1250},
    {"0", ZC_OK, 0},
    {"0007", ZC_OK, 7},
    {"9223372036854775807", ZC_OK, INT64_MAX},
    {"9223372036854775808", ZC_ERR_INVALID, 0},
    {"99999999999999999999", ZC_ERR_INVALID, 0},
    {"", ZC_ERR_INVALID, 0},
    {"-1", ZC_ERR_INVALID, 0},
    {"+1", ZC_ERR_INVALID, 0},
    {"12.5", ZC_ERR_INVALID, 0},
    {" 1", ZC_ERR_INVALID, 0},
    {"¥12", ZC_ERR_INVALID, 0},
};

typedef struct format_case {
    zc_fen fen;
    const char *text;
} format_case;

static const format_case FORMAT_CASES[] = {
    {1250, "¥12.50"},
    {-5, "-¥0.05"},
    {0, "¥0.00"},
    {1, "¥0.01"},
    {100, "¥1.00"},
    {-100, "-¥1.00"},
    {INT64_MAX, "¥92233720368547758.07"},
    {INT64_MIN, "-¥92233720368547758.08"},
};

static void check_parse_table(const parse_case *cases, size_t n,
                              zc_err (*parse)(const char *, zc_fen *, zc_diag *))
{
    for (size_t i = 0; i < n; i++) {
        const parse_case *c = &cases[i];
        zc_diag diag = {.msg = ""};
        zc_fen fen = 0;
        zc_err err = parse(c->text, &fen, &diag);
        if (err != c->err)
            fail_msg("\"%s\": got %s (%s), want %s", c->text, zc_err_str(err), diag.msg,
                     zc_err_str(c->err));
        if (err == ZC_OK && fen != c->fen)
            fail_msg("\"%s\": got %lld fen, want %lld", c->text, (long long)fen, (long long)c->fen);
        if (err != ZC_OK && diag.msg[0] == '\0')
            fail_msg("\"%s\": refused without a message", c->text);
    }
}

static void test_parse(void **state)
{
    (void)state;
    check_parse_table(PARSE_CASES, sizeof PARSE_CASES / sizeof PARSE_CASES[0], zc_money_parse);
}

static void test_parse_fen(void **state)
{
    (void)state;
    check_parse_table(FEN_CASES, sizeof FEN_CASES / sizeof FEN_CASES[0], zc_money_parse_fen);
}

static void test_parse_diag_optional(void **state)
{
    (void)state;
    zc_fen fen;
    assert_int_equal(zc_money_parse("1.234", &fen, NULL), ZC_ERR_INVALID);
    assert_int_equal(zc_money_parse_fen("x", &fen, NULL), ZC_ERR_INVALID);
}

static void test_format(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof FORMAT_CASES / sizeof FORMAT_CASES[0]; i++) {
        char buf[ZC_MONEY_TEXT_MAX];
        zc_money_format(FORMAT_CASES[i].fen, buf, sizeof buf);
        assert_string_equal(buf, FORMAT_CASES[i].text);

        zc_fen back = 0;
        assert_int_equal(zc_money_parse(buf, &back, NULL), ZC_OK);
        assert_true(back == FORMAT_CASES[i].fen);
    }
}

static void test_format_short_buffer(void **state)
{
    (void)state;
    char buf[4];
    zc_money_format(1250, buf, sizeof buf);
    assert_int_equal(strlen(buf), sizeof buf - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_parse_fen),
        cmocka_unit_test(test_parse_diag_optional),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_format_short_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
