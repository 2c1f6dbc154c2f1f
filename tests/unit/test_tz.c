#include "testutil.h"

#include "zc/tz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define D(y, m, d) ((zc_date){.year = (y), .month = (m), .day = (d)})

enum {
    HOUR = 3600,
    TZIF_MAX = 1024,
    HDR = 44,
    COUNTS_AT = 20, /* isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt */
    MAX_TRANS = 4,
    MAX_TYPES = 3,
    /* Our builder's v1 block for v2+ files: no transitions, one type, one designation byte. */
    V1_STUB_LEN = 6 + 1,
    V2_HEADER_AT = HDR + V1_STUB_LEN,
    V2_DATA_AT = V2_HEADER_AT + HDR,
};

/* ---- An independent TZif writer, so tests can hand the reader exactly what they mean. ---- */

typedef struct tzif_spec {
    char version; /* 0 for version 1, else '2'..'4' */
    int ntrans;
    int64_t trans[MAX_TRANS];
    uint8_t idx[MAX_TRANS];
    int ntypes;
    int32_t utoff[MAX_TYPES];
    uint8_t isdst[MAX_TYPES];
    const char *footer;
} tzif_spec;

static uint8_t *put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
    return p + 4;
}

static uint8_t *put_header(uint8_t *p, char version, uint32_t timecnt, uint32_t typecnt)
{
    static const uint8_t MAGIC[] = {'T', 'Z', 'i', 'f'}; /* four bytes, no terminator */
    memset(p, 0, HDR);
    memcpy(p, MAGIC, sizeof MAGIC);
    p[4] = (uint8_t)version;
    uint8_t *c = p + COUNTS_AT;
    c = put32(c, 0);
    c = put32(c, 0);
    c = put32(c, 0);
    c = put32(c, timecnt);
    c = put32(c, typecnt);
    put32(c, 1); /* charcnt: one NUL, every type's designation is "" */
    return p + HDR;
}

static uint8_t *put_types(uint8_t *p, const tzif_spec *s)
{
    for (int i = 0; i < s->ntypes; i++) {
        p = put32(p, (uint32_t)s->utoff[i]);
        *p++ = s->isdst[i];
        *p++ = 0;
    }
    *p++ = 0; /* the designation string */
    return p;
}

static size_t build_tzif(uint8_t *buf, const tzif_spec *s)
{
    uint8_t *p = buf;
    if (s->version == 0) {
        p = put_header(p, 0, (uint32_t)s->ntrans, (uint32_t)s->ntypes);
        for (int i = 0; i < s->ntrans; i++)
            p = put32(p, (uint32_t)(int32_t)s->trans[i]);
        for (int i = 0; i < s->ntrans; i++)
            *p++ = s->idx[i];
        return (size_t)(put_types(p, s) - buf);
    }
    p = put_header(p, s->version, 0, 1);
    p = put32(p, (uint32_t)s->utoff[0]);
    *p++ = s->isdst[0];
    *p++ = 0;
    *p++ = 0;
    p = put_header(p, s->version, (uint32_t)s->ntrans, (uint32_t)s->ntypes);
    for (int i = 0; i < s->ntrans; i++) {
        uint64_t t = (uint64_t)s->trans[i];
        p = put32(p, (uint32_t)(t >> 32));
        p = put32(p, (uint32_t)t);
    }
    for (int i = 0; i < s->ntrans; i++)
        *p++ = s->idx[i];
    p = put_types(p, s);
    p += sprintf((char *)p, "\n%s\n", s->footer ? s->footer : "");
    return (size_t)(p - buf);
}

static zc_tz *parse_spec(const tzif_spec *s)
{
    uint8_t buf[TZIF_MAX];
    size_t len = build_tzif(buf, s);
    zc_tz *tz = NULL;
    zc_diag diag = {.msg = ""};
    if (zc_tz_parse(buf, len, &tz, &diag) != ZC_OK)
        fail_msg("parse: %s", diag.msg);
    return tz;
}

static zc_ms at(const char *iso)
{
    zc_ms t;
    zc_diag diag;
    if (zc_time_parse_iso8601(iso, &t, &diag) != ZC_OK)
        fail_msg("%s: %s", iso, diag.msg);
    return t;
}

static zc_tz *open_zone(const char *name)
{
    zc_tz *tz = NULL;
    zc_diag diag = {.msg = ""};
    if (zc_tz_open(NULL, name, &tz, &diag) != ZC_OK)
        fail_msg("%s: %s (is tzdata installed?)", name, diag.msg);
    return tz;
}

/* ---- Real zones from the system tzdata ---- */

typedef struct local_case {
    const char *zone;
    const char *instant;
    int32_t offset;
    const char *local; /* "YYYY-MM-DD HH:MM:SS" */
} local_case;

