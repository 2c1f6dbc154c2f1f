/*
 * Closing the day: the day's totals as the Z report will have them, one "close the day and print"
 * and "back". The executor records the close in the store and prints the Z report; when the
 * printer fails the close still stands and the screen says the report was not printed (it can be
 * printed again with `zhucanctl report day`).
 */
#include "screen.h"

#include <string.h>

static void view(const zc_machine *m, zc_view *v)
{
    zc_m_view_begin(m, v, m->day_closed && !m->day_close_printed ? ZC_TONE_WARNING : ZC_TONE_CALM);
    zc_m_report_title(m, v, "staff.close.title");
    if (m->has_pending)
        zc_m_wait_hint(m, v);
    if (m->note[0])
        zc_view_add(v, ZC_ROLE_BODY, "", m->note, NULL);
    if (m->have_report)
        zc_m_report_totals(m, v);
    if (!m->has_pending) {
        if (m->have_report && !m->day_closed)
            zc_m_add(m, v, ZC_ROLE_BUTTON_PRIMARY, "close", "staff.close.confirm");
        zc_m_add(m, v, ZC_ROLE_BUTTON, "back", "staff.back");
    }
    zc_m_status(m, v);
}

static void enter(zc_machine *m, zc_effects *fx)
{
    m->day_closed = m->day_close_printed = false;
    zc_m_report_request(m, fx);
}

static void step(zc_machine *m, const zc_mevent *ev, zc_effects *fx)
{
    if (zc_m_report_answer(m, ev))
        return;
    if (ev->kind == ZC_MEV_DAY_CLOSED) {
        if (ev->err) {
            zc_m_note(m, ZC_TONE_ERROR, "staff.close.error", NULL, 0);
            return;
        }
        m->day_closed = true;
        m->day_close_printed = ev->u.flag;
        zc_m_note(m, ev->u.flag ? ZC_TONE_SUCCESS : ZC_TONE_WARNING,
                  ev->u.flag ? "staff.close.done" : "staff.close.not_printed", NULL, 0);
        return;
    }
    if (ev->kind != ZC_MEV_TAP)
        return;
    if (strcmp(ev->u.id, "close") == 0)
        zc_m_request(m, fx, ZC_FX_CLOSE_DAY);
    else if (strcmp(ev->u.id, "back") == 0)
        zc_m_go(m, ZC_SCREEN_STAFF_MENU, fx);
}

const zc_screen_ops zc_screen_staff_close = {
    .name = "staff_close",
    .staff = true,
    .timeout_ms = ZC_TIMEOUT_STAFF_MS,
    .enter = enter,
    .step = step,
    .view = view,
};
