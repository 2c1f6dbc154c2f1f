#include "testutil.h"

#include "zc/csv.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Each case reads input to the end and renders what came out: one "LINE:[field][field]" per row,
 * rows separated by newlines. A case that ends in an error also names the error's line and a part
 * of its message; the rows before the error must still come out right.
 */
typedef struct csv_case {
    const char *name;
    const char *input;
    size_t len; /* 0: strlen(input); set for inputs holding NUL bytes */
    const char *rows;
    long err_line; /* 0: reads to the end without an error */
    const char *err_has;
} csv_case;

enum { RENDER_MAX = 1 << 16 };

#define LONG_FIELD_LEN (ZC_CSV_MAX_FIELD_LEN + 1)

static const csv_case CASES[] = {
    {"empty", "", 0, "", 0, NULL},
    {"only a BOM", "\xEF\xBB\xBF", 0, "", 0, NULL},
    {"only blank lines", "\n\r\n\r\n", 0, "", 0, NULL},
    {"LF", "a,b\nc,d\n", 0, "1:[a][b]\n2:[c][d]", 0, NULL},
    {"CRLF", "a,b\r\nc,d\r\n", 0, "1:[a][b]\n2:[c][d]", 0, NULL},
    {"lone CR", "a,b\rc,d\r", 0, "1:[a][b]\n2:[c][d]", 0, NULL},
    {"mixed line ends", "a\rb\r\nc\nd", 0, "1:[a]\n2:[b]\n3:[c]\n4:[d]", 0, NULL},
    {"BOM then rows", "\xEF\xBB\xBFid,name\n1,x\n", 0, "1:[id][name]\n2:[1][x]", 0, NULL},
    {"BOM only at the start",
     "a\n\xEF\xBB\xBF"
     "b\n",
     0,
     "1:[a]\n2:[\xEF\xBB\xBF"
     "b]",
     0, NULL},
    {"no final newline", "a,b\nc,d", 0, "1:[a][b]\n2:[c][d]", 0, NULL},
    {"blank lines skipped, counted", "a\n\n\r\nb\n\n", 0, "1:[a]\n4:[b]", 0, NULL},
    {"empty fields", ",a,,\n,\n", 0, "1:[][a][][]\n2:[][]", 0, NULL},
    {"trailing comma at end of input", "a,", 0, "1:[a][]", 0, NULL},
    {"quoted commas", "\"a,b\",c\n", 0, "1:[a,b][c]", 0, NULL},
    {"doubled quotes", "\"say \"\"hi\"\"\",\"\"\"\"\n", 0, "1:[say \"hi\"][\"]", 0, NULL},
    {"empty quoted field", "\"\",\"\"\n", 0, "1:[][]", 0, NULL},
    {"quoted field at end of input", "a,\"b\"", 0, "1:[a][b]", 0, NULL},
    {"multi-line field keeps lines", "a,\"x\ny\r\nz\"\nb,c\n", 0, "1:[a][x\ny\r\nz]\n4:[b][c]", 0,
     NULL},
    {"multi-line field, lone CR", "\"x\ry\"\rb\r", 0, "1:[x\ry]\n3:[b]", 0, NULL},
    {"spaces are data", " a , b \n", 0, "1:[ a ][ b ]", 0, NULL},
    {"UTF-8", "张三华,欧阳娜娜,😀\n", 0, "1:[张三华][欧阳娜娜][😀]", 0, NULL},
    {"unterminated quote", "a\nb,\"open\nc\nd\n", 0, "1:[a]", 2, "never closed"},
    {"text after closing quote", "a\n\"b\"c\n", 0, "1:[a]", 2, "after the closing quote"},
    {"text after closing quote, later line", "\"a\nb\"x\n", 0, "", 2, "after the closing quote"},
    {"quote inside unquoted field", "a\nb\"c\n", 0, "1:[a]", 2, "quote inside an unquoted"},
    {"quote after spaces", "a, \"b\"\n", 0, "", 1, "quote inside an unquoted"},
    {"NUL byte", "a\nb\0c\n", 6, "1:[a]", 2, "NUL byte"},
    {"NUL byte in quotes", "\"a\n\0\"\n", 6, "", 2, "NUL byte"},
    {"stray continuation byte", "a\nb\x80\n", 0, "1:[a]", 2, "invalid UTF-8"},
    {"truncated sequence", "\xE5\xBC", 0, "", 1, "invalid UTF-8"},
    {"truncated sequence before comma", "\xE5\xBC,a", 0, "", 1, "invalid UTF-8"},
    {"overlong slash", "\xC0\xAF", 0, "", 1, "invalid UTF-8"},
    {"overlong 3-byte", "\xE0\x80\xAF", 0, "", 1, "invalid UTF-8"},
    {"overlong 4-byte", "\xF0\x80\x80\xAF", 0, "", 1, "invalid UTF-8"},
    {"surrogate", "ok\n\n\xED\xA0\x80", 0, "1:[ok]", 3, "invalid UTF-8"},
    {"past U+10FFFF", "\xF4\x90\x80\x80", 0, "", 1, "invalid UTF-8"},
    {"invalid UTF-8 in quotes on line 3", "\"a\nb\n\xFF\"", 0, "", 3, "invalid UTF-8"},
};