static const local_case LOCAL_CASES[] = {
    {"Asia/Shanghai", "2026-01-01T03:00:00Z", 8 * HOUR, "2026-01-01 11:00:00"},
    {"Asia/Shanghai", "2026-01-01T16:30:00Z", 8 * HOUR, "2026-01-02 00:30:00"},
    {"Asia/Shanghai", "2025-12-31T15:59:59Z", 8 * HOUR, "2025-12-31 23:59:59"},
    {"Asia/Shanghai", "1988-01-01T00:00:00Z", 8 * HOUR, "1988-01-01 08:00:00"},
    {"Asia/Shanghai", "1988-04-16T17:59:59Z", 8 * HOUR, "1988-04-17 01:59:59"},
    {"Asia/Shanghai", "1988-04-16T18:00:00Z", 9 * HOUR, "1988-04-17 03:00:00"}, /* CDT */
    {"Asia/Shanghai", "1988-07-01T00:00:00Z", 9 * HOUR, "1988-07-01 09:00:00"},
    {"Asia/Shanghai", "1988-09-10T16:59:59Z", 9 * HOUR, "1988-09-11 01:59:59"},
    {"Asia/Shanghai", "1988-09-10T17:00:00Z", 8 * HOUR, "1988-09-11 01:00:00"},
    {"Asia/Shanghai", "1991-07-01T00:00:00Z", 9 * HOUR, "1991-07-01 09:00:00"},
    {"Asia/Shanghai", "1992-07-01T00:00:00Z", 8 * HOUR, "1992-07-01 08:00:00"},
    {"Asia/Shanghai", "1900-01-01T00:00:00Z", 29143, "1900-01-01 08:05:43"},    /* LMT */
    {"Asia/Shanghai", "2100-07-01T00:00:00Z", 8 * HOUR, "2100-07-01 08:00:00"}, /* footer */
    {"America/New_York", "2024-03-10T06:59:59Z", -5 * HOUR, "2024-03-10 01:59:59"},
    {"America/New_York", "2024-03-10T07:00:00Z", -4 * HOUR, "2024-03-10 03:00:00"},
    {"America/New_York", "2024-11-03T05:59:59Z", -4 * HOUR, "2024-11-03 01:59:59"},
    {"America/New_York", "2024-11-03T06:00:00Z", -5 * HOUR, "2024-11-03 01:00:00"},
    {"America/New_York", "2024-07-01T03:00:00Z", -4 * HOUR, "2024-06-30 23:00:00"},
    /* Beyond 2037 the file's table ends and the footer rule EST5EDT,M3.2.0,M11.1.0 speaks. */
    {"America/New_York", "2050-01-15T12:00:00Z", -5 * HOUR, "2050-01-15 07:00:00"},
    {"America/New_York", "2050-03-13T06:59:59Z", -5 * HOUR, "2050-03-13 01:59:59"},
    {"America/New_York", "2050-03-13T07:00:00Z", -4 * HOUR, "2050-03-13 03:00:00"},
    {"America/New_York", "2050-11-06T05:59:59Z", -4 * HOUR, "2050-11-06 01:59:59"},
    {"America/New_York", "2050-11-06T06:00:00Z", -5 * HOUR, "2050-11-06 01:00:00"},
    {"Europe/London", "2024-03-31T00:59:59Z", 0, "2024-03-31 00:59:59"},
    {"Europe/London", "2024-03-31T01:00:00Z", HOUR, "2024-03-31 02:00:00"},
    {"Europe/London", "2024-10-27T00:59:59Z", HOUR, "2024-10-27 01:59:59"},
    {"Europe/London", "2024-10-27T01:00:00Z", 0, "2024-10-27 01:00:00"},
    {"Europe/London", "2060-07-01T12:00:00Z", HOUR, "2060-07-01 13:00:00"},
    {"Europe/London", "2060-12-01T12:00:00Z", 0, "2060-12-01 12:00:00"},
    {"UTC", "2026-06-01T12:34:56Z", 0, "2026-06-01 12:34:56"},
    {"UTC", "2999-06-01T12:34:56Z", 0, "2999-06-01 12:34:56"},
};

static void format_local(const zc_local *l, char *buf, size_t size)
{
    snprintf(buf, size, "%04d-%02d-%02d %02d:%02d:%02d", l->date.year, l->date.month, l->date.day,
             l->second_of_day / HOUR, l->second_of_day % HOUR / 60, l->second_of_day % 60);
}

