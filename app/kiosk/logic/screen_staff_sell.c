/*
 * Selling for an elder whose card fails: staff key the ID number (the keypad has X for the check
 * character), the number is checked here (length, birth date, check digit) so a typo is caught
 * before any lookup, and the sale then goes on through the elder's own screens, recorded with
 * ident "manual" so the reports and the hub can tell these sales apart.
 *
 * Staff mode ends the moment the lookup starts: the elder's screens that follow are elder screens.
 */
#include "screen.h"

#include "zc/idnum.h"

#include <stdio.h>
#include <string.h>

static void view(const zc_machine *m, zc_view *v)
{
    zc_m_view_begin(m, v, ZC_TONE_CALM);
    zc_m_add(m, v, ZC_ROLE_TITLE, "", "staff.sell.title");
    if (m->entry[0])
        zc_view_add(v, ZC_ROLE_BODY, "", m->entry, NULL);
    else
        zc_m_add(m, v, ZC_ROLE_BODY, "", "staff.sell.prompt");
    if (m->note[0])
        zc_view_add(v, ZC_ROLE_HINT, "", m->note, NULL);
    if (m->has_pending) {
        zc_m_wait_hint(m, v);
    } else {
        zc_m_keypad(m, v, true);
        zc_m_add(m, v, ZC_ROLE_BUTTON, "back", "staff.back");
    }
    zc_m_status(m, v);
}

static void step(zc_machine *m, const zc_mevent *ev, zc_effects *fx)
{
    if (ev->kind == ZC_MEV_IDENTIFIED) {
        zc_flow_identified(m, ev, fx);
        return;
    }
    if (ev->kind != ZC_MEV_TAP)
        return;
    const char *id = ev->u.id;
    if (zc_m_entry_edit(m, id, ZC_IDNUM_LEN, true)) {
        m->note[0] = '\0';
        return;
    }
    if (strcmp(id, "key:ok") == 0) {
        zc_idnum parsed;
        if (zc_idnum_parse(m->entry, strlen(m->entry), &parsed, NULL)) {
            zc_m_note(m, ZC_TONE_ERROR, "staff.sell.invalid", NULL, 0);
            return;
        }
        m->staff = ZC_STAFF_NONE;
        m->ident = ZC_IDENT_MANUAL;
        zc_strings_copy(m->credential, sizeof m->credential, parsed.text);
        zc_m_entry_clear(m);
        zc_m_request_sale(m, fx, ZC_FX_IDENTIFY);
    } else if (strcmp(id, "back") == 0) {
        zc_m_go(m, ZC_SCREEN_STAFF_MENU, fx);
    }
}

const zc_screen_ops zc_screen_staff_sell = {
    .name = "staff_sell",
    .staff = true,
    .timeout_ms = ZC_TIMEOUT_STAFF_MS,
    .enter = NULL,
    .step = step,
    .view = view,
};
