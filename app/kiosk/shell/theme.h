/*
 * The kiosk's look: colours and type sizes, as named constants and as fractions of the window.
 *
 * DESIGN.md's elder-friendly rules live here so every screen follows them by construction:
 * body text at least 1/20 of the screen height, amounts larger, touch targets at least 1/8 of the
 * short side, contrast at least 7:1 (dark text on a warm light background; the tone colours a thin
 * band only). theme_contrast() computes WCAG contrast so a test can hold the colours to it.
 */
#ifndef ZC_SHELL_THEME_H
#define ZC_SHELL_THEME_H

#include "kiosk/view.h"

#include <SDL.h>

/* Colours. Every text colour is listed with the background it is drawn on (theme_pairs). */
#define THEME_BACKGROUND ((SDL_Color){0xFB, 0xF8, 0xF1, 0xFF}) /* warm paper white */
#define THEME_TEXT ((SDL_Color){0x1B, 0x1B, 0x1B, 0xFF})
#define THEME_TEXT_SOFT ((SDL_Color){0x3A, 0x3A, 0x3A, 0xFF}) /* hints: still 10:1 */
#define THEME_BUTTON ((SDL_Color){0xFF, 0xFF, 0xFF, 0xFF})
#define THEME_BUTTON_EDGE ((SDL_Color){0x4A, 0x4A, 0x4A, 0xFF})
#define THEME_PRIMARY ((SDL_Color){0x0E, 0x5A, 0x2B, 0xFF}) /* deep green, white text on it */
#define THEME_PRIMARY_TEXT ((SDL_Color){0xFF, 0xFF, 0xFF, 0xFF})
#define THEME_ROW_ALT ((SDL_Color){0xF0, 0xEB, 0xDF, 0xFF}) /* every other table row */
#define THEME_RULE ((SDL_Color){0xB8, 0xB0, 0xA0, 0xFF})    /* thin lines: not text */
#define THEME_STRIP ((SDL_Color){0xE6, 0xE0, 0xD2, 0xFF})   /* status strip */
#define THEME_STRIP_TEXT ((SDL_Color){0x22, 0x22, 0x22, 0xFF})
#define THEME_PANEL ((SDL_Color){0xFF, 0xFF, 0xFF, 0xFF}) /* behind amounts */

/* Tone bands (no text is drawn on them, so they need not reach 7:1). */
#define THEME_TONE_CALM ((SDL_Color){0x2F, 0x6F, 0xB0, 0xFF})
#define THEME_TONE_SUCCESS ((SDL_Color){0x2E, 0x7D, 0x32, 0xFF})
#define THEME_TONE_WARNING ((SDL_Color){0xC7, 0x7C, 0x02, 0xFF})
#define THEME_TONE_ERROR ((SDL_Color){0xB3, 0x26, 0x1E, 0xFF})

enum {
    THEME_MIN_CONTRAST_X100 = 700, /* 7:1, DESIGN.md */

    /* Type sizes in pixels per em, as the screen height divided by these. */
    THEME_TEXT_MIN_DIV = 20,       /* the smallest text an elder reads: 1/20 of the height */
    THEME_STAFF_TEXT_MIN_DIV = 32, /* staff screens may go this small to fit a day's report */
    THEME_BODY_DIV = 16,
    THEME_TITLE_DIV = 13,
    THEME_LABEL_DIV = 14, /* buttons and keys */
    THEME_AMOUNT_DIV = 12,
    THEME_BIG_NUM = 2, /* the amount to pay: 2/15 of the height, the largest thing shown */
    THEME_BIG_DEN = 15,
    THEME_STATUS_DIV = 30, /* the staff's status strip: device and sync state, not for elders */

    /* Geometry, as the short side divided by these. */
    THEME_TARGET_DIV = 8,  /* a touch target's least width and height */
    THEME_MARGIN_DIV = 24, /* around the screen and between blocks */
    THEME_GAP_DIV = 40,    /* between buttons, keys and lines */
    THEME_RADIUS_DIV = 60, /* button corners */
    THEME_EDGE_DIV = 300,  /* button edge thickness (at least 2 px) */
    THEME_BAND_DIV = 70,   /* the tone band at the top, as the height divided by this */
};

SDL_Color theme_tone(zc_tone tone);

/* WCAG 2 contrast ratio of two opaque colours, times 100 (700 is 7:1). */
int theme_contrast_x100(SDL_Color a, SDL_Color b);

/* The (text, background) pairs the renderer uses; for the contrast test. */
typedef struct theme_pair {
    const char *name;
    SDL_Color text, background;
} theme_pair;

const theme_pair *theme_pairs(size_t *n);

#endif
