#include "zc/tz.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* TZif layout, RFC 8536. */
enum {
    TZIF_HEADER_LEN = 44,
    TZIF_MAGIC_LEN = 4,
    TZIF_VERSION_AT = 4,
    TZIF_COUNTS_AT = 20,
    TZIF_V1_TIME_LEN = 4,
    TZIF_V2_TIME_LEN = 8,
    TZIF_TYPE_LEN = 6, /* utoff (4), isdst (1), desigidx (1) */
    TZIF_TYPE_ISDST_AT = 4,
    TZIF_TYPE_DESIG_AT = 5,
    TZIF_LEAP_CORR_LEN = 4,  /* after each leap record's time */
    TZIF_UTOFF_MIN = -89999, /* more than -25 hours */
    TZIF_UTOFF_MAX = 93599,  /* less than 26 hours */
};

enum {
    TZ_NAME_MAX = 128,     /* the longest tzdata name is about 32 */
    TZ_PATH_MAX = 4096,    /* dir + '/' + name */
    TZ_FILE_MAX = 1 << 20, /* real TZif files are under 10 KiB */
    TZ_FOOTER_MAX = 128,   /* real footers are under 60 bytes */
    POSIX_ABBR_MIN = 3,    /* "CST", "<+08>" holds "+08" */
    POSIX_OFFSET_HOURS_MAX = 24,
    POSIX_RULE_HOURS_MAX = 167, /* RFC 8536 extends rule times to -167..167 hours */
    POSIX_DEFAULT_RULE_TIME = 2 * ZC_SECONDS_PER_HOUR,
    POSIX_DST_SHIFT = ZC_SECONDS_PER_HOUR, /* DST offset when the rule names none */
    POSIX_JULIAN_DAYS = 365,
    POSIX_LAST_WEEK = 5,
    POSIX_WEEKDAYS = 7,
    POSIX_MONTHS = 12,
    JULIAN_MARCH_1 = 60, /* Jn counts 1 March as day 60 in every year */
    MINUTES_PER_HOUR = 60,
};

#define MS_PER_DAY ((int64_t)ZC_SECONDS_PER_DAY * ZC_MS_PER_SECOND)

static const char TZIF_MAGIC[TZIF_MAGIC_LEN] = {'T', 'Z', 'i', 'f'};

/* The six header counts in file order. */
typedef struct tzif_counts {
    uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
} tzif_counts;

typedef struct tz_type {
    int32_t utoff;
    bool isdst;
} tz_type;

typedef enum rule_kind {
    RULE_JULIAN,       /* Jn: 1..365, 29 February never counted */
    RULE_DAY_OF_YEAR,  /* n: 0..365, 29 February counted */
    RULE_MONTH_WEEKDAY /* Mm.w.d: weekday d of week w (5 = last) of month m */
} rule_kind;

typedef struct rule_date {
    rule_kind kind;
    int day; /* Jn, n, or the weekday 0 = Sunday for Mm.w.d */
    int week;
    int month;
    int32_t time; /* local time of day of the change, may be negative or past 24 h */
} rule_date;

/* A POSIX TZ string such as "CET-1CEST,M3.5.0,M10.5.0/3". */
typedef struct tz_rule {
    int32_t std_utoff;
    int32_t dst_utoff;
    bool has_dst;
    rule_date start, end;
} tz_rule;