static void test_local(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ELEMS(LOCAL_CASES); i++) {
        const local_case *c = &LOCAL_CASES[i];
        zc_tz *tz = open_zone(c->zone);
        zc_ms t = at(c->instant);
        zc_local l;
        zc_tz_local(tz, t, &l);
        char got[32];
        format_local(&l, got, sizeof got);
        if (zc_tz_offset(tz, t) != c->offset || l.offset_seconds != c->offset ||
            strcmp(got, c->local) != 0)
            fail_msg("%s %s: got %s offset %d, want %s offset %d", c->zone, c->instant, got,
                     (int)l.offset_seconds, c->local, (int)c->offset);
        zc_tz_free(tz);
    }
}

typedef struct to_utc_case {
    const char *zone;
    zc_date date;
    int hour, minute;
    const char *instant;
} to_utc_case;

static const to_utc_case TO_UTC_CASES[] = {
    {"Asia/Shanghai", D(2026, 1, 1), 11, 0, "2026-01-01T03:00:00Z"},
    {"Asia/Shanghai", D(2026, 1, 2), 0, 30, "2026-01-01T16:30:00Z"},
    {"Asia/Shanghai", D(1988, 4, 17), 2, 30, "1988-04-16T18:30:00Z"}, /* gap: +08 before it */
    {"Asia/Shanghai", D(1988, 9, 11), 1, 30, "1988-09-10T16:30:00Z"}, /* overlap: earlier */
    {"America/New_York", D(2024, 3, 10), 1, 30, "2024-03-10T06:30:00Z"},
    {"America/New_York", D(2024, 3, 10), 2, 30, "2024-03-10T07:30:00Z"}, /* gap: as EST */
    {"America/New_York", D(2024, 3, 10), 3, 0, "2024-03-10T07:00:00Z"},
    {"America/New_York", D(2024, 3, 10), 3, 30, "2024-03-10T07:30:00Z"},
    {"America/New_York", D(2024, 11, 3), 0, 59, "2024-11-03T04:59:00Z"},
    {"America/New_York", D(2024, 11, 3), 1, 0, "2024-11-03T05:00:00Z"},  /* overlap: EDT */
    {"America/New_York", D(2024, 11, 3), 1, 30, "2024-11-03T05:30:00Z"}, /* overlap: EDT */
    {"America/New_York", D(2024, 11, 3), 2, 0, "2024-11-03T07:00:00Z"},
    {"America/New_York", D(2050, 3, 13), 2, 30, "2050-03-13T07:30:00Z"}, /* footer gap */
    {"America/New_York", D(2050, 11, 6), 1, 30, "2050-11-06T05:30:00Z"}, /* footer overlap */
    {"Europe/London", D(2024, 3, 31), 1, 30, "2024-03-31T01:30:00Z"},
    {"Europe/London", D(2024, 10, 27), 1, 30, "2024-10-27T00:30:00Z"},
    {"UTC", D(2026, 6, 1), 12, 0, "2026-06-01T12:00:00Z"},
};

static void test_to_utc(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ELEMS(TO_UTC_CASES); i++) {
        const to_utc_case *c = &TO_UTC_CASES[i];
        zc_tz *tz = open_zone(c->zone);
        zc_ms got = zc_tz_to_utc(tz, c->date, c->hour * HOUR + c->minute * 60);
        if (got != at(c->instant)) {
            char buf[ZC_ISO8601_MAX];
            zc_time_format_iso8601(got, 0, buf, sizeof buf);
            fail_msg("%s %04d-%02d-%02d %02d:%02d: got %s, want %s", c->zone, c->date.year,
                     c->date.month, c->date.day, c->hour, c->minute, buf, c->instant);
        }
        zc_tz_free(tz);
    }
}

/* to_utc undoes local for every reading, giving the earlier instant when the reading repeats. */
static void test_round_trip(void **state)
{
    (void)state;
    static const char *const ZONES[] = {"Asia/Shanghai", "America/New_York", "Europe/London"};
    static const char *const FROM[] = {"1987-01-01T00:00:00Z", "2024-01-01T00:00:00Z",
                                       "2049-01-01T00:00:00Z"};
    enum { STEP_MS = 20 * 60 * 1000 + 7, STEPS = 3 * 365 * 24 * 3 };
    for (size_t z = 0; z < N_ELEMS(ZONES); z++) {
        zc_tz *tz = open_zone(ZONES[z]);
        for (size_t f = 0; f < N_ELEMS(FROM); f++) {
            zc_ms t = at(FROM[f]);
            for (int i = 0; i < STEPS; i++, t += STEP_MS) {
                zc_local l, back;
                zc_tz_local(tz, t, &l);
                zc_ms u = zc_tz_to_utc(tz, l.date, l.second_of_day) + l.ms;
                zc_tz_local(tz, u, &back);
                if (u > t || zc_date_compare(l.date, back.date) != 0 ||
                    l.second_of_day != back.second_of_day)
                    fail_msg("%s at %lld: round trip gave %lld", ZONES[z], (long long)t,
                             (long long)u);
            }
        }
        zc_tz_free(tz);
    }
}