static void render(const zc_csv_row *row, char *buf, size_t size, size_t *used)
{
    int n = snprintf(buf + *used, size - *used, "%s%ld:", *used ? "\n" : "", row->line);
    assert_true(n > 0 && (size_t)n < size - *used);
    *used += (size_t)n;
    for (size_t i = 0; i < row->nfields; i++) {
        assert_int_equal(strlen(row->fields[i]), row->lens[i]);
        n = snprintf(buf + *used, size - *used, "[%s]", row->fields[i]);
        assert_true(n > 0 && (size_t)n < size - *used);
        *used += (size_t)n;
    }
}

/* Reads everything; returns the final error (ZC_ERR_NOT_FOUND at a clean end). */
static zc_err read_all(const char *input, size_t len, char *out, size_t size, zc_diag *diag)
{
    zc_csv *csv;
    zc_csv_row row;
    size_t used = 0;
    zc_err err;
    assert_int_equal(zc_csv_new(input, len, &csv), ZC_OK);
    out[0] = '\0';
    while ((err = zc_csv_next(csv, &row, diag)) == ZC_OK)
        render(&row, out, size, &used);
    /* An error is final: the reader does not resume behind it. */
    if (err != ZC_ERR_NOT_FOUND)
        assert_int_equal(zc_csv_next(csv, &row, NULL), err);
    zc_csv_free(csv);
    return err;
}

static void test_cases(void **state)
{
    (void)state;
    static char out[RENDER_MAX];
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        const csv_case *c = &CASES[i];
        zc_diag diag = {{0}, 0};
        size_t len = c->len ? c->len : strlen(c->input);
        zc_err err = read_all(c->input, len, out, sizeof out, &diag);
        if (strcmp(out, c->rows) != 0)
            fail_msg("%s: rows\n%s\nexpected\n%s", c->name, out, c->rows);
        if (!c->err_line) {
            if (err != ZC_ERR_NOT_FOUND)
                fail_msg("%s: unexpected error: %s", c->name, diag.msg);
            continue;
        }
        if (err != ZC_ERR_INVALID || diag.line != c->err_line || !strstr(diag.msg, c->err_has))
            fail_msg("%s: got error %d line %ld \"%s\", expected line %ld \"%s\"", c->name, err,
                     diag.line, diag.msg, c->err_line, c->err_has);
        char prefix[32];
        snprintf(prefix, sizeof prefix, "line %ld: ", c->err_line);
        if (strncmp(diag.msg, prefix, strlen(prefix)) != 0)
            fail_msg("%s: message \"%s\" does not start with \"%s\"", c->name, diag.msg, prefix);
    }
}

/*
 * Builds "prefix" + n copies of fill + "suffix" in a fresh buffer, its length in *len. The pieces
 * are laid down as bytes, then the whole is terminated once.
 */
static char *build(const char *prefix, size_t n, char fill, const char *suffix, size_t *len)
{
    size_t lp = strlen(prefix), ls = strlen(suffix);
    *len = lp + n + ls;
    char *buf = malloc(*len + 1);
    assert_non_null(buf);
    memcpy(buf, prefix, lp);
    memset(buf + lp, fill, n);
    memcpy(buf + lp + n, suffix, ls);
    buf[*len] = '\0';
    return buf;
}

static void test_limits(void **state)
{
    (void)state;
    static char out[RENDER_MAX * 2];
    zc_diag diag = {{0}, 0};
    size_t len;

    /* A field of exactly the limit is fine, quoted or not; one byte more is not. */
    char *at_limit = build("a\n", ZC_CSV_MAX_FIELD_LEN, 'x', "\n", &len);
    assert_int_equal(read_all(at_limit, len, out, sizeof out, &diag), ZC_ERR_NOT_FOUND);
    free(at_limit);
    char *too_long = build("a\n\"", LONG_FIELD_LEN, 'x', "\"\n", &len);
    assert_int_equal(read_all(too_long, len, out, sizeof out, &diag), ZC_ERR_INVALID);
    assert_int_equal(diag.line, 2);
    assert_non_null(strstr(diag.msg, "longer than"));
    free(too_long);
    char *too_long_utf8 = build("", ZC_CSV_MAX_FIELD_LEN - 1, 'x', "张", &len);
    assert_int_equal(read_all(too_long_utf8, len, out, sizeof out, &diag), ZC_ERR_INVALID);
    assert_non_null(strstr(diag.msg, "longer than"));
    free(too_long_utf8);

    /* The widest row: every field at the limit. */
    size_t wide_len = (size_t)ZC_CSV_MAX_FIELDS * (ZC_CSV_MAX_FIELD_LEN + 1);
    char *wide = malloc(wide_len);
    assert_non_null(wide);
    for (size_t i = 0; i < ZC_CSV_MAX_FIELDS; i++) {
        memset(wide + i * (ZC_CSV_MAX_FIELD_LEN + 1), 'y', ZC_CSV_MAX_FIELD_LEN);
        wide[i * (ZC_CSV_MAX_FIELD_LEN + 1) + ZC_CSV_MAX_FIELD_LEN] = ',';
    }
    wide[wide_len - 1] = '\n';
    zc_csv *csv;
    zc_csv_row row;
    assert_int_equal(zc_csv_new(wide, wide_len, &csv), ZC_OK);
    assert_int_equal(zc_csv_next(csv, &row, &diag), ZC_OK);
    assert_int_equal(row.nfields, ZC_CSV_MAX_FIELDS);
    assert_int_equal(row.lens[ZC_CSV_MAX_FIELDS - 1], ZC_CSV_MAX_FIELD_LEN);
    assert_int_equal(zc_csv_next(csv, &row, &diag), ZC_ERR_NOT_FOUND);
    zc_csv_free(csv);
    free(wide);

    /* One field too many. */
    char *many = build("ok\n\n", ZC_CSV_MAX_FIELDS, ',', "\n", &len);
    assert_int_equal(read_all(many, len, out, sizeof out, &diag), ZC_ERR_INVALID);
    assert_int_equal(diag.line, 3);
    assert_non_null(strstr(diag.msg, "more than"));
    free(many);
    char *fits = build("", ZC_CSV_MAX_FIELDS - 1, ',', "", &len);
    assert_int_equal(read_all(fits, len, out, sizeof out, &diag), ZC_ERR_NOT_FOUND);
    free(fits);
}