struct zc_tz {
    char name[TZ_NAME_MAX + 1];
    size_t ntrans;
    int64_t *trans;      /* transition instants in seconds, strictly ascending */
    uint8_t *trans_type; /* index into types for each transition */
    size_t ntypes;
    tz_type *types;
    bool has_rule; /* the footer, for instants after the last transition */
    tz_rule rule;
};

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int64_t clamp64(int64_t v, int64_t lo, int64_t hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* ---- Reading TZif bytes ---- */

typedef struct cursor {
    const uint8_t *p;
    size_t left;
} cursor;

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Two's complement decoding spelled out: converting an out-of-range unsigned is not portable. */
static int64_t be_signed(const uint8_t *p, int len)
{
    if (len == TZIF_V1_TIME_LEN) {
        uint32_t u = be32(p);
        return u > INT32_MAX ? (int64_t)u - (INT64_C(1) << 32) : (int64_t)u;
    }
    uint64_t u = (uint64_t)be32(p) << 32 | be32(p + TZIF_V1_TIME_LEN);
    return u > INT64_MAX ? -(int64_t)(~u) - 1 : (int64_t)u;
}

static zc_err truncated(zc_diag *diag)
{
    return zc_diag_set(diag, ZC_ERR_INVALID, "time zone data is truncated");
}

static zc_err read_header(cursor *c, int *version, tzif_counts *n, zc_diag *diag)
{
    if (c->left < TZIF_HEADER_LEN)
        return truncated(diag);
    if (memcmp(c->p, TZIF_MAGIC, TZIF_MAGIC_LEN) != 0)
        return zc_diag_set(diag, ZC_ERR_INVALID, "time zone data is not a TZif file");
    uint8_t v = c->p[TZIF_VERSION_AT];
    if (v == 0)
        *version = 1;
    else if (v >= '2' && v <= '4')
        *version = v - '0';
    else
        return zc_diag_set(diag, ZC_ERR_INVALID, "TZif version byte 0x%02x is not supported", v);
    const uint8_t *q = c->p + TZIF_COUNTS_AT;
    uint32_t *fields[] = {&n->isutcnt, &n->isstdcnt, &n->leapcnt,
                          &n->timecnt, &n->typecnt,  &n->charcnt};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        *fields[i] = be32(q + i * sizeof(uint32_t));
    c->p += TZIF_HEADER_LEN;
    c->left -= TZIF_HEADER_LEN;
    return ZC_OK;
}

/* Byte length of a data block; 64-bit so that hostile counts cannot wrap on 32-bit boards. */
static uint64_t block_len(const tzif_counts *n, int time_len)
{
    return (uint64_t)n->timecnt * (uint64_t)(time_len + 1) + (uint64_t)n->typecnt * TZIF_TYPE_LEN +
           n->charcnt + (uint64_t)n->leapcnt * (uint64_t)(time_len + TZIF_LEAP_CORR_LEN) +
           n->isstdcnt + n->isutcnt;
}

static zc_err check_counts(const tzif_counts *n, zc_diag *diag)
{
    if (n->typecnt == 0)
        return zc_diag_set(diag, ZC_ERR_INVALID, "TZif data has no local time types");
    if ((n->isstdcnt && n->isstdcnt != n->typecnt) || (n->isutcnt && n->isutcnt != n->typecnt))
        return zc_diag_set(diag, ZC_ERR_INVALID, "TZif indicator counts do not match the types");
    if (n->leapcnt)
        return zc_diag_set(diag, ZC_ERR_INVALID,
                           "TZif data with leap seconds (\"right/\" zones) is not supported");
    return ZC_OK;
}

static void *alloc_array(size_t count, size_t size)
{
    return calloc(count ? count : 1, size);
}

/* Fills tz's transitions and types from the data block at c, which check_counts accepted. */
static zc_err read_block(zc_tz *tz, const tzif_counts *n, int time_len, cursor *c, zc_diag *diag)
{
    uint64_t need = block_len(n, time_len);
    if (need > c->left)
        return truncated(diag);
    tz->ntrans = n->timecnt;
    tz->ntypes = n->typecnt;
    tz->trans = alloc_array(tz->ntrans, sizeof *tz->trans);
    tz->trans_type = alloc_array(tz->ntrans, sizeof *tz->trans_type);
    tz->types = alloc_array(tz->ntypes, sizeof *tz->types);
    if (!tz->trans || !tz->trans_type || !tz->types)
        return zc_diag_set(diag, ZC_ERR_NOMEM, "out of memory reading time zone data");

    const uint8_t *times = c->p;
    const uint8_t *idx = times + tz->ntrans * (size_t)time_len;
    const uint8_t *types = idx + tz->ntrans;
    for (size_t i = 0; i < tz->ntrans; i++) {
        tz->trans[i] = be_signed(times + i * (size_t)time_len, time_len);
        if (i > 0 && tz->trans[i] <= tz->trans[i - 1])
            return zc_diag_set(diag, ZC_ERR_INVALID, "TZif transitions are not in order");
        if (idx[i] >= tz->ntypes)
            return zc_diag_set(diag, ZC_ERR_INVALID, "TZif transition names a missing type");
        tz->trans_type[i] = idx[i];
    }
    for (size_t i = 0; i < tz->ntypes; i++) {
        const uint8_t *t = types + i * TZIF_TYPE_LEN;
        int64_t utoff = be_signed(t, TZIF_V1_TIME_LEN);
        if (utoff < TZIF_UTOFF_MIN || utoff > TZIF_UTOFF_MAX)
            return zc_diag_set(diag, ZC_ERR_INVALID, "TZif UTC offset %lld is out of range",
                               (long long)utoff);
        if (t[TZIF_TYPE_ISDST_AT] > 1 || t[TZIF_TYPE_DESIG_AT] >= n->charcnt)
            return zc_diag_set(diag, ZC_ERR_INVALID, "TZif local time type %zu is malformed", i);
        tz->types[i] = (tz_type){.utoff = (int32_t)utoff, .isdst = t[TZIF_TYPE_ISDST_AT]};
    }
    c->p += need;
    c->left -= (size_t)need;
    return ZC_OK;
}

/* ---- POSIX TZ strings (the footer) ---- */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* Up to max_digits decimal digits, at least one. */
static bool posix_number(const char **pp, int max_digits, int *out)
{
    const char *p = *pp;
    int v = 0, i = 0;
    for (; i < max_digits && is_digit(p[i]); i++)
        v = v * 10 + (p[i] - '0');
    if (i == 0)
        return false;
    *pp = p + i;
    *out = v;
    return true;
}

/* "CST" or "<+0330>": letters, or quoted letters, digits and signs; at least three. */
static bool posix_abbr(const char **pp)
{
    const char *p = *pp;
    size_t n = 0;
    if (*p == '<') {
        p++;
        while (is_alpha(p[n]) || is_digit(p[n]) || p[n] == '+' || p[n] == '-')
            n++;
        if (p[n] != '>')
            return false;
        *pp = p + n + 1;
    } else {
        while (is_alpha(p[n]))
            n++;
        *pp = p + n;
    }
    return n >= POSIX_ABBR_MIN;
}

/* [+-]hh[:mm[:ss]] in seconds. */
static bool posix_hms(const char **pp, int max_hours, int32_t *out)
{
    const char *p = *pp;
    int sign = 1;
    if (*p == '+' || *p == '-')
        sign = *p++ == '-' ? -1 : 1;
    int h, m = 0, s = 0;
    if (!posix_number(&p, 3, &h) || h > max_hours)
        return false;
    if (*p == ':') {
        p++;
        if (!posix_number(&p, 2, &m) || m >= MINUTES_PER_HOUR)
            return false;
        if (*p == ':') {
            p++;
            if (!posix_number(&p, 2, &s) || s >= ZC_SECONDS_PER_MINUTE)
                return false;
        }
    }
    *pp = p;
    *out = sign * (h * ZC_SECONDS_PER_HOUR + m * ZC_SECONDS_PER_MINUTE + s);
    return true;
}

/* POSIX offsets count west of Greenwich: "CST-8" is UTC+8. */
static bool posix_utoff(const char **pp, int32_t *utoff)
{
    int32_t west;
    if (!posix_hms(pp, POSIX_OFFSET_HOURS_MAX, &west))
        return false;
    *utoff = -west;
    return true;
}

static bool posix_rule_date(const char **pp, rule_date *out)
{
    const char *p = *pp;
    rule_date r = {.time = POSIX_DEFAULT_RULE_TIME};
    if (*p == 'J') {
        p++;
        r.kind = RULE_JULIAN;
        if (!posix_number(&p, 3, &r.day) || r.day < 1 || r.day > POSIX_JULIAN_DAYS)
            return false;
    } else if (*p == 'M') {
        p++;
        r.kind = RULE_MONTH_WEEKDAY;
        if (!posix_number(&p, 2, &r.month) || r.month < 1 || r.month > POSIX_MONTHS ||
            *p++ != '.' || !posix_number(&p, 1, &r.week) || r.week < 1 ||
            r.week > POSIX_LAST_WEEK || *p++ != '.' || !posix_number(&p, 1, &r.day) ||
            r.day >= POSIX_WEEKDAYS)
            return false;
    } else {
        r.kind = RULE_DAY_OF_YEAR;
        if (!posix_number(&p, 3, &r.day) || r.day > POSIX_JULIAN_DAYS)
            return false;
    }
    if (*p == '/') {
        p++;
        if (!posix_hms(&p, POSIX_RULE_HOURS_MAX, &r.time))
            return false;
    }
    *pp = p;
    *out = r;
    return true;
}

/* std offset [dst [offset] ,start[/time],end[/time]] */
static bool posix_rule(const char *s, tz_rule *out)
{
    tz_rule r = {0};
    if (!posix_abbr(&s) || !posix_utoff(&s, &r.std_utoff))
        return false;
    r.dst_utoff = r.std_utoff;
    if (*s) {
        r.has_dst = true;
        if (!posix_abbr(&s))
            return false;
        r.dst_utoff = r.std_utoff + POSIX_DST_SHIFT;
        if (*s != ',' && !posix_utoff(&s, &r.dst_utoff))
            return false;
        /* Without a rule POSIX leaves the dates to the implementation; TZif always has one. */
        if (*s++ != ',' || !posix_rule_date(&s, &r.start) || *s++ != ',' ||
            !posix_rule_date(&s, &r.end) || *s)
            return false;
    }
    *out = r;
    return true;
}

static zc_err read_footer(zc_tz *tz, cursor *c, zc_diag *diag)
{
    if (c->left < 1 || c->p[0] != '\n')
        return zc_diag_set(diag, ZC_ERR_INVALID, "TZif footer is missing");
    const uint8_t *start = c->p + 1;
    const uint8_t *nl = memchr(start, '\n', c->left - 1);
    if (!nl)
        return zc_diag_set(diag, ZC_ERR_INVALID, "TZif footer is not terminated");
    size_t len = (size_t)(nl - start);
    if (len == 0)
        return ZC_OK; /* no rule: the last transition's type goes on */
    char text[TZ_FOOTER_MAX + 1];
    if (len > TZ_FOOTER_MAX || memchr(start, '\0', len))
        return zc_diag_set(diag, ZC_ERR_INVALID, "TZif footer is malformed");
    memcpy(text, start, len);
    text[len] = '\0';
    if (!posix_rule(text, &tz->rule))
        return zc_diag_set(diag, ZC_ERR_INVALID, "TZif footer rule \"%s\" is not understood", text);
    tz->has_rule = true;
    return ZC_OK;
}

zc_err zc_tz_parse(const uint8_t *data, size_t len, zc_tz **out, zc_diag *diag)
{
    *out = NULL;
    cursor c = {.p = data, .left = data ? len : 0};
    int version = 0;
    tzif_counts n = {0};
    zc_err err = read_header(&c, &version, &n, diag);
    if (err)
        return err;
    int time_len = TZIF_V1_TIME_LEN;
    if (version >= 2) {
        /* Version 2+ repeats everything with 64-bit times after the 32-bit block: skip to it. */
        uint64_t skip = block_len(&n, TZIF_V1_TIME_LEN);
        if (skip > c.left)
            return truncated(diag);
        c.p += skip;
        c.left -= (size_t)skip;
        int version2 = 0;
        err = read_header(&c, &version2, &n, diag);
        if (err)
            return err;
        time_len = TZIF_V2_TIME_LEN;
    }
    err = check_counts(&n, diag);
    if (err)
        return err;

    zc_tz *tz = calloc(1, sizeof *tz);
    if (!tz)
        return zc_diag_set(diag, ZC_ERR_NOMEM, "out of memory reading time zone data");
    snprintf(tz->name, sizeof tz->name, "(TZif data)");
    err = read_block(tz, &n, time_len, &c, diag);
    if (!err && version >= 2)
        err = read_footer(tz, &c, diag);
    if (err) {
        zc_tz_free(tz);
        return err;
    }
    *out = tz;
    return ZC_OK;
}

/* ---- Opening by name ---- */

static bool name_char_ok(char ch)
{
    return is_alpha(ch) || is_digit(ch) || ch == '_' || ch == '+' || ch == '-' || ch == '/';
}

/* Refuses anything that could leave the zoneinfo directory, before any file is touched. */
static zc_err check_name(const char *name, zc_diag *diag)
{
    size_t len = name ? strnlen(name, TZ_NAME_MAX + 1) : 0;
    if (len == 0)
        return zc_diag_set(diag, ZC_ERR_INVALID, "time zone name is empty");
    if (len > TZ_NAME_MAX)
        return zc_diag_set(diag, ZC_ERR_INVALID, "time zone name is longer than %d characters",
                           TZ_NAME_MAX);
    if (name[0] == '/')
        return zc_diag_set(diag, ZC_ERR_INVALID,
                           "time zone name \"%s\" must be a zone like Asia/Shanghai, not a path",
                           name);
    if (strstr(name, ".."))
        return zc_diag_set(diag, ZC_ERR_INVALID, "time zone name \"%s\" must not contain \"..\"",
                           name);
    for (size_t i = 0; i < len; i++) {
        if (!name_char_ok(name[i]))
            return zc_diag_set(diag, ZC_ERR_INVALID,
                               "time zone name \"%s\" may only have letters, digits, _ + - and /",
                               name);
    }
    return ZC_OK;
}

static zc_err read_zone_file(const char *path, const char *name, uint8_t **data, size_t *len,
                             zc_diag *diag)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return zc_diag_set(diag, ZC_ERR_NOT_FOUND, "unknown time zone \"%s\" (no file %s)",
                               name, path);
        return zc_diag_set(diag, ZC_ERR_IO, "time zone %s: %s", path, strerror(errno));
    }
    struct stat st;
    zc_err err = ZC_OK;
    uint8_t *buf = NULL;
    size_t got = 0;
    if (fstat(fd, &st) != 0) {
        err = zc_diag_set(diag, ZC_ERR_IO, "time zone %s: %s", path, strerror(errno));
    } else if (!S_ISREG(st.st_mode)) {
        err = zc_diag_set(diag, ZC_ERR_NOT_FOUND, "unknown time zone \"%s\" (%s is not a file)",
                          name, path);
    } else if (st.st_size > TZ_FILE_MAX) {
        err =
            zc_diag_set(diag, ZC_ERR_INVALID, "time zone %s is too large to be a TZif file", path);
    } else if (!(buf = malloc((size_t)st.st_size + 1))) {
        err = zc_diag_set(diag, ZC_ERR_NOMEM, "out of memory reading time zone %s", path);
    } else {
        while (got < (size_t)st.st_size) {
            ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
            if (r < 0 && errno == EINTR)
                continue;
            if (r < 0) {
                err = zc_diag_set(diag, ZC_ERR_IO, "time zone %s: %s", path, strerror(errno));
                break;
            }
            if (r == 0)
                break;
            got += (size_t)r;
        }
    }
    close(fd);
    if (err) {
        free(buf);
        return err;
    }
    *data = buf;
    *len = got;
    return ZC_OK;
}

