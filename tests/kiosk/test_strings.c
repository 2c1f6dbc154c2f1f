/*
 * The UI strings parser (app/kiosk/logic/strings.c) and the shipped strings files: what the format
 * accepts, every way a line is refused (with its line number), placeholder filling that never cuts
 * a character in half, and the two languages having the same keys and placeholders. Also the
 * privacy rule on the texts themselves: category words only in staff-only keys.
 */
#include "testutil.h"

#include "../../app/kiosk/logic/ui_strings.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static zc_strings *parse_ok(const char *text)
{
    zc_strings *s = NULL;
    zc_diag d = {{0}, 0};
    zc_err err = zc_strings_parse(text, strlen(text), &s, &d);
    if (err)
        fail_msg("refused: %s", d.msg);
    return s;
}

static void test_accepts(void **state)
{
    (void)state;
    zc_strings *s = parse_ok("\xEF\xBB\xBF# comment\r\n"
                             "\n"
                             "   \t\n"
                             "  # indented comment\n"
                             "idle.title = 请刷身份证\r\n"
                             "b_2.x=a = b # not a comment\n"
                             "pay\t=\t您付 {1}  \t\n"
                             "last = no newline at the end");
    assert_int_equal(zc_strings_count(s), 4);
    assert_string_equal(zc_strings_get(s, "idle.title"), "请刷身份证");
    assert_string_equal(zc_strings_get(s, "b_2.x"), "a = b # not a comment");
    assert_string_equal(zc_strings_get(s, "pay"), "您付 {1}");
    assert_string_equal(zc_strings_get(s, "last"), "no newline at the end");
    assert_null(zc_strings_get(s, "missing"));
    assert_null(zc_strings_get(s, ""));
    /* Keys come back sorted. */
    assert_string_equal(zc_strings_key_at(s, 0), "b_2.x");
    assert_string_equal(zc_strings_key_at(s, 3), "pay");
    assert_null(zc_strings_key_at(s, 4));
    zc_strings_free(s);

    /* An empty file and a file of comments are fine: no keys. */
    s = parse_ok("");
    assert_int_equal(zc_strings_count(s), 0);
    assert_null(zc_strings_get(s, "a"));
    zc_strings_free(s);
}

typedef struct bad_case {
    const char *text;
    size_t len; /* 0: strlen */
    long line;
    const char *msg;
} bad_case;

static void test_refuses(void **state)
{
    (void)state;
    static const bad_case CASES[] = {
        {"Key = x\n", 0, 1, "expected a key"},
        {"a = ok\n1a = x\n", 0, 2, "starts with a letter"},
        {"_a = x\n", 0, 1, "starts with a letter"},
        {"a x\n", 0, 1, "expected '='"},
        {"a\n", 0, 1, "expected '='"},
        {"a-b = x\n", 0, 1, "expected '='"},
        {"a =\n", 0, 1, "text is empty"},
        {"a =   \t\n", 0, 1, "text is empty"},
        {" a = x\n", 0, 1, "beginning of its line"},
        {"a = {0}\n", 0, 1, "placeholder"},
        {"a = {10}\n", 0, 1, "placeholder"},
        {"a = {x}\n", 0, 1, "placeholder"},
        {"a = {1\n", 0, 1, "placeholder"},
        {"a = x}\n", 0, 1, "outside a placeholder"},
        {"a = tab\tinside\n", 0, 1, "control character"},
        {"a = \x01\n", 0, 1, "control character"},
        {"a = \x7f\n", 0, 1, "control character"},
        {"a = \xc2\x85\n", 0, 1, "control character"},
        {"a = \xe2\x80\xa8\n", 0, 1, "control character"},
        {"a = \xff\n", 0, 1, "not valid UTF-8"},
        {"a = \xc0\x80\n", 0, 1, "not valid UTF-8"},
        {"a = \xe0\x80\x80\n", 0, 1, "not valid UTF-8"},
        {"a = \xed\xa0\x80\n", 0, 1, "not valid UTF-8"},
        {"a = \xf4\x90\x80\x80\n", 0, 1, "not valid UTF-8"},
        {"a = \xe4\xbd\n", 0, 1, "not valid UTF-8"},
        {"a = x\rb\n", 0, 1, "carriage return"},
        {"a = x\r\r\n", 0, 1, "carriage return"},
        {"a = 1\n\nb = 2\na = 3\n", 0, 4, "already given on line 1"},
        {"b = 1\na = 2\nb = 3\n", 0, 3, "key b already given on line 1"},
        {"a = x\0y\n", 8, 1, "NUL"},
        {"\xEF\xBB\xBF\xEF\xBB\xBF a = x\n", 0, 1, "expected a key"},
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        const bad_case *c = &CASES[i];
        zc_strings *s = (zc_strings *)1;
        zc_diag d = {{0}, 0};
        size_t len = c->len ? c->len : strlen(c->text);
        zc_err err = zc_strings_parse(c->text, len, &s, &d);
        if (err != ZC_ERR_INVALID || !strstr(d.msg, c->msg) || d.line != c->line)
            fail_msg("case %zu: err %d line %ld msg '%s' (wanted line %ld '%s')", i, err, d.line,
                     d.msg, c->line, c->msg);
        assert_null(s);
        char prefix[32];
        snprintf(prefix, sizeof prefix, "line %ld: ", c->line);
        assert_int_equal(strncmp(d.msg, prefix, strlen(prefix)), 0);
    }
}

