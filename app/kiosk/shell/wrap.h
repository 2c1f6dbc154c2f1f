/*
 * Line breaking for Chinese (and the Latin of the English texts): where a line may end, and lines
 * as even as they can be. Widths come from a measuring function, so this is pure arithmetic.
 *
 * Chinese breaks between any two characters, except before closing punctuation (，。、）」…) and
 * after opening punctuation (（《“…); Latin breaks at spaces. A line ending after a comma or full
 * stop, before an opening bracket or between two Latin words is a natural break, preferred when
 * lines are evened out.
 */
#ifndef ZC_SHELL_WRAP_H
#define ZC_SHELL_WRAP_H

#include "text.h"

#include <stddef.h>

enum {
    WRAP_CANDIDATES_MAX = 192, /* break positions the even wrap weighs (fits in unsigned char) */
    WRAP_EVEN_LINES_MAX = 8,   /* lines the even wrap arranges; more fall back to greedy ones */
};

/* Width, line height and ascent of len bytes of UTF-8 at px (text_measure's signature). */
typedef void (*wrap_measure_fn)(void *ctx, const char *utf8, size_t len, int px, text_style style,
                                int *w, int *h, int *ascent);

typedef struct wrap_font {
    wrap_measure_fn measure;
    void *ctx;
    int px;
    text_style style;
} wrap_font;

typedef struct wrap_span {
    size_t start, len; /* bytes of the text */
} wrap_span;

/*
 * Lines no wider than maxw, each as long as it can be; at most max, the last taking whatever is
 * left (then wider than maxw: the caller sees it). A word wider than a line breaks anywhere.
 * Returns the count, 0 for empty text.
 */
size_t wrap_greedy(const wrap_font *f, const char *s, int maxw, wrap_span *lines, size_t max);

/* As many lines as wrap_greedy needs, chosen to be even and to end at natural breaks. */
size_t wrap_even(const wrap_font *f, const char *s, int maxw, wrap_span *lines, size_t max);

#endif