zc_err zc_tz_open(const char *dir, const char *name, zc_tz **out, zc_diag *diag)
{
    *out = NULL;
    zc_err err = check_name(name, diag);
    if (err)
        return err;
    char path[TZ_PATH_MAX];
    int n = snprintf(path, sizeof path, "%s/%s", dir ? dir : ZC_TZ_DIR, name);
    if (n < 0 || (size_t)n >= sizeof path)
        return zc_diag_set(diag, ZC_ERR_INVALID, "time zone path for \"%s\" is too long", name);
    uint8_t *data = NULL;
    size_t len = 0;
    err = read_zone_file(path, name, &data, &len, diag);
    if (err)
        return err;
    zc_diag inner = {.msg = ""};
    err = zc_tz_parse(data, len, out, &inner);
    free(data);
    if (err)
        return zc_diag_set(diag, err, "time zone %s: %s", path, inner.msg);
    snprintf((*out)->name, sizeof(*out)->name, "%s", name);
    return ZC_OK;
}

zc_err zc_tz_fixed(int32_t offset_seconds, zc_tz **out)
{
    *out = NULL;
    if (offset_seconds < TZIF_UTOFF_MIN || offset_seconds > TZIF_UTOFF_MAX)
        return ZC_ERR_INVALID;
    zc_tz *tz = calloc(1, sizeof *tz);
    if (!tz)
        return ZC_ERR_NOMEM;
    tz->ntypes = 1;
    tz->types = calloc(1, sizeof *tz->types);
    if (!tz->types) {
        free(tz);
        return ZC_ERR_NOMEM;
    }
    tz->types[0].utoff = offset_seconds;
    int32_t a = offset_seconds < 0 ? -offset_seconds : offset_seconds;
    int h = a / ZC_SECONDS_PER_HOUR;
    int m = a % ZC_SECONDS_PER_HOUR / ZC_SECONDS_PER_MINUTE;
    int s = a % ZC_SECONDS_PER_MINUTE;
    char sign = offset_seconds < 0 ? '-' : '+';
    if (offset_seconds == 0)
        snprintf(tz->name, sizeof tz->name, "UTC");
    else if (s)
        snprintf(tz->name, sizeof tz->name, "UTC%c%02d:%02d:%02d", sign, h, m, s);
    else
        snprintf(tz->name, sizeof tz->name, "UTC%c%02d:%02d", sign, h, m);
    *out = tz;
    return ZC_OK;
}

