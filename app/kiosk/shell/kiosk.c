#include "kiosk.h"

#include <SDL_image.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum {
    WINDOWED_W = 1280, /* --windowed without --size: a common kiosk panel */
    WINDOWED_H = 800,
};

static const char INSTALLED_ASSETS[] = "/../share/zhucan/assets"; /* from the program's dir */

zc_ms kiosk_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (zc_ms)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Installed next to the program (PREFIX/bin -> PREFIX/share/zhucan/assets), else the source
 * tree's (development, tests). */
static void find_assets(kiosk *k)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    char *slash = n > 0 ? (exe[n] = '\0', strrchr(exe, '/')) : NULL;
    if (slash) {
        *slash = '\0';
        char dir[PATH_MAX + sizeof INSTALLED_ASSETS], images[sizeof dir + sizeof "/images"];
        snprintf(dir, sizeof dir, "%s%s", exe, INSTALLED_ASSETS);
        snprintf(images, sizeof images, "%s/images", dir);
        if (is_dir(images) && strlen(dir) < sizeof k->assets) {
            memcpy(k->assets, dir, strlen(dir) + 1);
            return;
        }
    }
    snprintf(k->assets, sizeof k->assets, "%s", ZC_ASSETS_SOURCE_DIR);
}

static bool open_window(kiosk *k, char *err, size_t errsize)
{
    const options *o = &k->opt;
    Uint32 flags = SDL_WINDOW_SHOWN | SDL_WINDOW_ALLOW_HIGHDPI;
    int w = o->width ? o->width : WINDOWED_W, h = o->height ? o->height : WINDOWED_H;
    if (!o->windowed)
        flags |= o->width ? SDL_WINDOW_FULLSCREEN : SDL_WINDOW_FULLSCREEN_DESKTOP;
    else
        flags |= SDL_WINDOW_RESIZABLE;
    k->window =
        SDL_CreateWindow("zhucan", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, w, h, flags);
    if (!k->window) {
        snprintf(err, errsize, "window: %s", SDL_GetError());
        return false;
    }
    /* Scripts draw in software: the same pixels on every machine, so goldens compare. */
    if (!o->script)
        k->renderer =
            SDL_CreateRenderer(k->window, -1, SDL_RENDERER_ACCELERATED | SDL_RENDERER_PRESENTVSYNC);
    if (!k->renderer)
        k->renderer = SDL_CreateRenderer(k->window, -1, SDL_RENDERER_SOFTWARE);
    if (!k->renderer) {
        snprintf(err, errsize, "renderer: %s", SDL_GetError());
        return false;
    }
    if (!o->windowed)
        SDL_ShowCursor(SDL_DISABLE); /* a touch screen: no pointer in front of elders */
    return true;
}

bool kiosk_open(kiosk *k, zc_ms now, char *err, size_t errsize)
{
    find_assets(k);
    const char *trace = SDL_getenv("ZHUCAN_KIOSK_TRACE");
    k->trace.on = trace && strcmp(trace, "1") == 0;
    k->check_layout = k->opt.script != NULL;
    /* Touch is handled as touch; SDL must not also turn it into mouse clicks (two taps). */
    SDL_SetHint(SDL_HINT_TOUCH_MOUSE_EVENTS, "0");
    SDL_SetHint(SDL_HINT_VIDEO_MINIMIZE_ON_FOCUS_LOSS, "0");
    if (k->opt.script) {
        SDL_SetHint(SDL_HINT_RENDER_DRIVER, "software");
        SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0"); /* no GL behind the window either */
    }
    if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_EVENTS) != 0) {
        snprintf(err, errsize, "SDL: %s", SDL_GetError());
        return false;
    }
    if ((IMG_Init(IMG_INIT_PNG) & IMG_INIT_PNG) == 0) {
        snprintf(err, errsize, "SDL_image: %s", IMG_GetError());
        return false;
    }
    k->wake_event = SDL_RegisterEvents(1);
    if (k->wake_event == (Uint32)-1) {
        snprintf(err, errsize, "SDL: no user events left");
        return false;
    }
    if (!open_window(k, err, errsize) || !text_open(k->renderer, &k->text, err, errsize))
        return false;
    char images[PATH_MAX + sizeof "/images"];
    snprintf(images, sizeof images, "%s/images", k->assets);
    if (!picture_open(k->renderer, images, &k->pictures) ||
        !render_open(k->renderer, k->text, k->pictures, &k->render)) {
        snprintf(err, errsize, "out of memory");
        return false;
    }
    char shipped[PATH_MAX + sizeof "/hal/devices.conf"];
    snprintf(shipped, sizeof shipped, "%s/hal/devices.conf", k->assets);
    devices_opts dopts = {
        .mode = k->opt.devices,
        .sim_transport = k->opt.sim_transport,
        .config = k->opt.config,
        .shipped = shipped,
        .wake_event = k->wake_event,
        .sim_printer = k->opt.script != NULL,
    };
    if (!devices_open(&dopts, &k->devices, err, errsize))
        return false;
    /* Scripts print what would be spoken instead: tests read it, and they have no speaker. */
    if (!k->opt.script && !speech_open(&k->speech))
        fprintf(stderr, "zhucan-kiosk: speech did not start\n");
    zc_app_opts aopts = {
        .data_dir = k->opt.data_dir,
        .assets_dir = k->assets,
        .lang = k->opt.lang,
        .now = now,
    };
    aopts.print = devices_printer(k->devices, &aopts.print_ctx);
    zc_diag diag = {0};
    if (zc_app_open(&aopts, &k->app, &diag) != ZC_OK) {
        snprintf(err, errsize, "%s: %s", k->opt.data_dir, diag.msg[0] ? diag.msg : "cannot open");
        return false;
    }
    /* Scripts run in virtual time: the hub's clock and network have no place in them. */
    if (!k->opt.script)
        k->sync = hubsync_start(k->opt.data_dir);
    int w, h;
    SDL_GetRendererOutputSize(k->renderer, &w, &h);
    SDL_RendererInfo info;
    SDL_GetRendererInfo(k->renderer, &info);
    fprintf(stderr, "zhucan-kiosk: %dx%d, %s, %s renderer, font %s\n", w, h,
            SDL_GetCurrentVideoDriver(), info.name, text_primary_path(k->text));
    return true;
}

void kiosk_close(kiosk *k)
{
    /* The sync agent first (it has its own connection); the app next: it may still print; then
     * what feeds it; SDL last. */
    zc_sync_agent_stop(k->sync);
    zc_app_close(k->app);
    speech_close(k->speech);
    devices_close(k->devices);
    render_close(k->render);
    picture_close(k->pictures);
    text_close(k->text);
    if (k->renderer)
        SDL_DestroyRenderer(k->renderer);
    if (k->window)
        SDL_DestroyWindow(k->window);
    IMG_Quit();
    SDL_Quit();
}