static void test_local_millis(void **state)
{
    (void)state;
    zc_tz *tz = open_zone("UTC");
    zc_local l;
    zc_tz_local(tz, -1, &l);
    assert_int_equal(l.date.year, 1969);
    assert_int_equal(l.second_of_day, 86399);
    assert_int_equal(l.ms, 999);
    zc_tz_local(tz, 1234, &l);
    assert_int_equal(l.second_of_day, 1);
    assert_int_equal(l.ms, 234);
    zc_tz_free(tz);
}

static void test_extremes(void **state)
{
    (void)state;
    static const zc_ms INSTANTS[] = {INT64_MIN, ZC_MS_MIN, -1, 0, ZC_MS_MAX, INT64_MAX};
    zc_tz *tz = open_zone("America/New_York");
    for (size_t i = 0; i < N_ELEMS(INSTANTS); i++) {
        zc_local l;
        zc_tz_local(tz, INSTANTS[i], &l);
        assert_true(zc_date_valid(l.date));
        assert_in_range(l.second_of_day, 0, 86399);
        assert_in_range(l.ms, 0, 999);
    }
    zc_ms u = zc_tz_to_utc(tz, D(99999, 99, 99), 999999);
    assert_true(u <= ZC_MS_MAX);
    zc_tz_free(tz);
}

static void test_names(void **state)
{
    (void)state;
    zc_tz *tz = open_zone("Asia/Shanghai");
    assert_string_equal(zc_tz_name(tz), "Asia/Shanghai");
    zc_tz_free(tz);
    assert_string_equal(ZC_TZ_DEFAULT, "Asia/Shanghai");
}

/* ---- Fixed zones ---- */

typedef struct fixed_case {
    int32_t offset;
    zc_err err;
    const char *name;
} fixed_case;

static const fixed_case FIXED_CASES[] = {
    {0, ZC_OK, "UTC"},
    {8 * HOUR, ZC_OK, "UTC+08:00"},
    {-(3 * HOUR + 1800), ZC_OK, "UTC-03:30"},
    {29143, ZC_OK, "UTC+08:05:43"},
    {26 * HOUR, ZC_ERR_INVALID, NULL},
    {INT32_MIN, ZC_ERR_INVALID, NULL},
};

static void test_fixed(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ELEMS(FIXED_CASES); i++) {
        const fixed_case *c = &FIXED_CASES[i];
        zc_tz *tz = NULL;
        assert_int_equal(zc_tz_fixed(c->offset, &tz), c->err);
        if (c->err) {
            assert_null(tz);
            continue;
        }
        assert_string_equal(zc_tz_name(tz), c->name);
        assert_int_equal(zc_tz_offset(tz, 0), c->offset);
        assert_int_equal(zc_tz_offset(tz, at("2050-07-01T00:00:00Z")), c->offset);
        assert_true(zc_tz_to_utc(tz, D(1970, 1, 1), 0) == -(zc_ms)c->offset * 1000);
        zc_tz_free(tz);
    }
}

/* ---- Hand-built TZif data ---- */

/* Every footer form tzdata uses, each alone in a file with no transitions. */
typedef struct footer_case {
    const char *footer;
    const char *instant;
    int32_t offset;
} footer_case;

