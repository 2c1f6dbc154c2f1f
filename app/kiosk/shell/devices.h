/*
 * The kiosk's devices: readers and the printer opened from configuration (or a simulated reader),
 * one HAL queue their threads fill, and the wake-up that brings the UI loop to it.
 *
 * Every push onto the queue pushes one SDL user event (coalesced: one per batch the loop has not
 * yet drained), so the loop sleeps in SDL_WaitEventTimeout and a card read reaches the screen in
 * the next frame. Devices that cannot be claimed at start (a reader not yet plugged in) are
 * retried every few seconds; the app hears of them through status events like any unplug.
 *
 *   none   no devices: scripts drive the kiosk (--script), or staff only
 *   sim    one simulated reader, "sim", reading sim lines (hal/sim.h) from stdin or a FIFO, and a
 *          simulated printer that checks each receipt renders and logs it
 *   auto   the [device] sections of the shipped devices.conf and /etc/zhucan/devices.conf (or
 *          --config FILE); the first escpos device prints
 */
#ifndef ZC_SHELL_DEVICES_H
#define ZC_SHELL_DEVICES_H

#include "kiosk/app.h"

#include <SDL.h>
#include <stdbool.h>
#include <stdint.h>

typedef enum devices_mode { DEVICES_NONE = 0, DEVICES_SIM, DEVICES_AUTO } devices_mode;

/* The simulated printer's name: "unplug printer" in a script makes printing fail. */
#define DEVICES_SIM_PRINTER "printer"

enum { DEVICES_ERR_MAX = 512, DEVICES_RETRY_MS = 5000 };

typedef struct devices_opts {
    devices_mode mode;
    const char *sim_transport; /* sim: "stdin" or "fifo:PATH" */
    const char *config;        /* auto: this file instead of /etc/zhucan/devices.conf */
    const char *shipped;       /* auto: the shipped devices.conf (USB ids) */
    Uint32 wake_event;         /* SDL user event type pushed when events are queued */
    bool sim_printer;          /* none: a simulated printer all the same (scripts) */
} devices_opts;

typedef struct devices devices;

bool devices_open(const devices_opts *opts, devices **out, char *err, size_t errsize);
void devices_close(devices *d);

/* The next queued event; false when there is none. Call after each wake event until false. */
bool devices_poll(devices *d, hal_event *ev);

/* Tells the simulated printer about a status event of its name (scripts' unplug/plug). */
void devices_note(devices *d, const hal_event *ev);

/* Readers deliver data only while the app wants it (zc_app_readers_enabled). */
void devices_enable_readers(devices *d, bool enabled);

/* The print function for zc_app_opts, and its context; NULL when the kiosk has no printer. */
zc_app_print_fn devices_printer(devices *d, void **ctx);

/* Tries again to claim devices that failed; returns SDL ticks of the next try, 0 if none due. */
Uint64 devices_retry(devices *d, Uint64 now_ticks);

/* A descriptor that becomes readable when events are queued (read it to reset), for loops that
 * cannot sleep in SDL_WaitEventTimeout; -1 if there is none. */
int devices_wake_fd(devices *d);

/* When the oldest event not yet polled was queued (SDL performance counter), 0 if none: for
 * measuring how long a card takes to reach the screen. */
Uint64 devices_first_pending(devices *d);

#endif
