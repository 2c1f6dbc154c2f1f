/*
 * Layout: a zc_view and a window size in, a list of drawing operations and touch targets out.
 *
 * Pure arithmetic over the view (text widths come from a measuring callback), so the same view
 * lays out for 1920x1080, 1280x800 or a portrait 1080x1920 screen, and the result can be checked
 * against DESIGN.md's elder-friendly rules (layout_check) on every screen a test walks.
 *
 * The screen, top to bottom: a thin tone band; titles; the flow (text, a bill of amounts, pictures
 * and QR codes, tables) centred in the space left; a keypad (to the right in landscape, below the
 * flow in portrait); the buttons (one or two side by side at the bottom, stacked in portrait; more
 * than two, as on staff menus, form a grid in the flow); the status strip at the very bottom.
 * When the flow does not fit, text shrinks step by step, never below 1/20 of the height, and long
 * tables split into two columns in landscape.
 */
#ifndef ZC_SHELL_LAYOUT_H
#define ZC_SHELL_LAYOUT_H

#include "kiosk/view.h"
#include "text.h"
#include "wrap.h"

#include <SDL.h>
#include <stdbool.h>
#include <stddef.h>

enum {
    LAYOUT_OPS_MAX = 512,
    LAYOUT_PROBLEMS_MAX = 16,
    LAYOUT_PROBLEM_MAX = 160,
};

/* Width, line height and ascent (baseline below the line's top) of len bytes of UTF-8. */
typedef void (*layout_measure_fn)(void *ctx, const char *utf8, size_t len, int px, text_style style,
                                  int *w, int *h, int *ascent);

/* Sizes for one window, all derived from its width and height (theme.h). */
typedef struct layout_metrics {
    int w, h, short_side;
    int text_min, staff_min, body, title, label, amount, big, status; /* pixels per em */
    int target;                                                       /* least touch-target side */
    int margin, gap, radius, edge, band;
    bool portrait;
} layout_metrics;

typedef enum layout_op_kind {
    LAYOUT_FILL = 0, /* a rectangle, rounded when radius > 0, with an edge when edge_px > 0 */
    LAYOUT_TEXT,     /* one line of text with its top-left at r.x, r.y (r.w, r.h: its size) */
    LAYOUT_PICTURE,  /* a picture from assets/images, fitted into r keeping its shape */
    LAYOUT_QR,       /* a QR code with its quiet zone, as large as fits in r, centred */
} layout_op_kind;

typedef struct layout_op {
    layout_op_kind kind;
    SDL_Rect r;
    SDL_Color color, edge;
    int radius, edge_px;
    int px;
    text_style style;
    int item; /* the view item drawn, -1 for decoration */
    char text[ZC_VIEW_TEXT_MAX];
} layout_op;

typedef struct layout_hit {
    char id[ZC_VIEW_ID_MAX];
    SDL_Rect r;
    int item;
} layout_hit;

typedef struct layout {
    layout_metrics m;
    size_t nops;
    layout_op ops[LAYOUT_OPS_MAX];
    size_t nhits;
    layout_hit hits[ZC_VIEW_ITEMS_MAX];
    /* Per view item, for layout_check: was it placed whole, and its smallest text size. */
    bool placed[ZC_VIEW_ITEMS_MAX];
    int min_px[ZC_VIEW_ITEMS_MAX];
    bool ops_overflow;
} layout;

void layout_metrics_for(int w, int h, layout_metrics *m);

void layout_view(const zc_view *v, int w, int h, layout_measure_fn measure, void *measure_ctx,
                 layout *out);

/* The touch target under a point, or NULL. */
const layout_hit *layout_hit_at(const layout *l, int x, int y);

/* The touch target of an element id, or NULL when the screen has none. */
const layout_hit *layout_hit_find(const layout *l, const char *id);

/*
 * Holds a laid-out view to DESIGN.md's rules: every item placed on screen, text at least 1/20 of
 * the height (the staff's status strip excepted), touch targets at least 1/8 of the short side
 * and apart, at most two choices on an elder's screen. Returns the number of problems, with up to
 * LAYOUT_PROBLEMS_MAX of them described.
 */
size_t layout_check(const zc_view *v, const layout *l,
                    char problems[LAYOUT_PROBLEMS_MAX][LAYOUT_PROBLEM_MAX]);

#endif
