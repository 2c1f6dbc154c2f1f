/*
 * What the screens share, private to the machine: each screen file (screen_*.c) provides a
 * zc_screen_ops with its view and its step, and machine.c does everything that is the same on
 * every screen before a screen sees an event (the clock, timeouts, readers, device status, turning
 * keys into taps, dropping taps on elements the view does not show and answers nobody awaits).
 *
 * A screen's step therefore only sees: a tap on one of its own visible elements, the answer to an
 * effect it asked for, and (idle, error) a credential. Helpers here build the bits several screens
 * draw alike: texts in the current language, amounts, the keypad, the status strip.
 */
#ifndef ZC_KIOSK_SCREEN_H
#define ZC_KIOSK_SCREEN_H

#include "machine.h"

#include <stddef.h>

/* Pictures the shell draws from assets/images (PICTURE items name them). */
#define ZC_PICTURE_IDLE "idle.png"       /* where to put the card, where to show the code */
#define ZC_PICTURE_CARD "card_again.png" /* lift the card and present it again */
#define ZC_PICTURE_DONE "done.png"       /* a tick */

typedef struct zc_screen_ops {
    const char *name;
    bool staff;       /* a staff screen: may show categories, logs out on its timeout */
    zc_ms timeout_ms; /* back to idle after this long without a touch; 0: never */
    /* Entering the screen: speech, a report request ... (may be NULL). */
    void (*enter)(zc_machine *m, zc_effects *fx);
    /* A tap (ev->kind TAP, id on the view) or an effect's answer. */
    void (*step)(zc_machine *m, const zc_mevent *ev, zc_effects *fx);
    void (*view)(const zc_machine *m, zc_view *v);
} zc_screen_ops;

extern const zc_screen_ops zc_screen_idle;
extern const zc_screen_ops zc_screen_identified;
extern const zc_screen_ops zc_screen_choose;
extern const zc_screen_ops zc_screen_amount;
extern const zc_screen_ops zc_screen_confirm;
extern const zc_screen_ops zc_screen_done;
extern const zc_screen_ops zc_screen_error;
extern const zc_screen_ops zc_screen_staff_pin;
extern const zc_screen_ops zc_screen_staff_menu;
extern const zc_screen_ops zc_screen_staff_sell;
extern const zc_screen_ops zc_screen_staff_void;
extern const zc_screen_ops zc_screen_staff_report;
extern const zc_screen_ops zc_screen_staff_cash;
extern const zc_screen_ops zc_screen_staff_close;
extern const zc_screen_ops zc_screen_staff_devices;
extern const zc_screen_ops zc_screen_staff_clock;
extern const zc_screen_ops zc_screen_staff_settings;
extern const zc_screen_ops zc_screen_staff_pinchange;

const zc_screen_ops *zc_screen_ops_of(zc_screen s);

/* ---- state changes (machine.c) ---- */

/* Shows screen s: its timeout starts, its enter() runs. */
void zc_m_go(zc_machine *m, zc_screen s, zc_effects *fx);

/* Ends the elder's session and any staff login, wipes what they keyed, shows idle. */
void zc_m_to_idle(zc_machine *m, zc_effects *fx);

/* Appends an effect (zeroed, kind set); NULL, counted in fx->dropped, when fx is full. */
zc_fx *zc_m_fx(zc_effects *fx, zc_fx_kind kind);

/* Appends an effect whose answer the machine now awaits. */
zc_fx *zc_m_request(zc_machine *m, zc_effects *fx, zc_fx_kind kind);

/* Asks for a sale-shaped effect (identify, quote, sell) from the session. */
void zc_m_request_sale(zc_machine *m, zc_effects *fx, zc_fx_kind kind);

/* Speaks the text of key with placeholders filled. */
void zc_m_speak(const zc_machine *m, zc_effects *fx, const char *key, const char *const *args,
                size_t nargs);

/* Shows the error screen for problem p. */
void zc_m_problem(zc_machine *m, zc_problem p, zc_effects *fx);

/* ---- the elder's flow, shared by the screens that reach the same point ---- */

/* The answer to IDENTIFY: the identified screen, or an error screen. */
void zc_flow_identified(zc_machine *m, const zc_mevent *ev, zc_effects *fx);
/* Choose screen (dishes now), or the amount keypad when there are none. */
void zc_flow_choose(zc_machine *m, zc_effects *fx);
/* The answer to QUOTE: the confirm screen. */
void zc_flow_quoted(zc_machine *m, const zc_mevent *ev, zc_effects *fx);
/* The answer to SELL: the done screen and the print request. */
void zc_flow_sold(zc_machine *m, const zc_mevent *ev, zc_effects *fx);
/* BUSY from an effect: error screen whose "retry" repeats it; other errors: FAULT. */
void zc_flow_failed(zc_machine *m, const zc_mevent *ev, zc_fx_kind retry, zc_effects *fx);

