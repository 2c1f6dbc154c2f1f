/*
 * Calendar dates and instants.
 *
 * Instants are UTC epoch milliseconds (zc_ms). Dates are proleptic Gregorian civil dates with no
 * time zone attached: which date an instant belongs to depends on a zone (see tz.h). Everything
 * here is pure arithmetic, valid for years 1 to 9999, so it works on a board whose clock says 1970.
 */
#ifndef ZC_DATE_H
#define ZC_DATE_H

#include "zc/err.h"

#include <stdbool.h>
#include <stdint.h>

typedef int64_t zc_ms; /* milliseconds since 1970-01-01T00:00:00Z */

/* The instants of years 1 to 9999: 0001-01-01T00:00:00.000Z .. 9999-12-31T23:59:59.999Z. */
#define ZC_MS_MIN INT64_C(-62135596800000)
#define ZC_MS_MAX INT64_C(253402300799999)

enum {
    ZC_MS_PER_SECOND = 1000,
    ZC_SECONDS_PER_MINUTE = 60,
    ZC_SECONDS_PER_HOUR = 3600,
    ZC_SECONDS_PER_DAY = 86400,
    ZC_DATE_TEXT_LEN = 10, /* "YYYY-MM-DD" */
    ZC_ISO8601_MAX = 40,   /* buffer for zc_time_format_iso8601 */
};

typedef struct zc_date {
    int year;  /* 1..9999 */
    int month; /* 1..12 */
    int day;   /* 1..31 */
} zc_date;

bool zc_date_valid(zc_date d);
bool zc_date_is_leap_year(int year);
int zc_date_days_in_month(int year, int month);

/* Days since 1970-01-01 (negative before). */
int64_t zc_date_to_days(zc_date d);

/* The inverse; days outside years 1..9999 are clamped to 0001-01-01 or 9999-12-31. */
zc_date zc_date_from_days(int64_t days);

/* ISO weekday: 1 = Monday .. 7 = Sunday. */
int zc_date_weekday(zc_date d);

/* ISO 8601 week: the Monday that starts the week containing d. */
zc_date zc_date_week_start(zc_date d);

/* -1, 0 or 1. */
int zc_date_compare(zc_date a, zc_date b);

/*
 * Age in whole years on date `on` for someone born on `birth`. A person born on 29 February
 * has their birthday on 1 March in common years. Negative when `on` is before `birth`.
 */
int zc_date_age(zc_date birth, zc_date on);

/* Strict "YYYY-MM-DD" of exactly len bytes; rejects impossible dates such as 2023-02-29. */
zc_err zc_date_parse(const char *text, size_t len, zc_date *out, zc_diag *diag);

/* Writes "YYYY-MM-DD" and a NUL; buf must hold ZC_DATE_TEXT_LEN + 1 bytes. */
void zc_date_format(zc_date d, char *buf);

/*
 * Parses an ISO 8601 / RFC 3339 instant with an explicit offset: "2026-01-01T12:00:00+08:00",
 * "...Z", optional ".sss" fraction (milliseconds are kept, further digits truncated), "+0800"
 * accepted. An instant without an offset is refused: the caller must say which zone it means.
 * So is one whose UTC time falls outside years 1..9999.
 */
zc_err zc_time_parse_iso8601(const char *text, zc_ms *out, zc_diag *diag);

/*
 * Formats an instant as "YYYY-MM-DDTHH:MM:SS.sss+HH:MM" at the given offset from UTC. Seconds in
 * the offset (local mean times before 1901) are dropped so the text still names instant t;
 * instants outside years 1..9999 are clamped.
 */
void zc_time_format_iso8601(zc_ms t, int32_t offset_seconds, char *buf, size_t size);

#endif
