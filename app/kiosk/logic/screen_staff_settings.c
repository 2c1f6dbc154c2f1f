/*
 * Settings: the voice's volume (in steps of ZC_VOLUME_STEP, or muted) and the screen language.
 * Each change takes effect at once and is saved in the store; a short sentence is spoken at the
 * new volume so staff hear what elders will hear.
 */
#include "screen.h"

#include <stdio.h>
#include <string.h>

static void view(const zc_machine *m, zc_view *v)
{
    zc_m_view_begin(m, v, ZC_TONE_CALM);
    zc_m_add(m, v, ZC_ROLE_TITLE, "", "staff.settings.title");
    char vol[ZC_VIEW_TEXT_MAX];
    if (m->volume == 0) {
        zc_strings_copy(vol, sizeof vol, zc_m_text(m, "staff.settings.muted"));
    } else {
        char n[16];
        snprintf(n, sizeof n, "%d", m->volume);
        const char *args[] = {n};
        zc_m_format(m, "staff.settings.percent", args, 1, vol, sizeof vol);
    }
    zc_view_add(v, ZC_ROLE_ROW, "", zc_m_text(m, "staff.settings.volume"), vol);
    zc_view_add(v, ZC_ROLE_ROW, "", zc_m_text(m, "staff.settings.language"),
                zc_m_text(m, "staff.settings.language_name"));
    if (m->note[0])
        zc_view_add(v, ZC_ROLE_HINT, "", m->note, NULL);
    if (m->has_pending) {
        zc_m_wait_hint(m, v);
        return;
    }
    zc_m_add(m, v, ZC_ROLE_BUTTON, "vol_down", "staff.settings.vol_down");
    zc_m_add(m, v, ZC_ROLE_BUTTON, "vol_up", "staff.settings.vol_up");
    zc_m_add(m, v, ZC_ROLE_BUTTON, "mute",
             m->volume ? "staff.settings.mute" : "staff.settings.unmute");
    if (m->strings[ZC_LANG_EN])
        zc_m_add(m, v, ZC_ROLE_BUTTON, "lang", "staff.settings.switch_language");
    zc_m_add(m, v, ZC_ROLE_BUTTON, "back", "staff.back");
    zc_m_status(m, v);
}

static void save(zc_machine *m, zc_effects *fx)
{
    zc_fx *f = zc_m_request(m, fx, ZC_FX_SAVE_SETTINGS);
    if (f) {
        f->u.settings.volume = m->volume;
        f->u.settings.lang = m->lang;
    }
    if (m->volume > 0)
        zc_m_speak(m, fx, "speak.volume", NULL, 0);
}

static void step(zc_machine *m, const zc_mevent *ev, zc_effects *fx)
{
    if (ev->kind == ZC_MEV_SETTINGS_SAVED) {
        if (ev->err)
            zc_m_note(m, ZC_TONE_ERROR, "staff.settings.error", NULL, 0);
        return;
    }
    if (ev->kind != ZC_MEV_TAP)
        return;
    const char *id = ev->u.id;
    m->note[0] = '\0';
    if (strcmp(id, "vol_down") == 0) {
        m->volume = m->volume > ZC_VOLUME_STEP ? m->volume - ZC_VOLUME_STEP : 0;
    } else if (strcmp(id, "vol_up") == 0) {
        m->volume =
            m->volume + ZC_VOLUME_STEP < ZC_VOLUME_MAX ? m->volume + ZC_VOLUME_STEP : ZC_VOLUME_MAX;
    } else if (strcmp(id, "mute") == 0) {
        m->volume = m->volume ? 0 : ZC_VOLUME_DEFAULT;
    } else if (strcmp(id, "lang") == 0) {
        m->lang = m->lang == ZC_LANG_ZH && m->strings[ZC_LANG_EN] ? ZC_LANG_EN : ZC_LANG_ZH;
    } else {
        if (strcmp(id, "back") == 0)
            zc_m_go(m, ZC_SCREEN_STAFF_MENU, fx);
        return;
    }
    save(m, fx);
}

const zc_screen_ops zc_screen_staff_settings = {
    .name = "staff_settings",
    .staff = true,
    .timeout_ms = ZC_TIMEOUT_STAFF_MS,
    .enter = NULL,
    .step = step,
    .view = view,
};
