#include "zc/csv.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The widest row the limits allow, each field with its NUL: fields never need a reallocation. */
enum { ROW_BUF_LEN = ZC_CSV_MAX_FIELDS * (ZC_CSV_MAX_FIELD_LEN + 1) };

static const unsigned char BOM[] = {0xEF, 0xBB, 0xBF};

struct zc_csv {
    const unsigned char *start;
    const unsigned char *p; /* next unread byte */
    const unsigned char *end;
    long line;   /* line of *p */
    bool failed; /* an error stops the reader for good: nothing after it can be trusted */
    char buf[ROW_BUF_LEN];
};

zc_err zc_csv_new(const char *data, size_t len, zc_csv **out)
{
    zc_csv *csv = malloc(sizeof *csv);
    *out = NULL;
    if (!csv)
        return ZC_ERR_NOMEM;
    if (len == 0)
        data = ""; /* callers may pass NULL for nothing: keep pointer arithmetic defined */
    csv->start = csv->p = (const unsigned char *)data;
    csv->end = csv->p + len;
    csv->line = 1;
    csv->failed = false;
    if (len >= sizeof BOM && memcmp(data, BOM, sizeof BOM) == 0)
        csv->p += sizeof BOM;
    *out = csv;
    return ZC_OK;
}

void zc_csv_free(zc_csv *csv)
{
    free(csv);
}

void zc_csv_seek(zc_csv *csv, size_t offset, long line)
{
    size_t len = (size_t)(csv->end - csv->start);
    csv->p = csv->start + (offset < len ? offset : len);
    csv->line = line;
    csv->failed = false;
}

