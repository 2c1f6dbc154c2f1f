/*
 * Error screens: what happened, in plain words, and what to do next, each spoken too. Every
 * problem has its own texts (error.<name>.title / .body / .next in the strings files) and at most
 * two choices:
 *
 *   not in the roster, suspended, limit reached, outside meal hours, no subsidy today, region not
 *       covered:    "pay full price" (the meal is still sold, without subsidy) or "cancel"
 *   card unreadable: lift the card and present it again (the readers stay on), or "cancel"
 *   database busy:   nothing was recorded; "try again" repeats exactly what failed, or "cancel"
 *   anything else:   ask staff; "OK" back to idle
 */
#include "screen.h"

#include <stdio.h>
#include <string.h>

typedef struct problem_info {
    const char *name; /* strings: error.<name>.title, .body, .next; speak.error.<name> */
    zc_tone tone;
    bool full_price; /* offers "pay full price" */
} problem_info;

static problem_info info(zc_problem p)
{
    switch (p) {
    case ZC_PROBLEM_NOT_FOUND:
        return (problem_info){"not_found", ZC_TONE_WARNING, true};
    case ZC_PROBLEM_SUSPENDED:
        return (problem_info){"suspended", ZC_TONE_WARNING, true};
    case ZC_PROBLEM_LIMIT:
        return (problem_info){"limit", ZC_TONE_WARNING, true};
    case ZC_PROBLEM_OUTSIDE_HOURS:
        return (problem_info){"outside_hours", ZC_TONE_WARNING, true};
    case ZC_PROBLEM_NO_SERVICE:
        return (problem_info){"no_service", ZC_TONE_WARNING, true};
    case ZC_PROBLEM_NOT_COVERED:
        return (problem_info){"not_covered", ZC_TONE_WARNING, true};
    case ZC_PROBLEM_UNREADABLE:
        return (problem_info){"unreadable", ZC_TONE_WARNING, false};
    case ZC_PROBLEM_BUSY:
        return (problem_info){"busy", ZC_TONE_ERROR, false};
    case ZC_PROBLEM_NONE:
    case ZC_PROBLEM_FAULT:
        break;
    }
    return (problem_info){"fault", ZC_TONE_ERROR, false};
}

static void text_key(char *buf, size_t size, const char *name, const char *part)
{
    snprintf(buf, size, "error.%s.%s", name, part);
}

static void view(const zc_machine *m, zc_view *v)
{
    problem_info pi = info(m->problem);
    zc_m_view_begin(m, v, pi.tone);
    char key[ZC_STRINGS_KEY_MAX];
    text_key(key, sizeof key, pi.name, "title");
    zc_m_add(m, v, ZC_ROLE_TITLE, "", key);
    if (m->problem == ZC_PROBLEM_NOT_FOUND && m->card_name[0]) {
        const char *args[] = {m->card_name};
        zc_m_addf(m, v, ZC_ROLE_BODY, "", "error.not_found.name", args, 1);
    }
    if (m->problem == ZC_PROBLEM_UNREADABLE)
        zc_view_add(v, ZC_ROLE_PICTURE, "", ZC_PICTURE_CARD, NULL);
    text_key(key, sizeof key, pi.name, "body");
    zc_m_add(m, v, ZC_ROLE_BODY, "", key);
    text_key(key, sizeof key, pi.name, "next");
    zc_m_add(m, v, ZC_ROLE_HINT, "", key);
    if (m->has_pending) {
        zc_m_wait_hint(m, v);
    } else if (pi.full_price) {
        zc_m_add(m, v, ZC_ROLE_BUTTON_PRIMARY, "fullprice", "error.fullprice");
        zc_m_add(m, v, ZC_ROLE_BUTTON, "cancel", "error.cancel");
    } else if (m->problem == ZC_PROBLEM_BUSY) {
        zc_m_add(m, v, ZC_ROLE_BUTTON_PRIMARY, "retry", "error.retry");
        zc_m_add(m, v, ZC_ROLE_BUTTON, "cancel", "error.cancel");
    } else if (m->problem == ZC_PROBLEM_UNREADABLE) {
        zc_m_add(m, v, ZC_ROLE_BUTTON, "cancel", "error.cancel");
    } else {
        zc_m_add(m, v, ZC_ROLE_BUTTON_PRIMARY, "ok", "error.ok");
    }
    zc_m_status(m, v);
}

static void enter(zc_machine *m, zc_effects *fx)
{
    char key[ZC_STRINGS_KEY_MAX];
    snprintf(key, sizeof key, "speak.error.%s", info(m->problem).name);
    zc_m_speak(m, fx, key, NULL, 0);
}

static void step(zc_machine *m, const zc_mevent *ev, zc_effects *fx)
{
    switch (ev->kind) {
    case ZC_MEV_IDENTIFIED:
        zc_flow_identified(m, ev, fx);
        return;
    case ZC_MEV_QUOTED:
        zc_flow_quoted(m, ev, fx);
        return;
    case ZC_MEV_SOLD:
        zc_flow_sold(m, ev, fx);
        return;
    case ZC_MEV_TAP:
        break;
    default:
        return;
    }
    const char *id = ev->u.id;
    if (strcmp(id, "fullprice") == 0) {
        m->full_price_accepted = true;
        zc_flow_choose(m, fx);
    } else if (strcmp(id, "retry") == 0) {
        /* Exactly what failed, with the same elder, dish and price: nothing was recorded. */
        zc_m_request_sale(m, fx, m->retry);
    } else if (strcmp(id, "cancel") == 0 || strcmp(id, "ok") == 0) {
        zc_m_to_idle(m, fx);
    }
}

const zc_screen_ops zc_screen_error = {
    .name = "error",
    .staff = false,
    .timeout_ms = ZC_TIMEOUT_DECIDE_MS,
    .enter = enter,
    .step = step,
    .view = view,
};
