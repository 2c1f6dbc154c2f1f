#include "text.h"

#include <SDL_ttf.h>
#include <fcntl.h>
#include <fontconfig/fontconfig.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

enum {
    FACES_MAX = 8,          /* the primary and the fallbacks a kiosk's names ever need */
    SIZED_MAX = 48,         /* open (face, size, style) instances; least recently used closed */
    PROBE_PX = 32,          /* coverage does not depend on size: one instance per face asks */
    MEMO_MAX = 64,          /* characters the primary lacks, and who draws them */
    CACHE_ENTRIES = 512,    /* cached strings */
    CACHE_BUCKETS = 1024,   /* hash buckets (a power of two) */
    CACHE_PIXELS = 4 << 20, /* texels kept: 16 MB of ARGB, several full screens of text */
    RUNS_MAX = 32,          /* font changes within one string; more draw with the primary */
    MEASURES = 4096,        /* remembered measurements (a power of two): layout asks often */
    STACK_TEXT = 1024,      /* a run copied for SDL_ttf, which wants NUL-terminated strings */
    NO_FACE = -1,
};

/* The character shown for bytes that are not UTF-8, like SDL_ttf itself. */
static const Uint32 REPLACEMENT = 0xFFFD;
static const char PRIMARY_PATTERN[] = "sans-serif:lang=zh-cn";
static const Uint32 CJK_PROBE = 0x4E2D;     /* 中: the primary must have it */
static const Uint32 NO_BOLD_FIRST = 0x2500; /* box drawing, shapes (● for PINs), CJK onwards */
static const Uint32 FULLWIDTH_DIGIT_FIRST = 0xFF10; /* ０..９ are digits, bold like 0..9 */
static const Uint32 FULLWIDTH_DIGIT_LAST = 0xFF19;

typedef struct face {
    char path[PATH_MAX];
    int index;       /* within a .ttc collection */
    const void *map; /* the file, mapped read-only: FreeType reads glyphs from memory, not by
                        read() and lseek() for each one, and the page cache shares the pages */
    size_t map_len;
    TTF_Font *probe;
} face;

typedef struct sized {
    int face, px;
    text_style style;
    TTF_Font *font;
    uint64_t used;
} sized;

typedef struct memo {
    Uint32 cp;
    int face; /* NO_FACE: no installed font has it */
} memo;

typedef struct entry {
    char *text;
    int px;
    text_style style;
    Uint32 rgba;
    uint32_t hash;
    SDL_Texture *tex;
    int w, h;
    uint64_t used;
    int next; /* bucket chain, -1 at the end */
    bool live;
} entry;

/* A measurement remembered: layout tries sizes and wraps again and again on every change of the
 * screen, always with the same few strings. */
typedef struct measured {
    char *text; /* NULL: empty slot */
    size_t len;
    uint32_t hash;
    int px;
    text_style style;
    int w, h, ascent;
} measured;

typedef struct run {
    int face;
    text_style style;
    size_t start, len; /* bytes of the string */
} run;

struct text_ctx {
    SDL_Renderer *renderer;
    FcFontSet *sorted; /* fontconfig's fallback order for the primary pattern */
    size_t nfaces;
    face faces[FACES_MAX];
    sized sizes[SIZED_MAX];
    size_t nmemo, memo_next;
    memo memo[MEMO_MAX];
    uint64_t clock; /* use counter for least-recently-used decisions */
    measured measures[MEASURES];
    int buckets[CACHE_BUCKETS];
    entry entries[CACHE_ENTRIES];
    text_stats stats;
};

/* Decodes one UTF-8 character at s[*i] (advancing *i); malformed bytes give U+FFFD. */
static Uint32 utf8_next(const char *s, size_t len, size_t *i)
{
    const unsigned char *u = (const unsigned char *)s + *i;
    size_t left = len - *i;
    Uint32 cp;
    size_t n;
    if (u[0] < 0x80) {
        *i += 1;
        return u[0];
    } else if ((u[0] & 0xE0) == 0xC0) {
        cp = u[0] & 0x1F;
        n = 2;
    } else if ((u[0] & 0xF0) == 0xE0) {
        cp = u[0] & 0x0F;
        n = 3;
    } else if ((u[0] & 0xF8) == 0xF0) {
        cp = u[0] & 0x07;
        n = 4;
    } else {
        *i += 1;
        return REPLACEMENT;
    }
    if (left < n) {
        *i += 1;
        return REPLACEMENT;
    }
    for (size_t k = 1; k < n; k++) {
        if ((u[k] & 0xC0) != 0x80) {
            *i += 1;
            return REPLACEMENT;
        }
        cp = (cp << 6) | (u[k] & 0x3F);
    }
    *i += n;
    return cp;
}

