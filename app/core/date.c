#include "zc/date.h"

#include <stdio.h>
#include <stdlib.h>

enum {
    YEAR_MIN = 1,
    YEAR_MAX = 9999,
    MONTHS = 12,
    FEBRUARY = 2,
    MARCH = 3,
    DAYS_PER_WEEK = 7,
    HOURS_PER_DAY = 24,
    MINUTES_PER_HOUR = 60,
    MS_DIGITS = 3,
    /* days_from_civil: a 400-year era has 146097 days; shifted years begin on 1 March. */
    DAYS_PER_ERA = 146097,
    YEARS_PER_ERA = 400,
    DAYS_0000_03_01_TO_EPOCH = 719468,
    /* 1970-01-01 was a Thursday: ISO weekday 4, counting from Monday at 0 makes it 3. */
    EPOCH_WEEKDAY_FROM_MONDAY = 3,
};

/* Days from 1970-01-01 to 0001-01-01 and to 9999-12-31. */
#define DAYS_MIN INT64_C(-719162)
#define DAYS_MAX INT64_C(2932896)
#define MS_PER_DAY ((int64_t)ZC_SECONDS_PER_DAY * ZC_MS_PER_SECOND)

static const int DAYS_IN_MONTH[MONTHS] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

bool zc_date_is_leap_year(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int zc_date_days_in_month(int year, int month)
{
    if (month < 1 || month > MONTHS)
        return 0;
    if (month == FEBRUARY && zc_date_is_leap_year(year))
        return DAYS_IN_MONTH[month - 1] + 1;
    return DAYS_IN_MONTH[month - 1];
}

bool zc_date_valid(zc_date d)
{
    return d.year >= YEAR_MIN && d.year <= YEAR_MAX && d.month >= 1 && d.month <= MONTHS &&
           d.day >= 1 && d.day <= zc_date_days_in_month(d.year, d.month);
}

/*
 * Howard Hinnant's days_from_civil: counting years from 1 March puts the leap day last, so the
 * day of the year is a closed formula of the month.
 */
int64_t zc_date_to_days(zc_date d)
{
    int64_t y = (int64_t)d.year - (d.month <= FEBRUARY);
    int64_t era = (y >= 0 ? y : y - (YEARS_PER_ERA - 1)) / YEARS_PER_ERA;
    int64_t yoe = y - era * YEARS_PER_ERA;
    int64_t mp = d.month > FEBRUARY ? (int64_t)d.month - MARCH : (int64_t)d.month + MONTHS - MARCH;
    int64_t doy = (153 * mp + 2) / 5 + d.day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * DAYS_PER_ERA + doe - DAYS_0000_03_01_TO_EPOCH;
}

zc_date zc_date_from_days(int64_t days)
{
    if (days < DAYS_MIN)
        days = DAYS_MIN;
    if (days > DAYS_MAX)
        days = DAYS_MAX;
    int64_t z = days + DAYS_0000_03_01_TO_EPOCH;
    int64_t era = z / DAYS_PER_ERA; /* z > 0 in the clamped range */
    int64_t doe = z - era * DAYS_PER_ERA;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / (DAYS_PER_ERA - 1)) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int day = (int)(doy - (153 * mp + 2) / 5 + 1);
    int month = (int)(mp < MONTHS - MARCH + 1 ? mp + MARCH : mp + MARCH - MONTHS);
    int year = (int)(yoe + era * YEARS_PER_ERA) + (month <= FEBRUARY);
    return (zc_date){.year = year, .month = month, .day = day};
}

int zc_date_weekday(zc_date d)
{
    int64_t from_monday =
        (zc_date_to_days(d) % DAYS_PER_WEEK + DAYS_PER_WEEK + EPOCH_WEEKDAY_FROM_MONDAY) %
        DAYS_PER_WEEK;
    return (int)from_monday + 1;
}

zc_date zc_date_week_start(zc_date d)
{
    return zc_date_from_days(zc_date_to_days(d) - (zc_date_weekday(d) - 1));
}

