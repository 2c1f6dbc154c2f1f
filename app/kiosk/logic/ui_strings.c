/*
 * The strings file parser (format in ui_strings.h). It reads bytes, never trusts them, and keeps
 * the entries sorted by key so a lookup is a binary search: a screen looks up a dozen keys each
 * time it is drawn.
 *
 * This file depends on nothing but libc and zc/err.h, so the fuzz target (tests/fuzz/
 * fuzz_strings.c) compiles it into itself.
 */
#include "ui_strings.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct entry {
    char key[ZC_STRINGS_KEY_MAX];
    char text[ZC_STRINGS_TEXT_MAX];
    long line;
} entry;

struct zc_strings {
    entry *v;
    size_t n, cap;
};

static const char BOM[] = "\xEF\xBB\xBF";

static bool is_key_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
}

static bool is_blank(unsigned char c)
{
    return c == ' ' || c == '\t';
}

/*
 * Length of the valid UTF-8 sequence at p (at most n bytes), 0 when it is not one: overlong
 * forms, surrogates and code points above U+10FFFF are refused, as RFC 3629 says.
 */
static size_t utf8_len(const unsigned char *p, size_t n)
{
    if (p[0] < 0x80)
        return 1;
    size_t len;
    uint32_t cp, min;
    if ((p[0] & 0xE0) == 0xC0) {
        len = 2, cp = p[0] & 0x1F, min = 0x80;
    } else if ((p[0] & 0xF0) == 0xE0) {
        len = 3, cp = p[0] & 0x0F, min = 0x800;
    } else if ((p[0] & 0xF8) == 0xF0) {
        len = 4, cp = p[0] & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

/* Checks a text: UTF-8, no control characters, braces only in placeholders. */
static const char *check_text(const char *t, size_t n)
{
    const unsigned char *p = (const unsigned char *)t;
    for (size_t i = 0; i < n;) {
        if (p[i] < 0x20 || p[i] == 0x7F)
            return "text holds a control character";
        if (p[i] == '{') {
            if (i + 2 >= n || p[i + 1] < '1' || p[i + 1] > '9' || p[i + 2] != '}')
                return "'{' must start a placeholder {1} .. {9}";
            i += 3;
            continue;
        }
        if (p[i] == '}')
            return "'}' outside a placeholder";
        size_t len = utf8_len(p + i, n - i);
        if (len == 0)
            return "text is not valid UTF-8";
        /* U+0085 (NEL), U+2028 and U+2029 break lines in some renderers: control characters too. */
        if ((len == 2 && p[i] == 0xC2 && p[i + 1] == 0x85) ||
            (len == 3 && p[i] == 0xE2 && p[i + 1] == 0x80 &&
             (p[i + 2] == 0xA8 || p[i + 2] == 0xA9)))
            return "text holds a control character";
        i += len;
    }
    return NULL;
}

static int entry_cmp(const void *a, const void *b)
{
    return strcmp(((const entry *)a)->key, ((const entry *)b)->key);
}

/* One non-blank, non-comment line; NULL on success, else the reason it is refused. */
static const char *parse_line(zc_strings *s, const char *line, size_t n, long lineno)
{
    size_t i = 0;
    while (i < n && is_key_char((unsigned char)line[i]))
        i++;
    size_t keylen = i;
    if (keylen == 0)
        return "expected a key of [a-z0-9_.]";
    if (line[0] < 'a' || line[0] > 'z')
        return "a key starts with a letter a-z";
    if (keylen >= ZC_STRINGS_KEY_MAX)
        return "key is longer than 63 bytes";
    while (i < n && is_blank((unsigned char)line[i]))
        i++;
    if (i >= n || line[i] != '=')
        return "expected '=' after the key";
    i++;
    while (i < n && is_blank((unsigned char)line[i]))
        i++;
    size_t end = n;
    while (end > i && is_blank((unsigned char)line[end - 1]))
        end--;
    if (end == i)
        return "text is empty";
    if (end - i >= ZC_STRINGS_TEXT_MAX)
        return "text is longer than 255 bytes";
    const char *why = check_text(line + i, end - i);
    if (why)
        return why;
    if (s->n == ZC_STRINGS_ENTRIES_MAX)
        return "too many keys";
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        entry *v = realloc(s->v, cap * sizeof *v);
        if (!v)
            return NULL; /* reported as out of memory by the caller, see parse() */
        s->v = v;
        s->cap = cap;
    }
    entry *e = &s->v[s->n++];
    memcpy(e->key, line, keylen);
    e->key[keylen] = '\0';
    memcpy(e->text, line + i, end - i);
    e->text[end - i] = '\0';
    e->line = lineno;
    return NULL;
}

static zc_err parse(zc_strings *s, const char *data, size_t len, zc_diag *diag)
{
    size_t pos = 0;
    if (len >= 3 && memcmp(data, BOM, 3) == 0)
        pos = 3;
    for (long lineno = 1; pos < len; lineno++) {
        const char *nl = memchr(data + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - data) : len;
        size_t n = end - pos;
        const char *line = data + pos;
        pos = nl ? end + 1 : len;
        if (n > 0 && line[n - 1] == '\r')
            n--;
        if (memchr(line, '\r', n))
            return zc_diag_set_line(diag, ZC_ERR_INVALID, lineno, "line %ld: stray carriage return",
                                    lineno);
        if (memchr(line, '\0', n))
            return zc_diag_set_line(diag, ZC_ERR_INVALID, lineno, "line %ld: NUL byte", lineno);
        size_t i = 0;
        while (i < n && is_blank((unsigned char)line[i]))
            i++;
        if (i == n || line[i] == '#')
            continue;
        if (i > 0)
            return zc_diag_set_line(diag, ZC_ERR_INVALID, lineno,
                                    "line %ld: a key starts at the beginning of its line", lineno);
        size_t before = s->n;
        const char *why = parse_line(s, line, n, lineno);
        if (why)
            return zc_diag_set_line(diag, ZC_ERR_INVALID, lineno, "line %ld: %s", lineno, why);
        if (s->n == before)
            return zc_diag_set(diag, ZC_ERR_NOMEM, "out of memory reading strings");
    }
    if (s->n > 0)
        qsort(s->v, s->n, sizeof *s->v, entry_cmp);
    for (size_t i = 1; i < s->n; i++)
        if (strcmp(s->v[i - 1].key, s->v[i].key) == 0) {
            long first = s->v[i - 1].line, again = s->v[i].line;
            if (first > again) {
                long t = first;
                first = again;
                again = t;
            }
            return zc_diag_set_line(diag, ZC_ERR_INVALID, again,
                                    "line %ld: key %s already given on line %ld", again,
                                    s->v[i].key, first);
        }
    return ZC_OK;
}

zc_err zc_strings_parse(const char *data, size_t len, zc_strings **out, zc_diag *diag)
{
    *out = NULL;
    if (!data && len > 0)
        return zc_diag_set(diag, ZC_ERR_INVALID, "no strings data");
    if (len > ZC_STRINGS_FILE_MAX)
        return zc_diag_set(diag, ZC_ERR_INVALID, "strings file is larger than %d bytes",
                           ZC_STRINGS_FILE_MAX);
    zc_strings *s = calloc(1, sizeof *s);
    if (!s)
        return zc_diag_set(diag, ZC_ERR_NOMEM, "out of memory reading strings");
    zc_err err = parse(s, data ? data : "", len, diag);
    if (err) {
        zc_strings_free(s);
        return err;
    }
    *out = s;
    return ZC_OK;
}

zc_err zc_strings_load(const char *path, zc_strings **out, zc_diag *diag)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return zc_diag_set(diag, ZC_ERR_IO, "%s: cannot open", path);
    /* One byte more than allowed, so an oversized file is told apart from a full one. */
    char *buf = malloc(ZC_STRINGS_FILE_MAX + 1);
    if (!buf) {
        fclose(f);
        return zc_diag_set(diag, ZC_ERR_NOMEM, "out of memory reading %s", path);
    }
    size_t len = fread(buf, 1, ZC_STRINGS_FILE_MAX + 1, f);
    bool bad = ferror(f) != 0;
    fclose(f);
    zc_err err;
    if (bad) {
        err = zc_diag_set(diag, ZC_ERR_IO, "%s: read error", path);
    } else {
        zc_diag d = {{0}, 0};
        err = zc_strings_parse(buf, len, out, &d);
        if (err && diag) {
            diag->line = d.line;
            zc_diag_set_line(diag, err, d.line, "%s: %s", path, d.msg);
        }
    }
    free(buf);
    return err;
}

