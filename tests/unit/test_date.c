#include "testutil.h"

#include "zc/date.h"

#include <stdio.h>
#include <string.h>

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define D(y, m, d) ((zc_date){.year = (y), .month = (m), .day = (d)})

static void assert_date(zc_date got, zc_date want, const char *what)
{
    if (zc_date_compare(got, want) != 0)
        fail_msg("%s: got %04d-%02d-%02d, want %04d-%02d-%02d", what, got.year, got.month, got.day,
                 want.year, want.month, want.day);
}

typedef struct leap_case {
    int year;
    bool leap;
} leap_case;

static const leap_case LEAP_CASES[] = {
    {1900, false}, {2000, true},  {2004, true}, {2023, false},
    {2024, true},  {2100, false}, {2400, true}, {1, false},
};

static void test_leap_years(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ELEMS(LEAP_CASES); i++) {
        if (zc_date_is_leap_year(LEAP_CASES[i].year) != LEAP_CASES[i].leap)
            fail_msg("leap year %d", LEAP_CASES[i].year);
    }
}

typedef struct month_case {
    int year, month, days;
} month_case;

static const month_case MONTH_CASES[] = {
    {2023, 2, 28}, {2024, 2, 29},  {1900, 2, 28}, {2000, 2, 29}, {2024, 1, 31},
    {2024, 4, 30}, {2024, 12, 31}, {2024, 13, 0}, {2024, 0, 0},
};

static void test_days_in_month(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ELEMS(MONTH_CASES); i++) {
        const month_case *c = &MONTH_CASES[i];
        assert_int_equal(zc_date_days_in_month(c->year, c->month), c->days);
    }
}

typedef struct valid_case {
    zc_date d;
    bool valid;
} valid_case;

static const valid_case VALID_CASES[] = {
    {D(2024, 2, 29), true},  {D(2023, 2, 29), false}, {D(1900, 2, 29), false},
    {D(2000, 2, 29), true},  {D(2024, 4, 31), false}, {D(2024, 0, 1), false},
    {D(2024, 1, 0), false},  {D(0, 1, 1), false},     {D(1, 1, 1), true},
    {D(9999, 12, 31), true}, {D(10000, 1, 1), false},
};

static void test_valid(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ELEMS(VALID_CASES); i++) {
        zc_date d = VALID_CASES[i].d;
        if (zc_date_valid(d) != VALID_CASES[i].valid)
            fail_msg("valid %04d-%02d-%02d", d.year, d.month, d.day);
    }
}

typedef struct days_case {
    zc_date d;
    int weekday;
    int64_t days;
} days_case;

/* Day numbers and ISO weekdays checked against Python's datetime. */
static const days_case DAYS_CASES[] = {
    {D(1970, 1, 1), 4, 0},         {D(1969, 12, 31), 3, -1},   {D(2000, 3, 1), 3, 11017},
    {D(2000, 1, 1), 6, 10957},     {D(1900, 3, 1), 4, -25508}, {D(2024, 2, 29), 4, 19782},
    {D(2026, 1, 1), 4, 20454},     {D(2023, 1, 1), 7, 19358},  {D(1, 1, 1), 1, -719162},
    {D(9999, 12, 31), 5, 2932896}, {D(1900, 1, 1), 1, -25567},
};

static void test_days_and_weekday(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ELEMS(DAYS_CASES); i++) {
        const days_case *c = &DAYS_CASES[i];
        assert_int_equal(zc_date_to_days(c->d), c->days);
        assert_date(zc_date_from_days(c->days), c->d, "from_days");
        assert_int_equal(zc_date_weekday(c->d), c->weekday);
    }
}

/* Every day of years 1..9999 follows the previous one: catches any slip in the era arithmetic. */
static void test_days_walk(void **state)
{
    (void)state;
    zc_date prev = zc_date_from_days(zc_date_to_days(D(1, 1, 1)));
    int64_t last = zc_date_to_days(D(9999, 12, 31));
    for (int64_t n = zc_date_to_days(prev) + 1; n <= last; n++) {
        zc_date d = zc_date_from_days(n);
        zc_date want = prev.day < zc_date_days_in_month(prev.year, prev.month)
                           ? D(prev.year, prev.month, prev.day + 1)
                       : prev.month < 12 ? D(prev.year, prev.month + 1, 1)
                                         : D(prev.year + 1, 1, 1);
        if (zc_date_compare(d, want) != 0 || zc_date_to_days(d) != n)
            fail_msg("day %lld", (long long)n);
        prev = d;
    }
}

