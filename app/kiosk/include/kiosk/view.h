/*
 * The view model: what a screen shows, as data. The kiosk's logic (app.c) turns its state into a
 * zc_view; the renderer (render.c) lays a zc_view out for the window it has (any size, any
 * orientation) and draws it. Rendering is a function of the view, so screens are tested without
 * SDL, and the renderer is tested with any view.
 *
 * Layout contract (the renderer's job, from the window size, not constants):
 *   - TITLE items at the top, then BODY and AMOUNT lines, BIG_AMOUNT larger than anything else;
 *   - body text at least 1/20 of the screen height, amounts larger (DESIGN.md, elder-friendly);
 *   - BUTTON / BUTTON_PRIMARY items at the bottom, at most two side by side (or stacked in
 *     portrait), each at least 1/8 of the short side tall;
 *   - KEY items form a keypad grid (staff screens), QR items a square code, STATUS items a thin
 *     strip at the very bottom (device and sync state), ROW items a table (reports).
 *   - Contrast at least 7:1: dark text on a light background; the tone colours a thin band only.
 */
#ifndef ZC_KIOSK_VIEW_H
#define ZC_KIOSK_VIEW_H

#include <stdbool.h>
#include <stddef.h>

enum {
    ZC_VIEW_ID_MAX = 32,    /* a tappable element's id: "confirm", "item:L01", "key:7" ... */
    ZC_VIEW_TEXT_MAX = 256, /* UTF-8 */
    ZC_VIEW_ITEMS_MAX = 48,
};

typedef enum zc_role {
    ZC_ROLE_TITLE = 0,
    ZC_ROLE_BODY,
    ZC_ROLE_HINT,       /* smaller guidance text */
    ZC_ROLE_AMOUNT,     /* "补贴 ¥5.00": text left, text2 right */
    ZC_ROLE_BIG_AMOUNT, /* "您付 ¥10.00": the largest thing on the screen */
    ZC_ROLE_PICTURE,    /* a named picture from assets/images (text = file name) */
    ZC_ROLE_QR,         /* text = the QR payload */
    ZC_ROLE_BUTTON,
    ZC_ROLE_BUTTON_PRIMARY,
    ZC_ROLE_KEY,    /* keypad key */
    ZC_ROLE_ROW,    /* table row: text left, text2 right */
    ZC_ROLE_STATUS, /* status strip */
} zc_role;

typedef enum zc_tone { ZC_TONE_CALM = 0, ZC_TONE_SUCCESS, ZC_TONE_WARNING, ZC_TONE_ERROR } zc_tone;

typedef struct zc_view_item {
    zc_role role;
    char id[ZC_VIEW_ID_MAX]; /* "" when not tappable */
    char text[ZC_VIEW_TEXT_MAX];
    char text2[ZC_VIEW_TEXT_MAX]; /* right-hand text of AMOUNT / ROW items */
} zc_view_item;

typedef struct zc_view {
    const char *screen; /* the screen's name, for screenshots and tests: "idle", "confirm" ... */
    zc_tone tone;
    bool staff; /* staff screens may show categories; elder screens never do */
    size_t n;
    zc_view_item items[ZC_VIEW_ITEMS_MAX];
} zc_view;

/* Appends an item; returns NULL when the view is full. */
zc_view_item *zc_view_add(zc_view *v, zc_role role, const char *id, const char *text,
                          const char *text2);

/* The item with this id, or NULL. */
const zc_view_item *zc_view_find(const zc_view *v, const char *id);

#endif