/* An instance of a face at a size, read from its mapping. */
static TTF_Font *open_sized(const face *f, int px)
{
    SDL_RWops *rw = SDL_RWFromConstMem(f->map, (int)f->map_len);
    return rw ? TTF_OpenFontIndexRW(rw, 1, px, f->index) : NULL;
}

static bool map_file(const char *path, const void **map, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0)
        return false;
    bool ok = fstat(fd, &st) == 0 && st.st_size > 0 && (uintmax_t)st.st_size < INT_MAX;
    void *p = ok ? mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0) : MAP_FAILED;
    close(fd);
    if (p == MAP_FAILED)
        return false;
    *map = p;
    *len = (size_t)st.st_size;
    return true;
}

static bool open_face(text_ctx *t, const char *path, int index, int *out)
{
    for (size_t i = 0; i < t->nfaces; i++)
        if (t->faces[i].index == index && strcmp(t->faces[i].path, path) == 0) {
            *out = (int)i;
            return true;
        }
    if (t->nfaces == FACES_MAX)
        return false;
    face *f = &t->faces[t->nfaces];
    memset(f, 0, sizeof *f);
    if (!map_file(path, &f->map, &f->map_len))
        return false;
    snprintf(f->path, sizeof f->path, "%s", path);
    f->index = index;
    f->probe = open_sized(f, PROBE_PX);
    if (!f->probe) {
        munmap((void *)f->map, f->map_len);
        return false;
    }
    *out = (int)t->nfaces++;
    t->stats.faces = t->nfaces;
    return true;
}

/* fontconfig's best match for the pattern, with its fallback order kept for later. */
static bool find_primary(text_ctx *t, char *err, size_t errsize)
{
    if (!FcInit()) {
        snprintf(err, errsize, "fontconfig did not initialise");
        return false;
    }
    FcPattern *pat = FcNameParse((const FcChar8 *)PRIMARY_PATTERN);
    if (!pat) {
        snprintf(err, errsize, "fontconfig: bad pattern %s", PRIMARY_PATTERN);
        return false;
    }
    FcConfigSubstitute(NULL, pat, FcMatchPattern);
    FcDefaultSubstitute(pat);
    FcResult res;
    t->sorted = FcFontSort(NULL, pat, FcTrue, NULL, &res);
    FcPattern *match = FcFontMatch(NULL, pat, &res);
    FcPatternDestroy(pat);
    FcChar8 *file = NULL;
    int index = 0;
    if (!match || FcPatternGetString(match, FC_FILE, 0, &file) != FcResultMatch) {
        if (match)
            FcPatternDestroy(match);
        snprintf(err, errsize, "fontconfig found no font for %s (install fonts-wqy-microhei)",
                 PRIMARY_PATTERN);
        return false;
    }
    FcPatternGetInteger(match, FC_INDEX, 0, &index);
    int slot;
    bool ok = open_face(t, (const char *)file, index, &slot);
    if (!ok)
        snprintf(err, errsize, "cannot open font %s: %s", (const char *)file, TTF_GetError());
    else if (!TTF_GlyphIsProvided32(t->faces[0].probe, CJK_PROBE))
        fprintf(stderr, "zhucan-kiosk: %s has no Chinese characters; install fonts-wqy-microhei\n",
                (const char *)file);
    FcPatternDestroy(match);
    return ok;
}

bool text_open(SDL_Renderer *renderer, text_ctx **out, char *err, size_t errsize)
{
    *out = NULL;
    if (!TTF_WasInit() && TTF_Init() != 0) {
        snprintf(err, errsize, "SDL_ttf: %s", TTF_GetError());
        return false;
    }
    text_ctx *t = calloc(1, sizeof *t);
    if (!t) {
        snprintf(err, errsize, "out of memory");
        return false;
    }
    t->renderer = renderer;
    for (size_t i = 0; i < CACHE_BUCKETS; i++)
        t->buckets[i] = -1;
    if (!find_primary(t, err, errsize)) {
        text_close(t);
        return false;
    }
    *out = t;
    return true;
}

