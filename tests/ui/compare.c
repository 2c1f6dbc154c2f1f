/*
 * zc-ui-compare: a screenshot against its golden, with a tolerance.
 *
 *   zc-ui-compare [--tolerance N] [--max-percent P] [--mask FILE] [--diff OUT.png] GOLDEN ACTUAL
 *
 * A pixel differs when any of its channels differs by more than N (default 32: anti-aliasing that
 * moved by a shade is not a change). The images match when at most P percent of their pixels
 * differ (default 0.5). Prints one line: how many pixels differ and by how much at most.
 *
 * --mask names a file of regions ("X Y W H" a line, # comments) that differ on every run by design
 * (a receipt's QR code holds a random sale id and a signature): they are not compared, but each
 * must hold a drawn code (dark and light pixels), not an empty box. --diff writes the actual image
 * with differing pixels in magenta, for a person to look at.
 *
 * Exit status: 0 match, 1 differ, 2 bad usage or an unreadable image.
 */
#include <SDL.h>
#include <SDL_image.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    EXIT_MATCH = 0,
    EXIT_DIFFER = 1,
    EXIT_USAGE = 2,
    DEFAULT_TOLERANCE = 32,
    MASKS_MAX = 16,
    LINE_MAX_LEN = 256,
    DARK_MAX = 64,   /* a QR module's dark */
    LIGHT_MIN = 192, /* and light */
    BYTES_PER_PIXEL = 4,
};

static const double DEFAULT_MAX_PERCENT = 0.5;

typedef struct options {
    int tolerance;
    double max_percent;
    const char *mask, *diff, *golden, *actual;
} options;

typedef struct masks {
    size_t n;
    SDL_Rect r[MASKS_MAX];
} masks;

static int usage(const char *why)
{
    fprintf(stderr,
            "zc-ui-compare: %s\nusage: zc-ui-compare [--tolerance N] [--max-percent P] "
            "[--mask FILE] [--diff OUT.png] GOLDEN ACTUAL\n",
            why);
    return EXIT_USAGE;
}

static int parse(int argc, char **argv, options *o)
{
    *o = (options){DEFAULT_TOLERANCE, DEFAULT_MAX_PERCENT, NULL, NULL, NULL, NULL};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool value = strcmp(a, "--tolerance") == 0 || strcmp(a, "--max-percent") == 0 ||
                     strcmp(a, "--mask") == 0 || strcmp(a, "--diff") == 0;
        if (value && i + 1 >= argc)
            return usage("an option needs a value");
        if (strcmp(a, "--tolerance") == 0)
            o->tolerance = atoi(argv[++i]);
        else if (strcmp(a, "--max-percent") == 0)
            o->max_percent = atof(argv[++i]);
        else if (strcmp(a, "--mask") == 0)
            o->mask = argv[++i];
        else if (strcmp(a, "--diff") == 0)
            o->diff = argv[++i];
        else if (strncmp(a, "--", 2) == 0)
            return usage("unknown option");
        else if (!o->golden)
            o->golden = a;
        else if (!o->actual)
            o->actual = a;
        else
            return usage("too many arguments");
    }
    if (!o->actual)
        return usage("need GOLDEN and ACTUAL");
    if (o->tolerance < 0 || o->tolerance > 255 || o->max_percent < 0)
        return usage("bad --tolerance or --max-percent");
    return EXIT_MATCH;
}

static bool load_masks(const char *path, masks *m)
{
    m->n = 0;
    if (!path)
        return true;
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "zc-ui-compare: cannot read %s\n", path);
        return false;
    }
    char line[LINE_MAX_LEN];
    bool ok = true;
    while (ok && fgets(line, sizeof line, f)) {
        SDL_Rect r;
        if (line[0] == '#' || line[0] == '\n')
            continue;
        if (sscanf(line, "%d %d %d %d", &r.x, &r.y, &r.w, &r.h) != 4 || m->n == MASKS_MAX) {
            fprintf(stderr, "zc-ui-compare: %s: bad line: %s", path, line);
            ok = false;
        } else {
            m->r[m->n++] = r;
        }
    }
    fclose(f);
    return ok;
}