static void test_limits(void **state)
{
    (void)state;
    char buf[ZC_STRINGS_TEXT_MAX + 64];
    /* A key of 63 bytes is fine, 64 is not. */
    memset(buf, 'k', 63);
    snprintf(buf + 63, sizeof buf - 63, " = x");
    zc_strings *s = parse_ok(buf);
    zc_strings_free(s);
    memset(buf, 'k', 64);
    snprintf(buf + 64, sizeof buf - 64, " = x");
    zc_diag d = {{0}, 0};
    assert_int_equal(zc_strings_parse(buf, strlen(buf), &s, &d), ZC_ERR_INVALID);
    assert_non_null(strstr(d.msg, "longer than 63"));

    /* A text of 255 bytes is fine, 256 is not. */
    snprintf(buf, sizeof buf, "a = ");
    memset(buf + 4, 'x', 255);
    buf[4 + 255] = '\0';
    s = parse_ok(buf);
    assert_int_equal(strlen(zc_strings_get(s, "a")), 255);
    zc_strings_free(s);
    memset(buf + 4, 'x', 256);
    buf[4 + 256] = '\0';
    assert_int_equal(zc_strings_parse(buf, strlen(buf), &s, &d), ZC_ERR_INVALID);
    assert_non_null(strstr(d.msg, "longer than 255"));

    /* Too large a file is refused before it is read line by line. */
    size_t big = ZC_STRINGS_FILE_MAX + 1;
    char *huge = malloc(big);
    assert_non_null(huge);
    memset(huge, '\n', big);
    assert_int_equal(zc_strings_parse(huge, big, &s, &d), ZC_ERR_INVALID);
    assert_non_null(strstr(d.msg, "larger than"));
    free(huge);
}

static void test_too_many_keys(void **state)
{
    (void)state;
    size_t size = (size_t)(ZC_STRINGS_ENTRIES_MAX + 1) * 16;
    char *text = malloc(size);
    assert_non_null(text);
    size_t len = 0;
    for (int i = 0; i <= ZC_STRINGS_ENTRIES_MAX; i++)
        len += (size_t)snprintf(text + len, size - len, "k%d = v\n", i);
    zc_strings *s;
    zc_diag d = {{0}, 0};
    assert_int_equal(zc_strings_parse(text, len, &s, &d), ZC_ERR_INVALID);
    assert_non_null(strstr(d.msg, "too many keys"));
    assert_int_equal(d.line, ZC_STRINGS_ENTRIES_MAX + 1);
    free(text);
}

static void test_format(void **state)
{
    (void)state;
    char buf[64];
    const char *args[] = {"张*华", "¥10.00"};
    assert_int_equal(zc_strings_format("您好，{1}，您付 {2}。{3}", args, 2, buf, sizeof buf),
                     strlen("您好，张*华，您付 ¥10.00。"));
    assert_string_equal(buf, "您好，张*华，您付 ¥10.00。");
    zc_strings_format("{2}{2}{1}", args, 2, buf, sizeof buf);
    assert_string_equal(buf, "¥10.00¥10.00张*华");
    zc_strings_format("no args {1}", NULL, 0, buf, sizeof buf);
    assert_string_equal(buf, "no args ");
    zc_strings_format(NULL, args, 2, buf, sizeof buf);
    assert_string_equal(buf, "");

    /* Cut at a character boundary: "请刷" is 6 bytes; 5 bytes of room keep only "请". */
    char small[6];
    zc_strings_format("请刷身份证", NULL, 0, small, sizeof small);
    assert_string_equal(small, "请");
    const char *long_arg[] = {"汉字汉字"};
    zc_strings_format("ab{1}", long_arg, 1, small, sizeof small);
    assert_string_equal(small, "ab汉");
    char one[1];
    zc_strings_format("x", NULL, 0, one, sizeof one);
    assert_string_equal(one, "");

    char app[9] = "ab";
    zc_strings_append(app, sizeof app, "汉字");
    assert_string_equal(app, "ab汉字");
    zc_strings_append(app, sizeof app, "x");
    assert_string_equal(app, "ab汉字");
    zc_strings_copy(app, sizeof app, "汉字汉字");
    assert_string_equal(app, "汉字");
    char field[4] = {'a', 'b', 'c', 'd'}; /* no NUL */
    zc_strings_copy_n(app, sizeof app, field, sizeof field);
    assert_string_equal(app, "abcd");
}

