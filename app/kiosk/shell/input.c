/*
 * Input: touches, mouse clicks and keys become zc_app_tap / zc_app_key; device events from the
 * HAL queue become zc_app_device_event. A press acts when the finger lands, not when it lifts:
 * an unsteady hand that slides off a button still gets what it pressed.
 */
#include "kiosk.h"

#include <string.h>

/* A press at a point in renderer pixels. */
static void press(kiosk *k, int x, int y)
{
    if (!k->have_frame)
        return;
    if (SDL_GetTicks64() - k->moved_at < KIOSK_TAP_GUARD_MS)
        return; /* the second half of a double tap, landing on the next screen */
    const layout_hit *hit = layout_hit_at(&k->layout, x, y);
    if (hit)
        zc_app_tap(k->app, hit->id);
}

/* Window coordinates (mouse) to renderer pixels: they differ on high-DPI screens. */
static void window_to_pixels(kiosk *k, int wx, int wy, int *x, int *y)
{
    int ww, wh, pw, ph;
    SDL_GetWindowSize(k->window, &ww, &wh);
    SDL_GetRendererOutputSize(k->renderer, &pw, &ph);
    *x = ww ? wx * pw / ww : wx;
    *y = wh ? wy * ph / wh : wy;
}

static const char *key_name(const SDL_KeyboardEvent *e)
{
    static const char *const digits[] = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
    SDL_Keycode c = e->keysym.sym;
    if (c >= SDLK_0 && c <= SDLK_9)
        return digits[c - SDLK_0];
    if (c >= SDLK_KP_1 && c <= SDLK_KP_9)
        return digits[c - SDLK_KP_1 + 1];
    switch (c) {
    case SDLK_KP_0:
        return digits[0];
    case SDLK_x:
        return "X"; /* the check character of an ID number */
    case SDLK_RETURN:
    case SDLK_KP_ENTER:
        return "Enter";
    case SDLK_ESCAPE:
        return "Escape";
    case SDLK_BACKSPACE:
        return "Backspace";
    default:
        return NULL;
    }
}

void kiosk_device_events(kiosk *k)
{
    Uint64 queued = devices_first_pending(k->devices);
    hal_event ev;
    bool any = false;
    while (devices_poll(k->devices, &ev)) {
        devices_note(k->devices, &ev);
        zc_app_device_event(k->app, &ev);
        any = true;
    }
    if (any && queued && !k->trace.event)
        k->trace.event = queued;
}

bool kiosk_input(kiosk *k, const SDL_Event *ev)
{
    if (ev->type == k->wake_event) {
        kiosk_device_events(k);
        return true;
    }
    switch (ev->type) {
    case SDL_QUIT:
        return false;
    case SDL_FINGERDOWN: {
        int w, h;
        k->finger_at = SDL_GetTicks64();
        SDL_GetRendererOutputSize(k->renderer, &w, &h);
        press(k, (int)(ev->tfinger.x * (float)w), (int)(ev->tfinger.y * (float)h));
        break;
    }
    case SDL_MOUSEBUTTONDOWN:
        /* Some X servers also send a pointer click for each touch: one press, not two. */
        if (ev->button.which != SDL_TOUCH_MOUSEID && ev->button.button == SDL_BUTTON_LEFT &&
            (!k->finger_at || SDL_GetTicks64() - k->finger_at > KIOSK_TOUCH_ECHO_MS)) {
            int x, y;
            window_to_pixels(k, ev->button.x, ev->button.y, &x, &y);
            press(k, x, y);
        }
        break;
    case SDL_KEYDOWN: {
        const char *name = ev->key.repeat ? NULL : key_name(&ev->key);
        if (name)
            zc_app_key(k->app, name);
        break;
    }
    case SDL_WINDOWEVENT:
        if (ev->window.event == SDL_WINDOWEVENT_SIZE_CHANGED ||
            ev->window.event == SDL_WINDOWEVENT_EXPOSED ||
            ev->window.event == SDL_WINDOWEVENT_SHOWN)
            k->force_redraw = true;
        break;
    case SDL_RENDER_TARGETS_RESET:
    case SDL_RENDER_DEVICE_RESET:
        /* Textures may be gone with the GPU's state: make them again. */
        text_flush(k->text);
        k->force_redraw = true;
        break;
    default:
        break;
    }
    return true;
}