static void test_from_days_clamps(void **state)
{
    (void)state;
    assert_date(zc_date_from_days(INT64_MIN), D(1, 1, 1), "INT64_MIN");
    assert_date(zc_date_from_days(INT64_MAX), D(9999, 12, 31), "INT64_MAX");
}

typedef struct week_case {
    zc_date d, start;
} week_case;

static const week_case WEEK_CASES[] = {
    {D(2026, 1, 1), D(2025, 12, 29)},   /* Thursday, week starts in the old year */
    {D(2021, 1, 3), D(2020, 12, 28)},   /* Sunday ends the week */
    {D(2024, 12, 30), D(2024, 12, 30)}, /* Monday is its own start */
    {D(2025, 1, 5), D(2024, 12, 30)},   {D(2024, 3, 1), D(2024, 2, 26)}, /* across a leap day */
    {D(2023, 3, 1), D(2023, 2, 27)},    {D(1970, 1, 1), D(1969, 12, 29)},
};

static void test_week_start(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ELEMS(WEEK_CASES); i++)
        assert_date(zc_date_week_start(WEEK_CASES[i].d), WEEK_CASES[i].start, "week start");
}

typedef struct cmp_case {
    zc_date a, b;
    int want;
} cmp_case;

static const cmp_case CMP_CASES[] = {
    {D(2024, 1, 1), D(2024, 1, 1), 0},   {D(2024, 1, 1), D(2024, 1, 2), -1},
    {D(2024, 2, 1), D(2024, 1, 31), 1},  {D(2023, 12, 31), D(2024, 1, 1), -1},
    {D(2025, 1, 1), D(2024, 12, 31), 1},
};

static void test_compare(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ELEMS(CMP_CASES); i++)
        assert_int_equal(zc_date_compare(CMP_CASES[i].a, CMP_CASES[i].b), CMP_CASES[i].want);
}

typedef struct age_case {
    zc_date birth, on;
    int age;
} age_case;

static const age_case AGE_CASES[] = {
    {D(1950, 6, 15), D(2025, 6, 14), 74}, /* day before the birthday */
    {D(1950, 6, 15), D(2025, 6, 15), 75}, /* on it */
    {D(1950, 6, 15), D(2025, 6, 16), 75}, /* day after */
    {D(1950, 6, 15), D(1950, 6, 15), 0},
    {D(1950, 6, 15), D(1950, 6, 14), -1}, /* before birth */
    {D(1950, 6, 15), D(1949, 1, 1), -2},
    {D(2000, 2, 29), D(2001, 2, 28), 0}, /* leap-day birth, common year: birthday is 1 March */
    {D(2000, 2, 29), D(2001, 3, 1), 1},
    {D(2000, 2, 29), D(2004, 2, 28), 3}, /* leap year: birthday is 29 February */
    {D(2000, 2, 29), D(2004, 2, 29), 4},
    {D(1960, 2, 29), D(2025, 2, 28), 64},
    {D(1960, 2, 29), D(2025, 3, 1), 65},
    {D(1960, 2, 29), D(2100, 2, 28), 139}, /* 2100 is not a leap year */
    {D(1960, 2, 29), D(2100, 3, 1), 140},
    {D(2001, 3, 1), D(2004, 2, 29), 2},
    {D(2001, 2, 28), D(2002, 2, 28), 1},
    {D(1959, 12, 31), D(2025, 1, 1), 65},
};

static void test_age(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ELEMS(AGE_CASES); i++) {
        const age_case *c = &AGE_CASES[i];
        int got = zc_date_age(c->birth, c->on);
        if (got != c->age)
            fail_msg("age case %zu: got %d, want %d", i, got, c->age);
    }
}

typedef struct date_parse_case {
    const char *text;
    zc_err err;
    zc_date d;
} date_parse_case;

static const date_parse_case DATE_PARSE_CASES[] = {
    {"2024-02-29", ZC_OK, D(2024, 2, 29)},
    {"2000-02-29", ZC_OK, D(2000, 2, 29)},
    {"0001-01-01", ZC_OK, D(1, 1, 1)},
    {"9999-12-31", ZC_OK, D(9999, 12, 31)},
    {"2023-02-29", ZC_ERR_INVALID, {0}},
    {"1900-02-29", ZC_ERR_INVALID, {0}},
    {"2024-13-01", ZC_ERR_INVALID, {0}},
    {"2024-00-10", ZC_ERR_INVALID, {0}},
    {"2024-04-31", ZC_ERR_INVALID, {0}},
    {"0000-01-01", ZC_ERR_INVALID, {0}},
    {"2024-1-01", ZC_ERR_INVALID, {0}},
    {"2024/01/01", ZC_ERR_INVALID, {0}},
    {"2024-01-01x", ZC_ERR_INVALID, {0}},
    {"20240101", ZC_ERR_INVALID, {0}},
    {"", ZC_ERR_INVALID, {0}},
    {"+024-01-01", ZC_ERR_INVALID, {0}},
    {"2024-01-0 ", ZC_ERR_INVALID, {0}},
    {"garbage!!!", ZC_ERR_INVALID, {0}},
};

