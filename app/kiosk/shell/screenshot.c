#include "screenshot.h"

#include <SDL_image.h>
#include <limits.h>
#include <stdio.h>

bool screenshot_save(SDL_Renderer *renderer, const char *dir, const char *name, char *err,
                     size_t errsize)
{
    int w, h;
    if (SDL_GetRendererOutputSize(renderer, &w, &h) != 0) {
        snprintf(err, errsize, "screenshot %s: %s", name, SDL_GetError());
        return false;
    }
    /* RGB without alpha: the screen is opaque, and a PNG without alpha compares simply. */
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 24, SDL_PIXELFORMAT_RGB24);
    if (!s) {
        snprintf(err, errsize, "screenshot %s: %s", name, SDL_GetError());
        return false;
    }
    char path[PATH_MAX];
    bool ok = false;
    if (SDL_RenderReadPixels(renderer, NULL, SDL_PIXELFORMAT_RGB24, s->pixels, s->pitch) != 0)
        snprintf(err, errsize, "screenshot %s: %s", name, SDL_GetError());
    else if (snprintf(path, sizeof path, "%s/%s.png", dir, name) >= (int)sizeof path)
        snprintf(err, errsize, "screenshot %s: path too long", name);
    else if (IMG_SavePNG(s, path) != 0)
        snprintf(err, errsize, "%s: %s", path, IMG_GetError());
    else
        ok = true;
    SDL_FreeSurface(s);
    return ok;
}
