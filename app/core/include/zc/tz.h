/*
 * Named time zones, read from the system's compiled zoneinfo (TZif files, package tzdata).
 *
 * Rules, meal periods and sale dates are local times in a named zone (default Asia/Shanghai). The
 * C library's localtime depends on the process-wide TZ variable, which is global mutable state; a
 * zc_tz is a value the caller owns, so two zones can be used side by side and tests can pin one.
 */
#ifndef ZC_TZ_H
#define ZC_TZ_H

#include "zc/date.h"
#include "zc/err.h"

#include <stddef.h>
#include <stdint.h>

typedef struct zc_tz zc_tz;

#define ZC_TZ_DEFAULT "Asia/Shanghai"
#define ZC_TZ_DIR "/usr/share/zoneinfo"

/* A local wall-clock reading. */
typedef struct zc_local {
    zc_date date;
    int second_of_day;      /* 0..86399 */
    int ms;                 /* 0..999 */
    int32_t offset_seconds; /* local minus UTC */
} zc_local;

/*
 * Opens zone `name` (e.g. "Asia/Shanghai", "UTC") from dir (NULL: ZC_TZ_DIR). Names with "..",
 * a leading '/', or characters outside [A-Za-z0-9_+-/] are refused before touching the disk.
 */
zc_err zc_tz_open(const char *dir, const char *name, zc_tz **out, zc_diag *diag);

/*
 * Builds a zone from TZif bytes (versions 1-4; the footer's POSIX TZ rule, in any of its forms,
 * covers times after the last transition). Files with leap-second records ("right/" zones) and
 * offsets beyond the RFC 8536 bounds are refused.
 */
zc_err zc_tz_parse(const uint8_t *data, size_t len, zc_tz **out, zc_diag *diag);

/* A zone with a fixed offset and no rules, e.g. for tests; ZC_ERR_INVALID beyond ±25 hours. */
zc_err zc_tz_fixed(int32_t offset_seconds, zc_tz **out);

void zc_tz_free(zc_tz *tz);

/* The zone's name as opened ("UTC+08:00"-style for fixed zones). */
const char *zc_tz_name(const zc_tz *tz);

/* Offset from UTC in seconds at instant t. */
int32_t zc_tz_offset(const zc_tz *tz, zc_ms t);

/* The local reading at instant t. */
void zc_tz_local(const zc_tz *tz, zc_ms t, zc_local *out);

/*
 * The instant of local date d at second_of_day. In a gap (spring forward) the time is taken
 * with the offset before the gap; in an overlap, the earlier instant.
 */
zc_ms zc_tz_to_utc(const zc_tz *tz, zc_date d, int second_of_day);

/*
 * Parses an ISO 8601 instant; one written without an offset ("2026-03-02T12:00:00") is taken as
 * local time in tz, as people who write rules and reports think of times. With an offset it is
 * exactly zc_time_parse_iso8601.
 */
zc_err zc_tz_parse_time(const zc_tz *tz, const char *text, zc_ms *out, zc_diag *diag);

#endif