static const footer_case FOOTER_CASES[] = {
    {"CST-8", "2024-07-01T00:00:00Z", 8 * HOUR},
    {"EST5EDT,M3.2.0,M11.1.0", "2024-01-01T00:00:00Z", -5 * HOUR},
    {"EST5EDT,M3.2.0,M11.1.0", "2024-07-01T00:00:00Z", -4 * HOUR},
    {"<+0330>-3:30", "2024-07-01T00:00:00Z", 3 * HOUR + 1800},
    {"<-03>3", "2024-07-01T00:00:00Z", -3 * HOUR},
    {"CET-1CEST,M3.5.0,M10.5.0/3", "2024-03-31T00:59:59Z", HOUR},
    {"CET-1CEST,M3.5.0,M10.5.0/3", "2024-03-31T01:00:00Z", 2 * HOUR},
    {"CET-1CEST,M3.5.0,M10.5.0/3", "2024-10-27T00:59:59Z", 2 * HOUR},
    {"CET-1CEST,M3.5.0,M10.5.0/3", "2024-10-27T01:00:00Z", HOUR},
    /* Southern hemisphere: DST spans the new year. */
    {"AEST-10AEDT,M10.1.0,M4.1.0/3", "2024-01-15T00:00:00Z", 11 * HOUR},
    {"AEST-10AEDT,M10.1.0,M4.1.0/3", "2024-07-01T00:00:00Z", 10 * HOUR},
    /* Negative and past-midnight rule times (America/Nuuk, Asia/Jerusalem). */
    {"<-02>2<-01>,M3.5.0/-1,M10.5.0/0", "2024-03-31T00:59:59Z", -2 * HOUR},
    {"<-02>2<-01>,M3.5.0/-1,M10.5.0/0", "2024-03-31T01:00:00Z", -HOUR},
    {"<-02>2<-01>,M3.5.0/-1,M10.5.0/0", "2024-10-27T00:59:59Z", -HOUR},
    {"<-02>2<-01>,M3.5.0/-1,M10.5.0/0", "2024-10-27T01:00:00Z", -2 * HOUR},
    {"IST-2IDT,M3.4.4/26,M10.5.0", "2024-03-28T23:59:59Z", 2 * HOUR},
    {"IST-2IDT,M3.4.4/26,M10.5.0", "2024-03-29T00:00:00Z", 3 * HOUR},
    /* Explicit DST offset and negative DST (Europe/Dublin). */
    {"IST-1GMT0,M10.5.0,M3.5.0/1", "2024-07-01T00:00:00Z", HOUR},
    {"IST-1GMT0,M10.5.0,M3.5.0/1", "2024-12-01T00:00:00Z", 0},
    /* Julian day forms: Jn skips 29 February, n counts it. */
    {"AAA3BBB,J60/2,J300/2", "2024-03-01T04:59:59Z", -3 * HOUR},
    {"AAA3BBB,J60/2,J300/2", "2024-03-01T05:00:00Z", -2 * HOUR},
    {"AAA3BBB,J60/2,J300/2", "2024-10-27T03:59:59Z", -2 * HOUR},
    {"AAA3BBB,J60/2,J300/2", "2024-10-27T04:00:00Z", -3 * HOUR},
    {"AAA3BBB,59/2,299/2", "2024-02-29T04:59:59Z", -3 * HOUR},
    {"AAA3BBB,59/2,299/2", "2024-02-29T05:00:00Z", -2 * HOUR},
    {"AAA3BBB,59/2,299/2", "2023-03-01T05:00:00Z", -2 * HOUR},
    {"AAA3BBB,59/2,299/2", "2024-10-26T04:00:00Z", -3 * HOUR},
    /* Permanent DST as RFC 8536 writes it. */
    {"EST5EDT,0/0,J365/25", "2024-01-01T00:00:00Z", -4 * HOUR},
    {"EST5EDT,0/0,J365/25", "2024-07-01T00:00:00Z", -4 * HOUR},
    {"EST5EDT,0/0,J365/25", "2024-12-31T23:00:00Z", -4 * HOUR},
    {"", "2024-07-01T00:00:00Z", 7 * HOUR}, /* empty footer: the last type goes on */
};

static void test_footer_rules(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ELEMS(FOOTER_CASES); i++) {
        const footer_case *c = &FOOTER_CASES[i];
        tzif_spec s = {.version = '2', .ntypes = 1, .utoff = {7 * HOUR}, .footer = c->footer};
        zc_tz *tz = parse_spec(&s);
        int32_t got = zc_tz_offset(tz, at(c->instant));
        if (got != c->offset)
            fail_msg("\"%s\" at %s: got %d, want %d", c->footer, c->instant, (int)got,
                     (int)c->offset);
        zc_tz_free(tz);
    }
}

static const char *const BAD_FOOTERS[] = {
    "EST5EDT",                    /* DST without dates */
    "E5",                         /* abbreviation too short */
    "EST",                        /* no offset */
    "EST99",                      /* offset beyond 24 h */
    "<+03",                       /* unterminated quote */
    "EST5EDT,M13.1.0,M11.1.0",    /* month 13 */
    "EST5EDT,M3.6.0,M11.1.0",     /* week 6 */
    "EST5EDT,M3.2.7,M11.1.0",     /* weekday 7 */
    "EST5EDT,M3.2.0",             /* no end */
    "EST5EDT,J0,J365",            /* J counts from 1 */
    "EST5EDT,366,0",              /* n stops at 365 */
    "EST5EDT,M3.2.0/168,M11.1.0", /* rule time beyond 167 h */
    "EST5EDT,M3.2.0,M11.1.0x",    /* trailing junk */
    "EST5:60",                    /* minutes out of range */
    "CST-8 ",
    NULL, /* replaced by a name longer than any real footer */
};

