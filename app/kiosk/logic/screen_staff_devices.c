/*
 * Device status: each device's last reported status (connected, unplugged, fault, paper out or
 * low) with the driver's message, and the clock's. Devices appear as they first report. An
 * enrolled kiosk also shows its sync with the hub: what is waiting to go, when it last worked,
 * what went wrong, and whether the kiosk's clock disagrees with the hub's.
 */
#include "screen.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* "2026-03-02 12:05" in the kiosk's zone (UTC without one). */
static void local_time(const zc_machine *m, zc_ms t, char *buf, size_t size)
{
    zc_local l;
    if (m->tz) {
        zc_tz_local(m->tz, t, &l);
    } else {
        zc_ms day = (zc_ms)ZC_SECONDS_PER_DAY * ZC_MS_PER_SECOND;
        zc_ms days = t >= 0 ? t / day : -((-t + day - 1) / day);
        l.date = zc_date_from_days(days);
        l.second_of_day = (int)((t - days * day) / ZC_MS_PER_SECOND);
    }
    char date[ZC_DATE_TEXT_LEN + 1];
    zc_date_format(l.date, date);
    snprintf(buf, size, "%s %02d:%02d", date, l.second_of_day / ZC_SECONDS_PER_HOUR,
             l.second_of_day % ZC_SECONDS_PER_HOUR / ZC_SECONDS_PER_MINUTE);
}

static void row(const zc_machine *m, zc_view *v, const char *label_key, const char *text)
{
    zc_view_add(v, ZC_ROLE_ROW, "", zc_m_text(m, label_key), text);
}

static void sync_rows(const zc_machine *m, zc_view *v)
{
    const zc_msync *s = &m->sync;
    char buf[ZC_VIEW_TEXT_MAX], n[ZC_ID_MAX];
    snprintf(n, sizeof n, "%" PRId64, s->pending);
    const char *args[] = {n};
    zc_m_format(m, "staff.devices.sync_pending_n", args, 1, buf, sizeof buf);
    row(m, v, "staff.devices.sync_pending", buf);
    if (s->last_ok_ms > 0)
        local_time(m, s->last_ok_ms, buf, sizeof buf);
    else
        zc_strings_copy(buf, sizeof buf, zc_m_text(m, "staff.devices.sync_never"));
    row(m, v, "staff.devices.sync_last_ok", buf);
    row(m, v, "staff.devices.sync_state",
        s->failing && s->error[0] ? s->error : zc_m_text(m, "device.connected"));
    if (zc_m_sync_skewed(m)) {
        int64_t minutes = (s->hub_offset_ms < 0 ? -s->hub_offset_ms : s->hub_offset_ms) /
                          ((int64_t)ZC_SECONDS_PER_MINUTE * ZC_MS_PER_SECOND);
        snprintf(n, sizeof n, "%" PRId64, minutes);
        zc_m_format(m,
                    s->hub_offset_ms > 0 ? "staff.devices.sync_clock_slow"
                                         : "staff.devices.sync_clock_fast",
                    args, 1, buf, sizeof buf);
        row(m, v, "staff.devices.sync_clock", buf);
    }
}

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
    if (m->sync.enrolled)
        sync_rows(m, v);
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
