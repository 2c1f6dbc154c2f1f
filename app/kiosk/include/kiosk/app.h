/*
 * The kiosk's logic, without SDL: screens as a state machine, and the effects it asks for (look
 * an elder up, quote, sell, print, speak) carried out against the kiosk's data directory.
 *
 * The SDL program (main.c, render.c) is a thin shell around it: it feeds in device events, taps,
 * keys and the clock, draws zc_app_view() when zc_app_dirty() says something changed, and speaks
 * what zc_app_take_speech() hands it. Everything an elder or a staff member can do is reachable
 * through these calls, so the whole kiosk is tested without a display.
 */
#ifndef ZC_KIOSK_APP_H
#define ZC_KIOSK_APP_H

#include "hal/escpos.h"
#include "hal/hal.h"
#include "kiosk/view.h"
#include "zc/date.h"
#include "zc/err.h"
#include "zc/sync.h"

typedef struct zc_app zc_app;

typedef enum zc_lang { ZC_LANG_ZH = 0, ZC_LANG_EN } zc_lang;

/* Sends a receipt to the printer; the shell wires it to the configured escpos device. */
typedef hal_err (*zc_app_print_fn)(void *ctx, const hal_escpos_receipt *receipt, char *message,
                                   size_t size);

typedef struct zc_app_opts {
    const char *data_dir;   /* an initialised kiosk (zhucanctl init) */
    const char *assets_dir; /* strings and pictures; NULL: the installed or source-tree assets */
    zc_lang lang;
    zc_ms now;             /* the clock at start */
    zc_app_print_fn print; /* NULL: no printer configured */
    void *print_ctx;
} zc_app_opts;

zc_err zc_app_open(const zc_app_opts *opts, zc_app **out, zc_diag *diag);
void zc_app_close(zc_app *app);

/* Inputs. Each may change the screen and queue speech. */
void zc_app_device_event(zc_app *app, const hal_event *ev);
void zc_app_tap(zc_app *app, const char *element_id);
void zc_app_key(zc_app *app, const char *utf8); /* keyboard: digits, Enter, Escape, Backspace */
void zc_app_tick(zc_app *app, zc_ms now);       /* the clock moved (timeouts, back to idle) */

/* Outputs. */
void zc_app_view(const zc_app *app, zc_view *out);
bool zc_app_dirty(zc_app *app); /* changed since the last call: redraw */
bool zc_app_take_speech(zc_app *app, char *text, size_t size); /* next utterance, if any */
zc_ms zc_app_next_deadline(const zc_app *app);  /* when a tick matters next; 0: none */
bool zc_app_readers_enabled(const zc_app *app); /* false while a result is shown */

/*
 * The hub connection. The shell owns the sync agent (a thread) and hands its status in from its
 * loop; the staff screens show it, and a kiosk clock behind the hub's by more than
 * ZC_SYNC_SKEW_WARN_MS is replaced by the hub's for sales (a board that booted in 1970 sells at
 * the right time after one sync). An unenrolled kiosk never calls this and looks as it always did.
 */
enum { ZC_APP_FAULT_MAX = 128 };
void zc_app_sync_status(zc_app *app, const zc_sync_status *status);
bool zc_app_take_sync_poke(zc_app *app); /* true once after each recorded sale: poke the agent */
/* Devices that are not well, as "printer: paper_out: message" lines for the hub's heartbeat. */
size_t zc_app_faults(const zc_app *app, char (*out)[ZC_APP_FAULT_MAX], size_t max);

/* Settings staff change, kept in the kiosk's store. */
int zc_app_volume(const zc_app *app); /* 0..100, 0 = muted */

#endif