void text_close(text_ctx *t)
{
    if (!t)
        return;
    text_flush(t);
    for (size_t i = 0; i < SIZED_MAX; i++)
        if (t->sizes[i].font)
            TTF_CloseFont(t->sizes[i].font);
    for (size_t i = 0; i < t->nfaces; i++) {
        TTF_CloseFont(t->faces[i].probe);
        munmap((void *)t->faces[i].map, t->faces[i].map_len);
    }
    if (t->sorted)
        FcFontSetDestroy(t->sorted);
    free(t);
    TTF_Quit();
    /* fontconfig's state is the process's, and this context its only user (one a process): give
     * it back, or what FcInit loaded outlives us (LeakSanitizer says so). */
    FcFini();
}

/* The face that draws cp: the primary if it can, else the first fallback that has it. */
static int face_for(text_ctx *t, Uint32 cp)
{
    if (cp < 0x20 || TTF_GlyphIsProvided32(t->faces[0].probe, cp))
        return 0;
    for (size_t i = 0; i < t->nmemo; i++)
        if (t->memo[i].cp == cp)
            return t->memo[i].face;
    int found = NO_FACE;
    for (int i = 0; t->sorted && i < t->sorted->nfont && found == NO_FACE; i++) {
        FcPattern *p = t->sorted->fonts[i];
        FcCharSet *cs;
        FcChar8 *file;
        int index = 0;
        if (FcPatternGetCharSet(p, FC_CHARSET, 0, &cs) != FcResultMatch ||
            !FcCharSetHasChar(cs, cp) || FcPatternGetString(p, FC_FILE, 0, &file) != FcResultMatch)
            continue;
        FcPatternGetInteger(p, FC_INDEX, 0, &index);
        int slot;
        if (open_face(t, (const char *)file, index, &slot) &&
            TTF_GlyphIsProvided32(t->faces[slot].probe, cp))
            found = slot;
    }
    if (found == NO_FACE)
        fprintf(stderr, "zhucan-kiosk: no installed font has U+%04X; it shows as a box\n",
                (unsigned)cp);
    /* A ring: a kiosk meets few such characters, and forgetting one only costs a lookup. */
    t->memo[t->memo_next] = (memo){cp, found};
    t->memo_next = (t->memo_next + 1) % MEMO_MAX;
    if (t->nmemo < MEMO_MAX)
        t->nmemo++;
    return found;
}

static TTF_Font *font_at(text_ctx *t, int face_index, int px, text_style style)
{
    if (px < TEXT_PX_MIN)
        px = TEXT_PX_MIN;
    if (px > TEXT_PX_MAX)
        px = TEXT_PX_MAX;
    sized *oldest = &t->sizes[0];
    for (size_t i = 0; i < SIZED_MAX; i++) {
        sized *s = &t->sizes[i];
        if (s->font && s->face == face_index && s->px == px && s->style == style) {
            s->used = ++t->clock;
            return s->font;
        }
        if (!s->font || (oldest->font && s->used < oldest->used))
            oldest = s;
    }
    TTF_Font *font = open_sized(&t->faces[face_index], px);
    if (!font)
        return NULL;
    if (style == TEXT_BOLD)
        TTF_SetFontStyle(font, TTF_STYLE_BOLD);
    if (oldest->font)
        TTF_CloseFont(oldest->font);
    *oldest = (sized){face_index, px, style, font, ++t->clock};
    return font;
}

/*
 * Chinese characters are never emboldened: a synthetic bold fills the counters of dense characters
 * (餐, 您) and makes them harder to read, not easier; nor are symbols (a PIN's ●●●● would run
 * together). Bold text is bold in its digits and Latin letters, where it helps amounts stand out.
 */
static text_style style_for(Uint32 cp, text_style style)
{
    bool plain =
        cp >= NO_BOLD_FIRST && !(cp >= FULLWIDTH_DIGIT_FIRST && cp <= FULLWIDTH_DIGIT_LAST);
    return plain ? TEXT_REGULAR : style;
}

/* Splits a string into runs of one face and style each. */
static size_t split_runs(text_ctx *t, const char *s, size_t len, text_style style, run *runs)
{
    size_t n = 0;
    for (size_t i = 0; i < len;) {
        size_t at = i;
        Uint32 cp = utf8_next(s, len, &i);
        int f = face_for(t, cp);
        if (f == NO_FACE)
            f = 0;
        text_style st = style_for(cp, style);
        if (n && ((runs[n - 1].face == f && runs[n - 1].style == st) || n == RUNS_MAX)) {
            runs[n - 1].len = i - runs[n - 1].start;
            continue;
        }
        runs[n++] = (run){f, st, at, i - at};
    }
    return n;
}