static void test_bad_footers(void **state)
{
    (void)state;
    char long_footer[200];
    memset(long_footer, 'A', sizeof long_footer - 2);
    snprintf(long_footer + sizeof long_footer - 2, 2, "5");
    for (size_t i = 0; i < N_ELEMS(BAD_FOOTERS); i++) {
        const char *footer = BAD_FOOTERS[i] ? BAD_FOOTERS[i] : long_footer;
        tzif_spec s = {.version = '2', .ntypes = 1, .footer = footer};
        uint8_t buf[TZIF_MAX];
        size_t len = build_tzif(buf, &s);
        zc_tz *tz = NULL;
        zc_diag diag = {.msg = ""};
        if (zc_tz_parse(buf, len, &tz, &diag) != ZC_ERR_INVALID)
            fail_msg("footer \"%s\" accepted", footer);
        assert_null(tz);
        assert_non_null(strstr(diag.msg, "footer"));
    }
}

/* One transition each way, in every version; before the first, type 0 applies. */
static void test_versions(void **state)
{
    (void)state;
    static const char VERSIONS[] = {0, '2', '3', '4'};
    for (size_t i = 0; i < N_ELEMS(VERSIONS); i++) {
        tzif_spec s = {.version = VERSIONS[i],
                       .ntrans = 2,
                       .trans = {1000000000, 1010000000},
                       .idx = {1, 0},
                       .ntypes = 2,
                       .utoff = {HOUR, 2 * HOUR},
                       .isdst = {0, 1}};
        zc_tz *tz = parse_spec(&s);
        assert_int_equal(zc_tz_offset(tz, INT64_C(999999999) * 1000), HOUR);
        assert_int_equal(zc_tz_offset(tz, INT64_C(1000000000) * 1000), 2 * HOUR);
        assert_int_equal(zc_tz_offset(tz, INT64_C(1009999999) * 1000), 2 * HOUR);
        assert_int_equal(zc_tz_offset(tz, INT64_C(1010000000) * 1000), HOUR);
        assert_int_equal(zc_tz_offset(tz, INT64_MAX), HOUR);
        zc_tz_free(tz);
    }
}

/* v2+ carries 64-bit times: one before 1901 must survive. */
static void test_64bit_times(void **state)
{
    (void)state;
    tzif_spec s = {.version = '2',
                   .ntrans = 1,
                   .trans = {-INT64_C(5000000000)},
                   .idx = {1},
                   .ntypes = 2,
                   .utoff = {HOUR, 2 * HOUR},
                   .footer = "<+02>-2"};
    zc_tz *tz = parse_spec(&s);
    assert_int_equal(zc_tz_offset(tz, -INT64_C(5000000001) * 1000), HOUR);
    assert_int_equal(zc_tz_offset(tz, -INT64_C(4000000000) * 1000), 2 * HOUR);
    zc_tz_free(tz);
}

typedef struct corrupt_case {
    const char *what;
    size_t at; /* byte to overwrite in the v2 file built by corrupt_base */
    uint8_t value;
} corrupt_case;

/* Byte offsets inside the v2 block of corrupt_base's file. */
enum {
    COUNT_BYTE = V2_HEADER_AT + COUNTS_AT + 3, /* low byte of isutcnt */
    TRANS_AT = V2_DATA_AT,
    IDX_AT = TRANS_AT + 2 * 8,
    TYPES_AT = IDX_AT + 2,
};

static const corrupt_case CORRUPT_CASES[] = {
    {"bad magic", 0, 'X'},
    {"unknown version", 4, '9'},
    {"bad v2 magic", V2_HEADER_AT, 'X'},
    {"isutcnt not typecnt", COUNT_BYTE, 5},
    {"isstdcnt not typecnt", COUNT_BYTE + 4, 5},
    {"leap seconds", COUNT_BYTE + 8, 1},
    {"huge timecnt", COUNT_BYTE + 12 - 3, 0xFF},
    {"no types", COUNT_BYTE + 16, 0},
    {"huge charcnt", COUNT_BYTE + 20 - 1, 0xFF},
    {"transitions out of order", TRANS_AT + 8 + 4, 0},
    {"type index out of range", IDX_AT, 2},
    {"utoff out of range", TYPES_AT, 0x7F},
    {"isdst not 0 or 1", TYPES_AT + 4, 2},
    {"designation index out of range", TYPES_AT + 5, 1},
    {"v1 block counts too large", COUNTS_AT + 12, 0x10},
};

static size_t corrupt_base(uint8_t *buf)
{
    tzif_spec s = {.version = '2',
                   .ntrans = 2,
                   .trans = {1000000000, 1010000000},
                   .idx = {1, 0},
                   .ntypes = 2,
                   .utoff = {HOUR, 2 * HOUR},
                   .isdst = {0, 1},
                   .footer = "CET-1CEST,M3.5.0,M10.5.0/3"};
    return build_tzif(buf, &s);
}