static void test_date_parse(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ELEMS(DATE_PARSE_CASES); i++) {
        const date_parse_case *c = &DATE_PARSE_CASES[i];
        zc_diag diag = {.msg = ""};
        zc_date d = {0};
        zc_err err = zc_date_parse(c->text, strlen(c->text), &d, &diag);
        if (err != c->err)
            fail_msg("\"%s\": got %s", c->text, zc_err_str(err));
        if (err) {
            assert_true(diag.msg[0] != '\0');
            continue;
        }
        assert_date(d, c->d, c->text);
        char buf[ZC_DATE_TEXT_LEN + 1];
        zc_date_format(d, buf);
        assert_string_equal(buf, c->text);
    }
}

static void test_date_parse_uses_len(void **state)
{
    (void)state;
    zc_date d;
    assert_int_equal(zc_date_parse("2024-05-06T10:00", ZC_DATE_TEXT_LEN, &d, NULL), ZC_OK);
    assert_date(d, D(2024, 5, 6), "prefix");
    zc_diag diag;
    assert_int_equal(zc_date_parse("2023-02-29", ZC_DATE_TEXT_LEN, &d, &diag), ZC_ERR_INVALID);
    assert_non_null(strstr(diag.msg, "2023-02-29"));
}

typedef struct iso_case {
    const char *text;
    zc_err err;
    zc_ms t;
} iso_case;

#define T_2026 INT64_C(1767225600000) /* 2026-01-01T00:00:00Z */
#define HOUR_MS INT64_C(3600000)

static const iso_case ISO_CASES[] = {
    {"2026-01-01T12:00:00+08:00", ZC_OK, T_2026 + 4 * HOUR_MS},
    {"2026-01-01T12:00:00+0800", ZC_OK, T_2026 + 4 * HOUR_MS},
    {"2026-01-01T04:00:00Z", ZC_OK, T_2026 + 4 * HOUR_MS},
    {"2026-01-01T04:00:00z", ZC_OK, T_2026 + 4 * HOUR_MS},
    {"2026-01-01 04:00:00Z", ZC_OK, T_2026 + 4 * HOUR_MS},
    {"2025-12-31T23:00:00-05:00", ZC_OK, T_2026 + 4 * HOUR_MS},
    {"2026-01-01T05:30:00+01:30", ZC_OK, T_2026 + 4 * HOUR_MS},
    {"2026-01-01T00:00:00.5Z", ZC_OK, T_2026 + 500},
    {"2026-01-01T00:00:00.12Z", ZC_OK, T_2026 + 120},
    {"2026-01-01T00:00:00.123Z", ZC_OK, T_2026 + 123},
    {"2026-01-01T00:00:00.1239Z", ZC_OK, T_2026 + 123}, /* truncated, not rounded */
    {"2026-01-01T00:00:00.999999999+00:00", ZC_OK, T_2026 + 999},
    {"1970-01-01T00:00:00Z", ZC_OK, 0},
    {"1969-12-31T23:59:59.999Z", ZC_OK, -1},
    {"1970-01-01T08:00:00+08:00", ZC_OK, 0},
    {"9999-12-31T23:59:59.999Z", ZC_OK, ZC_MS_MAX},
    {"0001-01-01T00:00:00Z", ZC_OK, ZC_MS_MIN},
    {"0001-01-01T00:00:00+08:00", ZC_ERR_INVALID, 0}, /* before year 1 in UTC */
    {"9999-12-31T23:00:00-05:00", ZC_ERR_INVALID, 0},
    {"2026-01-01T12:00:00", ZC_ERR_INVALID, 0}, /* no offset */
    {"2026-01-01T12:00", ZC_ERR_INVALID, 0},
    {"2026-01-01", ZC_ERR_INVALID, 0},
    {"2026-02-30T00:00:00Z", ZC_ERR_INVALID, 0},
    {"2026-01-01T24:00:00Z", ZC_ERR_INVALID, 0},
    {"2026-01-01T12:60:00Z", ZC_ERR_INVALID, 0},
    {"2026-12-31T23:59:60Z", ZC_ERR_INVALID, 0}, /* leap seconds are not kept */
    {"2026-01-01T12:00:00+08", ZC_ERR_INVALID, 0},
    {"2026-01-01T12:00:00+8:00", ZC_ERR_INVALID, 0},
    {"2026-01-01T12:00:00+08:0", ZC_ERR_INVALID, 0},
    {"2026-01-01T12:00:00+24:00", ZC_ERR_INVALID, 0},
    {"2026-01-01T12:00:00+08:60", ZC_ERR_INVALID, 0},
    {"2026-01-01T12:00:00+08:00:00", ZC_ERR_INVALID, 0},
    {"2026-01-01T12:00:00.Z", ZC_ERR_INVALID, 0},
    {"2026-01-01T12:00:00Zx", ZC_ERR_INVALID, 0},
    {"2026-01-01T12:00:00+08:00 ", ZC_ERR_INVALID, 0},
    {"2026-01-01X12:00:00Z", ZC_ERR_INVALID, 0},
    {"2026-1-01T12:00:00Z", ZC_ERR_INVALID, 0},
    {"", ZC_ERR_INVALID, 0},
    {"garbage", ZC_ERR_INVALID, 0},
    {"2", ZC_ERR_INVALID, 0},
};