void zc_tz_free(zc_tz *tz)
{
    if (!tz)
        return;
    free(tz->trans);
    free(tz->trans_type);
    free(tz->types);
    free(tz);
}

const char *zc_tz_name(const zc_tz *tz)
{
    return tz->name;
}

/* ---- Lookups ---- */

/* Days since the epoch of a rule's date in year. */
static int64_t rule_day(const rule_date *r, int year)
{
    int64_t jan1 = zc_date_to_days((zc_date){.year = year, .month = 1, .day = 1});
    switch (r->kind) {
    case RULE_JULIAN:
        return jan1 + r->day - 1 + (zc_date_is_leap_year(year) && r->day >= JULIAN_MARCH_1);
    case RULE_DAY_OF_YEAR:
        return jan1 + r->day;
    case RULE_MONTH_WEEKDAY:
        break;
    }
    zc_date first = {.year = year, .month = r->month, .day = 1};
    int first_wday = zc_date_weekday(first) % POSIX_WEEKDAYS; /* POSIX counts from Sunday = 0 */
    int day = 1 + (r->day - first_wday + POSIX_WEEKDAYS) % POSIX_WEEKDAYS +
              (r->week - 1) * POSIX_WEEKDAYS;
    int last = zc_date_days_in_month(year, r->month);
    while (day > last)
        day -= POSIX_WEEKDAYS; /* week 5 means the last such weekday */
    return zc_date_to_days(first) + day - 1;
}