static void test_corrupt(void **state)
{
    (void)state;
    uint8_t base[TZIF_MAX];
    size_t len = corrupt_base(base);
    zc_tz *tz = NULL;
    assert_int_equal(zc_tz_parse(base, len, &tz, NULL), ZC_OK);
    zc_tz_free(tz);
    for (size_t i = 0; i < N_ELEMS(CORRUPT_CASES); i++) {
        const corrupt_case *c = &CORRUPT_CASES[i];
        uint8_t buf[TZIF_MAX];
        memcpy(buf, base, len);
        assert_true(buf[c->at] != c->value);
        buf[c->at] = c->value;
        zc_diag diag = {.msg = ""};
        tz = NULL;
        if (zc_tz_parse(buf, len, &tz, &diag) != ZC_ERR_INVALID)
            fail_msg("%s: accepted", c->what);
        assert_null(tz);
        assert_true(diag.msg[0] != '\0');
    }
}

/* Every strict prefix of a real file is refused: the footer's final newline is missing. */
static void test_truncated(void **state)
{
    (void)state;
    size_t len;
    char *data = zt_read_file(ZC_TZ_DIR "/Asia/Shanghai", &len);
    for (size_t n = 0; n < len; n++) {
        zc_tz *tz = NULL;
        zc_diag diag = {.msg = ""};
        if (zc_tz_parse((const uint8_t *)data, n, &tz, &diag) != ZC_ERR_INVALID)
            fail_msg("prefix of %zu bytes accepted", n);
        assert_null(tz);
    }
    zc_tz *tz = NULL;
    assert_int_equal(zc_tz_parse((const uint8_t *)data, len, &tz, NULL), ZC_OK);
    zc_tz_free(tz);
    free(data);
}

static void test_garbage(void **state)
{
    (void)state;
    static const char *const GARBAGE[] = {"", "hello", "TZif", "TZif2"};
    for (size_t i = 0; i < N_ELEMS(GARBAGE); i++) {
        zc_tz *tz = NULL;
        zc_diag diag = {.msg = ""};
        assert_int_equal(zc_tz_parse((const uint8_t *)GARBAGE[i], strlen(GARBAGE[i]), &tz, &diag),
                         ZC_ERR_INVALID);
        assert_null(tz);
        assert_true(diag.msg[0] != '\0');
    }
    uint8_t junk[2 * HDR] = {0};
    zc_tz *tz = NULL;
    assert_int_equal(zc_tz_parse(junk, sizeof junk, &tz, NULL), ZC_ERR_INVALID);
    put_header(junk, '2', 0, 0); /* a header alone, with no local time types */
    assert_int_equal(zc_tz_parse(junk, sizeof junk, &tz, NULL), ZC_ERR_INVALID);
    assert_null(tz);
}

/* ---- Opening by name ---- */

typedef struct name_case {
    const char *name;
    zc_err err;
} name_case;

static const name_case NAME_CASES[] = {
    {"good", ZC_OK},
    {"Sub/Zone", ZC_OK},
    {"Etc_+-/Zone", ZC_ERR_NOT_FOUND}, /* every allowed character; no such file */
    {"../etc/passwd", ZC_ERR_INVALID},
    {"/etc/passwd", ZC_ERR_INVALID},
    {"Asia/../../x", ZC_ERR_INVALID},
    {"Sub/../good", ZC_ERR_INVALID}, /* would exist, refused before the disk is asked */
    {"./good", ZC_ERR_INVALID},
    {"good.", ZC_ERR_INVALID},
    {"Asia/Shang hai", ZC_ERR_INVALID},
    {"Asia/Shanghai\n", ZC_ERR_INVALID},
    {"Asia\\Shanghai", ZC_ERR_INVALID},
    {"", ZC_ERR_INVALID},
    {"Mars/Olympus", ZC_ERR_NOT_FOUND},
    {"Sub", ZC_ERR_NOT_FOUND}, /* a directory */
    {"garbage", ZC_ERR_INVALID},
};