static void test_iso8601_parse(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ELEMS(ISO_CASES); i++) {
        const iso_case *c = &ISO_CASES[i];
        zc_diag diag = {.msg = ""};
        zc_ms t = 0;
        zc_err err = zc_time_parse_iso8601(c->text, &t, &diag);
        if (err != c->err)
            fail_msg("\"%s\": got %s (%s)", c->text, zc_err_str(err), diag.msg);
        if (err == ZC_OK && t != c->t)
            fail_msg("\"%s\": got %lld, want %lld", c->text, (long long)t, (long long)c->t);
        if (err && diag.msg[0] == '\0')
            fail_msg("\"%s\": refused without a message", c->text);
    }
}

static void test_iso8601_missing_offset_message(void **state)
{
    (void)state;
    zc_diag diag;
    zc_ms t;
    assert_int_equal(zc_time_parse_iso8601("2026-01-01T12:00:00", &t, &diag), ZC_ERR_INVALID);
    assert_non_null(strstr(diag.msg, "offset"));
}

typedef struct iso_format_case {
    zc_ms t;
    int32_t offset;
    const char *text;
} iso_format_case;

static const iso_format_case ISO_FORMAT_CASES[] = {
    {0, 0, "1970-01-01T00:00:00.000+00:00"},
    {0, 28800, "1970-01-01T08:00:00.000+08:00"},
    {-1, 0, "1969-12-31T23:59:59.999+00:00"},
    {T_2026 + 4 * HOUR_MS + 123, -18000, "2025-12-31T23:00:00.123-05:00"},
    {T_2026, -12600, "2025-12-31T20:30:00.000-03:30"},
    {T_2026, 29143, "2026-01-01T08:05:00.000+08:05"}, /* LMT seconds dropped */
    {ZC_MS_MAX, 0, "9999-12-31T23:59:59.999+00:00"},
    {INT64_MIN, 0, "0001-01-01T00:00:00.000+00:00"},
};

static void test_iso8601_format(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ELEMS(ISO_FORMAT_CASES); i++) {
        const iso_format_case *c = &ISO_FORMAT_CASES[i];
        char buf[ZC_ISO8601_MAX];
        zc_time_format_iso8601(c->t, c->offset, buf, sizeof buf);
        assert_string_equal(buf, c->text);
        zc_ms back;
        assert_int_equal(zc_time_parse_iso8601(buf, &back, NULL), ZC_OK);
        if (c->t >= ZC_MS_MIN && c->t <= ZC_MS_MAX)
            assert_true(back == c->t);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_leap_years),
        cmocka_unit_test(test_days_in_month),
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_days_and_weekday),
        cmocka_unit_test(test_days_walk),
        cmocka_unit_test(test_from_days_clamps),
        cmocka_unit_test(test_week_start),
        cmocka_unit_test(test_compare),
        cmocka_unit_test(test_age),
        cmocka_unit_test(test_date_parse),
        cmocka_unit_test(test_date_parse_uses_len),
        cmocka_unit_test(test_iso8601_parse),
        cmocka_unit_test(test_iso8601_missing_offset_message),
        cmocka_unit_test(test_iso8601_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
