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
    zc_fen fen = m->amount_needs_pin ? m->keyed_price : zc_m_entry_fen(m);
    zc_m_money(fen < 0 ? 0 : fen, money);
    zc_view_add(v, ZC_ROLE_BIG_AMOUNT, "", money, NULL);
    if (m->note[0])
        zc_view_add(v, ZC_ROLE_HINT, "", m->note, NULL);
    if (m->has_pending) {
        zc_m_wait_hint(m, v);
    } else {
        zc_m_add(m, v, ZC_ROLE_HINT, "", m->amount_needs_pin ? "amount.pin" : "amount.hint");
        zc_m_keypad(m, v, false);
        zc_m_add(m, v, ZC_ROLE_BUTTON, "cancel", "amount.cancel");
    }
    zc_m_status(m, v);
}

static void enter(zc_machine *m, zc_effects *fx)
{
    (void)fx;
    m->amount_needs_pin = false;
    m->keyed_price = 0;
    m->note[0] = '\0';
}

/* The staff PIN after the amount: any staff role may key a price. */
static void pin_checked(zc_machine *m, const zc_mevent *ev, zc_effects *fx)
{
    if (ev->err == ZC_OK && ev->u.pin.ok && ev->u.pin.role != ZC_STAFF_NONE) {
        m->pin_failures = 0;
        m->amount_needs_pin = false;
        m->note[0] = '\0';
        zc_m_request_sale(m, fx, ZC_FX_QUOTE);
    } else if (ev->err) {
        zc_m_note(m, ZC_TONE_ERROR, "staff.pin.error", NULL, 0);
    } else {
        zc_m_pin_failed(m);
    }
}

static void step(zc_machine *m, const zc_mevent *ev, zc_effects *fx)
{
    if (ev->kind == ZC_MEV_QUOTED) {
        zc_flow_quoted(m, ev, fx);
        return;
    }
    if (ev->kind == ZC_MEV_PIN_CHECKED) {
        pin_checked(m, ev, fx);
        return;
    }
    if (ev->kind != ZC_MEV_TAP)
        return;
    const char *id = ev->u.id;
    size_t max = m->amount_needs_pin ? ZC_MACHINE_PIN_MAX : ZC_MACHINE_AMOUNT_DIGITS;
    if (zc_m_entry_edit(m, id, max, false))
        return;
    if (strcmp(id, "key:ok") == 0 && m->amount_needs_pin) {
        zc_m_submit_pin(m, fx, ZC_STAFF_CLERK);
    } else if (strcmp(id, "key:ok") == 0) {
        zc_fen fen = zc_m_entry_fen(m);
        if (fen <= 0)
            return;
        memset(m->item, 0, sizeof m->item);
        memset(m->item_name, 0, sizeof m->item_name);
        m->keyed_price = fen;
        m->amount_needs_pin = true;
        zc_m_entry_clear(m);
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
    .enter = enter,
    .step = step,
    .view = view,
};