__attribute__((format(printf, 4, 5))) static zc_err fail(zc_csv *csv, zc_diag *diag, long line,
                                                         const char *fmt, ...)
{
    char what[ZC_DIAG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    csv->failed = true;
    return zc_diag_set_line(diag, ZC_ERR_INVALID, line, "line %ld: %s", line, what);
}

/*
 * Length of the well-formed UTF-8 sequence at p, or 0 (Unicode table 3-7). The narrowed range of
 * the second byte after E0, ED, F0 and F4 is what refuses overlong forms, UTF-16 surrogates and
 * code points past U+10FFFF.
 */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
    unsigned char lo = 0x80, hi = 0xBF;
    size_t n;
    if (*p < 0x80)
        return 1;
    if (*p >= 0xC2 && *p <= 0xDF) {
        n = 2;
    } else if (*p >= 0xE0 && *p <= 0xEF) {
        n = 3;
        lo = *p == 0xE0 ? 0xA0 : lo;
        hi = *p == 0xED ? 0x9F : hi;
    } else if (*p >= 0xF0 && *p <= 0xF4) {
        n = 4;
        lo = *p == 0xF0 ? 0x90 : lo;
        hi = *p == 0xF4 ? 0x8F : hi;
    } else {
        return 0;
    }
    if ((size_t)(end - p) < n || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    return n;
}

/* Bytes that can be copied as they are inside an unquoted field. */
static bool plain(unsigned char c)
{
    return c < 0x80 && c != ',' && c != '"' && c != '\n' && c != '\r' && c != '\0';
}

/* Appends n bytes to the field that starts at field, refusing to grow it past the limit. */
static zc_err append(zc_csv *csv, const char *field, char **out, size_t n, zc_diag *diag)
{
    if ((size_t)(*out - field) + n > ZC_CSV_MAX_FIELD_LEN)
        return fail(csv, diag, csv->line, "field longer than %d bytes", ZC_CSV_MAX_FIELD_LEN);
    memcpy(*out, csv->p, n);
    *out += n;
    csv->p += n;
    return ZC_OK;
}

/* Appends the character at csv->p: a run of plain ASCII, or one checked UTF-8 sequence. */
static zc_err take(zc_csv *csv, const char *field, char **out, zc_diag *diag)
{
    const unsigned char *q = csv->p;
    if (*q == '\0')
        return fail(csv, diag, csv->line, "NUL byte");
    if (*q >= 0x80) {
        size_t n = utf8_len(q, csv->end);
        if (!n)
            return fail(csv, diag, csv->line, "invalid UTF-8");
        return append(csv, field, out, n, diag);
    }
    while (q < csv->end && plain(*q))
        q++;
    return append(csv, field, out, q > csv->p ? (size_t)(q - csv->p) : 1, diag);
}

/* Consumes one line end (LF, CRLF or a lone CR) at csv->p, copying it when out is not NULL. */
static zc_err end_line(zc_csv *csv, const char *field, char **out, zc_diag *diag)
{
    size_t n = csv->p[0] == '\r' && csv->p + 1 < csv->end && csv->p[1] == '\n' ? 2 : 1;
    zc_err err = ZC_OK;
    if (out)
        err = append(csv, field, out, n, diag);
    else
        csv->p += n;
    csv->line++;
    return err;
}

static zc_err quoted(zc_csv *csv, const char *field, char **out, zc_diag *diag)
{
    long first_line = csv->line;
    zc_err err = ZC_OK;
    csv->p++;
    for (;;) {
        if (csv->p == csv->end)
            return fail(csv, diag, first_line, "quoted field is never closed");
        unsigned char c = *csv->p;
        if (c == '"') {
            if (csv->p + 1 == csv->end || csv->p[1] != '"')
                break;
            csv->p++; /* "" stands for one quote: keep the second */
            err = append(csv, field, out, 1, diag);
        } else if (c == '\n' || c == '\r') {
            err = end_line(csv, field, out, diag);
        } else if (c == ',') {
            err = append(csv, field, out, 1, diag);
        } else {
            err = take(csv, field, out, diag);
        }
        if (err)
            return err;
    }
    csv->p++;
    if (csv->p < csv->end && *csv->p != ',' && *csv->p != '\n' && *csv->p != '\r')
        return fail(csv, diag, csv->line, "text after the closing quote of a field");
    return ZC_OK;
}

static zc_err unquoted(zc_csv *csv, const char *field, char **out, zc_diag *diag)
{
    while (csv->p < csv->end && *csv->p != ',' && *csv->p != '\n' && *csv->p != '\r') {
        if (*csv->p == '"')
            return fail(csv, diag, csv->line,
                        "quote inside an unquoted field (quote the whole field and double it)");
        zc_err err = take(csv, field, out, diag);
        if (err)
            return err;
    }
    return ZC_OK;
}

zc_err zc_csv_next(zc_csv *csv, zc_csv_row *row, zc_diag *diag)
{
    if (csv->failed)
        return fail(csv, diag, csv->line, "reading stopped at an earlier error");
    while (csv->p < csv->end && (*csv->p == '\n' || *csv->p == '\r'))
        end_line(csv, NULL, NULL, diag);
    if (csv->p == csv->end)
        return ZC_ERR_NOT_FOUND;

    row->line = csv->line;
    row->offset = (size_t)(csv->p - csv->start);
    row->nfields = 0;
    char *out = csv->buf;
    for (;;) {
        if (row->nfields == ZC_CSV_MAX_FIELDS)
            return fail(csv, diag, csv->line, "more than %d fields", ZC_CSV_MAX_FIELDS);
        char *field = out;
        zc_err err = csv->p < csv->end && *csv->p == '"' ? quoted(csv, field, &out, diag)
                                                         : unquoted(csv, field, &out, diag);
        if (err)
            return err;
        row->fields[row->nfields] = field;
        row->lens[row->nfields] = (size_t)(out - field);
        row->nfields++;
        *out++ = '\0';
        if (csv->p == csv->end)
            return ZC_OK;
        if (*csv->p != ',') {
            end_line(csv, NULL, NULL, diag);
            return ZC_OK;
        }
        csv->p++;
    }
}

zc_err zc_csv_fail(zc_diag *diag, long line, const char *field, const char *fmt, ...)
{
    char why[ZC_DIAG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    if (field)
        return zc_diag_set_line(diag, ZC_ERR_INVALID, line, "line %ld: %s: %s", line, field, why);
    return zc_diag_set_line(diag, ZC_ERR_INVALID, line, "line %ld: %s", line, why);
}

int zc_csv_quote_len(const char *text, size_t len)
{
    if (len <= ZC_CSV_QUOTE_MAX)
        return (int)len;
    len = ZC_CSV_QUOTE_MAX;
    while (len > 0 && ((unsigned char)text[len] & 0xC0) == 0x80)
        len--;
    return (int)len;
}

zc_err zc_csv_check_header(const zc_csv_row *row, const char *const *names, size_t n, zc_diag *diag)
{
    if (row->nfields != n) {
        char expected[ZC_DIAG_MAX / 2] = "";
        for (size_t i = 0; i < n; i++) {
            size_t used = strlen(expected);
            snprintf(expected + used, sizeof expected - used, "%s%s", i ? "," : "", names[i]);
        }
        return zc_csv_fail(diag, row->line, "header", "expected %s", expected);
    }
    for (size_t i = 0; i < n; i++) {
        const char *text = row->fields[i];
        size_t len = row->lens[i];
        while (len > 0 && (*text == ' ' || *text == '\t'))
            text++, len--;
        while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\t'))
            len--;
        if (len != strlen(names[i]) || memcmp(text, names[i], len) != 0)
            return zc_csv_fail(diag, row->line, "header", "column %zu is \"%.*s\", expected \"%s\"",
                               i + 1, zc_csv_quote_len(text, len), text, names[i]);
    }
    return ZC_OK;
}

static bool id_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

/* True when the id text[start, end) already stands before start in the '|'-separated list. */
static bool listed_before(const char *text, size_t start, size_t end)
{
    for (size_t prev = 0; prev < start;) {
        size_t prev_end = prev;
        while (text[prev_end] != '|')
            prev_end++;
        if (prev_end - prev == end - start && memcmp(text + prev, text + start, end - start) == 0)
            return true;
        prev = prev_end + 1;
    }
    return false;
}

zc_err zc_csv_check_id_list(const zc_csv_row *row, size_t col, const char *field, const char *what,
                            size_t max_len, size_t id_max, zc_diag *diag)
{
    const char *text = row->fields[col];
    size_t len = row->lens[col];
    if (len >= max_len)
        return zc_csv_fail(diag, row->line, field, "longer than %zu bytes", max_len - 1);
    for (size_t start = 0; len > 0 && start <= len;) {
        size_t end = start;
        while (end < len && text[end] != '|')
            end++;
        int shown = zc_csv_quote_len(text + start, end - start);
        if (end == start)
            return zc_csv_fail(diag, row->line, field, "empty %s id (\"%.*s\")", what,
                               zc_csv_quote_len(text, len), text);
        for (size_t i = start; i < end; i++)
            if (!id_char(text[i]))
                return zc_csv_fail(diag, row->line, field,
                                   "\"%.*s\" is not a %s id (lower-case letters, digits, _)", shown,
                                   text + start, what);
        if (end - start > id_max)
            return zc_csv_fail(diag, row->line, field, "a %s id is longer than %zu bytes", what,
                               id_max);
        if (listed_before(text, start, end))
            return zc_csv_fail(diag, row->line, field, "\"%.*s\" is listed twice", shown,
                               text + start);
        start = end + 1;
    }
    return ZC_OK;
}