/* The int that s spells in decimal; anything else, trailing text included, fails the test. */
static int parse_int(const char *s)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end != '\0' || errno == ERANGE || v < INT_MIN || v > INT_MAX)
        fail_msg("\"%s\" is not a whole number", s);
    return (int)v;
}

/* Many rows: line numbers keep counting and nothing is lost at buffer-sized boundaries. */
static void test_many_rows(void **state)
{
    (void)state;
    enum { ROWS = 100000, ROW_MAX = 64 };
    char *data = malloc((size_t)ROWS * ROW_MAX);
    assert_non_null(data);
    size_t len = 0;
    for (int i = 0; i < ROWS; i++)
        len +=
            (size_t)snprintf(data + len, ROW_MAX, i % 2 ? "%d,\"q\n%d\"\r\n" : "%d,张%d\n", i, i);
    zc_csv *csv;
    zc_csv_row row;
    assert_int_equal(zc_csv_new(data, len, &csv), ZC_OK);
    long line = 1;
    for (int i = 0; i < ROWS; i++) {
        assert_int_equal(zc_csv_next(csv, &row, NULL), ZC_OK);
        assert_int_equal(row.line, line);
        assert_int_equal(row.nfields, 2);
        assert_int_equal(parse_int(row.fields[0]), i);
        line += i % 2 ? 2 : 1;
    }
    assert_int_equal(zc_csv_next(csv, &row, NULL), ZC_ERR_NOT_FOUND);
    zc_csv_free(csv);
    free(data);
}

/* Rows can be read again in any order from the offset and line the reader reported. */
static void test_seek(void **state)
{
    (void)state;
    static const char DATA[] = "\xEF\xBB\xBF"
                               "a,b\n\n\"x\ny\",z\r\nlast\nbad\"\n";
    enum { ROWS = 3 };
    zc_csv *csv;
    zc_csv_row row;
    size_t offsets[ROWS];
    long lines[ROWS];
    char first[ROWS][ZC_CSV_MAX_FIELD_LEN];
    zc_diag diag = {{0}, 0};
    assert_int_equal(zc_csv_new(DATA, sizeof DATA - 1, &csv), ZC_OK);
    for (int i = 0; i < ROWS; i++) {
        assert_int_equal(zc_csv_next(csv, &row, NULL), ZC_OK);
        offsets[i] = row.offset;
        lines[i] = row.line;
        snprintf(first[i], sizeof first[i], "%s", row.fields[0]);
    }
    assert_int_equal(zc_csv_next(csv, &row, &diag), ZC_ERR_INVALID);
    assert_int_equal(diag.line, 6);
    for (int i = ROWS - 1; i >= 0; i--) {
        zc_csv_seek(csv, offsets[i], lines[i]);
        assert_int_equal(zc_csv_next(csv, &row, NULL), ZC_OK);
        assert_int_equal(row.line, lines[i]);
        assert_int_equal(row.offset, offsets[i]);
        assert_string_equal(row.fields[0], first[i]);
    }
    assert_string_equal(first[1], "x\ny");
    assert_int_equal(lines[2], 5);
    zc_csv_seek(csv, sizeof DATA, 1);
    assert_int_equal(zc_csv_next(csv, &row, NULL), ZC_ERR_NOT_FOUND);
    zc_csv_free(csv);

    assert_int_equal(zc_csv_new(NULL, 0, &csv), ZC_OK);
    assert_int_equal(zc_csv_next(csv, &row, NULL), ZC_ERR_NOT_FOUND);
    zc_csv_free(csv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_many_rows),
        cmocka_unit_test(test_seek),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
