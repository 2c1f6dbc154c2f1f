/*
 * Idle: what the kiosk shows while nobody is at it. One instruction (tap your ID card, scan your
 * code or tap your meal card) and a picture of how (assets/images/idle.png, drawn by the shell);
 * no choice to make at all. Staff reach their
 * mode through a small element in the status strip, never through a third big button.
 */
#include "screen.h"

#include <string.h>

static void view(const zc_machine *m, zc_view *v)
{
    zc_m_view_begin(m, v, ZC_TONE_CALM);
    zc_m_add(m, v, ZC_ROLE_TITLE, "", "idle.title");
    zc_view_add(v, ZC_ROLE_PICTURE, "", ZC_PICTURE_IDLE, NULL);
    if (m->has_pending)
        zc_m_add(m, v, ZC_ROLE_BODY, "", "idle.looking_up");
    else
        zc_m_add(m, v, ZC_ROLE_BODY, "", "idle.body");
    zc_m_status(m, v);
    if (!m->has_pending)
        zc_m_add(m, v, ZC_ROLE_STATUS, "staff", "idle.staff");
}

static void step(zc_machine *m, const zc_mevent *ev, zc_effects *fx)
{
    if (ev->kind == ZC_MEV_IDENTIFIED)
        zc_flow_identified(m, ev, fx);
    else if (ev->kind == ZC_MEV_TAP && strcmp(ev->u.id, "staff") == 0)
        zc_m_go(m, ZC_SCREEN_STAFF_PIN, fx);
}

const zc_screen_ops zc_screen_idle = {
    .name = "idle",
    .staff = false,
    .timeout_ms = 0,
    .enter = NULL,
    .step = step,
    .view = view,
};
