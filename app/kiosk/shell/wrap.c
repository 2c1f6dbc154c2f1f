#include "wrap.h"

#include <stdbool.h>
#include <string.h>

static int width(const wrap_font *f, const char *s, size_t len)
{
    int w = 0, h = 0, a = 0;
    if (len)
        f->measure(f->ctx, s, len, f->px, f->style, &w, &h, &a);
    return w;
}

/* Bytes of the UTF-8 character starting at s[i] (1 for a stray byte). */
static size_t char_len(const char *s, size_t i)
{
    unsigned char c = (unsigned char)s[i];
    size_t n = c < 0x80             ? 1
               : (c & 0xE0) == 0xC0 ? 2
               : (c & 0xF0) == 0xE0 ? 3
               : (c & 0xF8) == 0xF0 ? 4
                                    : 1;
    for (size_t k = 1; k < n; k++)
        if (((unsigned char)s[i + k] & 0xC0) != 0x80)
            return 1;
    return n;
}

/* Chinese text breaks between any two characters, except before closing punctuation. */
static bool no_break_before(const char *s, size_t i)
{
    static const char *const closing[] = {"，", "。", "、", "；", "：", "？", "！", "）", "」", "”",
                                          "’",  "》", ",",  ".",  ":",  ";",  ")",  "!",  "?"};
    for (size_t k = 0; k < sizeof closing / sizeof closing[0]; k++)
        if (strncmp(s + i, closing[k], strlen(closing[k])) == 0)
            return true;
    return false;
}

/* Nor after opening punctuation. */
static bool no_break_after(const char *s, size_t i)
{
    static const char *const opening[] = {"（", "《", "“", "‘", "「", "(", "["};
    for (size_t k = 0; k < sizeof opening / sizeof opening[0]; k++) {
        size_t n = strlen(opening[k]);
        if (i >= n && strncmp(s + i - n, opening[k], n) == 0)
            return true;
    }
    return false;
}

static bool break_ok(const char *s, size_t i, size_t len)
{
    if (i >= len)
        return true;
    if (no_break_before(s, i) || no_break_after(s, i))
        return false;
    unsigned char c = (unsigned char)s[i], prev = (unsigned char)s[i - 1];
    /* Between words of Latin text, or next to a Chinese character (multi-byte). */
    return c == ' ' || prev == ' ' || c >= 0x80 || prev >= 0x80;
}

/* Splits text into lines no wider than maxw, greedily; returns the count (0 for empty text). */
size_t wrap_greedy(const wrap_font *f, const char *s, int maxw, wrap_span *lines, size_t max)
{
    size_t len = strlen(s), n = 0, start = 0;
    while (start < len && n < max) {
        while (start < len && s[start] == ' ')
            start++;
        if (start >= len)
            break;
        size_t best = 0, i = start;
        while (i < len) {
            i += char_len(s, i);
            if (i > len)
                i = len;
            if (!break_ok(s, i, len))
                continue;
            size_t end = i;
            while (end > start && s[end - 1] == ' ')
                end--;
            if (width(f, s + start, end - start) > maxw)
                break;
            best = end;
        }
        if (best == 0) /* one word wider than the line: break it anywhere */
            for (size_t j = start + char_len(s, start); j <= len; j += char_len(s, j)) {
                if (best && width(f, s + start, j - start) > maxw)
                    break;
                best = j;
                if (j == len)
                    break;
            }
        if (n == max - 1 && best < len) /* the last line allowed takes the rest (clipped) */
            best = len;
        lines[n++] = (wrap_span){start, best - start};
        start = best;
    }
    return n;
}

/* A natural place for a line to end: after a comma or full stop, before an opening bracket, or
 * between two Latin words, so "两荤一素套餐（米饭、例汤）" breaks before its bracket. The spaces
 * Chinese text puts around a number ("第 2 笔") are not word breaks. */
