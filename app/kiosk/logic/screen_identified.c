/*
 * Identified: "您好，张*华", the elder's age band and how many subsidised meals are left today,
 * then one big "choose your meal" and a "not me". Also home of zc_flow_identified, which turns the
 * executor's lookup into this screen or the matching error screen.
 *
 * The age band comes from the rules' age tiers (80岁以上), never from quote.tier, which names a
 * category when a category gave the larger amount: the category must not reach an elder screen.
 */
#include "screen.h"

#include <stdio.h>
#include <string.h>

static zc_problem problem_of(zc_outcome o)
{
    switch (o) {
    case ZC_OUTCOME_NOT_FOUND:
        return ZC_PROBLEM_NOT_FOUND;
    case ZC_OUTCOME_SUSPENDED:
        return ZC_PROBLEM_SUSPENDED;
    case ZC_OUTCOME_LIMIT:
        return ZC_PROBLEM_LIMIT;
    case ZC_OUTCOME_OUTSIDE_HOURS:
        return ZC_PROBLEM_OUTSIDE_HOURS;
    case ZC_OUTCOME_NO_SERVICE:
        return ZC_PROBLEM_NO_SERVICE;
    case ZC_OUTCOME_NOT_COVERED:
        return ZC_PROBLEM_NOT_COVERED;
    case ZC_OUTCOME_OK:
    case ZC_OUTCOME_NO_RULES:
        break;
    }
    return ZC_PROBLEM_NONE;
}

void zc_flow_identified(zc_machine *m, const zc_mevent *ev, zc_effects *fx)
{
    if (ev->err) {
        zc_flow_failed(m, ev, ZC_FX_IDENTIFY, fx);
        return;
    }
    m->elder = ev->u.elder;
    m->elder.masked_name[sizeof m->elder.masked_name - 1] = '\0';
    if (m->elder.nitems > ZC_MACHINE_MENU_MAX)
        m->elder.nitems = ZC_MACHINE_MENU_MAX;
    zc_problem p = problem_of(m->elder.outcome);
    if (p != ZC_PROBLEM_NONE)
        zc_m_problem(m, p, fx);
    else
        zc_m_go(m, ZC_SCREEN_IDENTIFIED, fx);
}

/* "80岁以上" / "70-79岁", or "" when the elder is in no band. */
static void band_text(const zc_machine *m, char *buf, size_t size)
{
    buf[0] = '\0';
    if (!m->elder.has_band)
        return;
    char lo[16], hi[16];
    snprintf(lo, sizeof lo, "%d", m->elder.band_min);
    snprintf(hi, sizeof hi, "%d", m->elder.band_max);
    const char *args[] = {lo, hi};
    zc_m_format(m, m->elder.band_max < 0 ? "identified.band_open" : "identified.band", args, 2, buf,
                size);
}

static void view(const zc_machine *m, zc_view *v)
{
    zc_m_view_begin(m, v, ZC_TONE_SUCCESS);
    const char *name[] = {m->elder.masked_name};
    zc_m_addf(m, v, ZC_ROLE_TITLE, "",
              m->elder.masked_name[0] ? "identified.title" : "identified.title_plain", name, 1);
    char band[ZC_VIEW_TEXT_MAX];
    band_text(m, band, sizeof band);
    if (band[0])
        zc_view_add(v, ZC_ROLE_BODY, "", band, NULL);
    if (m->elder.outcome == ZC_OUTCOME_NO_RULES) {
        zc_m_add(m, v, ZC_ROLE_BODY, "", "identified.no_rules");
    } else if (m->elder.remaining_today >= 0) {
        char n[16];
        snprintf(n, sizeof n, "%d", m->elder.remaining_today);
        const char *args[] = {n};
        zc_m_addf(m, v, ZC_ROLE_BODY, "", "identified.remaining", args, 1);
    }
    if (m->ident == ZC_IDENT_MANUAL)
        zc_m_add(m, v, ZC_ROLE_HINT, "", "identified.manual");
    zc_m_add(m, v, ZC_ROLE_BUTTON_PRIMARY, "continue", "identified.continue");
    zc_m_add(m, v, ZC_ROLE_BUTTON, "cancel", "identified.cancel");
    zc_m_status(m, v);
}

static void enter(zc_machine *m, zc_effects *fx)
{
    if (m->elder.outcome == ZC_OUTCOME_NO_RULES) {
        zc_m_speak(m, fx, "speak.identified_no_rules", NULL, 0);
    } else if (m->elder.remaining_today >= 0) {
        char n[16];
        snprintf(n, sizeof n, "%d", m->elder.remaining_today);
        const char *args[] = {n};
        zc_m_speak(m, fx, "speak.identified", args, 1);
    } else {
        zc_m_speak(m, fx, "speak.identified_plain", NULL, 0);
    }
}

static void step(zc_machine *m, const zc_mevent *ev, zc_effects *fx)
{
    if (ev->kind != ZC_MEV_TAP)
        return;
    if (strcmp(ev->u.id, "continue") == 0)
        zc_flow_choose(m, fx);
    else if (strcmp(ev->u.id, "cancel") == 0)
        zc_m_to_idle(m, fx);
}

const zc_screen_ops zc_screen_identified = {
    .name = "identified",
    .staff = false,
    .timeout_ms = ZC_TIMEOUT_DECIDE_MS,
    .enter = enter,
    .step = step,
    .view = view,
};
