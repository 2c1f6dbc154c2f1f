/*
 * UI strings: every text the kiosk shows or speaks, one file per language in assets/i18n/
 * (zh-CN.txt first, en.txt), so wording is changed by editing a file, not the code.
 *
 * The format is deliberately small and strict, because a typo in a strings file must be caught
 * when the file is loaded (and by the unit test over the shipped files), not show up as a blank
 * button in front of an elder:
 *
 *     # a comment line
 *     idle.title = 请刷身份证、扫码或刷卡
 *     confirm.pay = 您付 {1}
 *
 *   - UTF-8, an optional byte-order mark, lines ending in LF or CRLF (a lone CR is refused);
 *   - blank lines and lines starting with '#' (after any spaces) are ignored;
 *   - a key is 1-63 of [a-z0-9_.], starting with a letter, each key once in the file;
 *   - then '=' with optional spaces or tabs around it; the text runs to the end of the line,
 *     trailing spaces and tabs dropped; it is not empty, at most ZC_STRINGS_TEXT_MAX - 1 bytes,
 *     valid UTF-8 (no overlong forms, surrogates or code points above U+10FFFF) and holds no
 *     control character;
 *   - '{' only starts a placeholder {1} .. {9}; a '}' outside one is refused. Placeholders are
 *     filled by zc_strings_format, never by printf, so a strings file can never be a format
 *     string.
 *
 * Any other line is refused with "line N: reason" in the diag and diag->line = N.
 */
#ifndef ZC_KIOSK_UI_STRINGS_H
#define ZC_KIOSK_UI_STRINGS_H

#include "zc/err.h"

#include <stddef.h>

enum {
    ZC_STRINGS_KEY_MAX = 64,           /* bytes of a key, with the NUL */
    ZC_STRINGS_TEXT_MAX = 256,         /* bytes of a text, with the NUL (a view item's size) */
    ZC_STRINGS_ENTRIES_MAX = 2048,     /* keys in one file */
    ZC_STRINGS_FILE_MAX = 1024 * 1024, /* bytes of one file */
    ZC_STRINGS_ARGS_MAX = 9,           /* placeholders {1} .. {9} */
};

typedef struct zc_strings zc_strings;

/* Parses len bytes (any bytes: the file may be damaged). */
zc_err zc_strings_parse(const char *data, size_t len, zc_strings **out, zc_diag *diag);

/* Reads and parses a file; the diag names the path. */
zc_err zc_strings_load(const char *path, zc_strings **out, zc_diag *diag);

void zc_strings_free(zc_strings *s);

/* The text of key, or NULL when the file has no such key. */
const char *zc_strings_get(const zc_strings *s, const char *key);

/* Entries in key order, for tests that compare languages. */
size_t zc_strings_count(const zc_strings *s);
const char *zc_strings_key_at(const zc_strings *s, size_t i);

/*
 * Copies tmpl into buf with {N} replaced by args[N-1] (a missing or NULL argument gives "").
 * Always NUL-terminates; when buf is too small the text is cut at a UTF-8 character boundary,
 * never inside a character. Returns the length written.
 */
size_t zc_strings_format(const char *tmpl, const char *const *args, size_t nargs, char *buf,
                         size_t size);

/* Appends src to the NUL-terminated text in buf, cutting at a character boundary like format. */
size_t zc_strings_append(char *buf, size_t size, const char *src);

/* Copies src into buf (size > 0), cutting at a character boundary; src NULL gives "". */
size_t zc_strings_copy(char *buf, size_t size, const char *src);

/* The same for a fixed-size field that may lack its NUL: at most n bytes of src are read. */
size_t zc_strings_copy_n(char *buf, size_t size, const char *src, size_t n);

#endif