void zc_strings_free(zc_strings *s)
{
    if (!s)
        return;
    free(s->v);
    free(s);
}

const char *zc_strings_get(const zc_strings *s, const char *key)
{
    if (!s || !key || s->n == 0)
        return NULL;
    entry probe;
    if (strlen(key) >= sizeof probe.key)
        return NULL;
    memcpy(probe.key, key, strlen(key) + 1);
    const entry *e = bsearch(&probe, s->v, s->n, sizeof *s->v, entry_cmp);
    return e ? e->text : NULL;
}

size_t zc_strings_count(const zc_strings *s)
{
    return s ? s->n : 0;
}

const char *zc_strings_key_at(const zc_strings *s, size_t i)
{
    return s && i < s->n ? s->v[i].key : NULL;
}

/* Appends n bytes of src at *len, stopping before a character that would not fit whole. */
static void put(char *buf, size_t size, size_t *len, const char *src, size_t n)
{
    const unsigned char *p = (const unsigned char *)src;
    size_t i = 0;
    while (i < n) {
        size_t clen = 1;
        if (p[i] >= 0xC0)
            clen = p[i] >= 0xF0 ? 4 : p[i] >= 0xE0 ? 3 : 2;
        if (clen > n - i)
            clen = n - i;
        if (*len + clen >= size)
            break;
        memcpy(buf + *len, src + i, clen);
        *len += clen;
        i += clen;
    }
    buf[*len] = '\0';
}