static void test_open_names(void **state)
{
    (void)state;
    char dir[ZC_TEST_PATH_MAX], path[ZC_TEST_PATH_MAX];
    zt_mkdtemp(dir, sizeof dir);
    uint8_t buf[TZIF_MAX];
    size_t len = corrupt_base(buf);
    zt_join(path, sizeof path, dir, "good");
    zt_write_file(path, buf, len);
    zt_join(path, sizeof path, dir, "Sub");
    assert_int_equal(mkdir(path, 0700), 0);
    zt_join(path, sizeof path, dir, "Sub/Zone");
    zt_write_file(path, buf, len);
    zt_join(path, sizeof path, dir, "garbage");
    zt_write_file(path, "not a zone", 10);

    for (size_t i = 0; i < N_ELEMS(NAME_CASES); i++) {
        const name_case *c = &NAME_CASES[i];
        zc_tz *tz = NULL;
        zc_diag diag = {.msg = ""};
        zc_err err = zc_tz_open(dir, c->name, &tz, &diag);
        if (err != c->err)
            fail_msg("\"%s\": got %s (%s)", c->name, zc_err_str(err), diag.msg);
        if (err) {
            assert_null(tz);
            assert_true(diag.msg[0] != '\0');
            continue;
        }
        assert_string_equal(zc_tz_name(tz), c->name);
        assert_int_equal(zc_tz_offset(tz, INT64_C(1000000000) * 1000), 2 * HOUR);
        zc_tz_free(tz);
    }
    zt_rmtree(dir);
}

static void test_open_messages(void **state)
{
    (void)state;
    zc_tz *tz = NULL;
    zc_diag diag;
    assert_int_equal(zc_tz_open(NULL, "Mars/Olympus", &tz, &diag), ZC_ERR_NOT_FOUND);
    assert_non_null(strstr(diag.msg, "unknown time zone \"Mars/Olympus\""));
    assert_int_equal(zc_tz_open("/nonexistent-zc-dir", "UTC", &tz, &diag), ZC_ERR_NOT_FOUND);
    assert_int_equal(zc_tz_open(NULL, "/etc/passwd", &tz, &diag), ZC_ERR_INVALID);
    assert_non_null(strstr(diag.msg, "not a path"));
    assert_int_equal(zc_tz_open(NULL, "Asia/../../x", &tz, &diag), ZC_ERR_INVALID);
    assert_non_null(strstr(diag.msg, ".."));
    char long_name[300];
    memset(long_name, 'A', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    assert_int_equal(zc_tz_open(NULL, long_name, &tz, &diag), ZC_ERR_INVALID);
    assert_int_equal(zc_tz_open(NULL, NULL, &tz, &diag), ZC_ERR_INVALID);
    assert_null(tz);
}

/* Times people write without an offset are local where the rules apply. */
typedef struct offsetless_case {
    const char *zone, *text, *same_as; /* same_as NULL: refused */
} offsetless_case;

static const offsetless_case LOCAL_TIMES[] = {
    {"Asia/Shanghai", "2026-03-02T12:00:00", "2026-03-02T12:00:00+08:00"},
    {"Asia/Shanghai", "2026-03-02 00:30:00.250", "2026-03-01T16:30:00.250Z"},
    {"Asia/Shanghai", "2026-03-02T03:00:00Z", "2026-03-02T03:00:00Z"},
    {"America/New_York", "2026-07-01T09:00:00", "2026-07-01T13:00:00Z"},
    {"America/New_York", "2026-01-01T09:00:00", "2026-01-01T14:00:00Z"},
    {"UTC", "1969-12-31T23:59:59", "1969-12-31T23:59:59Z"},
    {"Asia/Shanghai", "2026-02-30T12:00:00", NULL},
    {"Asia/Shanghai", "2026-03-02T12:00", NULL},
    {"Asia/Shanghai", "noon", NULL},
    {"Asia/Shanghai", "2026-03-02T12:00:00+25:00", NULL},
};

static void test_parse_local_times(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof LOCAL_TIMES / sizeof LOCAL_TIMES[0]; i++) {
        const offsetless_case *c = &LOCAL_TIMES[i];
        zc_tz *tz = open_zone(c->zone);
        zc_ms got = 0, want = 0;
        zc_diag diag = {{0}, 0};
        zc_err err = zc_tz_parse_time(tz, c->text, &got, &diag);
        if (!c->same_as) {
            if (err != ZC_ERR_INVALID || !diag.msg[0])
                fail_msg("%s in %s was accepted", c->text, c->zone);
        } else {
            assert_int_equal(zc_time_parse_iso8601(c->same_as, &want, NULL), ZC_OK);
            if (err != ZC_OK || got != want)
                fail_msg("%s in %s: %s, %lld != %lld", c->text, c->zone, diag.msg, (long long)got,
                         (long long)want);
        }
        zc_tz_free(tz);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_local),
        cmocka_unit_test(test_to_utc),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_local_millis),
        cmocka_unit_test(test_extremes),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_fixed),
        cmocka_unit_test(test_footer_rules),
        cmocka_unit_test(test_bad_footers),
        cmocka_unit_test(test_versions),
        cmocka_unit_test(test_64bit_times),
        cmocka_unit_test(test_corrupt),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_open_names),
        cmocka_unit_test(test_open_messages),
        cmocka_unit_test(test_parse_local_times),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
