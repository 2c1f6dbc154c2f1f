/*
 * Choose: the dishes served now, one at a time. At most two choices per screen (DESIGN.md,
 * elder-friendly), so each page is one big dish button ("item:L01") and "next dish"; with a single
 * dish the second choice is "cancel". "Next" after the last dish starts again at the first. Each
 * dish shown is also spoken, for elders who cannot read the screen.
 *
 * Staff can key a price instead (a dish not on the menu) from a small element in the status strip;
 * a menu with nothing for this period goes straight to that keypad.
 */
#include "screen.h"

#include <stdio.h>
#include <string.h>

static const zc_mitem *current(const zc_machine *m)
{
    if (m->elder.nitems == 0)
        return NULL;
    return &m->elder.items[m->page % m->elder.nitems];
}

/*
 * "item:L01". A code may be up to 32 characters, longer than an id holds after "item:": the id
 * is then cut, and since only the current dish is on the screen the cut id still names it.
 */
static void item_id(const zc_mitem *it, char id[ZC_VIEW_ID_MAX])
{
    zc_strings_copy(id, ZC_VIEW_ID_MAX, "item:");
    zc_strings_append(id, ZC_VIEW_ID_MAX, it->code);
}

static void speak_dish(const zc_machine *m, zc_effects *fx, const char *key)
{
    const zc_mitem *it = current(m);
    if (!it)
        return;
    char price[ZC_VIEW_TEXT_MAX];
    zc_m_money_spoken(m, it->price, price, sizeof price);
    const char *args[] = {it->name, price};
    zc_m_speak(m, fx, key, args, 2);
}

void zc_flow_choose(zc_machine *m, zc_effects *fx)
{
    m->page = 0;
    memset(m->item, 0, sizeof m->item);
    if (m->elder.nitems == 0)
        zc_m_go(m, ZC_SCREEN_AMOUNT, fx);
    else
        zc_m_go(m, ZC_SCREEN_CHOOSE, fx);
}

/* The answer to QUOTE, from choose or amount (and the error screen's retry). */
void zc_flow_quoted(zc_machine *m, const zc_mevent *ev, zc_effects *fx)
{
    if (ev->err) {
        zc_flow_failed(m, ev, ZC_FX_QUOTE, fx);
        return;
    }
    m->quote = ev->u.amounts;
    zc_m_go(m, ZC_SCREEN_CONFIRM, fx);
}

static void view(const zc_machine *m, zc_view *v)
{
    zc_m_view_begin(m, v, ZC_TONE_CALM);
    zc_m_add(m, v, ZC_ROLE_TITLE, "", "choose.title");
    const zc_mitem *it = current(m);
    if (it && m->elder.nitems > 1) {
        char i[32], n[32];
        snprintf(i, sizeof i, "%zu", m->page % m->elder.nitems + 1);
        snprintf(n, sizeof n, "%zu", m->elder.nitems);
        const char *args[] = {i, n};
        zc_m_addf(m, v, ZC_ROLE_HINT, "", "choose.page", args, 2);
    }
    if (m->has_pending) {
        zc_m_wait_hint(m, v);
    } else if (it) {
        char id[ZC_VIEW_ID_MAX], price[ZC_MONEY_TEXT_MAX];
        item_id(it, id);
        zc_m_money(it->price, price);
        zc_view_add(v, ZC_ROLE_BUTTON_PRIMARY, id, it->name, price);
        if (m->elder.nitems > 1)
            zc_m_add(m, v, ZC_ROLE_BUTTON, "next", "choose.next");
        else
            zc_m_add(m, v, ZC_ROLE_BUTTON, "cancel", "choose.cancel");
    }
    zc_m_status(m, v);
    if (!m->has_pending)
        zc_m_add(m, v, ZC_ROLE_STATUS, "amount", "choose.amount");
}

static void enter(zc_machine *m, zc_effects *fx)
{
    speak_dish(m, fx, "speak.choose");
}

static void step(zc_machine *m, const zc_mevent *ev, zc_effects *fx)
{
    if (ev->kind == ZC_MEV_QUOTED) {
        zc_flow_quoted(m, ev, fx);
        return;
    }
    if (ev->kind != ZC_MEV_TAP)
        return;
    const char *id = ev->u.id;
    const zc_mitem *it = current(m);
    char shown[ZC_VIEW_ID_MAX] = "";
    if (it)
        item_id(it, shown);
    if (it && strcmp(id, shown) == 0) {
        zc_strings_copy(m->item, sizeof m->item, it->code);
        zc_strings_copy(m->item_name, sizeof m->item_name, it->name);
        m->keyed_price = 0;
        zc_m_request_sale(m, fx, ZC_FX_QUOTE);
    } else if (strcmp(id, "next") == 0) {
        m->page = (m->page + 1) % m->elder.nitems;
        speak_dish(m, fx, "speak.dish");
    } else if (strcmp(id, "cancel") == 0) {
        zc_m_to_idle(m, fx);
    } else if (strcmp(id, "amount") == 0) {
        zc_m_go(m, ZC_SCREEN_AMOUNT, fx);
    }
}

const zc_screen_ops zc_screen_choose = {
    .name = "choose",
    .staff = false,
    .timeout_ms = ZC_TIMEOUT_DECIDE_MS,
    .enter = enter,
    .step = step,
    .view = view,
};