size_t zc_strings_format(const char *tmpl, const char *const *args, size_t nargs, char *buf,
                         size_t size)
{
    if (!buf || size == 0)
        return 0;
    size_t len = 0;
    buf[0] = '\0';
    if (!tmpl)
        return 0;
    const char *p = tmpl;
    while (*p) {
        const char *brace = strchr(p, '{');
        if (!brace) {
            put(buf, size, &len, p, strlen(p));
            break;
        }
        put(buf, size, &len, p, (size_t)(brace - p));
        if (brace[1] >= '1' && brace[1] <= '9' && brace[2] == '}') {
            size_t k = (size_t)(brace[1] - '1');
            const char *a = k < nargs && args ? args[k] : NULL;
            if (a)
                put(buf, size, &len, a, strlen(a));
            p = brace + 3;
        } else {
            /* Not a placeholder (a parsed file has none such): copy the brace as it is. */
            put(buf, size, &len, brace, 1);
            p = brace + 1;
        }
    }
    return len;
}

size_t zc_strings_append(char *buf, size_t size, const char *src)
{
    if (!buf || size == 0)
        return 0;
    size_t len = strnlen(buf, size - 1);
    buf[len] = '\0';
    if (src)
        put(buf, size, &len, src, strlen(src));
    return len;
}

size_t zc_strings_copy(char *buf, size_t size, const char *src)
{
    return zc_strings_copy_n(buf, size, src, src ? strlen(src) : 0);
}

size_t zc_strings_copy_n(char *buf, size_t size, const char *src, size_t n)
{
    if (!buf || size == 0)
        return 0;
    size_t len = 0;
    buf[0] = '\0';
    if (src)
        put(buf, size, &len, src, strnlen(src, n));
    return len;
}