static SDL_Surface *load(const char *path)
{
    SDL_Surface *raw = IMG_Load(path);
    if (!raw) {
        fprintf(stderr, "zc-ui-compare: %s: %s\n", path, IMG_GetError());
        return NULL;
    }
    SDL_Surface *s =
        SDL_ConvertSurfaceFormat(raw, SDL_PIXELFORMAT_RGBA32, 0); /* R, G, B, A bytes */
    SDL_FreeSurface(raw);
    return s;
}

static Uint8 *pixel(SDL_Surface *s, int x, int y)
{
    return (Uint8 *)s->pixels + y * s->pitch + x * BYTES_PER_PIXEL;
}

static bool masked(const masks *m, int x, int y)
{
    SDL_Point p = {x, y};
    for (size_t i = 0; i < m->n; i++)
        if (SDL_PointInRect(&p, &m->r[i]))
            return true;
    return false;
}

/* A masked region must show a code: some dark and some light pixels. */
static bool drawn(SDL_Surface *s, SDL_Rect r)
{
    bool dark = false, light = false;
    for (int y = r.y; y < r.y + r.h && y < s->h; y++)
        for (int x = r.x; x < r.x + r.w && x < s->w; x++) {
            const Uint8 *p = pixel(s, x, y);
            int lum = (p[0] * 299 + p[1] * 587 + p[2] * 114) / 1000;
            dark = dark || lum <= DARK_MAX;
            light = light || lum >= LIGHT_MIN;
        }
    return dark && light;
}

int main(int argc, char **argv)
{
    options o;
    masks m;
    int rc = parse(argc, argv, &o);
    if (rc != EXIT_MATCH)
        return rc;
    if (!load_masks(o.mask, &m))
        return EXIT_USAGE;
    SDL_Surface *golden = load(o.golden), *actual = load(o.actual);
    if (!golden || !actual) {
        SDL_FreeSurface(golden);
        SDL_FreeSurface(actual);
        return EXIT_USAGE;
    }
    if (golden->w != actual->w || golden->h != actual->h) {
        printf("%s: %dx%d, golden %dx%d\n", o.actual, actual->w, actual->h, golden->w, golden->h);
        SDL_FreeSurface(golden);
        SDL_FreeSurface(actual);
        return EXIT_DIFFER;
    }
    long differ = 0, compared = 0;
    int worst = 0;
    for (int y = 0; y < golden->h; y++)
        for (int x = 0; x < golden->w; x++) {
            if (masked(&m, x, y))
                continue;
            Uint8 *g = pixel(golden, x, y), *a = pixel(actual, x, y);
            int d = 0;
            for (int c = 0; c < 3; c++) {
                int dc = abs((int)g[c] - (int)a[c]);
                d = dc > d ? dc : d;
            }
            compared++;
            worst = d > worst ? d : worst;
            if (d > o.tolerance) {
                differ++;
                a[0] = 0xFF; /* magenta in the diff image */
                a[1] = 0x00;
                a[2] = 0xFF;
            }
        }
    double percent = compared ? 100.0 * (double)differ / (double)compared : 0.0;
    bool match = percent <= o.max_percent;
    for (size_t i = 0; i < m.n; i++)
        if (!drawn(actual, m.r[i])) {
            printf("%s: masked region %d %d %d %d shows no code\n", o.actual, m.r[i].x, m.r[i].y,
                   m.r[i].w, m.r[i].h);
            match = false;
        }
    printf("%s: %.3f%% of pixels differ (%ld of %ld, largest channel difference %d)%s\n", o.actual,
           percent, differ, compared, worst, match ? "" : " -- DIFFERS");
    if (!match && o.diff && IMG_SavePNG(actual, o.diff) == 0)
        printf("  differences in magenta: %s\n", o.diff);
    SDL_FreeSurface(golden);
    SDL_FreeSurface(actual);
    return match ? EXIT_MATCH : EXIT_DIFFER;
}
