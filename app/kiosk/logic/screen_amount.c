/*
 * Amount: staff key a price for the elder's meal (a dish not on the menu, or a canteen that sells
 * by amount only). Digits are fen, as on a till: 1 5 0 0 is ¥15.00. It is part of the elder's
 * sale, so it shows no category either; the elder still confirms the amount on the next screen.
 */
#include "screen.h"

#include <stdio.h>
#include <string.h>

static void view(const zc_machine *m, zc_view *v)
{
    zc_m_view_begin(m, v, ZC_TONE_CALM);
    zc_m_add(m, v, ZC_ROLE_TITLE, "", "amount.title");
    char money[ZC_MONEY_TEXT_MAX];
    zc_fen fen = zc_m_entry_fen(m);
    zc_m_money(fen < 0 ? 0 : fen, money);
    zc_view_add(v, ZC_ROLE_BIG_AMOUNT, "", money, NULL);
    if (m->has_pending) {
        zc_m_wait_hint(m, v);
    } else {
        zc_m_add(m, v, ZC_ROLE_HINT, "", "amount.hint");
        zc_m_keypad(m, v, false);
        zc_m_add(m, v, ZC_ROLE_BUTTON, "cancel", "amount.cancel");
    }
    zc_m_status(m, v);
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
    if (zc_m_entry_edit(m, id, ZC_MACHINE_AMOUNT_DIGITS, false))
        return;
    if (strcmp(id, "key:ok") == 0) {
        zc_fen fen = zc_m_entry_fen(m);
        if (fen <= 0)
            return;
        memset(m->item, 0, sizeof m->item);
        memset(m->item_name, 0, sizeof m->item_name);
        m->keyed_price = fen;
        zc_m_request_sale(m, fx, ZC_FX_QUOTE);
    } else if (strcmp(id, "cancel") == 0) {
        /* Back to the dishes when there are any; otherwise the sale ends. */
        if (m->elder.nitems > 0)
            zc_m_go(m, ZC_SCREEN_CHOOSE, fx);
        else
            zc_m_to_idle(m, fx);
    }
}

const zc_screen_ops zc_screen_amount = {
    .name = "amount",
    .staff = false,
    .timeout_ms = ZC_TIMEOUT_DECIDE_MS,
    .enter = NULL,
    .step = step,
    .view = view,
};
