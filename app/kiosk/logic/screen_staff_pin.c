/*
 * Staff PIN: the way into staff mode from the idle screen. The PIN is checked by the executor
 * against the hashes in the store (never here: the machine holds no secret); the digits are wiped
 * as soon as they are sent. After ZC_PIN_ATTEMPTS_MAX wrong PINs the keypad locks for
 * ZC_PIN_LOCKOUT_MS, which makes guessing a 4-digit PIN take days rather than minutes.
 */
#include "screen.h"

#include <stdio.h>
#include <string.h>

/* "●●●●": the PIN's length, never its digits. */
static void masked(const char *entry, char *buf, size_t size)
{
    buf[0] = '\0';
    for (const char *p = entry; *p; p++)
        zc_strings_append(buf, size, "\u25CF");
}

static void view(const zc_machine *m, zc_view *v)
{
    zc_m_view_begin(m, v, ZC_TONE_CALM);
    zc_m_add(m, v, ZC_ROLE_TITLE, "", "staff.pin.title");
    char dots[ZC_VIEW_TEXT_MAX];
    masked(m->entry, dots, sizeof dots);
    if (dots[0])
        zc_view_add(v, ZC_ROLE_BIG_AMOUNT, "", dots, NULL);
    else
        zc_m_add(m, v, ZC_ROLE_BODY, "", "staff.pin.prompt");
    if (zc_m_pin_locked(m))
        zc_m_add(m, v, ZC_ROLE_HINT, "", "staff.pin.locked");
    else if (m->note[0])
        zc_view_add(v, ZC_ROLE_HINT, "", m->note, NULL);
    if (m->has_pending) {
        zc_m_wait_hint(m, v);
    } else {
        if (!zc_m_pin_locked(m))
            zc_m_keypad(m, v, false);
        zc_m_add(m, v, ZC_ROLE_BUTTON, "cancel", "staff.cancel");
    }
    zc_m_status(m, v);
}

static void step(zc_machine *m, const zc_mevent *ev, zc_effects *fx)
{
    if (ev->kind == ZC_MEV_PIN_CHECKED) {
        if (ev->err == ZC_OK && ev->u.pin.ok && ev->u.pin.role != ZC_STAFF_NONE) {
            m->pin_failures = 0;
            m->staff = ev->u.pin.role;
            m->staff_default_pin = ev->u.pin.is_default;
            zc_m_go(m, ZC_SCREEN_STAFF_MENU, fx);
        } else if (ev->err) {
            zc_m_note(m, ZC_TONE_ERROR, "staff.pin.error", NULL, 0);
        } else {
            zc_m_pin_failed(m);
        }
        return;
    }
    if (ev->kind != ZC_MEV_TAP)
        return;
    const char *id = ev->u.id;
    if (zc_m_entry_edit(m, id, ZC_MACHINE_PIN_MAX, false)) {
        m->note[0] = '\0';
        return;
    }
    if (strcmp(id, "key:ok") == 0) {
        zc_m_submit_pin(m, fx, ZC_STAFF_CLERK);
    } else if (strcmp(id, "cancel") == 0) {
        zc_m_to_idle(m, fx);
    }
}

const zc_screen_ops zc_screen_staff_pin = {
    .name = "staff_pin",
    .staff = true,
    .timeout_ms = ZC_TIMEOUT_STAFF_MS,
    .enter = NULL,
    .step = step,
    .view = view,
};