/* A NUL-terminated copy of a run's bytes: on the stack when short, else on the heap. */
static char *dup_run(const char *s, const run *r, char *stack)
{
    char *buf = r->len < STACK_TEXT ? stack : malloc(r->len + 1);
    if (!buf)
        return NULL;
    memcpy(buf, s + r->start, r->len);
    buf[r->len] = '\0';
    return buf;
}

static uint32_t hash_bytes(const char *s, size_t len, int px, text_style style)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    h = (h ^ (uint32_t)px) * 16777619u;
    return (h ^ (uint32_t)style) * 16777619u;
}

static void measure_runs(text_ctx *t, const char *utf8, size_t len, int px, text_style style,
                         int *w, int *h, int *ascent);

void text_measure(void *ctx, const char *utf8, size_t len, int px, text_style style, int *w, int *h,
                  int *ascent)
{
    text_ctx *t = ctx;
    uint32_t hash = hash_bytes(utf8, len, px, style);
    measured *m = &t->measures[hash & (MEASURES - 1)];
    if (m->text && m->hash == hash && m->len == len && m->px == px && m->style == style &&
        memcmp(m->text, utf8, len) == 0) {
        *w = m->w;
        *h = m->h;
        *ascent = m->ascent;
        return;
    }
    measure_runs(t, utf8, len, px, style, w, h, ascent);
    char *copy = malloc(len + 1);
    if (!copy)
        return;
    memcpy(copy, utf8, len);
    copy[len] = '\0';
    free(m->text);
    *m = (measured){copy, len, hash, px, style, *w, *h, *ascent};
}

static void measure_runs(text_ctx *t, const char *utf8, size_t len, int px, text_style style,
                         int *w, int *h, int *ascent)
{
    run runs[RUNS_MAX];
    size_t n = split_runs(t, utf8, len, style, runs);
    TTF_Font *primary = font_at(t, 0, px, TEXT_REGULAR);
    *w = 0;
    *h = primary ? TTF_FontHeight(primary) : px;
    *ascent = primary ? TTF_FontAscent(primary) : px;
    for (size_t i = 0; i < n; i++) {
        TTF_Font *font = font_at(t, runs[i].face, px, runs[i].style);
        char stack[STACK_TEXT];
        char *buf = dup_run(utf8, &runs[i], stack);
        int rw = 0, rh = 0;
        if (font && buf && TTF_SizeUTF8(font, buf, &rw, &rh) == 0) {
            *w += rw;
            if (rh > *h)
                *h = rh;
        }
        if (buf != stack)
            free(buf);
    }
}

/* Renders the runs side by side on one baseline into one surface. */
static SDL_Surface *render_runs(text_ctx *t, const char *s, const run *runs, size_t n, int px,
                                SDL_Color color)
{
    SDL_Surface *parts[RUNS_MAX] = {0};
    int ascents[RUNS_MAX] = {0};
    int width = 0, above = 0, below = 0;
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++) {
        TTF_Font *font = font_at(t, runs[i].face, px, runs[i].style);
        char stack[STACK_TEXT];
        char *buf = dup_run(s, &runs[i], stack);
        parts[i] = font && buf ? TTF_RenderUTF8_Blended(font, buf, color) : NULL;
        if (buf != stack)
            free(buf);
        if (!parts[i]) {
            ok = false;
            break;
        }
        ascents[i] = TTF_FontAscent(font);
        width += parts[i]->w;
        if (ascents[i] > above)
            above = ascents[i];
        if (parts[i]->h - ascents[i] > below)
            below = parts[i]->h - ascents[i];
    }
    SDL_Surface *out = NULL;
    if (ok && n == 1) {
        out = parts[0];
        parts[0] = NULL;
    } else if (ok) {
        out = SDL_CreateRGBSurfaceWithFormat(0, width, above + below, 32, SDL_PIXELFORMAT_ARGB8888);
        for (size_t i = 0, x = 0; out && i < n; x += (size_t)parts[i]->w, i++) {
            SDL_Rect at = {(int)x, above - ascents[i], parts[i]->w, parts[i]->h};
            SDL_SetSurfaceBlendMode(parts[i], SDL_BLENDMODE_NONE); /* runs never overlap */
            SDL_BlitSurface(parts[i], NULL, out, &at);
        }
    }
    for (size_t i = 0; i < n; i++)
        SDL_FreeSurface(parts[i]);
    return out;
}

