/*
 * Confirm: what the meal costs, what the government pays and, largest of all, what the elder pays;
 * one big "confirm" and a "cancel". The sale is asked for once: from the moment "confirm" is
 * tapped until the answer, the buttons are gone (the view shows "please wait"), so a second tap
 * finds nothing to press and the machine drops it (machine.c).
 */
#include "screen.h"

#include <stdio.h>
#include <string.h>

static const char *no_subsidy_key(zc_outcome o)
{
    switch (o) {
    case ZC_OUTCOME_OK:
        return "confirm.no_subsidy";
    case ZC_OUTCOME_NOT_FOUND:
    case ZC_OUTCOME_SUSPENDED:
    case ZC_OUTCOME_NOT_COVERED:
    case ZC_OUTCOME_NO_RULES:
        return "confirm.full_price";
    case ZC_OUTCOME_LIMIT:
        return "confirm.limit";
    case ZC_OUTCOME_OUTSIDE_HOURS:
    case ZC_OUTCOME_NO_SERVICE:
        return "confirm.no_subsidy_now";
    }
    return "confirm.no_subsidy";
}

/* Amount lines shared with the done screen: price, any discount, the subsidy. */
static void amounts(const zc_machine *m, zc_view *v, const zc_mamounts *a)
{
    char money[ZC_MONEY_TEXT_MAX];
    zc_m_money(a->price, money);
    zc_view_add(v, ZC_ROLE_AMOUNT, "", zc_m_text(m, "confirm.price"), money);
    if (a->discount > 0) {
        zc_m_money(-a->discount, money);
        zc_view_add(v, ZC_ROLE_AMOUNT, "", zc_m_text(m, "confirm.discount"), money);
    }
    zc_m_money(a->subsidy, money);
    zc_view_add(v, ZC_ROLE_AMOUNT, "", zc_m_text(m, "confirm.subsidy"), money);
}

static void view(const zc_machine *m, zc_view *v)
{
    zc_m_view_begin(m, v, ZC_TONE_CALM);
    zc_m_add(m, v, ZC_ROLE_TITLE, "", "confirm.title");
    if (m->item_name[0])
        zc_view_add(v, ZC_ROLE_BODY, "", m->item_name, NULL);
    else
        zc_m_add(m, v, ZC_ROLE_BODY, "", "confirm.keyed");
    amounts(m, v, &m->quote);
    char money[ZC_MONEY_TEXT_MAX];
    zc_m_money(m->quote.self_pay, money);
    const char *args[] = {money};
    zc_m_addf(m, v, ZC_ROLE_BIG_AMOUNT, "", "confirm.pay", args, 1);
    if (m->quote.subsidy == 0)
        zc_m_add(m, v, ZC_ROLE_HINT, "", no_subsidy_key(m->quote.outcome));
    if (m->has_pending) {
        zc_m_wait_hint(m, v);
    } else {
        zc_m_add(m, v, ZC_ROLE_BUTTON_PRIMARY, "confirm", "confirm.confirm");
        zc_m_add(m, v, ZC_ROLE_BUTTON, "cancel", "confirm.cancel");
    }
    zc_m_status(m, v);
}

static void enter(zc_machine *m, zc_effects *fx)
{
    char price[ZC_VIEW_TEXT_MAX], subsidy[ZC_VIEW_TEXT_MAX], pay[ZC_VIEW_TEXT_MAX];
    zc_m_money_spoken(m, m->quote.price - m->quote.discount, price, sizeof price);
    zc_m_money_spoken(m, m->quote.subsidy, subsidy, sizeof subsidy);
    zc_m_money_spoken(m, m->quote.self_pay, pay, sizeof pay);
    const char *args[] = {price, subsidy, pay};
    zc_m_speak(m, fx, m->quote.subsidy > 0 ? "speak.confirm" : "speak.confirm_full", args, 3);
}

/* The answer to SELL, from confirm (and the error screen's retry). */
void zc_flow_sold(zc_machine *m, const zc_mevent *ev, zc_effects *fx)
{
    if (ev->err) {
        zc_flow_failed(m, ev, ZC_FX_SELL, fx);
        return;
    }
    m->sale_seq = ev->u.sale.seq;
    m->sold = ev->u.sale.amounts;
    zc_strings_copy(m->receipt, sizeof m->receipt, ev->u.sale.receipt);
    /* The credential is no longer needed: the sale is on disk. */
    memset(m->credential, 0, sizeof m->credential);
    m->printing = true;
    m->printed = m->no_printer = false;
    zc_m_go(m, ZC_SCREEN_DONE, fx);
    zc_fx *f = zc_m_request(m, fx, ZC_FX_PRINT);
    if (f)
        f->u.seq = m->sale_seq;
}

static void step(zc_machine *m, const zc_mevent *ev, zc_effects *fx)
{
    if (ev->kind == ZC_MEV_SOLD) {
        zc_flow_sold(m, ev, fx);
        return;
    }
    if (ev->kind != ZC_MEV_TAP)
        return;
    if (strcmp(ev->u.id, "confirm") == 0) {
        zc_m_request_sale(m, fx, ZC_FX_SELL);
    } else if (strcmp(ev->u.id, "cancel") == 0) {
        zc_m_speak(m, fx, "speak.cancelled", NULL, 0);
        zc_m_to_idle(m, fx);
    }
}

const zc_screen_ops zc_screen_confirm = {
    .name = "confirm",
    .staff = false,
    .timeout_ms = ZC_TIMEOUT_DECIDE_MS,
    .enter = enter,
    .step = step,
    .view = view,
};