/* ---- texts ---- */

/* The text of key in the current language (Chinese when that lacks it; the key itself if both do,
 * which tests catch). */
const char *zc_m_text(const zc_machine *m, const char *key);

/* The text of key in Chinese: what the ledger records (void reasons). */
const char *zc_m_text_zh(const zc_machine *m, const char *key);

/* The text of key with placeholders filled, into buf. */
void zc_m_format(const zc_machine *m, const char *key, const char *const *args, size_t nargs,
                 char *buf, size_t size);

/* "¥12.50" */
void zc_m_money(zc_fen fen, char buf[ZC_MONEY_TEXT_MAX]);

/* An amount as it is spoken ("12.50元"). */
void zc_m_money_spoken(const zc_machine *m, zc_fen fen, char *buf, size_t size);

/* A label for a report key: "period.lunch" -> 午餐; unknown ids come back as they are. */
const char *zc_m_label(const zc_machine *m, const char *prefix, const char *id, char *buf,
                       size_t size);

/* ---- views ---- */

/* Starts a view of the current screen (name, staff flag, tone). */
void zc_m_view_begin(const zc_machine *m, zc_view *v, zc_tone tone);

/* Adds an item whose text is the key's text. */
zc_view_item *zc_m_add(const zc_machine *m, zc_view *v, zc_role role, const char *id,
                       const char *key);

/* Adds an item whose text is the key's text with placeholders filled. */
zc_view_item *zc_m_addf(const zc_machine *m, zc_view *v, zc_role role, const char *id,
                        const char *key, const char *const *args, size_t nargs);

/* The strings key of a device status ("device.paper_out" ...). */
const char *zc_m_status_key(hal_status s);

/* The status strip: devices that are not well, a wrong clock, a failing sync. */
void zc_m_status(const zc_machine *m, zc_view *v);

/* The kiosk's clock and the hub's differ by more than ZC_SYNC_SKEW_WARN_MS. */
bool zc_m_sync_skewed(const zc_machine *m);

/* The keypad: 1-9, 0, back, ok; with_x adds "X" (the ID number's check character). */
void zc_m_keypad(const zc_machine *m, zc_view *v, bool with_x);

/* "please wait" while an effect is pending. */
void zc_m_wait_hint(const zc_machine *m, zc_view *v);

/* ---- keypad entry ---- */

/*
 * Applies a keypad tap to m->entry (digits, and "X" when allow_x, up to max characters; "back"
 * deletes one). True when the tap was a keypad edit (the caller redraws); "key:ok" is not.
 */
bool zc_m_entry_edit(zc_machine *m, const char *id, size_t max, bool allow_x);

/* m->entry as fen ("1250" -> 1250); -1 when empty. */
zc_fen zc_m_entry_fen(const zc_machine *m);

/* Clears m->entry and m->entry2 (PINs never linger). */
void zc_m_entry_clear(zc_machine *m);

/* True while the PIN keypad is locked after too many wrong PINs. */
bool zc_m_pin_locked(const zc_machine *m);

/* Counts a wrong PIN (locking the keypad after ZC_PIN_ATTEMPTS_MAX) and sets the note. */
void zc_m_pin_failed(zc_machine *m);

/*
 * The keyed PIN submitted for checking against `role`: a too-short PIN only gets a note. The entry
 * is cleared either way, so a PIN never stays on screen.
 */
void zc_m_submit_pin(zc_machine *m, zc_effects *fx, zc_role_staff role);

/* ---- the day report on staff screens (screen_staff_report.c) ---- */

void zc_m_report_request(zc_machine *m, zc_effects *fx);
/* Takes a REPORTED answer into m->report; false for any other event. */
bool zc_m_report_answer(zc_machine *m, const zc_mevent *ev);
void zc_m_report_title(const zc_machine *m, zc_view *v, const char *key);
void zc_m_report_totals(const zc_machine *m, zc_view *v);
void zc_m_report_breakdown(const zc_machine *m, zc_view *v);

/* Sets the staff screen's feedback line. */
void zc_m_note(zc_machine *m, zc_tone tone, const char *key, const char *const *args, size_t nargs);

#endif