static int cmp_int(int a, int b)
{
    return (a > b) - (a < b);
}

int zc_date_compare(zc_date a, zc_date b)
{
    if (a.year != b.year)
        return cmp_int(a.year, b.year);
    if (a.month != b.month)
        return cmp_int(a.month, b.month);
    return cmp_int(a.day, b.day);
}

int zc_date_age(zc_date birth, zc_date on)
{
    int month = birth.month;
    int day = birth.day;
    if (month == FEBRUARY && day == 29 && !zc_date_is_leap_year(on.year)) {
        month = MARCH;
        day = 1;
    }
    int age = on.year - birth.year;
    if (on.month < month || (on.month == month && on.day < day))
        age--;
    return age;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/*
 * Reads exactly n decimal digits; false if any is not a digit. Stops at the first non-digit, so
 * callers may chain reads over NUL-terminated text without reading past the NUL.
 */
static bool read_digits(const char *p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!is_digit(p[i]))
            return false;
        v = v * 10 + (p[i] - '0');
    }
    *out = v;
    return true;
}

/* "YYYY-MM-DD" at p, which has at least ZC_DATE_TEXT_LEN bytes. */
static zc_err parse_date_fields(const char *p, zc_date *out, zc_diag *diag)
{
    zc_date d = {0};
    if (!read_digits(p, 4, &d.year) || p[4] != '-' || !read_digits(p + 5, 2, &d.month) ||
        p[7] != '-' || !read_digits(p + 8, 2, &d.day))
        return zc_diag_set(diag, ZC_ERR_INVALID, "date must be written YYYY-MM-DD");
    if (!zc_date_valid(d))
        return zc_diag_set(diag, ZC_ERR_INVALID, "date %.*s does not exist", ZC_DATE_TEXT_LEN, p);
    *out = d;
    return ZC_OK;
}

zc_err zc_date_parse(const char *text, size_t len, zc_date *out, zc_diag *diag)
{
    if (!text || len != ZC_DATE_TEXT_LEN)
        return zc_diag_set(diag, ZC_ERR_INVALID, "date must be written YYYY-MM-DD");
    return parse_date_fields(text, out, diag);
}

void zc_date_format(zc_date d, char *buf)
{
    snprintf(buf, ZC_DATE_TEXT_LEN + 1, "%04d-%02d-%02d", d.year, d.month, d.day);
}

/* "+08:00", "+0800" or "Z" at p; the whole remaining text. */
static zc_err parse_offset(const char *p, int32_t *seconds, zc_diag *diag)
{
    if ((p[0] == 'Z' || p[0] == 'z') && !p[1]) {
        *seconds = 0;
        return ZC_OK;
    }
    if (!*p)
        return zc_diag_set(diag, ZC_ERR_INVALID,
                           "time has no UTC offset; add Z or +08:00 to say which zone it is in");
    int hours = 0, minutes = 0;
    if ((p[0] != '+' && p[0] != '-') || !read_digits(p + 1, 2, &hours))
        return zc_diag_set(diag, ZC_ERR_INVALID, "time offset must be Z, +HH:MM or +HHMM");
    const char *m = p[3] == ':' ? p + 4 : p + 3;
    if (!read_digits(m, 2, &minutes) || m[2])
        return zc_diag_set(diag, ZC_ERR_INVALID, "time offset must be Z, +HH:MM or +HHMM");
    if (hours >= HOURS_PER_DAY || minutes >= MINUTES_PER_HOUR)
        return zc_diag_set(diag, ZC_ERR_INVALID, "time offset %.6s is out of range", p);
    int32_t s = (int32_t)(hours * ZC_SECONDS_PER_HOUR + minutes * ZC_SECONDS_PER_MINUTE);
    *seconds = p[0] == '-' ? -s : s;
    return ZC_OK;
}

