/*
 * Changing the logged-in role's PIN: the new PIN twice (4-8 digits). The installer seeds default
 * PINs (see staff.c); until they are changed the staff menu says so, so this screen is the
 * installer's first stop.
 */
#include "screen.h"

#include <stdio.h>
#include <string.h>

static void view(const zc_machine *m, zc_view *v)
{
    zc_m_view_begin(m, v, ZC_TONE_CALM);
    zc_m_add(m, v, ZC_ROLE_TITLE, "",
             m->staff == ZC_STAFF_MANAGER ? "staff.pinchange.title_manager"
                                          : "staff.pinchange.title");
    zc_m_add(m, v, ZC_ROLE_BODY, "",
             m->entry2[0] ? "staff.pinchange.again" : "staff.pinchange.new");
    char dots[ZC_VIEW_TEXT_MAX] = "";
    for (const char *p = m->entry; *p; p++)
        zc_strings_append(dots, sizeof dots, "\u25CF");
    if (dots[0])
        zc_view_add(v, ZC_ROLE_BIG_AMOUNT, "", dots, NULL);
    if (m->note[0])
        zc_view_add(v, ZC_ROLE_HINT, "", m->note, NULL);
    if (m->has_pending) {
        zc_m_wait_hint(m, v);
    } else {
        zc_m_keypad(m, v, false);
        zc_m_add(m, v, ZC_ROLE_BUTTON, "back", "staff.back");
    }
    zc_m_status(m, v);
}

static void step(zc_machine *m, const zc_mevent *ev, zc_effects *fx)
{
    if (ev->kind == ZC_MEV_PIN_CHANGED) {
        if (ev->err == ZC_OK) {
            m->staff_default_pin = false;
            zc_m_note(m, ZC_TONE_SUCCESS, "staff.pinchange.done", NULL, 0);
        } else {
            zc_m_note(m, ZC_TONE_ERROR, "staff.pinchange.error", NULL, 0);
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
    if (strcmp(id, "back") == 0) {
        zc_m_go(m, ZC_SCREEN_STAFF_MENU, fx);
        return;
    }
    if (strcmp(id, "key:ok") != 0)
        return;
    if (strlen(m->entry) < ZC_MACHINE_PIN_MIN) {
        zc_m_note(m, ZC_TONE_WARNING, "staff.pin.short", NULL, 0);
        return;
    }
    if (!m->entry2[0]) {
        memcpy(m->entry2, m->entry, sizeof m->entry2);
        memset(m->entry, 0, sizeof m->entry);
        return;
    }
    if (strcmp(m->entry, m->entry2) != 0) {
        zc_m_entry_clear(m);
        zc_m_note(m, ZC_TONE_ERROR, "staff.pinchange.mismatch", NULL, 0);
        return;
    }
    zc_fx *f = zc_m_request(m, fx, ZC_FX_CHANGE_PIN);
    if (f) {
        f->u.pin.role = m->staff;
        zc_strings_copy(f->u.pin.pin, sizeof f->u.pin.pin, m->entry);
    }
    zc_m_entry_clear(m);
}

const zc_screen_ops zc_screen_staff_pinchange = {
    .name = "staff_pinchange",
    .staff = true,
    .timeout_ms = ZC_TIMEOUT_STAFF_MS,
    .enter = NULL,
    .step = step,
    .view = view,
};
