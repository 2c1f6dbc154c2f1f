/*
 * Text: fonts found through fontconfig, per-character fallback, and a cache of rendered strings.
 *
 * The primary font is what fontconfig matches for "sans-serif:lang=zh-cn" (WenQuanYi Micro Hei or
 * Noto Sans CJK on a kiosk). Elders' names hold rare characters, so each character is checked with
 * TTF_GlyphIsProvided32 and, when the primary lacks it, the first font in fontconfig's sorted list
 * that has it draws it: a string becomes runs, each rendered with its own font and joined on one
 * baseline. Only when no installed font has a character does the primary's empty box show, and the
 * kiosk says which character on stderr once, so a technician can install a font.
 *
 * SDL_ttf's glyph cache is small for Chinese, so whole strings are cached as textures, keyed by
 * text, size, style and colour, least recently used evicted first under a pixel budget: a redraw of
 * an unchanged screen renders no text at all.
 */
#ifndef ZC_SHELL_TEXT_H
#define ZC_SHELL_TEXT_H

#include <SDL.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct text_ctx text_ctx;

typedef enum text_style { TEXT_REGULAR = 0, TEXT_BOLD = 1 } text_style;

enum {
    TEXT_PX_MIN = 6,
    TEXT_PX_MAX = 1024,
    TEXT_ERR_MAX = 256,
};

typedef struct text_stats {
    size_t hits, misses, evictions;
    size_t entries;
    size_t pixels; /* texels held by cached textures */
    size_t faces;  /* fonts opened: the primary and the fallbacks needed so far */
} text_stats;

/* Finds and opens the fonts; err says why not (no CJK font installed). */
bool text_open(SDL_Renderer *renderer, text_ctx **out, char *err, size_t errsize);
void text_close(text_ctx *t);

/* Width, line height and ascent (baseline below the line's top) of len bytes of UTF-8 at px
 * pixels per em; the signature of layout_measure_fn, so the layout measures through it. */
void text_measure(void *t, const char *utf8, size_t len, int px, text_style style, int *w, int *h,
                  int *ascent);

/*
 * The texture of a string, from the cache or rendered now; NULL for an empty string or on failure.
 * Valid until the next text_texture call (which may evict it), so draw it at once.
 */
SDL_Texture *text_texture(text_ctx *t, const char *utf8, int px, text_style style, SDL_Color color,
                          int *w, int *h);

/* Forgets every cached texture (the renderer was reset, or a benchmark wants cold numbers). */
void text_flush(text_ctx *t);

void text_get_stats(const text_ctx *t, text_stats *out);

/* The primary font's file, for the start-up log. */
const char *text_primary_path(const text_ctx *t);

#endif
