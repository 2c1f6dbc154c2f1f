/*
 * Device status: each device's last reported status (connected, unplugged, fault, paper out or
 * low) with the driver's message, and the clock's. Devices appear as they first report.
 */
#include "screen.h"

#include <stdio.h>
#include <string.h>

static void view(const zc_machine *m, zc_view *v)
{
    zc_m_view_begin(m, v, ZC_TONE_CALM);
    zc_m_add(m, v, ZC_ROLE_TITLE, "", "staff.devices.title");
    if (m->ndevices == 0)
        zc_m_add(m, v, ZC_ROLE_BODY, "", "staff.devices.none");
    for (size_t i = 0; i < m->ndevices; i++) {
        const zc_mdevice *d = &m->devices[i];
        char text2[ZC_VIEW_TEXT_MAX];
        zc_strings_copy(text2, sizeof text2, zc_m_text(m, zc_m_status_key(d->status)));
        if (d->message[0]) {
            zc_strings_append(text2, sizeof text2, zc_m_text(m, "staff.devices.sep"));
            zc_strings_append(text2, sizeof text2, d->message);
        }
        zc_view_add(v, ZC_ROLE_ROW, "", d->name, text2);
    }
    zc_view_add(v, ZC_ROLE_ROW, "", zc_m_text(m, "staff.devices.clock"),
                zc_m_text(m, m->clock_behind ? "staff.devices.clock_behind" : "device.connected"));
    zc_m_add(m, v, ZC_ROLE_BUTTON, "back", "staff.back");
}

static void step(zc_machine *m, const zc_mevent *ev, zc_effects *fx)
{
    if (ev->kind == ZC_MEV_TAP && strcmp(ev->u.id, "back") == 0)
        zc_m_go(m, ZC_SCREEN_STAFF_MENU, fx);
}

const zc_screen_ops zc_screen_staff_devices = {
    .name = "staff_devices",
    .staff = true,
    .timeout_ms = ZC_TIMEOUT_STAFF_MS,
    .enter = NULL,
    .step = step,
    .view = view,
};