static uint32_t hash_key(const char *s, int px, text_style style, Uint32 rgba)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    uint32_t extra[3] = {(uint32_t)px, (uint32_t)style, rgba};
    for (size_t i = 0; i < 3; i++)
        h = (h ^ extra[i]) * 16777619u;
    return h;
}

static void unlink_entry(text_ctx *t, int idx)
{
    entry *e = &t->entries[idx];
    int *link = &t->buckets[e->hash & (CACHE_BUCKETS - 1)];
    while (*link != idx)
        link = &t->entries[*link].next;
    *link = e->next;
    t->stats.pixels -= (size_t)e->w * (size_t)e->h;
    t->stats.entries--;
    SDL_DestroyTexture(e->tex);
    free(e->text);
    memset(e, 0, sizeof *e);
}

static int least_recent(const text_ctx *t)
{
    int best = -1;
    for (int i = 0; i < CACHE_ENTRIES; i++)
        if (t->entries[i].live && (best < 0 || t->entries[i].used < t->entries[best].used))
            best = i;
    return best;
}

/* A free slot, evicting the least recently used strings while over the budgets. */
static int make_room(text_ctx *t, size_t pixels)
{
    while (t->stats.entries == CACHE_ENTRIES ||
           (t->stats.entries && t->stats.pixels + pixels > CACHE_PIXELS)) {
        unlink_entry(t, least_recent(t));
        t->stats.evictions++;
    }
    for (int i = 0; i < CACHE_ENTRIES; i++)
        if (!t->entries[i].live)
            return i;
    return -1; /* unreachable: the loop above left a slot */
}

SDL_Texture *text_texture(text_ctx *t, const char *utf8, int px, text_style style, SDL_Color color,
                          int *w, int *h)
{
    *w = *h = 0;
    if (!utf8 || !*utf8)
        return NULL;
    Uint32 rgba = (Uint32)color.r << 24 | (Uint32)color.g << 16 | (Uint32)color.b << 8 | color.a;
    uint32_t hash = hash_key(utf8, px, style, rgba);
    for (int i = t->buckets[hash & (CACHE_BUCKETS - 1)]; i >= 0; i = t->entries[i].next) {
        entry *e = &t->entries[i];
        if (e->hash == hash && e->px == px && e->style == style && e->rgba == rgba &&
            strcmp(e->text, utf8) == 0) {
            e->used = ++t->clock;
            t->stats.hits++;
            *w = e->w;
            *h = e->h;
            return e->tex;
        }
    }
    t->stats.misses++;
    size_t len = strlen(utf8);
    run runs[RUNS_MAX];
    size_t n = split_runs(t, utf8, len, style, runs);
    SDL_Surface *surf = render_runs(t, utf8, runs, n, px, color);
    if (!surf)
        return NULL;
    SDL_Texture *tex = SDL_CreateTextureFromSurface(t->renderer, surf);
    int sw = surf->w, sh = surf->h;
    SDL_FreeSurface(surf);
    char *copy = tex ? strdup(utf8) : NULL;
    if (!copy) {
        if (tex)
            SDL_DestroyTexture(tex);
        return NULL;
    }
    int slot = make_room(t, (size_t)sw * (size_t)sh);
    entry *e = &t->entries[slot];
    int *bucket = &t->buckets[hash & (CACHE_BUCKETS - 1)];
    *e = (entry){copy, px, style, rgba, hash, tex, sw, sh, ++t->clock, *bucket, true};
    *bucket = slot;
    t->stats.entries++;
    t->stats.pixels += (size_t)sw * (size_t)sh;
    *w = sw;
    *h = sh;
    return tex;
}

void text_flush(text_ctx *t)
{
    for (size_t i = 0; i < MEASURES; i++) {
        free(t->measures[i].text);
        t->measures[i].text = NULL;
    }
    for (int i = 0; i < CACHE_ENTRIES; i++)
        if (t->entries[i].live)
            unlink_entry(t, i);
}

void text_get_stats(const text_ctx *t, text_stats *out)
{
    *out = t->stats;
}

const char *text_primary_path(const text_ctx *t)
{
    return t->faces[0].path;
}