static zc_strings *load_shipped(const char *name)
{
    char path[ZC_TEST_PATH_MAX];
    snprintf(path, sizeof path, "%s/../../assets/i18n/%s", ZC_SOURCE_DIR_TESTS, name);
    zc_strings *s = NULL;
    zc_diag d = {{0}, 0};
    if (zc_strings_load(path, &s, &d))
        fail_msg("%s", d.msg);
    return s;
}

/* The placeholders a text uses, as a bit set. */
static unsigned placeholders(const char *t)
{
    unsigned set = 0;
    for (const char *p = strchr(t, '{'); p; p = strchr(p + 1, '{'))
        if (p[1] >= '1' && p[1] <= '9')
            set |= 1u << (p[1] - '0');
    return set;
}

static bool staff_only(const char *key)
{
    return strncmp(key, "staff.", 6) == 0 || strncmp(key, "cat.", 4) == 0 ||
           strncmp(key, "void.", 5) == 0 || strncmp(key, "report.", 7) == 0;
}

static void test_shipped_files(void **state)
{
    (void)state;
    zc_strings *zh = load_shipped("zh-CN.txt");
    zc_strings *en = load_shipped("en.txt");
    assert_true(zc_strings_count(zh) > 100);
    assert_int_equal(zc_strings_count(zh), zc_strings_count(en));
    static const char *const CATEGORY_WORDS[] = {"低保", "特困",  "失能",  "优抚",   "计生",
                                                 "独居", "dibao", "tekun", "shineng"};
    for (size_t i = 0; i < zc_strings_count(zh); i++) {
        const char *key = zc_strings_key_at(zh, i);
        assert_string_equal(key, zc_strings_key_at(en, i));
        const char *tz = zc_strings_get(zh, key), *te = zc_strings_get(en, key);
        if (placeholders(tz) != placeholders(te) && strncmp(key, "speak.confirm_full", 18) != 0)
            fail_msg("%s: placeholders differ between zh-CN and en", key);
        if (staff_only(key))
            continue;
        for (size_t w = 0; w < sizeof CATEGORY_WORDS / sizeof CATEGORY_WORDS[0]; w++)
            if (strstr(tz, CATEGORY_WORDS[w]) || strstr(te, CATEGORY_WORDS[w]))
                fail_msg("%s names a category but elders may see it", key);
    }
    zc_strings_free(zh);
    zc_strings_free(en);
}

static void test_load_errors(void **state)
{
    (void)state;
    char dir[ZC_TEST_PATH_MAX], path[ZC_TEST_PATH_MAX];
    zt_mkdtemp(dir, sizeof dir);
    zt_join(path, sizeof path, dir, "bad.txt");
    zt_write_file(path, "a = 1\nb\n", 8);
    zc_strings *s;
    zc_diag d = {{0}, 0};
    assert_int_equal(zc_strings_load(path, &s, &d), ZC_ERR_INVALID);
    assert_non_null(strstr(d.msg, "bad.txt: line 2: expected '='"));
    assert_int_equal(d.line, 2);
    zt_join(path, sizeof path, dir, "missing.txt");
    assert_int_equal(zc_strings_load(path, &s, &d), ZC_ERR_IO);
    assert_non_null(strstr(d.msg, "missing.txt"));
    zt_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accepts),     cmocka_unit_test(test_refuses),
        cmocka_unit_test(test_limits),      cmocka_unit_test(test_too_many_keys),
        cmocka_unit_test(test_format),      cmocka_unit_test(test_shipped_files),
        cmocka_unit_test(test_load_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