static bool good_break(const char *s, size_t i)
{
    static const char *const after[] = {"，", "、", "。", "；", "：", "！", "？"};
    static const char *const before[] = {"（", "《", "“", "("};
    for (size_t k = 0; k < sizeof after / sizeof after[0]; k++) {
        size_t n = strlen(after[k]);
        if (i >= n && strncmp(s + i - n, after[k], n) == 0)
            return true;
    }
    for (size_t k = 0; k < sizeof before / sizeof before[0]; k++)
        if (strncmp(s + i, before[k], strlen(before[k])) == 0)
            return true;
    size_t a = i, b = i; /* the letters either side of the spaces at i */
    while (a > 0 && s[a - 1] == ' ')
        a--;
    while (s[b] == ' ')
        b++;
    bool spaced = a < b;
    return spaced && a > 0 && s[b] && (unsigned char)s[a - 1] < 0x80 &&
           (unsigned char)s[b] < 0x80 && s[a - 1] != ' ';
}

/* The span of text between two break positions, without the spaces at either end. */
static wrap_span trimmed(const char *s, size_t from, size_t to)
{
    while (from < to && s[from] == ' ')
        from++;
    while (to > from && s[to - 1] == ' ')
        to--;
    return (wrap_span){from, to - from};
}

/*
 * Splits text into as few lines as the greedy wrap needs, chosen so that they are even (the sum
 * of the squared room left on each line is least) and end at natural breaks where they can: a
 * line ending anywhere else costs as much as half a line of room. "把身份证放在读卡区，或出示
 * 助餐二维码、刷助餐卡" on three lines breaks after its comma and its 、 where the width allows,
 * not inside 二维码. A small dynamic programme over the break positions; texts with more of them
 * than it holds fall back to the greedy lines.
 */
size_t wrap_even(const wrap_font *f, const char *s, int maxw, wrap_span *lines, size_t max)
{
    size_t n = wrap_greedy(f, s, maxw, lines, max);
    size_t len = strlen(s);
    if (n < 2 || n > max || n > WRAP_EVEN_LINES_MAX)
        return n;
    size_t cand[WRAP_CANDIDATES_MAX], m = 0;
    cand[m++] = 0;
    for (size_t i = char_len(s, 0); i < len && m < WRAP_CANDIDATES_MAX - 1; i += char_len(s, i))
        if (break_ok(s, i, len))
            cand[m++] = i;
    if (m == WRAP_CANDIDATES_MAX - 1)
        return n;
    cand[m++] = len;
    /* cost[k][i]: the least cost of setting the text up to cand[i] in k lines (-1: cannot);
     * from[k][i]: the candidate where that k-th line began */
    long cost[WRAP_EVEN_LINES_MAX + 1][WRAP_CANDIDATES_MAX];
    unsigned char from[WRAP_EVEN_LINES_MAX + 1][WRAP_CANDIDATES_MAX];
    for (size_t k = 0; k <= n; k++)
        for (size_t i = 0; i < m; i++)
            cost[k][i] = -1;
    cost[0][0] = 0;
    long penalty = (long)(maxw / 2) * (maxw / 2);
    for (size_t i = 1; i < m; i++)
        for (size_t j = i; j-- > 0;) {
            wrap_span sp = trimmed(s, cand[j], cand[i]);
            int w = width(f, s + sp.start, sp.len);
            if (w > maxw)
                break; /* starting earlier only makes the line longer */
            long c = (long)(maxw - w) * (maxw - w) +
                     (i + 1 < m && !good_break(s, cand[i]) ? penalty : 0);
            for (size_t k = 1; k <= n; k++)
                if (cost[k - 1][j] >= 0 && (cost[k][i] < 0 || cost[k - 1][j] + c < cost[k][i])) {
                    cost[k][i] = cost[k - 1][j] + c;
                    from[k][i] = (unsigned char)j;
                }
        }
    if (cost[n][m - 1] < 0)
        return n;
    for (size_t k = n, i = m - 1; k > 0; i = from[k][i], k--)
        lines[k - 1] = trimmed(s, cand[from[k][i]], cand[i]);
    return n;
}
