#include "render.h"

#include "qr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    QR_CACHE = 4, /* a screen shows one code; a few kept for going back and forth */
    QR_TEXT_MAX = ZC_VIEW_TEXT_MAX,
    CORNER_ROWS_MAX = 256, /* a corner radius larger than this is drawn square */
};

typedef struct qr_entry {
    char text[QR_TEXT_MAX];
    SDL_Texture *tex;
    int side;
    Uint64 used;
} qr_entry;

struct render_ctx {
    SDL_Renderer *renderer;
    text_ctx *text;
    picture_ctx *pictures;
    Uint64 clock;
    qr_entry qrs[QR_CACHE];
};

bool render_open(SDL_Renderer *renderer, text_ctx *text, picture_ctx *pictures, render_ctx **out)
{
    render_ctx *r = calloc(1, sizeof *r);
    if (!r)
        return false;
    r->renderer = renderer;
    r->text = text;
    r->pictures = pictures;
    *out = r;
    return true;
}

void render_close(render_ctx *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < QR_CACHE; i++)
        if (r->qrs[i].tex)
            SDL_DestroyTexture(r->qrs[i].tex);
    free(r);
}

static void set_color(SDL_Renderer *ren, SDL_Color c)
{
    SDL_SetRenderDrawColor(ren, c.r, c.g, c.b, c.a);
}

/* A filled rectangle with rounded corners: the middle at once, the corner rows one by one. */
static void fill_rounded(SDL_Renderer *ren, SDL_Rect r, int radius, SDL_Color c)
{
    set_color(ren, c);
    if (radius * 2 > r.w)
        radius = r.w / 2;
    if (radius * 2 > r.h)
        radius = r.h / 2;
    if (radius <= 0 || radius > CORNER_ROWS_MAX) {
        SDL_RenderFillRect(ren, &r);
        return;
    }
    SDL_Rect rows[2 * CORNER_ROWS_MAX + 1];
    int n = 0;
    rows[n++] = (SDL_Rect){r.x, r.y + radius, r.w, r.h - 2 * radius};
    for (int dy = 0; dy < radius; dy++) {
        double yy = radius - dy - 0.5;
        int dx = radius - (int)SDL_floor(SDL_sqrt((double)radius * radius - yy * yy) + 0.5);
        rows[n++] = (SDL_Rect){r.x + dx, r.y + dy, r.w - 2 * dx, 1};
        rows[n++] = (SDL_Rect){r.x + dx, r.y + r.h - 1 - dy, r.w - 2 * dx, 1};
    }
    SDL_RenderFillRects(ren, rows, n);
}

static void draw_fill(render_ctx *r, const layout_op *op)
{
    if (op->edge_px > 0 && memcmp(&op->edge, &op->color, sizeof op->color) != 0) {
        fill_rounded(r->renderer, op->r, op->radius, op->edge);
        SDL_Rect in = {op->r.x + op->edge_px, op->r.y + op->edge_px, op->r.w - 2 * op->edge_px,
                       op->r.h - 2 * op->edge_px};
        fill_rounded(r->renderer, in, op->radius - op->edge_px, op->color);
    } else {
        fill_rounded(r->renderer, op->r, op->radius, op->color);
    }
}

static void draw_text(render_ctx *r, const layout_op *op)
{
    int w, h;
    SDL_Texture *tex = text_texture(r->text, op->text, op->px, op->style, op->color, &w, &h);
    if (tex) {
        SDL_Rect dst = {op->r.x, op->r.y, w, h};
        SDL_RenderCopy(r->renderer, tex, NULL, &dst);
    }
}

static void draw_picture(render_ctx *r, const layout_op *op)
{
    int w, h;
    SDL_Texture *tex = picture_texture(r->pictures, op->text, op->r.w, op->r.h, &w, &h);
    if (tex) {
        SDL_Rect dst = {op->r.x + (op->r.w - w) / 2, op->r.y + (op->r.h - h) / 2, w, h};
        SDL_RenderCopy(r->renderer, tex, NULL, &dst);
    }
}

static const qr_entry *qr_for(render_ctx *r, const char *text)
{
    qr_entry *oldest = &r->qrs[0];
    for (size_t i = 0; i < QR_CACHE; i++) {
        qr_entry *q = &r->qrs[i];
        if (q->tex && strcmp(q->text, text) == 0) {
            q->used = ++r->clock;
            return q;
        }
        if (!q->tex || (oldest->tex && q->used < oldest->used))
            oldest = q;
    }
    if (oldest->tex)
        SDL_DestroyTexture(oldest->tex);
    memset(oldest, 0, sizeof *oldest);
    oldest->tex = qr_texture(r->renderer, text, &oldest->side);
    if (!oldest->tex)
        return NULL;
    snprintf(oldest->text, sizeof oldest->text, "%s", text);
    oldest->used = ++r->clock;
    return oldest;
}

static void draw_qr(render_ctx *r, const layout_op *op)
{
    const qr_entry *q = qr_for(r, op->text);
    if (!q)
        return;
    int room = op->r.w < op->r.h ? op->r.w : op->r.h;
    int scale = room / q->side; /* whole texels per module: sharp edges for the camera */
    if (scale < 1)
        scale = 1;
    int side = q->side * scale;
    SDL_Rect dst = {op->r.x + (op->r.w - side) / 2, op->r.y + (op->r.h - side) / 2, side, side};
    SDL_RenderCopy(r->renderer, q->tex, NULL, &dst);
}

void render_layout(render_ctx *r, const layout *l)
{
    for (size_t i = 0; i < l->nops; i++) {
        const layout_op *op = &l->ops[i];
        switch (op->kind) {
        case LAYOUT_FILL:
            draw_fill(r, op);
            break;
        case LAYOUT_TEXT:
            draw_text(r, op);
            break;
        case LAYOUT_PICTURE:
            draw_picture(r, op);
            break;
        case LAYOUT_QR:
            draw_qr(r, op);
            break;
        }
    }
}