static int32_t rule_offset(const tz_rule *r, int64_t secs)
{
    if (!r->has_dst)
        return r->std_utoff;
    int year = zc_date_from_days(floor_div(secs + r->std_utoff, ZC_SECONDS_PER_DAY)).year;
    /* The change to DST happens on the standard clock, the change back on the DST clock. */
    int64_t start = rule_day(&r->start, year) * ZC_SECONDS_PER_DAY + r->start.time - r->std_utoff;
    int64_t end = rule_day(&r->end, year) * ZC_SECONDS_PER_DAY + r->end.time - r->dst_utoff;
    bool dst = start < end ? secs >= start && secs < end : !(secs >= end && secs < start);
    return dst ? r->dst_utoff : r->std_utoff;
}

static int32_t offset_at(const zc_tz *tz, int64_t secs)
{
    size_t n = tz->ntrans;
    if (tz->has_rule && (n == 0 || secs > tz->trans[n - 1]))
        return rule_offset(&tz->rule, secs);
    if (n == 0 || secs < tz->trans[0])
        return tz->types[0].utoff;
    size_t lo = 0, hi = n; /* trans[lo] <= secs < trans[hi] */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (tz->trans[mid] <= secs)
            lo = mid;
        else
            hi = mid;
    }
    return tz->types[tz->trans_type[lo]].utoff;
}

