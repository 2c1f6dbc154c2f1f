/*
 * The shell's one context: everything zhucan-kiosk holds, passed to every function that needs
 * it (no globals). main.c fills it from the command line; kiosk.c opens and closes its parts;
 * frame.c draws; input.c turns SDL events into app calls; live.c waits for people and devices;
 * scriptrun.c plays a script in virtual time.
 */
#ifndef ZC_SHELL_KIOSK_H
#define ZC_SHELL_KIOSK_H

#include "devices.h"
#include "hubsync.h"
#include "kiosk/app.h"
#include "layout.h"
#include "options.h"
#include "picture.h"
#include "render.h"
#include "speech.h"
#include "text.h"

#include <SDL.h>
#include <limits.h>
#include <stdbool.h>

enum {
    KIOSK_ERR_MAX = 512,
    KIOSK_TAP_GUARD_MS = 400,  /* presses this soon after the buttons moved are dropped: a
                                  double tap must not land on the next screen's button */
    KIOSK_TOUCH_ECHO_MS = 500, /* a mouse click this soon after a touch is that touch again */
};

typedef struct kiosk_trace {
    bool on;              /* ZHUCAN_KIOSK_TRACE=1: timings on stderr, for the benchmarks */
    Uint64 start;         /* performance counter at process start */
    Uint64 event;         /* when the device event being handled was queued; 0: none */
    unsigned long frames; /* frames drawn */
} kiosk_trace;

typedef struct kiosk {
    options opt;
    char assets[PATH_MAX]; /* the assets directory (images) */
    SDL_Window *window;
    SDL_Renderer *renderer;
    Uint32 wake_event;
    text_ctx *text;
    picture_ctx *pictures;
    render_ctx *render;
    speech *speech;
    devices *devices;
    zc_app *app;
    zc_sync_agent *sync; /* NULL: not enrolled with a hub, or playing a script */
    zc_view view;
    layout layout;     /* of the frame on screen: presses are hit-tested against it */
    layout previous;   /* of the frame before: did the touch targets move? */
    bool have_frame;   /* layout holds a drawn frame */
    bool force_redraw; /* the window changed: draw even if the app did not */
    Uint64 moved_at;   /* SDL ticks when the touch targets last moved (the tap guard) */
    Uint64 finger_at;  /* SDL ticks of the last touch: a mouse click echoing it is dropped */
    bool check_layout; /* scripts: hold every frame to layout_check */
    unsigned long layout_problems;
    kiosk_trace trace;
} kiosk;

/* Opens the window, fonts, devices, speech and the app; err says what failed. */
bool kiosk_open(kiosk *k, zc_ms now, char *err, size_t errsize);
void kiosk_close(kiosk *k);

/* The time as the kiosk reads it: the wall clock in UTC milliseconds. */
zc_ms kiosk_wall_ms(void);

/* frame.c: lays out and draws the app's view if it changed (or always, with force). */
void kiosk_frame(kiosk *k, bool force);

/* frame.c: speech the app queued, and the readers' enable state, after any app call. */
void kiosk_outputs(kiosk *k);

/* input.c: one SDL event; false on quit. */
bool kiosk_input(kiosk *k, const SDL_Event *ev);

/* input.c: device events waiting on the HAL queue, into the app. */
void kiosk_device_events(kiosk *k);

/* live.c: the loop of a kiosk in service; returns the exit status. */
int kiosk_run_live(kiosk *k);

/* scriptrun.c: plays a script from start, the instant of script time 0; returns the exit
 * status (1 when an action failed or a frame broke the layout rules). */
struct script;
int kiosk_run_script(kiosk *k, const struct script *s, zc_ms start);

#endif
