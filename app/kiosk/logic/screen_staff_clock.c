/*
 * Setting the clock, for a board without a battery-backed clock (it boots in 1970). Staff key the
 * local date and time as 12 digits, YYYYMMDDHHMM, filled into a "____-__-__ __:__" template as
 * they type. The executor refuses a time earlier than the last recorded sale (DESIGN.md: the
 * kiosk never accepts a clock earlier than its last sale), and the screen says so.
 */
#include "screen.h"

#include <stdio.h>
#include <string.h>

enum { CLOCK_DIGITS = 12 };

static const char TEMPLATE[] = "____-__-__ __:__";

static void shown(const char *entry, char *buf, size_t size)
{
    zc_strings_copy(buf, size, TEMPLATE);
    size_t n = strlen(buf);
    for (size_t i = 0, j = 0; i < n && entry[j]; i++)
        if (buf[i] == '_')
            buf[i] = entry[j++];
}

static void local_now(const zc_machine *m, char *buf, size_t size)
{
    zc_local l;
    if (m->tz) {
        zc_tz_local(m->tz, m->now, &l);
    } else {
        zc_ms day = (zc_ms)ZC_SECONDS_PER_DAY * ZC_MS_PER_SECOND;
        zc_ms days = m->now >= 0 ? m->now / day : -((-m->now + day - 1) / day);
        l.date = zc_date_from_days(days);
        l.second_of_day = (int)((m->now - days * day) / ZC_MS_PER_SECOND);
    }
    char date[ZC_DATE_TEXT_LEN + 1];
    zc_date_format(l.date, date);
    snprintf(buf, size, "%s %02d:%02d", date, l.second_of_day / ZC_SECONDS_PER_HOUR,
             l.second_of_day % ZC_SECONDS_PER_HOUR / ZC_SECONDS_PER_MINUTE);
}

/* The entry as an instant; false when it is not a real date and time. */
static bool entry_instant(const zc_machine *m, zc_ms *out)
{
    if (strlen(m->entry) != CLOCK_DIGITS)
        return false;
    int f[5];
    static const int WIDTH[5] = {4, 2, 2, 2, 2};
    const char *p = m->entry;
    for (int i = 0; i < 5; i++) {
        f[i] = 0;
        for (int k = 0; k < WIDTH[i]; k++, p++) {
            if (*p < '0' || *p > '9')
                return false;
            f[i] = f[i] * 10 + (*p - '0');
        }
    }
    zc_date d = {f[0], f[1], f[2]};
    if (!zc_date_valid(d) || f[3] > 23 || f[4] > 59)
        return false;
    int sec = f[3] * ZC_SECONDS_PER_HOUR + f[4] * ZC_SECONDS_PER_MINUTE;
    if (m->tz)
        *out = zc_tz_to_utc(m->tz, d, sec);
    else
        *out = (zc_date_to_days(d) * ZC_SECONDS_PER_DAY + sec) * ZC_MS_PER_SECOND;
    return true;
}

static void view(const zc_machine *m, zc_view *v)
{
    zc_m_view_begin(m, v, ZC_TONE_CALM);
    zc_m_add(m, v, ZC_ROLE_TITLE, "", "staff.clock.title");
    char now[64], entry[sizeof TEMPLATE];
    local_now(m, now, sizeof now);
    const char *args[] = {now};
    zc_m_addf(m, v, ZC_ROLE_BODY, "", "staff.clock.now", args, 1);
    shown(m->entry, entry, sizeof entry);
    zc_view_add(v, ZC_ROLE_BIG_AMOUNT, "", entry, NULL);
    if (m->note[0])
        zc_view_add(v, ZC_ROLE_HINT, "", m->note, NULL);
    else
        zc_m_add(m, v, ZC_ROLE_HINT, "", "staff.clock.hint");
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
    if (ev->kind == ZC_MEV_CLOCK_SET) {
        if (ev->err == ZC_OK) {
            /* Timeouts measure time spent, not the jump the clock just made. */
            m->now = ev->now;
            m->deadline = m->now + ZC_TIMEOUT_STAFF_MS;
            zc_m_note(m, ZC_TONE_SUCCESS, "staff.clock.done", NULL, 0);
        } else if (ev->err == ZC_ERR_CLOCK)
            zc_m_note(m, ZC_TONE_ERROR, "staff.clock.behind", NULL, 0);
        else
            zc_m_note(m, ZC_TONE_ERROR, "staff.clock.error", NULL, 0);
        return;
    }
    if (ev->kind != ZC_MEV_TAP)
        return;
    const char *id = ev->u.id;
    if (zc_m_entry_edit(m, id, CLOCK_DIGITS, false)) {
        m->note[0] = '\0';
        return;
    }
    if (strcmp(id, "key:ok") == 0) {
        zc_ms at;
        if (!entry_instant(m, &at)) {
            zc_m_note(m, ZC_TONE_WARNING, "staff.clock.invalid", NULL, 0);
            return;
        }
        zc_fx *f = zc_m_request(m, fx, ZC_FX_SET_CLOCK);
        if (f)
            f->u.at = at;
        zc_m_entry_clear(m);
    } else if (strcmp(id, "back") == 0) {
        zc_m_go(m, ZC_SCREEN_STAFF_MENU, fx);
    }
}

const zc_screen_ops zc_screen_staff_clock = {
    .name = "staff_clock",
    .staff = true,
    .timeout_ms = ZC_TIMEOUT_STAFF_MS,
    .enter = NULL,
    .step = step,
    .view = view,
};
