/*
 * Cash count: staff count the drawer and key the amount; the screen shows what today's cash sales
 * say it should hold (self-pay of cash sales less voided ones) and the variance, over or short.
 */
#include "screen.h"

#include <stdio.h>
#include <string.h>

static zc_fen expected(const zc_machine *m)
{
    return m->report.cash_self_pay;
}

static void view(const zc_machine *m, zc_view *v)
{
    zc_fen variance = m->cash_counted_fen - expected(m);
    zc_m_view_begin(m, v, m->cash_counted && variance != 0 ? ZC_TONE_WARNING : ZC_TONE_CALM);
    zc_m_report_title(m, v, "staff.cash.title");
    char money[ZC_MONEY_TEXT_MAX];
    if (m->has_pending)
        zc_m_wait_hint(m, v);
    if (m->note[0])
        zc_view_add(v, ZC_ROLE_HINT, "", m->note, NULL);
    if (m->have_report) {
        zc_m_money(expected(m), money);
        zc_view_add(v, ZC_ROLE_ROW, "", zc_m_text(m, "staff.cash.expected"), money);
    }
    if (m->cash_counted) {
        zc_m_money(m->cash_counted_fen, money);
        zc_view_add(v, ZC_ROLE_ROW, "", zc_m_text(m, "staff.cash.counted"), money);
        char signed_money[ZC_MONEY_TEXT_MAX + 1];
        zc_m_money(variance, money);
        snprintf(signed_money, sizeof signed_money, "%s%s", variance > 0 ? "+" : "", money);
        zc_view_add(v, ZC_ROLE_ROW, "", zc_m_text(m, "staff.cash.variance"), signed_money);
        zc_m_add(m, v, ZC_ROLE_BODY, "",
                 variance == 0  ? "staff.cash.even"
                 : variance > 0 ? "staff.cash.over"
                                : "staff.cash.short");
    } else if (m->have_report) {
        zc_fen fen = zc_m_entry_fen(m);
        zc_m_money(fen < 0 ? 0 : fen, money);
        const char *args[] = {money};
        zc_m_addf(m, v, ZC_ROLE_BIG_AMOUNT, "", "staff.cash.keyed", args, 1);
        zc_m_add(m, v, ZC_ROLE_HINT, "", "staff.cash.hint");
        zc_m_keypad(m, v, false);
    }
    if (!m->has_pending)
        zc_m_add(m, v, ZC_ROLE_BUTTON, "back", "staff.back");
    zc_m_status(m, v);
}

static void enter(zc_machine *m, zc_effects *fx)
{
    m->cash_counted = false;
    m->cash_counted_fen = 0;
    zc_m_report_request(m, fx);
}

static void step(zc_machine *m, const zc_mevent *ev, zc_effects *fx)
{
    if (zc_m_report_answer(m, ev) || ev->kind != ZC_MEV_TAP)
        return;
    const char *id = ev->u.id;
    if (zc_m_entry_edit(m, id, ZC_MACHINE_AMOUNT_DIGITS, false))
        return;
    if (strcmp(id, "key:ok") == 0) {
        zc_fen fen = zc_m_entry_fen(m);
        m->cash_counted_fen = fen < 0 ? 0 : fen;
        m->cash_counted = true;
        zc_m_entry_clear(m);
    } else if (strcmp(id, "back") == 0) {
        zc_m_go(m, ZC_SCREEN_STAFF_MENU, fx);
    }
}

const zc_screen_ops zc_screen_staff_cash = {
    .name = "staff_cash",
    .staff = true,
    .timeout_ms = ZC_TIMEOUT_STAFF_MS,
    .enter = enter,
    .step = step,
    .view = view,
};