zc_err zc_time_parse_iso8601(const char *text, zc_ms *out, zc_diag *diag)
{
    if (!text)
        return zc_diag_set(diag, ZC_ERR_INVALID, "time is empty");
    zc_date d = {0};
    zc_err err = parse_date_fields(text, &d, diag);
    if (err)
        return err;
    const char *p = text + ZC_DATE_TEXT_LEN;
    int hour = 0, minute = 0, second = 0;
    if ((*p != 'T' && *p != 't' && *p != ' ') || !read_digits(p + 1, 2, &hour) || p[3] != ':' ||
        !read_digits(p + 4, 2, &minute) || p[6] != ':' || !read_digits(p + 7, 2, &second))
        return zc_diag_set(diag, ZC_ERR_INVALID, "time must look like 2026-01-01T12:00:00+08:00");
    if (hour >= HOURS_PER_DAY || minute >= MINUTES_PER_HOUR || second >= ZC_SECONDS_PER_MINUTE)
        return zc_diag_set(diag, ZC_ERR_INVALID, "time of day %.8s is out of range", p + 1);
    p += sizeof "THH:MM:SS" - 1;

    int ms = 0;
    if (*p == '.' || *p == ',') {
        p++;
        if (!is_digit(*p))
            return zc_diag_set(diag, ZC_ERR_INVALID, "time has no digits after the point");
        /* Digits past milliseconds are read and dropped: truncation, not rounding. */
        int digits = 0;
        for (; is_digit(*p); p++) {
            if (digits < MS_DIGITS) {
                ms = ms * 10 + (*p - '0');
                digits++;
            }
        }
        for (; digits < MS_DIGITS; digits++)
            ms *= 10;
    }
    int32_t offset = 0;
    err = parse_offset(p, &offset, diag);
    if (err)
        return err;
    int64_t seconds = zc_date_to_days(d) * ZC_SECONDS_PER_DAY +
                      (int64_t)hour * ZC_SECONDS_PER_HOUR +
                      (int64_t)minute * ZC_SECONDS_PER_MINUTE + second - offset;
    zc_ms t = seconds * ZC_MS_PER_SECOND + ms;
    if (t < ZC_MS_MIN || t > ZC_MS_MAX)
        return zc_diag_set(diag, ZC_ERR_INVALID, "time in UTC falls outside years 1 to 9999");
    *out = t;
    return ZC_OK;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

void zc_time_format_iso8601(zc_ms t, int32_t offset_seconds, char *buf, size_t size)
{
    /*
     * The text can only carry whole minutes of offset, so seconds (old local mean times) are
     * dropped from the offset used for the clock too: the text still names instant t.
     */
    int32_t offset_min = offset_seconds / ZC_SECONDS_PER_MINUTE;
    if (abs(offset_min) >= HOURS_PER_DAY * MINUTES_PER_HOUR)
        offset_min = 0;
    if (t < ZC_MS_MIN)
        t = ZC_MS_MIN;
    if (t > ZC_MS_MAX)
        t = ZC_MS_MAX;
    int64_t local = t + (int64_t)offset_min * ZC_SECONDS_PER_MINUTE * ZC_MS_PER_SECOND;
    int64_t days = floor_div(local, MS_PER_DAY);
    int64_t ms_of_day = local - days * MS_PER_DAY;
    zc_date d = zc_date_from_days(days);
    int sod = (int)(ms_of_day / ZC_MS_PER_SECOND);
    int32_t abs_min = abs(offset_min);
    snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03d%c%02d:%02d", d.year, d.month, d.day,
             sod / ZC_SECONDS_PER_HOUR, sod % ZC_SECONDS_PER_HOUR / ZC_SECONDS_PER_MINUTE,
             sod % ZC_SECONDS_PER_MINUTE, (int)(ms_of_day % ZC_MS_PER_SECOND),
             offset_min < 0 ? '-' : '+', (int)(abs_min / MINUTES_PER_HOUR),
             (int)(abs_min % MINUTES_PER_HOUR));
}
