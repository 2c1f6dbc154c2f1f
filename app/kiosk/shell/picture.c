#include "picture.h"

#include <SDL_image.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    PICTURES_MAX = 16, /* a kiosk shows a handful of pictures */
    NAME_MAX_LEN = 64,
};

typedef struct picture {
    char name[NAME_MAX_LEN];
    SDL_Surface *source; /* as loaded, ARGB8888; NULL once loading failed */
    bool failed;
    SDL_Texture *tex; /* scaled to tw x th */
    int tw, th;
    Uint64 used;
} picture;

struct picture_ctx {
    SDL_Renderer *renderer;
    char dir[PATH_MAX];
    Uint64 clock;
    picture pics[PICTURES_MAX];
};

bool picture_open(SDL_Renderer *renderer, const char *dir, picture_ctx **out)
{
    picture_ctx *p = calloc(1, sizeof *p);
    if (!p)
        return false;
    p->renderer = renderer;
    snprintf(p->dir, sizeof p->dir, "%s", dir);
    *out = p;
    return true;
}

static void drop(picture *pic)
{
    if (pic->tex)
        SDL_DestroyTexture(pic->tex);
    SDL_FreeSurface(pic->source);
    memset(pic, 0, sizeof *pic);
}

void picture_close(picture_ctx *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < PICTURES_MAX; i++)
        drop(&p->pics[i]);
    free(p);
}

static bool plain_name(const char *name)
{
    return name[0] && name[0] != '.' && !strchr(name, '/') && strlen(name) < NAME_MAX_LEN;
}

static picture *find(picture_ctx *p, const char *name)
{
    picture *oldest = &p->pics[0];
    for (size_t i = 0; i < PICTURES_MAX; i++) {
        picture *pic = &p->pics[i];
        if (pic->name[0] && strcmp(pic->name, name) == 0)
            return pic;
        if (!pic->name[0] || (oldest->name[0] && pic->used < oldest->used))
            oldest = pic;
    }
    drop(oldest);
    snprintf(oldest->name, sizeof oldest->name, "%s", name);
    char path[PATH_MAX + NAME_MAX_LEN];
    snprintf(path, sizeof path, "%s/%s", p->dir, name);
    SDL_Surface *raw = IMG_Load(path);
    if (raw)
        oldest->source = SDL_ConvertSurfaceFormat(raw, SDL_PIXELFORMAT_ARGB8888, 0);
    SDL_FreeSurface(raw);
    if (!oldest->source) {
        oldest->failed = true;
        fprintf(stderr, "zhucan-kiosk: cannot load picture %s: %s\n", path, IMG_GetError());
    }
    return oldest;
}

SDL_Texture *picture_texture(picture_ctx *p, const char *name, int w, int h, int *tw, int *th)
{
    *tw = *th = 0;
    if (!plain_name(name) || w <= 0 || h <= 0)
        return NULL;
    picture *pic = find(p, name);
    pic->used = ++p->clock;
    if (pic->failed)
        return NULL;
    /* Fit inside w x h keeping the shape. */
    int sw = pic->source->w, sh = pic->source->h;
    int fw = w, fh = (int)((long)sh * w / sw);
    if (fh > h) {
        fh = h;
        fw = (int)((long)sw * h / sh);
    }
    if (pic->tex && pic->tw == fw && pic->th == fh) {
        *tw = fw;
        *th = fh;
        return pic->tex;
    }
    if (pic->tex)
        SDL_DestroyTexture(pic->tex);
    pic->tex = NULL;
    SDL_Surface *scaled = SDL_CreateRGBSurfaceWithFormat(0, fw, fh, 32, SDL_PIXELFORMAT_ARGB8888);
    if (!scaled)
        return NULL;
    /* Scaled here, smoothly and once, rather than by the renderer on every frame. */
    if (SDL_SoftStretchLinear(pic->source, NULL, scaled, NULL) == 0)
        pic->tex = SDL_CreateTextureFromSurface(p->renderer, scaled);
    SDL_FreeSurface(scaled);
    if (!pic->tex)
        return NULL;
    SDL_SetTextureBlendMode(pic->tex, SDL_BLENDMODE_BLEND);
    pic->tw = fw;
    pic->th = fh;
    *tw = fw;
    *th = fh;
    return pic->tex;
}
