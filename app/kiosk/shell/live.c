/*
 * The kiosk in service: sleep until a person, a device or the app's next deadline needs us, then
 * act and draw only what changed. Idle, the kiosk does nothing at all.
 *
 * SDL_WaitEventTimeout sleeps properly only where the video driver can be woken (X11, Wayland);
 * elsewhere (KMSDRM, offscreen) it polls every millisecond. There this loop sleeps itself: on the
 * devices' eventfd, looking at SDL's input every INPUT_POLL_MS (KMSDRM reads touches that way),
 * or not at all where SDL has no input (offscreen).
 */
#include "kiosk.h"

#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

enum {
    WAIT_MAX_MS = 1000, /* wake at least this often: a signal on another thread is seen soon */
    INPUT_POLL_MS = 8,  /* half a frame: a touch is still drawn in the next one */
};

typedef enum waiting { WAIT_SDL, WAIT_POLL_INPUT, WAIT_DEVICES_ONLY } waiting;

static waiting how_to_wait(void)
{
    static const char *const wakeable[] = {"x11", "wayland", "windows", "cocoa"};
    static const char *const inputless[] = {"offscreen", "dummy"};
    const char *driver = SDL_GetCurrentVideoDriver();
    for (size_t i = 0; driver && i < sizeof wakeable / sizeof wakeable[0]; i++)
        if (strcmp(driver, wakeable[i]) == 0)
            return WAIT_SDL;
    for (size_t i = 0; driver && i < sizeof inputless / sizeof inputless[0]; i++)
        if (strcmp(driver, inputless[i]) == 0)
            return WAIT_DEVICES_ONLY;
    return WAIT_POLL_INPUT;
}

/* Milliseconds until the earliest of the app's deadline, a device retry and WAIT_MAX_MS. */
static int timeout_ms(kiosk *k)
{
    int64_t t = WAIT_MAX_MS;
    zc_ms deadline = zc_app_next_deadline(k->app);
    if (deadline) {
        int64_t left = deadline - kiosk_wall_ms();
        t = left < t ? left : t;
    }
    Uint64 now = SDL_GetTicks64(), retry = devices_retry(k->devices, now);
    if (retry) {
        int64_t left = (int64_t)(retry - now);
        t = left < t ? left : t;
    }
    return t < 0 ? 0 : (int)t;
}

/* Sleeps on the devices' eventfd for up to ms; returns an SDL event if one came. */
static bool wait_self(kiosk *k, waiting how, int ms, SDL_Event *ev)
{
    if (SDL_PollEvent(ev))
        return true;
    int fd = devices_wake_fd(k->devices);
    if (how == WAIT_POLL_INPUT && ms > INPUT_POLL_MS)
        ms = INPUT_POLL_MS;
    if (fd >= 0) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, ms) > 0) {
            uint64_t count;
            if (read(fd, &count, sizeof count) < 0) {
                /* already drained: the SDL event is what matters */
            }
        }
    } else {
        SDL_Delay((Uint32)ms);
    }
    return SDL_PollEvent(ev);
}

int kiosk_run_live(kiosk *k)
{
    waiting how = how_to_wait();
    for (;;) {
        zc_app_tick(k->app, kiosk_wall_ms());
        hubsync_pump(k->sync, k->app);
        kiosk_outputs(k);
        kiosk_frame(k, false);
        SDL_Event ev;
        int ms = timeout_ms(k);
        bool got =
            how == WAIT_SDL ? SDL_WaitEventTimeout(&ev, ms) == 1 : wait_self(k, how, ms, &ev);
        if (!got)
            continue;
        do {
            if (!kiosk_input(k, &ev))
                return 0;
        } while (SDL_PollEvent(&ev));
    }
}
