/*
 * A frame: the app's view, laid out for the window and drawn, only when something changed.
 * Scripts also hold every frame to the elder-friendly rules (layout_check).
 */
#include "kiosk.h"

#include <stdio.h>
#include <string.h>

/* True when the touch targets differ from the last frame's: a press may have been aimed at what
 * was there before. */
static bool targets_moved(const layout *before, const layout *after)
{
    if (before->nhits != after->nhits)
        return true;
    for (size_t i = 0; i < after->nhits; i++)
        if (strcmp(before->hits[i].id, after->hits[i].id) != 0 ||
            !SDL_RectEquals(&before->hits[i].r, &after->hits[i].r))
            return true;
    return false;
}

static void check(kiosk *k)
{
    char problems[LAYOUT_PROBLEMS_MAX][LAYOUT_PROBLEM_MAX];
    size_t n = layout_check(&k->view, &k->layout, problems);
    for (size_t i = 0; i < n && i < LAYOUT_PROBLEMS_MAX; i++)
        fprintf(stderr, "zhucan-kiosk: screen %s at %dx%d: %s\n",
                k->view.screen ? k->view.screen : "?", k->layout.m.w, k->layout.m.h, problems[i]);
    k->layout_problems += n;
}

void kiosk_frame(kiosk *k, bool force)
{
    bool dirty = zc_app_dirty(k->app);
    if (!dirty && !force && !k->force_redraw && k->have_frame)
        return;
    Uint64 t0 = SDL_GetPerformanceCounter();
    int w, h;
    SDL_GetRendererOutputSize(k->renderer, &w, &h);
    bool had = k->have_frame;
    if (had)
        memcpy(&k->previous, &k->layout, sizeof k->previous);
    zc_app_view(k->app, &k->view);
    layout_view(&k->view, w, h, text_measure, k->text, &k->layout);
    Uint64 t1 = SDL_GetPerformanceCounter();
    render_layout(k->render, &k->layout);
    Uint64 t2 = SDL_GetPerformanceCounter();
    SDL_RenderPresent(k->renderer);
    Uint64 t3 = SDL_GetPerformanceCounter();
    k->have_frame = true;
    k->force_redraw = false;
    if (!had || targets_moved(&k->previous, &k->layout))
        k->moved_at = SDL_GetTicks64();
    if (k->check_layout)
        check(k);
    k->trace.frames++;
    if (k->trace.on) {
        double f = (double)SDL_GetPerformanceFrequency() / 1000.0;
        fprintf(stderr, "trace: frame %lu %s layout %.3f ms render %.3f ms present %.3f ms\n",
                k->trace.frames, k->view.screen ? k->view.screen : "?", (t1 - t0) / f,
                (t2 - t1) / f, (t3 - t2) / f);
        if (k->trace.frames == 1)
            fprintf(stderr, "trace: start to first frame %.3f ms\n", (t3 - k->trace.start) / f);
        if (k->trace.event) {
            fprintf(stderr, "trace: device event to frame %.3f ms\n", (t3 - k->trace.event) / f);
            k->trace.event = 0;
        }
    }
}

void kiosk_outputs(kiosk *k)
{
    char text[SPEECH_TEXT_MAX];
    while (zc_app_take_speech(k->app, text, sizeof text)) {
        if (k->opt.script) {
            printf("speech: %s\n", text);
            fflush(stdout);
        } else {
            speech_say(k->speech, text, zc_app_volume(k->app));
        }
    }
    devices_enable_readers(k->devices, zc_app_readers_enabled(k->app));
}