int32_t zc_tz_offset(const zc_tz *tz, zc_ms t)
{
    return offset_at(tz, floor_div(t, ZC_MS_PER_SECOND));
}

void zc_tz_local(const zc_tz *tz, zc_ms t, zc_local *out)
{
    t = clamp64(t, ZC_MS_MIN, ZC_MS_MAX);
    int32_t offset = zc_tz_offset(tz, t);
    int64_t local = clamp64(t + (int64_t)offset * ZC_MS_PER_SECOND, ZC_MS_MIN, ZC_MS_MAX);
    int64_t days = floor_div(local, MS_PER_DAY);
    int64_t ms_of_day = local - days * MS_PER_DAY;
    out->date = zc_date_from_days(days);
    out->second_of_day = (int)(ms_of_day / ZC_MS_PER_SECOND);
    out->ms = (int)(ms_of_day % ZC_MS_PER_SECOND);
    out->offset_seconds = offset;
}

zc_ms zc_tz_to_utc(const zc_tz *tz, zc_date d, int second_of_day)
{
    int64_t local = zc_date_to_days(d) * ZC_SECONDS_PER_DAY + second_of_day;
    /*
     * Real offsets stay within ±14 h, so the offsets a day either side are those before and
     * after any change near this reading. A candidate instant is real when the zone agrees
     * with the offset it assumed; none in a gap, two in an overlap.
     */
    int32_t before = offset_at(tz, local - ZC_SECONDS_PER_DAY);
    int32_t after = offset_at(tz, local + ZC_SECONDS_PER_DAY);
    int64_t u_before = local - before;
    int64_t u_after = local - after;
    bool before_ok = offset_at(tz, u_before) == before;
    bool after_ok = offset_at(tz, u_after) == after;
    int64_t u = u_before;
    if (after_ok && (!before_ok || u_after < u_before))
        u = u_after;
    return clamp64(u, ZC_MS_MIN / ZC_MS_PER_SECOND, ZC_MS_MAX / ZC_MS_PER_SECOND) *
           ZC_MS_PER_SECOND;
}

zc_err zc_tz_parse_time(const zc_tz *tz, const char *text, zc_ms *out, zc_diag *diag)
{
    zc_err err = zc_time_parse_iso8601(text, out, diag);
    if (err != ZC_ERR_INVALID || !text || strlen(text) >= ZC_ISO8601_MAX)
        return err;
    /* Read the wall-clock fields as if they were UTC, then place them in tz. */
    char utc[ZC_ISO8601_MAX + 1];
    zc_ms wall;
    snprintf(utc, sizeof utc, "%sZ", text);
    if (zc_time_parse_iso8601(utc, &wall, NULL) != ZC_OK)
        return err;
    const zc_ms day_ms = (zc_ms)ZC_SECONDS_PER_DAY * ZC_MS_PER_SECOND;
    int64_t days = wall >= 0 ? wall / day_ms : -((-wall + day_ms - 1) / day_ms);
    zc_ms into_day = wall - days * day_ms;
    *out = zc_tz_to_utc(tz, zc_date_from_days(days), (int)(into_day / ZC_MS_PER_SECOND)) +
           into_day % ZC_MS_PER_SECOND;
    return ZC_OK;
}
