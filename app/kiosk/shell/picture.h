/*
 * Pictures from assets/images (SDL2_image), scaled once to the size a screen shows them at and
 * kept, so an unchanged screen redraws from textures. Names come from the view; anything that is
 * not a plain file name is refused rather than read from elsewhere on disk.
 */
#ifndef ZC_SHELL_PICTURE_H
#define ZC_SHELL_PICTURE_H

#include <SDL.h>
#include <stdbool.h>

typedef struct picture_ctx picture_ctx;

bool picture_open(SDL_Renderer *renderer, const char *dir, picture_ctx **out);
void picture_close(picture_ctx *p);

/* The picture fitted into w x h keeping its shape; its size in *tw, *th. NULL if it cannot be
 * loaded (said once on stderr). */
SDL_Texture *picture_texture(picture_ctx *p, const char *name, int w, int h, int *tw, int *th);

#endif
