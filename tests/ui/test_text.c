/*
 * Text with the installed fonts: the CJK primary found through fontconfig, a character it lacks
 * drawn by a fallback font, one no installed font has still drawn (as a box) without failing,
 * bytes that are not UTF-8 survived, and the texture cache hitting, evicting and flushing.
 * Runs without a display: a software renderer on a surface.
 */
#include "text.h"

#include <stdio.h>
#include <string.h>

static int failures;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                                            \
            printf(__VA_ARGS__);                                                                   \
            printf("\n");                                                                          \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

enum { PX = 48, STRINGS = 700 };

int main(void)
{
    SDL_Surface *target = SDL_CreateRGBSurfaceWithFormat(0, 64, 64, 32, SDL_PIXELFORMAT_ARGB8888);
    SDL_Renderer *r = target ? SDL_CreateSoftwareRenderer(target) : NULL;
    if (!r) {
        printf("FAIL: no software renderer: %s\n", SDL_GetError());
        return 1;
    }
    text_ctx *t;
    char err[TEXT_ERR_MAX];
    if (!text_open(r, &t, err, sizeof err)) {
        printf("FAIL: %s\n", err);
        return 1;
    }
    printf("primary font: %s\n", text_primary_path(t));
    SDL_Color ink = {0x1B, 0x1B, 0x1B, 0xFF};
    int w, h, a, w2, h2;
    text_measure(t, "国", strlen("国"), PX, TEXT_REGULAR, &w, &h, &a);
    CHECK(w >= PX * 9 / 10 && w <= PX * 11 / 10, "国 is %d px wide at %d px", w, PX);
    CHECK(h >= PX && a > 0 && a < h, "line height %d, ascent %d", h, a);

    /* The same string measures and renders to the same width. */
    const char *name = "您付 ¥11.00";
    text_measure(t, name, strlen(name), PX, TEXT_BOLD, &w, &h, &a);
    SDL_Texture *tex = text_texture(t, name, PX, TEXT_BOLD, ink, &w2, &h2);
    CHECK(tex && w2 == w, "measured %d, rendered %d", w, w2);

    /* ⚠ is not in WenQuanYi Micro Hei; DejaVu Sans (fontconfig's own dependency) draws it. */
    text_stats st;
    tex = text_texture(t, "注意⚠", PX, TEXT_REGULAR, ink, &w, &h);
    text_get_stats(t, &st);
    CHECK(tex && st.faces >= 2, "a fallback font for U+26A0: %zu faces open", st.faces);
    /* 𠮷 (U+20BB7, in some names) may be in no installed font: drawn all the same. */
    tex = text_texture(t, "吉𠮷", PX, TEXT_REGULAR, ink, &w, &h);
    CHECK(tex && w > PX, "a character no font has: width %d", w);
    /* Bytes that are not UTF-8 do not stop the string. */
    tex = text_texture(t, "a\xff\xfe\xc3z", PX, TEXT_REGULAR, ink, &w, &h);
    CHECK(tex && w > 0, "broken UTF-8");
    CHECK(text_texture(t, "", PX, TEXT_REGULAR, ink, &w, &h) == NULL, "an empty string");

    /* The cache: a second request is a hit; many strings evict; a flush empties it. */
    text_get_stats(t, &st);
    size_t hits = st.hits;
    text_texture(t, name, PX, TEXT_BOLD, ink, &w, &h);
    text_get_stats(t, &st);
    CHECK(st.hits == hits + 1, "a cached string was rendered again");
    for (int i = 0; i < STRINGS; i++) {
        char s[32];
        snprintf(s, sizeof s, "流水号 %d", i);
        text_texture(t, s, PX, TEXT_REGULAR, ink, &w, &h);
    }
    text_get_stats(t, &st);
    CHECK(st.evictions > 0 && st.entries < STRINGS, "%zu entries, %zu evictions", st.entries,
          st.evictions);
    text_flush(t);
    text_get_stats(t, &st);
    CHECK(st.entries == 0 && st.pixels == 0, "after a flush: %zu entries", st.entries);

    text_close(t);
    SDL_DestroyRenderer(r);
    SDL_FreeSurface(target);
    printf("%s\n", failures ? "FAILED" : "ok");
    return failures ? 1 : 0;
}
