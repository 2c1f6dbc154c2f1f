/*
 * Drawing a laid-out view: fills, text from the text cache, pictures, QR codes. Nothing here
 * decides where anything goes (layout.c does); nothing here knows which screen it draws.
 */
#ifndef ZC_SHELL_RENDER_H
#define ZC_SHELL_RENDER_H

#include "layout.h"
#include "picture.h"
#include "text.h"

#include <SDL.h>

typedef struct render_ctx render_ctx;

bool render_open(SDL_Renderer *renderer, text_ctx *text, picture_ctx *pictures, render_ctx **out);
void render_close(render_ctx *r);

/* Draws every operation of the layout into the renderer's target (no present). */
void render_layout(render_ctx *r, const layout *l);

#endif
